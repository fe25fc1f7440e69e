// Calls to the admin API: the admin token from the page's fragment, JSON in and out,
// the server's error message kept as it is.

const TOKEN_KEY = 'mock-server-inspector-token';

/** The admin API's path, found from where this script is served (`/__admin/ui/api.js`). */
export const ADMIN_BASE = new URL('../', import.meta.url).pathname;

/** An answer of the admin API that is not a success; `message` is the server's own words. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const unauthorizedListeners = new Set();

/** Call `listener` whenever the admin API refuses the page for lack of the right token. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

/**
 * Move a `#token=<t>` fragment into sessionStorage and take it out of the address bar
 * (and out of the history), so it is neither shown, bookmarked nor shared.
 */
export function takeTokenFromAddress() {
  const match = /^#token=([^&]*)(?:&(.*))?$/.exec(window.location.hash);
  if (!match) return;
  let token = match[1];
  try {
    token = decodeURIComponent(token);
  } catch {
    // not percent-encoded: taken as it is
  }
  setToken(token);
  const rest = match[2] ? `#${match[2]}` : '';
  window.history.replaceState(null, '', window.location.pathname + window.location.search + rest);
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The headers every admin call carries. */
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? {Authorization: `Bearer ${token}`} : {};
}

/**
 * One admin call. `path` is below the admin prefix (`requests?after=3`); `json` is sent as
 * JSON, `text` as a JSON document the user typed (sent as is, so the server judges it).
 * Resolves to the parsed answer (null for an empty one); rejects with ApiError.
 */
export async function call(method, path, {json, text, signal} = {}) {
  const headers = {Accept: 'application/json', ...authHeaders()};
  let body;
  if (json !== undefined) body = JSON.stringify(json);
  if (text !== undefined) body = text;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(ADMIN_BASE + path, {
      method, headers, body, signal, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
    });
  } catch (problem) {
    if (problem.name === 'AbortError') throw problem;
    throw new ApiError(0, 'the sandbox cannot be reached (is it running?)');
  }
  const answer = await readAnswer(response);
  if (response.ok) return answer;
  const message = answer && typeof answer === 'object' && typeof answer.error === 'string'
    ? answer.error : `${response.status} ${response.statusText}`.trim();
  if (response.status === 401) unauthorizedListeners.forEach((listener) => listener(message));
  throw new ApiError(response.status, message);
}

async function readAnswer(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = (path, options) => call('GET', path, options);
export const post = (path, options) => call('POST', path, options);
export const patch = (path, options) => call('PATCH', path, options);
export const remove = (path, options) => call('DELETE', path, options);

/** `path?k=v&...` from an object, leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** One path segment, encoded. */
export const segment = (value) => encodeURIComponent(String(value));
