// The admin event stream read with fetch(), so the admin token can travel in a header
// (EventSource cannot send one). Reconnects with back-off and says when it is live.
import {ADMIN_BASE, authHeaders} from './api.js';
import {SseParser} from './sse.js';

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10000;
// The server sends a keep-alive comment every 15 s; this long without a byte means the line is dead.
const SILENCE_MS = 40000;

/**
 * Open `/__admin/events` and keep it open.
 * onEvent(name, data) for each event; onState('connecting' | 'live' | 'retrying' | 'refused', detail)
 * when the connection changes (detail: the retry delay in ms, or the refusal's status).
 * Returns {close(), reconnect()}.
 */
export function openStream({onEvent, onState}) {
  let closed = false;
  let controller = null;
  let failures = 0;
  let wake = null;

  const pause = (ms) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => { clearTimeout(timer); resolve(); };
  });

  async function readOnce() {
    controller = new AbortController();
    let silence = null;
    const watch = () => {
      clearTimeout(silence);
      silence = setTimeout(() => controller.abort(), SILENCE_MS);
    };
    watch();
    try {
      const response = await fetch(ADMIN_BASE + 'events', {
        headers: {Accept: 'text/event-stream', ...authHeaders()},
        cache: 'no-store', credentials: 'omit', signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        controller.abort();
        if (response.status !== 401 && response.status !== 403) return 'dropped';
        onState('refused', response.status);
        return 'refused';
      }
      failures = 0;
      onState('live');
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        watch();
        for (const event of parser.feed(value)) {
          if (event.event === 'comment') continue;
          let data;
          try {
            data = JSON.parse(event.data);
          } catch {
            data = event.data;
          }
          onEvent(event.event, data);
        }
      }
    } catch (problem) {
      if (closed) return 'closed';
    } finally {
      clearTimeout(silence);
    }
    return closed ? 'closed' : 'dropped';
  }

  (async () => {
    onState('connecting');
    while (!closed) {
      const outcome = await readOnce();
      if (closed || outcome === 'closed') break;
      failures += 1;
      const base = outcome === 'refused' ? LONGEST_RETRY_MS : Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      if (outcome !== 'refused') onState('retrying', delay);
      await pause(delay);
    }
  })();

  return {
    close() {
      closed = true;
      controller?.abort();
      wake?.();
    },
    /** Try again now (after the token changed, say). */
    reconnect() {
      failures = 0;
      controller?.abort();
      wake?.();
    },
  };
}
