// A rule to start from: an example, or one made from a recorded call.

export const EXAMPLE_RULE = JSON.stringify({
  api: 'afosto', method: 'GET', path: '/cat/channels', times: 1, response: {status: 503},
}, null, 2);

function parsedBody(text) {
  if (!text || text.endsWith('…')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A rule that answers this call's method and path the way it was answered, once. The body
 * is left out when it was not JSON or was cut; masked credentials in it stay masked.
 */
export function draftFromRequest(entry) {
  const rule = {api: entry.api, method: entry.method, path: entry.path};
  if (entry.query) {
    const query = {};
    for (const [name, value] of new URLSearchParams(entry.query)) {
      if (value !== '***') query[name] = value;
    }
    if (Object.keys(query).length) rule.query = query;
  }
  rule.times = 1;
  const body = parsedBody(entry.response_body);
  rule.response = body === undefined ? {status: entry.status || 500} : {status: entry.status || 500, body};
  return JSON.stringify(rule, null, 2);
}
