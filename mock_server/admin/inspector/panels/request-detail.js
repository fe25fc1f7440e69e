// One request (`#requests/<sequence>`): what was sent and answered, why, and what to do with it.
import {get, segment} from '../api.js';
import {announce} from '../announce.js';
import {curlCommand} from '../curl.js';
import {clockTime, dateTime, duration, prettyBody, statusBadge} from '../format.js';
import {append, button, definitions, fill, h, heading, note, pre, table} from '../render.js';
import {link} from '../router.js';
import {linkButton, loadError} from './common.js';
import {decisionMarks} from './marks.js';
import {listHash} from './request-filters.js';
import {latestSeen} from '../catchup.js';

export function show(place, route, context) {
  const sequence = Number(route.parts[0]);
  const content = h('div');
  let entryShown = false;
  fill(place,
    h('p', {class: 'back'}, h('a', {href: listHash()}, '← All requests')),
    heading(`Request ${route.parts[0]}`), content);
  if (!Number.isInteger(sequence) || sequence < 1) {
    append(content, note('A request is named by its sequence number, e.g. #requests/12.', 'error'));
    return null;
  }
  load();

  async function load() {
    let entry;
    try {
      entry = await get(`requests/${segment(sequence)}`, {signal: context.signal});
    } catch (problem) {
      if (problem.name === 'AbortError') return;
      if (problem.status === 404 && sequence > latestSeen()) {
        fill(content, note(`Request ${sequence} has not been made yet; it shows here when it is.`), neighbours(sequence));
        context.on('request', (summary) => { if (summary?.sequence === sequence && !entryShown) load(); });
        return;
      }
      fill(content, problem.status === 404
        ? note(`Request ${sequence} is not in the journal: it keeps the newest requests only, or it was cleared.`)
        : loadError(`request ${sequence}`, problem), neighbours(sequence));
      return;
    }
    if (!context.alive() || entryShown) return;
    entryShown = true;
    fill(content);
    render(entry);
    if (route.params.show === 'errors') content.querySelector('#failures')?.scrollIntoView();
  }

  function render(entry) {
    const mount = context.health.apis?.[entry.api]?.mount ?? '';
    const command = curlCommand(entry, {origin: window.location.origin, mount});
    const curlBlock = pre(command, 'The request as a curl command');
    append(content,
      h('p', {class: 'request-line'}, h('span', {class: 'method'}, entry.method), ' ', h('span', {class: 'path'}, entry.path),
        entry.query ? h('span', {class: 'query'}, `?${entry.query}`) : null),
      h('div', {class: 'toolbar'},
        button('Copy as curl', () => copy(command, curlBlock)),
        linkButton(link('overrides', [], {from: entry.sequence}), 'Make an override from this call'),
        neighbours(entry.sequence)),
      definitions([
        ['Time', dateTime(entry.time)],
        ['API', entry.api ?? 'none (no API matched)'],
        ['Operation', entry.operation
          ? h('a', {href: link('requests', [], {api: entry.api, operation: entry.operation})}, entry.operation)
          : 'none (no documented operation)'],
        ['Status', statusBadge(entry.status)],
        ['Duration', duration(entry.duration_ms)],
        ['Decided by', decisionMarks(entry)],
      ]),
      why(entry),
      h('h2', null, 'Query'),
      queryTable(entry.query),
      h('h2', null, 'Request headers'),
      headerTable(entry.request_headers, 'Request headers'),
      h('p', {class: 'hint'}, 'Credentials are masked (***) as the journal keeps them.'),
      h('h2', null, 'Request body'),
      bodyBlock(entry.request_body, 'Request body'),
      h('h2', null, 'Response body'),
      bodyBlock(entry.response_body, 'Response body'),
      h('h2', null, 'As curl'),
      h('p', {class: 'hint'}, 'Masked credentials are placeholders in angle brackets: replace them before running it.'),
      curlBlock);
  }

  function why(entry) {
    const parts = [];
    if (entry.override) {
      const rule = entry.override.rule ?? entry.override.id;
      parts.push(h('li', null, 'The override rule ', h('a', {href: link('overrides', [], {id: rule})}, String(rule)),
        ' answered', entry.override.status ? ` with status ${entry.override.status}` : '',
        entry.override.fault ? ` with the fault ${entry.override.fault}` : '',
        entry.override.delay_ms ? ` after a delay of ${duration(entry.override.delay_ms)}` : '', '.'));
    }
    if (entry.chaos) {
      parts.push(h('li', null, 'Chaos ', entry.chaos.status ? `answered status ${entry.chaos.status}` : '',
        entry.chaos.delay_ms ? `delayed the answer by ${duration(entry.chaos.delay_ms)}` : '', '.'));
    }
    if (Array.isArray(entry.drift) && entry.drift.length) {
      parts.push(h('li', null, 'The answer differs from the contract: ',
        h('ul', null, entry.drift.map((difference) => h('li', null, describeDifference(difference))))));
    }
    const section = parts.length ? [h('h2', null, 'Why this answer'), h('ul', {class: 'why'}, parts)] : [];
    if (Array.isArray(entry.errors) && entry.errors.length) section.push(failures(entry.errors));
    return section;
  }

  function failures(numbers) {
    const box = h('section', {id: 'failures'},
      h('h2', {id: 'failures-title'}, 'Failures inside the sandbox'), note('Loading…'));
    get('errors', {signal: context.signal}).then((answer) => {
      const found = (answer.errors || []).filter((failure) => numbers.includes(failure.sequence));
      box.lastChild.remove();
      if (!found.length) append(box, note(`Failures ${numbers.join(', ')} are no longer kept.`));
      found.forEach((failure) => append(box, h('article', {class: 'failure'},
        h('h3', null, `Failure ${failure.sequence}: ${failure.error?.type ?? 'error'}`),
        h('p', null, failure.error?.message ?? ''),
        definitions([
          ['When', clockTime(failure.time)], ['Where', failure.source],
          failure.listener ? ['Listener', failure.listener] : null,
          failure.reference ? ['Reference', failure.reference] : null,
        ]),
        failure.traceback ? h('details', null, h('summary', null, 'Traceback'), pre(failure.traceback, 'Traceback')) : null)));
    }).catch((problem) => {
      if (problem.name !== 'AbortError') fill(box, loadError('the failures', problem));
    });
    return box;
  }
}

