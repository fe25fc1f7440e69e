// "Copy as curl": the journal's request as a command line. The journal masks credentials
// (`***`); here they become placeholders the reader fills in.

const MASK = '***';
const LEFT_OUT_HEADERS = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding']);

/** Quote for a POSIX shell: single quotes, each ' written as '\''. */
export function shellQuote(text) {
  return `'${String(text).replaceAll("'", "'\\''")}'`;
}

function placeholder(name) {
  return `<${name}>`;
}

function unmaskedHeader(name, value) {
  if (value === MASK) return placeholder(name);
  if (value.endsWith(` ${MASK}`)) return `${value.slice(0, -MASK.length)}${placeholder(name === 'authorization' ? 'token' : name)}`;
  return value;
}

function unmaskedQuery(query) {
  return query.replace(/(^|[&;])([^=&;]+)=\*\*\*/g, (all, start, name) => `${start}${name}=${placeholder(decodeURIComponent(name))}`);
}

function unmaskedBody(body) {
  return body
    .replace(/"([^"\\]+)"(\s*:\s*)"\*\*\*"/g, (all, name, colon) => `"${name}"${colon}"${placeholder(name)}"`)
    .replace(/(^|&)([^=&]+)=\*\*\*/g, (all, start, name) => `${start}${name}=${placeholder(name)}`);
}

/**
 * The curl command for a journal entry. `mount` is the API's mount ("/afosto", or "/" when
 * served at the root); `origin` the sandbox's origin. A body cut by the journal is marked.
 */
export function curlCommand(entry, {origin, mount}) {
  const prefix = mount && mount !== '/' ? mount.replace(/\/$/, '') : '';
  const path = encodeURI(entry.path || '/');
  const query = entry.query ? `?${unmaskedQuery(entry.query)}` : '';
  const first = ['curl'];
  if (entry.method && entry.method !== 'GET') first.push('-X', entry.method);
  first.push(shellQuote(`${origin}${prefix}${path}${query}`));
  const lines = [first.join(' ')];
  for (const [name, value] of Object.entries(entry.request_headers || {})) {
    if (LEFT_OUT_HEADERS.has(name.toLowerCase())) continue;
    lines.push(`-H ${shellQuote(`${name}: ${unmaskedHeader(name.toLowerCase(), String(value))}`)}`);
  }
  if (entry.request_body) lines.push(`--data-raw ${shellQuote(unmaskedBody(entry.request_body))}`);
  const command = lines.join(' \\\n  ');
  const cut = entry.request_body && entry.request_body.endsWith('…');
  return cut ? `# the journal kept only the first 4 KiB of this body\n${command}` : command;
}
