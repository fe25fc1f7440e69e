// The page's one polite live region ("live", "disconnected, retrying", "5 new while paused",
// what an action did), and the visible connection badge beside it.
import {fill, h} from './render.js';

let region = null;
let badge = null;
let pending = null;
let fading = null;
// A connection message leaves the region after a while: the badge keeps showing the state.
const CONNECTION_MESSAGE_MS = 6000;

/** Find the live region and the badge in the page header. */
export function attach(regionNode, badgeNode) {
  region = regionNode;
  badge = badgeNode;
}

/** Say `text` politely. The same text said twice is announced twice. A passing message
 * (the connection's state) is cleared after a while, and is for screen readers only: the
 * badge beside it shows the same words. */
export function announce(text, {passing = false} = {}) {
  if (!region) return;
  clearTimeout(pending);
  clearTimeout(fading);
  region.classList.toggle('visually-hidden', passing);
  if (passing) fading = setTimeout(() => { if (region.textContent === text) region.textContent = ''; }, CONNECTION_MESSAGE_MS);
  if (region.textContent === text) {
    region.textContent = '';
    pending = setTimeout(() => { region.textContent = text; }, 50);
  } else {
    region.textContent = text;
  }
}

/** Show the stream's state on the badge: 'live', 'connecting', 'retrying', 'refused'. */
export function connection(state) {
  if (!badge) return;
  const words = {
    live: 'Live', connecting: 'Connecting…', retrying: 'Disconnected, retrying', refused: 'Not allowed (token?)',
  };
  badge.dataset.state = state;
  fill(badge, h('span', {class: 'dot', 'aria-hidden': 'true'}), words[state] || state);
}
