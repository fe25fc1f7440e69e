// Not losing requests across a dropped stream: the highest journal sequence seen, and after
// each (re)connection everything newer read from `/requests?after=` and published as if streamed.
// Listeners skip a sequence they already show, so nothing is shown twice.
import {get, withQuery} from './api.js';
import {publish} from './bus.js';

const PAGE = 500;
let latest = 0;

/** Remember a sequence the page has seen. */
export function noteSequence(sequence) {
  if (typeof sequence === 'number' && sequence > latest) latest = sequence;
}

/** The highest sequence seen so far. */
export const latestSeen = () => latest;

/** Where the journal stands when the page opens. */
export async function startFrom() {
  const answer = await get(withQuery('requests', {limit: 1}));
  noteSequence(newest(answer));
}

function newest(answer) {
  if (typeof answer?.latest === 'number') return answer.latest;
  return Math.max(0, ...(answer?.requests || []).map((entry) => entry.sequence));
}

/** Read and publish every request newer than the latest seen; after a reconnection, also
 * tell the panels to read their lists again (`resync`). */
export async function catchUp({reconnected = false} = {}) {
  for (;;) {
    const before = latest;
    const answer = await get(withQuery('requests', {after: latest, limit: PAGE}));
    if (typeof answer.latest === 'number' && answer.latest < latest) {
      // The journal numbers from 1 again: a restarted server. Start over.
      latest = answer.latest;
      publish('reset', {apis: [], restarted: true});
      return;
    }
    for (const entry of answer.requests) {
      noteSequence(entry.sequence);
      publish('request', entry);
    }
    // A page that brought nothing newer ends it too (a server that ignores `after`).
    if (answer.requests.length < PAGE || latest === before) break;
  }
  if (reconnected) publish('resync', {});
}
