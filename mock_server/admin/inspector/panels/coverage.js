// Coverage: per API, documented operations used and statuses seen; the operations never
// called; each row links to its requests (`#coverage?api=afosto&show=never`).
import {get} from '../api.js';
import {count, percent} from '../format.js';
import {fill, h, heading, hidden, note, table} from '../render.js';
import {link, replace} from '../router.js';
import {keepFocus, loadError, reloadOn} from './common.js';

export const title = 'Coverage';
const SHOW = [['all', 'every operation'], ['called', 'called operations'], ['never', 'operations never called']];

function summaryTable(report) {
  const rows = Object.entries(report).map(([name, api]) => [
    h('a', {href: link('coverage', [], {api: name})}, name),
    `${api.called} of ${api.operations} (${percent(api.operationCoverage)})`,
    `${api.exercisedStatuses} of ${api.documentedStatuses} (${percent(api.statusCoverage)})`,
    (api.neverCalled || []).length
      ? h('a', {href: link('coverage', [], {api: name, show: 'never'})}, String(api.neverCalled.length), hidden(` operations of ${name} never called`))
      : '0',
  ]);
  return table({
    caption: 'Coverage per API',
    columns: [{label: 'API'}, {label: 'Operations used'}, {label: 'Statuses seen'}, {label: 'Never called', class: 'number'}],
    rows, rowHeader: true,
  });
}

function statusesSeen(statuses) {
  const entries = Object.entries(statuses || {});
  return entries.length ? entries.map(([code, times]) => `${code} ×${times}`).join(', ') : '—';
}

function operationsTable(name, api, which) {
  const operations = Object.entries(api.byOperation || {}).filter(([, operation]) =>
    which === 'called' ? operation.calls > 0 : which === 'never' ? !operation.calls : true);
  if (!operations.length) return note(which === 'never' ? 'Every documented operation was called.' : 'No operation was called yet.');
  return table({
    caption: `${name}: ${operations.length} of ${count(Object.keys(api.byOperation).length, 'operation')} (${SHOW.find(([value]) => value === which)[1]})`,
    columns: [{label: 'Operation'}, {label: 'Method'}, {label: 'Path', class: 'wrap'}, {label: 'Calls', class: 'number'},
      {label: 'Statuses seen'}, {label: 'Documented, not seen yet'}],
    rows: operations.map(([operationId, operation]) => [
      h('a', {href: link('requests', [], {api: name, operation: operationId})}, hidden('Requests of '), operationId),
      operation.method ?? '', operation.path ?? '', String(operation.calls ?? 0),
      statusesSeen(operation.statuses),
      (operation.statusesNotSeen || []).join(', ') || 'none',
    ]),
    rowHeader: true,
    className: 'coverage',
  });
}

export function show(place, route, context) {
  let params = {api: route.params.api || '', show: route.params.show || 'all'};
  let report = null;
  let reportText = '';
  const summary = h('div');
  const details = h('div');
  const apiSelect = h('select', {id: 'coverage-api', name: 'api'});
  const showSelect = h('select', {id: 'coverage-show', name: 'show'},
    SHOW.map(([value, words]) => h('option', {value}, words)));
  const controls = h('form', {class: 'filters', 'aria-label': 'Which operations to list'},
    h('div', {class: 'field'}, h('label', {for: 'coverage-api'}, 'API'), apiSelect),
    h('div', {class: 'field'}, h('label', {for: 'coverage-show'}, 'Show'), showSelect));
  controls.addEventListener('submit', (event) => event.preventDefault());
  controls.addEventListener('change', () => {
    params = {api: apiSelect.value, show: showSelect.value};
    replace(link('coverage', [], {api: params.api, show: params.show === 'all' ? '' : params.show}));
    renderDetails();
  });
  fill(place, heading('Coverage'),
    h('p', {class: 'hint'}, 'Which documented operations your client called, and which documented answers it has seen. Counted since the journal was last cleared.'),
    summary, h('h2', null, 'Operations'), controls, details);

  function renderDetails() {
    if (!report) return;
    const names = Object.keys(report);
    fill(apiSelect, h('option', {value: ''}, 'every API'), names.map((name) => h('option', {value: name}, name)));
    apiSelect.value = names.includes(params.api) ? params.api : '';
    showSelect.value = SHOW.some(([value]) => value === params.show) ? params.show : 'all';
    const shown = apiSelect.value ? [apiSelect.value] : names;
    fill(details, shown.map((name) => h('section', null,
      h('h3', {id: `coverage-${name}`}, name), operationsTable(name, report[name], showSelect.value))));
  }

  async function load() {
    try {
      const answer = await get('coverage', {signal: context.signal});
      if (!context.alive()) return;
      const text = JSON.stringify(answer);
      if (text === reportText) return;
      report = answer;
      reportText = text;
      keepFocus(place, () => {
        fill(summary, summaryTable(report));
        renderDetails();
      });
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(summary, loadError('the coverage', problem));
    }
  }

  reloadOn(context, ['request', 'journal-cleared', 'reset'], load, 1500);
  load();
  return {
    update(next) {
      params = {api: next.params.api || '', show: next.params.show || 'all'};
      renderDetails();
    },
  };
}
