// Turning values from the admin API into words and numbers people read.
import {h} from './render.js';

const REASONS = {
  0: 'no answer', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently',
  302: 'Found', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 507: 'Insufficient Storage',
};

/** "404 Not Found"; 0 is a connection closed without an answer. */
export function statusText(code) {
  if (code === null || code === undefined) return 'none';
  const reason = REASONS[code];
  return reason ? `${code} ${reason}` : String(code);
}

/** The colour family of a status; the text always says the status too. */
export function statusKind(code) {
  if (!code) return 'status-none';
  if (code < 300) return 'status-ok';
  if (code < 400) return 'status-redirect';
  if (code < 500) return 'status-client';
  return 'status-server';
}

/** A status as a badge: the words carry the meaning, the colour only helps. */
export function statusBadge(code) {
  return h('span', {class: ['badge', statusKind(code)]}, statusText(code));
}

/** A word status (delivered, failed, running, ...) as a badge. */
export function stateBadge(word) {
  const kind = {
    delivered: 'status-ok', completed: 'status-ok', failed: 'status-server', pending: 'status-redirect',
    queued: 'status-none', running: 'status-redirect', retrying: 'status-client', on: 'status-ok', off: 'status-none',
  }[word] || 'status-none';
  return h('span', {class: ['badge', kind]}, word ?? 'unknown');
}

function validDate(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** A <time> showing the local clock time with milliseconds; the full instant on hover and for machines. */
export function clockTime(iso) {
  const date = validDate(iso);
  if (!date) return iso ? String(iso) : '—';
  const text = date.toLocaleTimeString(undefined, {hour12: false}) + '.' + String(date.getMilliseconds()).padStart(3, '0');
  return h('time', {datetime: date.toISOString()}, text);
}

/** A <time> with date and time. */
export function dateTime(iso) {
  const date = validDate(iso);
  if (!date) return iso ? String(iso) : '—';
  return h('time', {datetime: date.toISOString()}, date.toLocaleString(undefined, {hour12: false}));
}

/** Milliseconds as "0.7 ms", "134 ms" or "2.4 s". */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** Seconds as "0.01 s" or "2 min". */
export function seconds(value) {
  if (typeof value !== 'number') return '—';
  return value >= 120 ? `${Math.round(value / 60)} min` : `${value} s`;
}

/** A body as the journal keeps it, pretty-printed when it is JSON; cut bodies stay as they are. */
export function prettyBody(text) {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}

/** Any JSON value, indented. */
export function prettyJSON(value) {
  return JSON.stringify(value, null, 2);
}

/** One line of JSON at most `limit` characters long, for table cells. */
export function oneLine(value, limit = 140) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > limit ? text.slice(0, limit - 1) + '…' : text;
}

/** "1 request" / "3 requests". */
export function count(number, word, plural = word + 's') {
  return `${number} ${number === 1 ? word : plural}`;
}

/** A share in percent as the API gives it (0..100). */
export function percent(value) {
  return typeof value === 'number' ? `${value} %` : '—';
}
