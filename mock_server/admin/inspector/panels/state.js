// State: API → account → collection with counts (`#state`, `#state/<api>`); a collection's
// objects and one object live in state-collection.js. Read-only.
import {get, segment} from '../api.js';
import {count} from '../format.js';
import {append, fill, h, heading, hidden, note} from '../render.js';
import {link} from '../router.js';
import {loadError, reloadOn} from './common.js';
import * as collection from './state-collection.js';

export const title = 'State';

export const kindOf = (route) => (route.parts.length >= 3 ? 'collection' : `tree:${route.parts[0] || ''}`);

export function show(place, route, context) {
  if (route.parts.length >= 3) return collection.show(place, route, context);
  const only = route.parts[0];
  const apis = Object.keys(context.health.apis || {}).filter((name) => !only || name === only);
  const sections = h('div');
  fill(place,
    only ? h('p', {class: 'back'}, h('a', {href: link('state')}, '← Every API')) : null,
    heading(only ? `State of ${only}` : 'State'),
    h('p', {class: 'hint'}, 'What the sandbox stores, per account and collection. Counts change as calls, tasks and the admin API write.'),
    sections);
  if (only && !apis.length) {
    append(sections, note(`${only} is not served here.`, 'error'));
    return null;
  }
  const counters = new Map(); // `${api} ${account} ${path}` -> {count cell, change cell, number}
  const reloaders = new Map();
  for (const name of apis) {
    const box = h('section', null, h('h2', {id: `state-${name}`}, name), note('Loading…'));
    append(sections, box);
    const load = () => loadApi(name, box);
    reloaders.set(name, load);
    load();
  }

  async function loadApi(name, box) {
    try {
      const answer = await get(`state/${segment(name)}`, {signal: context.signal});
      if (!context.alive()) return;
      for (const key of counters.keys()) if (key.startsWith(`${name} `)) counters.delete(key);
      fill(box, h('h2', {id: `state-${name}`}, name), accountsOf(name, answer.accounts || []));
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(box, h('h2', {id: `state-${name}`}, name), loadError(`the state of ${name}`, problem));
    }
  }

  function accountsOf(name, accounts) {
    if (!accounts.length) return note('No account holds data yet.');
    return accounts.map((account) => {
      const collections = [...(account.collections || [])].sort((a, b) => a.path.localeCompare(b.path));
      const rows = collections.map((entry) => {
        const number = h('td', {class: 'number'}, String(entry.count));
        const change = h('td', null, '—');
        counters.set(`${name} ${account.name} ${entry.path}`, {number, change, value: entry.count});
        return h('tr', null,
          h('th', {scope: 'row'}, h('a', {href: link('state', [name, account.name, ...entry.path.split('/').filter(Boolean)])},
            hidden(`${name} ${account.name} `), entry.path)),
          h('td', {class: 'template'}, entry.template ?? ''), number, change);
      });
      const caption = `${name}, account ${account.name}: ${count(collections.length, 'collection')}`;
      return h('div', {class: 'account'},
        h('h3', null, `Account ${account.name}`),
        rows.length ? h('div', {class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0},
          h('table', null, h('caption', null, caption),
            h('thead', null, h('tr', null, ['Collection', 'Template', 'Objects', 'Last change'].map((label) =>
              h('th', {scope: 'col', class: label === 'Objects' ? 'number' : null}, label)))),
            h('tbody', null, rows)))
          : note('No collection holds data yet.'));
    });
  }

  context.on('state', (data) => {
    const stale = new Set();
    for (const change of data?.changes || []) {
      const counter = counters.get(`${change.api} ${change.account} ${change.path}`);
      if (!counter) {
        if (reloaders.has(change.api)) stale.add(change.api);
        continue;
      }
      if (change.kind === 'created') counter.value += 1;
      if (change.kind === 'deleted') counter.value = Math.max(0, counter.value - 1);
      fill(counter.number, String(counter.value));
      fill(counter.change, `${change.kind} ${change.key ?? ''} by ${change.origin ?? 'unknown'}`);
    }
    stale.forEach((name) => reloaders.get(name)());
  });
  reloadOn(context, [], () => reloaders.forEach((load) => load()), 1000);
  return null;
}
