// Drift (the validating proxy): where real traffic differs from the contract, per operation.
import {get, remove} from '../api.js';
import {announce} from '../announce.js';
import {confirmAction} from '../dialog.js';
import {clockTime, count} from '../format.js';
import {button, fill, h, heading, hidden, note, table} from '../render.js';
import {link} from '../router.js';
import {keepFocus, loadError, reloadOn} from './common.js';

export const title = 'Drift';

function operationSection(api, operation) {
  const differences = operation.differences || [];
  const id = `drift-${operation.operation}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return h('section', null,
    h('h2', {id}, `${operation.method} ${operation.path}`),
    h('p', null, h('a', {href: link('requests', [], {api, operation: operation.operation})}, hidden('Requests of '), operation.operation),
      ` · ${count(operation.calls ?? 0, 'call')} checked`),
    table({
      caption: `Differences of ${operation.operation}`,
      columns: [{label: 'Side'}, {label: 'Kind'}, {label: 'Where', class: 'wrap'}, {label: 'Status'},
        {label: 'Expected', class: 'wrap'}, {label: 'Actual', class: 'wrap'}, {label: 'Seen', class: 'number'},
        {label: 'First seen'}, {label: 'Last seen'}],
      rows: differences.map((difference) => [
        difference.side ?? '—', difference.kind ?? '—', difference.field || 'the whole message',
        difference.status ? String(difference.status) : '—', difference.expected ?? '—', difference.actual ?? '—',
        String(difference.count ?? 1), clockTime(difference.firstSeen), clockTime(difference.lastSeen),
      ]),
    }));
}

export function show(place, route, context) {
  const content = h('div');
  let lastText = '';
  fill(place, heading('Drift'),
    h('p', {class: 'hint'}, 'Where the real API\'s requests and answers differ from the contract. Differences are named by kind and place, never by value.'),
    h('div', {class: 'toolbar'}, button('Clear the drift report…', () => clear(), {className: 'secondary'})),
    content);

  async function load() {
    try {
      const answer = await get('drift', {signal: context.signal});
      if (!context.alive()) return;
      const text = JSON.stringify(answer);
      if (text === lastText) return;
      lastText = text;
      const operations = answer.operations || [];
      const api = answer.api ?? context.health.api;
      keepFocus(content, () => fill(content,
        h('p', {class: 'summary'}, `${answer.api ? `${answer.api} against ${answer.upstream ?? 'the real API'}: ` : ''}`
          + `${count(answer.checked?.requests ?? 0, 'request')} checked over ${count(answer.checked?.operations ?? 0, 'operation')}; `
          + `${count(answer.differences ?? 0, 'difference')}.`),
        operations.length ? operations.map((operation) => operationSection(api, operation))
          : note('No drift: every checked call matched the contract.')));
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(content, loadError('the drift report', problem));
    }
  }

  async function clear() {
    const sure = await confirmAction({
      title: 'Clear the drift report?',
      message: 'The differences found so far are forgotten; the proxy keeps checking.',
      action: 'Clear the drift report',
    });
    if (!sure) return;
    try {
      await remove('drift');
      announce('The drift report was cleared');
    } catch (problem) {
      announce(`Could not clear the drift report: ${problem.message}`);
    }
    load();
  }

  reloadOn(context, ['request'], load, 1500);
  load();
  return null;
}
