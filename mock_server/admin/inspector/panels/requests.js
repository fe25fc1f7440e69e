// Requests: the journal, live and newest first, filtered as `/__admin/requests` filters,
// with the filters in the address (`#requests?api=afosto&status=404`).
import {get, withQuery} from '../api.js';
import {announce} from '../announce.js';
import {clockTime, count, duration, statusBadge} from '../format.js';
import {append, button, fill, h, heading, hidden, scrollBox} from '../render.js';
import {link, replace} from '../router.js';
import {loadError} from './common.js';
import {decisionMarks} from './marks.js';
import {filterForm, FILTER_NAMES, matches, rememberListHash} from './request-filters.js';
import * as detail from './request-detail.js';
import {clearJournal} from './actions.js';

export const title = 'Requests';
const SHOWN = 500; // rows kept on screen; the journal itself keeps its own number
const FIRST_LOAD = 200; // entries read when the list opens (each carries its bodies)
const COLUMNS = ['Time', 'API', 'Method', 'Path', 'Operation', 'Status', 'Duration', 'Decided by'];

export const kindOf = (route) => (route.parts.length ? 'detail' : 'list');

export function show(place, route, context) {
  if (route.parts.length) return detail.show(place, route, context);
  return showList(place, route, context);
}

function pickFilters(params) {
  return Object.fromEntries(FILTER_NAMES.filter((name) => params[name]).map((name) => [name, params[name]]));
}

function showList(place, route, context) {
  let filters = pickFilters(route.params);
  let paused = false;
  let loading = true;
  let early = []; // entries streamed while the list loads
  let waiting = []; // entries held while paused
  let generation = 0; // the latest load; an older answer arriving late is dropped
  const shown = new Set();
  const body = h('tbody');
  const summary = h('p', {class: 'summary'});
  const problem = h('div');
  const newButton = button('Show new requests', () => resume(), {className: 'secondary', hidden: true});
  const pauseButton = button('Pause live updates', () => (paused ? resume() : pause()));
  const tableNode = h('table', {class: 'requests'},
    h('caption', null, 'Requests, newest first'),
    h('thead', null, h('tr', null, COLUMNS.map((label) => h('th', {scope: 'col'}, label)))), body);

  const form = filterForm(filters, context.health, (next) => {
    filters = next;
    replace(rememberListHash(link('requests', [], filters)));
    load();
  });
  fill(place,
    heading('Requests'),
    form,
    h('div', {class: 'toolbar'}, pauseButton, newButton,
      button('Clear the journal…', () => clearJournal(), {className: 'secondary'})),
    summary, problem,
    scrollBox(tableNode, 'Requests, newest first'));

  function row(entry) {
    const detailLink = h('a', {href: link('requests', [entry.sequence])},
      hidden(`Request ${entry.sequence}: `), entry.path ?? '');
    const tr = h('tr', {'data-sequence': entry.sequence},
      h('td', {class: 'nowrap'}, clockTime(entry.time)),
      h('td', null, entry.api ?? '—'),
      h('td', {class: 'method'}, entry.method ?? ''),
      h('td', {class: 'path'}, detailLink, entry.query ? h('span', {class: 'query'}, `?${entry.query}`) : null),
      h('td', {class: 'operation'}, entry.operation ?? '—'),
      h('td', null, statusBadge(entry.status)),
      h('td', {class: 'number nowrap'}, duration(entry.duration_ms)),
      h('td', null, decisionMarks(entry)));
    tr.addEventListener('click', (event) => {
      // The whole row opens the detail for pointer users; the link is what keyboards reach.
      if (event.target.closest('a, button') || String(window.getSelection())) return;
      detailLink.click();
    });
    return tr;
  }

  function add(entry, {fresh}) {
    if (shown.has(entry.sequence)) return;
    shown.add(entry.sequence);
    const tr = row(entry);
    if (fresh) tr.classList.add('fresh');
    let before = body.firstElementChild;
    while (before && Number(before.dataset.sequence) > entry.sequence) before = before.nextElementSibling;
    body.insertBefore(tr, before);
    while (body.childElementCount > SHOWN) {
      shown.delete(Number(body.lastElementChild.dataset.sequence));
      body.lastElementChild.remove();
    }
  }

  function describe() {
    const words = Object.entries(filters).map(([name, value]) => `${name} ${value}`).join(', ');
    fill(summary, `${count(body.childElementCount, 'request')} shown, newest first`,
      words ? ` · filtered by ${words}` : '',
      body.childElementCount >= SHOWN ? ` · the newest ${SHOWN} only` : '');
  }

  function streamed(entry) {
    if (!entry || !matches(entry, filters)) return;
    if (loading) early.push(entry);
    else if (paused) hold(entry);
    else {
      add(entry, {fresh: true});
      describe();
    }
  }

  // Say how many are held a moment after they start coming, then at most every 1.5 s.
  let heldTimer = null;
  const announceHeld = () => {
    heldTimer ??= setTimeout(() => {
      heldTimer = null;
      if (paused && waiting.length) announce(`${waiting.length} new while paused`);
    }, 1500);
  };
  function hold(entry) {
    if (shown.has(entry.sequence) || waiting.some((held) => held.sequence === entry.sequence)) return;
    waiting.push(entry);
    newButton.hidden = false;
    fill(newButton, `Show ${count(waiting.length, 'new request')}`);
    announceHeld();
  }

  function pause() {
    paused = true;
    fill(pauseButton, 'Resume live updates');
    announce('Paused: new requests are held');
  }

  function resume() {
    paused = false;
    fill(pauseButton, 'Pause live updates');
    const held = waiting;
    waiting = [];
    newButton.hidden = true;
    held.forEach((entry) => add(entry, {fresh: true}));
    describe();
    announce(held.length ? `Live again, ${count(held.length, 'new request')} shown` : 'Live again');
  }

  async function load() {
    const mine = ++generation;
    loading = true;
    early = [];
    fill(problem);
    try {
      const answer = await get(withQuery('requests', {...filters, limit: FIRST_LOAD}), {signal: context.signal});
      if (!context.alive() || mine !== generation) return;
      body.replaceChildren();
      shown.clear();
      waiting = [];
      newButton.hidden = true;
      answer.requests.forEach((entry) => add(entry, {fresh: false}));
    } catch (failure) {
      if (failure.name === 'AbortError' || mine !== generation) return;
      append(problem, loadError('the requests', failure));
    }
    loading = false;
    early.forEach((entry) => (paused ? hold(entry) : add(entry, {fresh: true})));
    early = [];
    describe();
  }

  context.on('request', streamed);
  context.on('journal-cleared', () => load());
  rememberListHash(link('requests', [], filters));
  load();
  return {
    update(next) {
      filters = pickFilters(next.params);
      rememberListHash(link('requests', [], filters));
      form.set(filters);
      load();
    },
  };
}