function describeDifference(difference) {
  const where = difference.field ? ` at ${difference.field}` : '';
  const status = difference.status ? ` ${difference.status}` : '';
  const detail = difference.expected || difference.actual
    ? ` (expected ${difference.expected ?? '-'}, got ${difference.actual ?? '-'})` : '';
  return `${difference.side ?? ''}${status}: ${difference.kind ?? ''}${where}${detail}`;
}

function neighbours(sequence) {
  return h('span', {class: 'neighbours'},
    sequence > 1 ? h('a', {href: link('requests', [sequence - 1]), class: 'button secondary'}, 'Older request') : null,
    h('a', {href: link('requests', [sequence + 1]), class: 'button secondary'}, 'Newer request'));
}

function queryTable(query) {
  if (!query) return note('No query.');
  const rows = [...new URLSearchParams(query)].map(([name, value]) => [name, value]);
  return table({caption: 'Query parameters', columns: [{label: 'Name'}, {label: 'Value'}], rows, rowHeader: true});
}

function headerTable(headers, caption) {
  const rows = Object.entries(headers || {}).map(([name, value]) => [name, String(value)]);
  if (!rows.length) return note('No headers recorded.');
  return table({caption, columns: [{label: 'Name'}, {label: 'Value', class: 'wrap'}], rows, rowHeader: true});
}

function bodyBlock(text, label) {
  const pretty = prettyBody(text);
  if (pretty === null) return note('No body.');
  const cut = String(text).endsWith('…');
  return [pre(pretty, label), cut ? h('p', {class: 'hint'}, 'The journal keeps the first 4 KiB of a body; this one was longer.') : null];
}

async function copy(text, block) {
  try {
    await navigator.clipboard.writeText(text);
    announce('The curl command was copied');
  } catch {
    const range = document.createRange();
    range.selectNodeContents(block);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    block.focus();
    announce('Copying was not allowed here: the command is selected, press Ctrl+C to copy it');
  }
}
