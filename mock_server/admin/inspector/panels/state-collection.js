// One collection's objects, paged (`#state/<api>/<account>/<path>?offset=50`), and one
// object (`...?key=<key>`). Rows appear and disappear as changes happen, saying who made them.
import {get, segment, withQuery} from '../api.js';
import {announce} from '../announce.js';
import {oneLine, prettyJSON} from '../format.js';
import {button, fill, h, heading, hidden, note, pre} from '../render.js';
import {link} from '../router.js';
import {linkButton, loadError} from './common.js';

const PAGE = 50;
const GONE_AFTER_MS = 6000; // how long a deleted row stays, struck through, before it goes

export function show(place, route, context) {
  const [api, account, ...segments] = route.parts;
  const path = `/${segments.join('/')}`;
  const key = route.params.key;
  const offset = Math.max(0, Number.parseInt(route.params.offset || '0', 10) || 0);
  let reveal = false;
  const content = h('div');
  const revealButton = button('Reveal credentials', () => {
    reveal = !reveal;
    fill(revealButton, reveal ? 'Mask credentials' : 'Reveal credentials');
    load();
  }, {className: 'secondary'});
  const base = `state/${segment(api)}/${segment(account)}${segments.map((part) => `/${segment(part)}`).join('')}`;
  const collectionHash = link('state', [api, account, ...segments]);

  fill(place,
    h('nav', {class: 'breadcrumb', 'aria-label': 'Where in the state'},
      h('ol', null,
        h('li', null, h('a', {href: link('state')}, 'State')),
        h('li', null, h('a', {href: link('state', [api])}, api)),
        h('li', null, `account ${account}`),
        key ? h('li', null, h('a', {href: collectionHash}, path)) : null)),
    heading(key ? `Object ${key}` : `Collection ${path}`),
    h('p', {class: 'hint'}, `${api}, account ${account}. Read-only; credentials are masked unless revealed.`),
    h('div', {class: 'toolbar'}, revealButton),
    content);

  const objectRows = new Map(); // key -> <tr>
  let unmarked = null; // key -> change, for rows of a collection being read for the first time
  let total = 0;
  const totalLine = h('p', {class: 'summary'});

  async function load() {
    const query = key ? {key} : {offset, limit: PAGE};
    if (reveal) query.reveal = 1;
    try {
      const answer = await get(withQuery(base, query), {signal: context.signal});
      if (!context.alive()) return;
      fill(content, key ? objectView(answer) : listView(answer));
    } catch (problem) {
      if (problem.name === 'AbortError') return;
      fill(content, problem.status === 404
        ? note(key ? `There is no object ${key} in ${path} (any more).` : `There is no collection ${path} for ${account}.`)
        : loadError(key ? `object ${key}` : `collection ${path}`, problem));
    }
  }

  function objectView(answer) {
    return pre(prettyJSON(answer.object), `Object ${key} as JSON`);
  }

  function describeTotal() {
    const last = Math.min(total, offset + objectRows.size);
    fill(totalLine, total ? `Objects ${offset + 1} to ${last} of ${total}` : 'No objects.');
  }

  function objectRow(entry, change) {
    const tr = h('tr', {'data-key': entry.key},
      h('th', {scope: 'row'}, h('a', {href: link('state', [api, account, ...segments], {key: entry.key})},
        hidden('Object '), String(entry.key))),
      h('td', {class: 'json-line'}, oneLine(entry.object)),
      h('td', {class: 'change'}, change ? `${change.kind} by ${change.origin ?? 'unknown'}` : '—'));
    if (change) tr.classList.add('fresh');
    return tr;
  }

  function listView(answer) {
    total = answer.count ?? 0;
    objectRows.clear();
    const body = h('tbody', null, (answer.objects || []).map((entry) => {
      const tr = objectRow(entry);
      objectRows.set(String(entry.key), tr);
      return tr;
    }));
    describeTotal();
    const pager = h('div', {class: 'toolbar pager'},
      offset > 0 ? linkButton(link('state', [api, account, ...segments], {offset: Math.max(0, offset - PAGE) || null}), 'Previous page') : null,
      offset + PAGE < total ? linkButton(link('state', [api, account, ...segments], {offset: offset + PAGE}), 'Next page') : null);
    const caption = `Objects of ${path}`;
    return [totalLine,
      h('div', {class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0},
        h('table', {class: 'objects'}, h('caption', null, caption),
          h('thead', null, h('tr', null, ['Key', 'Object', 'Last change'].map((label) => h('th', {scope: 'col'}, label)))),
          body)),
      pager];
  }

  async function changed(change) {
    const words = `${change.key} ${change.kind} by ${change.origin ?? 'unknown'}`;
    if (key) {
      if (String(change.key) !== String(key)) return;
      if (change.kind === 'deleted') {
        fill(content, note(`This object was deleted (by ${change.origin ?? 'unknown'}).`));
        announce(`Object ${words}`);
      } else load();
      return;
    }
    const row = objectRows.get(String(change.key));
    if (change.kind === 'deleted') {
      if (!row) return;
      total = Math.max(0, total - 1);
      row.classList.add('gone');
      fill(row.lastElementChild, `deleted by ${change.origin ?? 'unknown'}`);
      setTimeout(() => { row.remove(); objectRows.delete(String(change.key)); describeTotal(); }, GONE_AFTER_MS);
      describeTotal();
      return;
    }
    try {
      const answer = await get(withQuery(base, {key: change.key, ...(reveal ? {reveal: 1} : {})}), {signal: context.signal});
      if (!context.alive()) return;
      const fresh = objectRow(answer, change);
      const current = objectRows.get(String(change.key));
      const body = content.querySelector('tbody');
      if (current) current.replaceWith(fresh);
      else if (body) {
        total += 1;
        body.prepend(fresh);
      } else {
        // The collection did not exist when the view opened: read it once (however many
        // changes come meanwhile), then say who made each row.
        if (unmarked) {
          unmarked.set(String(change.key), change);
          return;
        }
        unmarked = new Map([[String(change.key), change]]);
        await load();
        for (const [rowKey, made] of unmarked) {
          const marked = objectRows.get(rowKey);
          if (!marked) continue;
          marked.classList.add('fresh');
          fill(marked.lastElementChild, `${made.kind} by ${made.origin ?? 'unknown'}`);
        }
        unmarked = null;
        return;
      }
      objectRows.set(String(change.key), fresh);
      describeTotal();
    } catch (problem) {
      if (problem.name !== 'AbortError' && problem.status !== 404) announce(`Could not read ${change.key}: ${problem.message}`);
    }
  }

  context.on('state', (data) => {
    for (const change of data?.changes || []) {
      if (change.api === api && change.account === account && change.path === path) changed(change);
    }
  });
  context.on('resync', () => load());
  load();
  return null;
}
