// Tasks: casavi jobs and Afosto batches, with progress as it moves, and "finish all now".
import {get} from '../api.js';
import {clockTime, count, prettyJSON, stateBadge} from '../format.js';
import {button, fill, h, heading, hidden, pre} from '../render.js';
import {loadError} from './common.js';
import {runBackgroundWork} from './actions.js';

export const title = 'Tasks';
const COLUMNS = ['Task', 'API', 'Account', 'Status', 'Progress', 'Created', 'Started', 'Completed', 'Results'];

function progressCell(task) {
  const steps = Array.isArray(task.steps) ? task.steps.length : null;
  const done = task.done ?? null;
  const share = typeof task.progress === 'number' ? task.progress : (steps ? done / steps : 0);
  const words = steps !== null && done !== null ? `${done} of ${count(steps, 'step')}` : `${Math.round(share * 100)} %`;
  const failed = task.failedSteps ? `, ${task.failedSteps} failed` : '';
  const id = `progress-${String(task.api)}-${String(task.id)}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return h('div', {class: 'progress'},
    h('progress', {max: 1, value: share, 'aria-labelledby': id}),
    h('span', {id}, hidden(`Task ${task.id}: `), words + failed));
}

function resultsCell(task) {
  const results = task.results;
  if (!results || (typeof results === 'object' && !Object.keys(results).length)) return '—';
  return h('details', null, h('summary', null, 'Results', hidden(` of task ${task.id}`)), pre(prettyJSON(results), `Results of task ${task.id}`));
}

function taskRow(task) {
  return h('tr', {'data-task': `${task.api} ${task.id}`},
    h('th', {scope: 'row'}, h('span', {class: 'task-type'}, task.type ?? 'task'), h('br'), h('code', null, String(task.id))),
    h('td', null, task.api ?? '—'),
    h('td', null, task.account ?? '—'),
    h('td', null, stateBadge(task.status)),
    h('td', null, progressCell(task)),
    h('td', {class: 'nowrap'}, clockTime(task.createdAt)),
    h('td', {class: 'nowrap'}, clockTime(task.startedAt)),
    h('td', {class: 'nowrap'}, clockTime(task.completedAt)),
    h('td', null, resultsCell(task)));
}

export function show(place, route, context) {
  const body = h('tbody');
  const rows = new Map();
  const summary = h('p', {class: 'summary'});
  const problem = h('div');
  const caption = 'Background tasks, newest first';
  fill(place,
    heading('Tasks'),
    h('p', {class: 'hint'}, 'casavi imports and document jobs, Afosto batches: each step as it runs.'),
    h('div', {class: 'toolbar'}, button('Finish all now', () => runBackgroundWork(), {busyText: 'Finishing…'})),
    summary, problem,
    h('div', {class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0},
      h('table', {class: 'tasks'}, h('caption', null, caption),
        h('thead', null, h('tr', null, COLUMNS.map((label) => h('th', {scope: 'col'}, label)))), body)));

  function describe() {
    const running = [...rows.values()].filter((row) => row.dataset.status === 'running' || row.dataset.status === 'queued').length;
    fill(summary, rows.size ? `${count(rows.size, 'task')}, ${running} not finished` : 'No background task has run yet.');
  }

  function upsert(task) {
    if (!task || task.id === undefined) return;
    const key = `${task.api} ${task.id}`;
    const row = taskRow(task);
    row.dataset.status = task.status ?? '';
    const current = rows.get(key);
    if (current?.querySelector('details')?.open) row.querySelector('details').open = true;
    const hadFocus = current?.contains(document.activeElement);
    if (current) current.replaceWith(row);
    if (hadFocus) row.querySelector('summary')?.focus();
    else body.prepend(row);
    rows.set(key, row);
  }

  async function load() {
    try {
      const answer = await get('tasks', {signal: context.signal});
      if (!context.alive()) return;
      fill(problem);
      body.replaceChildren();
      rows.clear();
      const listed = [...(answer.tasks || [])].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
      listed.forEach(upsert);
      describe();
    } catch (failure) {
      if (failure.name !== 'AbortError') fill(problem, loadError('the tasks', failure));
    }
  }

  context.on('task', (task) => { upsert(task); describe(); });
  context.on('resync', load);
  context.on('reset', load);
  load();
  return null;
}
