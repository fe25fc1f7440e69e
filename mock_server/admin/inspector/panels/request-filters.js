// The requests panel's filters: the journal API's own (api, method, path prefix, status,
// operation, note), and the same test applied to entries that arrive live.
import {h} from '../render.js';

export const FILTER_NAMES = ['api', 'method', 'path', 'status', 'operation', 'note'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
let lastListHash = '#requests';

/** Remember the list address shown (with its filters) for the detail's way back; returns it. */
export function rememberListHash(hash) {
  lastListHash = hash;
  return hash;
}

/** The list address last shown. */
export const listHash = () => lastListHash;

const NOTES = [['override', 'an override'], ['chaos', 'chaos'], ['drift', 'drift'], ['errors', 'an error']];

/** Whether an entry passes the filters, as `GET /__admin/requests` decides. */
export function matches(entry, filters) {
  if (filters.api && entry.api !== filters.api) return false;
  if (filters.method && entry.method !== filters.method.toUpperCase()) return false;
  if (filters.path && !(entry.path || '').startsWith(filters.path)) return false;
  if (filters.status && String(entry.status) !== String(Number(filters.status))) return false;
  if (filters.operation && entry.operation !== filters.operation) return false;
  if (filters.note && !(filters.note in entry)) return false;
  return true;
}

function select(id, label, options, value) {
  return h('div', {class: 'field'},
    h('label', {for: id}, label),
    h('select', {id, name: id.replace('filter-', '')},
      options.map(([optionValue, text]) => h('option', {value: optionValue, selected: optionValue === (value || '')}, text))));
}

function input(id, label, value, extra = {}) {
  return h('div', {class: 'field'},
    h('label', {for: id}, label),
    h('input', {id, name: id.replace('filter-', ''), type: 'text', value: value || '', autocomplete: 'off', spellcheck: 'false', ...extra}));
}

/**
 * The filter form. `onApply(filters)` runs when a select changes or the form is submitted.
 * Returns the form, with `set(filters)` to show other filters.
 */
export function filterForm(filters, health, onApply) {
  const apply = () => onApply(read());
  const apis = Object.keys(health.apis || {}).length ? Object.keys(health.apis) : [health.api].filter(Boolean);
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter requests'},
    select('filter-api', 'API', [['', 'any API'], ...apis.map((name) => [name, name])], filters.api),
    select('filter-method', 'Method', [['', 'any method'], ...METHODS.map((name) => [name, name])], filters.method),
    input('filter-path', 'Path starts with', filters.path, {placeholder: '/cat/channels'}),
    input('filter-status', 'Status', filters.status, {inputmode: 'numeric', placeholder: '404'}),
    input('filter-operation', 'Operation', filters.operation, {placeholder: 'listChannels'}),
    select('filter-note', 'Decided by', [['', 'anything'], ...NOTES], filters.note),
    h('div', {class: 'field-actions'},
      h('button', {type: 'submit'}, 'Apply filters'),
      h('button', {type: 'button', class: 'secondary', on: {click: () => { set({}); apply(); }}}, 'Clear filters')));

  function read() {
    const values = {};
    for (const name of FILTER_NAMES) {
      const value = form.elements[name].value.trim();
      if (value) values[name] = value;
    }
    return values;
  }

  function set(values) {
    for (const name of FILTER_NAMES) form.elements[name].value = values[name] || '';
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); apply(); });
  form.addEventListener('change', (event) => { if (event.target.tagName === 'SELECT') apply(); });
  form.set = set;
  return form;
}
