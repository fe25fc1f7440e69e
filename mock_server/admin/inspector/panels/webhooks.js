// Webhooks: every delivery with each attempt (`#webhooks`), and one delivery with what
// was sent (`#webhooks/<id>`), with "send again".
import {get, post, segment} from '../api.js';
import {announce} from '../announce.js';
import {clockTime, count, dateTime, duration, prettyBody, statusText, stateBadge} from '../format.js';
import {button, definitions, fill, h, heading, hidden, note, pre, table} from '../render.js';
import {link} from '../router.js';
import {loadError} from './common.js';

export const title = 'Webhooks';
export const kindOf = (route) => (route.parts.length ? `detail:${route.parts[0]}` : 'list');

function lastAttempt(delivery) {
  const attempts = delivery.attempts || [];
  const attempt = attempts[attempts.length - 1];
  return attempt ? attemptResult(attempt) : 'not tried yet';
}

function attemptResult(attempt) {
  if (attempt.error) return `error: ${attempt.error}`;
  if (attempt.statusCode !== null && attempt.statusCode !== undefined) return statusText(attempt.statusCode);
  return 'running';
}

function deliveryRow(delivery) {
  return h('tr', {'data-id': delivery.id},
    h('td', {class: 'nowrap'}, clockTime(delivery.createdAt)),
    h('th', {scope: 'row'}, h('a', {href: link('webhooks', [delivery.id])}, hidden('Delivery of '), delivery.event ?? 'event',
      hidden(` created ${delivery.createdAt ?? ''}`))),
    h('td', null, `${delivery.api ?? '—'} / ${delivery.account ?? '—'}`),
    h('td', {class: 'wrap'}, delivery.target ?? '—'),
    h('td', null, stateBadge(delivery.status)),
    h('td', {class: 'number'}, String((delivery.attempts || []).length)),
    h('td', {class: 'wrap'}, lastAttempt(delivery)));
}

export function show(place, route, context) {
  return route.parts.length ? showDelivery(place, route.parts[0], context) : showList(place, context);
}

function showList(place, context) {
  const body = h('tbody');
  const rows = new Map();
  const summary = h('p', {class: 'summary'});
  const problem = h('div');
  const caption = 'Webhook deliveries, newest first';
  fill(place, heading('Webhooks'),
    h('p', {class: 'hint'}, 'What the sandbox sent to webhook receivers, and how each attempt ended. Targets are shown without credentials.'),
    summary, problem,
    h('div', {class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0},
      h('table', {class: 'webhooks'}, h('caption', null, caption),
        h('thead', null, h('tr', null, ['Created', 'Event', 'API / account', 'Target', 'Status', 'Attempts', 'Last attempt']
          .map((label) => h('th', {scope: 'col', class: label === 'Attempts' ? 'number' : null}, label)))),
        body)));

  function describe() {
    const failed = [...rows.values()].filter((row) => row.dataset.status === 'failed').length;
    fill(summary, rows.size ? `${count(rows.size, 'delivery', 'deliveries')}, ${failed} failed` : 'No webhook was sent yet.');
  }

  function upsert(delivery) {
    if (!delivery?.id) return;
    const row = deliveryRow(delivery);
    row.dataset.status = delivery.status ?? '';
    const current = rows.get(delivery.id);
    const hadFocus = current?.contains(document.activeElement);
    if (current) current.replaceWith(row);
    else body.prepend(row);
    if (hadFocus) row.querySelector('a')?.focus();
    rows.set(delivery.id, row);
  }

  async function load() {
    try {
      const answer = await get('webhooks', {signal: context.signal});
      if (!context.alive()) return;
      fill(problem);
      body.replaceChildren();
      rows.clear();
      [...(answer.deliveries || [])].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt))).forEach(upsert);
      describe();
    } catch (failure) {
      if (failure.name !== 'AbortError') fill(problem, loadError('the webhook deliveries', failure));
    }
  }

  context.on('webhook', (delivery) => { upsert(delivery); describe(); });
  context.on('resync', load);
  context.on('reset', load);
  load();
  return null;
}

function showDelivery(place, id, context) {
  const content = h('div');
  let attemptsShown = 0;
  fill(place, h('p', {class: 'back'}, h('a', {href: link('webhooks')}, '← All deliveries')),
    heading('Webhook delivery'),
    h('div', {class: 'toolbar'}, button('Send again', () => sendAgain(), {busyText: 'Sending…'})),
    content);

  function render(delivery) {
    const attempts = delivery.attempts || [];
    attemptsShown = attempts.length;
    fill(content,
      definitions([
        ['Event', delivery.event ?? '—'],
        ['Status', stateBadge(delivery.status)],
        ['Target', delivery.target ?? '—'],
        ['API / account', `${delivery.api ?? '—'} / ${delivery.account ?? '—'}`],
        ['Subscription', delivery.subscription ?? '—'],
        ['Created', dateTime(delivery.createdAt)],
        ['Delivered', delivery.deliveredAt ? dateTime(delivery.deliveredAt) : 'not yet'],
        ['Delivery id', h('code', null, String(delivery.id))],
      ]),
      h('h2', null, 'Attempts'),
      attempts.length ? table({
        caption: `${count(attempts.length, 'attempt')}, oldest first`,
        columns: [{label: 'Attempt', class: 'number'}, {label: 'Started'}, {label: 'Result'}, {label: 'Duration', class: 'number'}, {label: 'Response (excerpt)', class: 'wrap'}],
        rows: attempts.map((attempt) => [
          String(attempt.number), clockTime(attempt.startedAt),
          attempt.error ? h('span', {class: 'badge long status-server'}, `error: ${attempt.error}`)
            : h('span', {class: ['badge', attempt.statusCode < 300 ? 'status-ok' : 'status-server']}, attemptResult(attempt)),
          duration(attempt.durationMs),
          attempt.response ? h('span', {class: 'excerpt'}, attempt.response) : '—',
        ]),
        rowHeader: true,
      }) : note('Not tried yet.'),
      h('h2', null, 'Body sent'),
      delivery.body ? pre(prettyBody(delivery.body), 'Body sent') : note('No body.'),
      h('h2', null, 'Headers sent'),
      table({caption: 'Headers sent', columns: [{label: 'Name'}, {label: 'Value', class: 'wrap'}],
        rows: Object.entries(delivery.headers || {}).map(([name, value]) => [name, String(value)]), rowHeader: true}));
  }

  async function load() {
    try {
      const answer = await get('webhooks', {signal: context.signal});
      if (!context.alive()) return;
      const delivery = (answer.deliveries || []).find((entry) => entry.id === id);
      if (delivery) render(delivery);
      else fill(content, note(`There is no delivery ${id} (any more).`));
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(content, loadError(`delivery ${id}`, problem));
    }
  }

  async function sendAgain() {
    try {
      const delivery = await post(`webhooks/${segment(id)}/retry`);
      announce('Sending again: the new attempt shows when it ends');
      // The stream may have shown the new attempt before this answer came: never go back.
      if (delivery?.id === id && (delivery.attempts || []).length >= attemptsShown) render(delivery);
    } catch (problem) {
      announce(`Could not send again: ${problem.message}`);
    }
  }

  context.on('webhook', (delivery) => {
    if (delivery?.id !== id) return;
    const before = attemptsShown;
    render(delivery);
    const attempts = (delivery.attempts || []).length;
    if (attempts > before && before) announce(`Attempt ${attempts}: ${lastAttempt(delivery)}`);
  });
  context.on('resync', load);
  load();
  return null;
}
