// Hash routes: `#panel/part/part?name=value`. Every view is a link that survives a reload.

/** The route the address names: {panel, parts, params}. */
export function currentRoute() {
  return parseRoute(window.location.hash);
}

export function parseRoute(hash) {
  const text = hash.replace(/^#/, '');
  const [pathText, queryText = ''] = splitOnce(text, '?');
  const [panel = '', ...parts] = pathText.split('/').map(decodeSegment);
  const params = {};
  for (const [name, value] of new URLSearchParams(queryText)) params[name] = value;
  return {panel, parts: parts.filter((part) => part !== ''), params};
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at === -1 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `#panel/part?name=value` for a route; empty params are left out. */
export function link(panel, parts = [], params = {}) {
  const path = [panel, ...parts].map((part) => encodeURIComponent(String(part))).join('/');
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

/** Change the address without a new history entry and without leaving the view (filters). */
export function replace(hash) {
  window.history.replaceState(null, '', hash);
}
