// Overrides: the rules in evaluation order, what they match and do, how often they fired;
// turn one off or on, remove one, clear all, add one from JSON (the server judges it).
import {get, patch, post, remove, segment} from '../api.js';
import {announce} from '../announce.js';
import {confirmAction} from '../dialog.js';
import {duration, oneLine, stateBadge} from '../format.js';
import {button, fill, h, heading, hidden, note} from '../render.js';
import {replace, link} from '../router.js';
import {keepFocus, loadError, refocus, reloadOn} from './common.js';
import {draftFromRequest, EXAMPLE_RULE} from './override-draft.js';

export const title = 'Overrides';

function matcher(rule) {
  const parts = [];
  if (rule.operation) parts.push(`operation ${rule.operation}`);
  if (rule.method || rule.path) parts.push(`${rule.method || 'any method'} ${rule.path || 'any path'}`);
  if (rule.account) parts.push(`account ${rule.account}`);
  if (rule.query && Object.keys(rule.query).length) parts.push(`query ${oneLine(rule.query, 80)}`);
  if ('body' in rule && rule.body !== null) parts.push(`body contains ${oneLine(rule.body, 80)}`);
  if (rule.probability !== undefined && rule.probability < 1) parts.push(`${Math.round(rule.probability * 100)} % of matches`);
  return parts.length ? parts.join('; ') : 'every call of its API';
}

function action(rule) {
  const parts = [];
  if (rule.delay_ms !== undefined && rule.delay_ms !== null) {
    parts.push(Array.isArray(rule.delay_ms)
      ? `wait ${duration(rule.delay_ms[0])} to ${duration(rule.delay_ms[1])}` : `wait ${duration(rule.delay_ms)}`);
  }
  if (rule.response) {
    const body = 'body' in rule.response ? `, body ${oneLine(rule.response.body, 60)}` : '';
    parts.push(`answer ${rule.response.status}${body}`);
  }
  if (rule.fault) parts.push(`fault: ${rule.fault}${rule.retry_after !== undefined ? `, Retry-After ${rule.retry_after}` : ''}`);
  return parts.join(', then ') || '—';
}

function times(rule) {
  if (rule.remaining === null || rule.remaining === undefined) return 'every time';
  if (rule.remaining === 0) return `used up${rule.times ? ` (${rule.times} of ${rule.times})` : ''}`;
  return `${rule.remaining} left${rule.times ? ` of ${rule.times}` : ''}`;
}

export function show(place, route, context) {
  const list = h('div');
  const errorBox = h('div', {id: 'rule-error'});
  const textarea = h('textarea', {id: 'rule-json', rows: 14, spellcheck: 'false', 'aria-describedby': 'rule-help rule-error'});
  textarea.value = EXAMPLE_RULE;
  const origin = h('p', {class: 'hint', id: 'rule-origin'});
  const form = h('form', {class: 'rule-form', 'aria-labelledby': 'add-title'},
    h('h2', {id: 'add-title'}, 'Add a rule'),
    origin,
    h('label', {for: 'rule-json'}, 'Rule as JSON'),
    h('p', {class: 'hint', id: 'rule-help'}, 'Match by operation, or by method and path; then give "response", "fault" or "delay_ms". The sandbox checks the rule against the contract and says what is wrong.'),
    textarea, errorBox,
    h('div', {class: 'toolbar'}, h('button', {type: 'submit'}, 'Add rule')));
  form.addEventListener('submit', (event) => { event.preventDefault(); addRule(); });
  let highlighted = route.params.id || null;

  fill(place, heading('Overrides'),
    h('p', {class: 'hint'}, 'Rules are tried in this order; the first that matches a call decides its answer.'),
    h('div', {class: 'toolbar'}, button('Clear all rules…', () => clearAll(), {className: 'danger'})),
    list, form);

  function ruleRow(rule, index) {
    const enabled = rule.enabled !== false;
    const row = h('tr', {'data-rule': rule.id, class: String(rule.id) === String(highlighted) ? 'target' : null},
      h('td', {class: 'number'}, String(index + 1)),
      h('th', {scope: 'row'}, h('code', null, String(rule.id))),
      h('td', null, rule.api ?? '—'),
      h('td', {class: 'wrap'}, matcher(rule)),
      h('td', {class: 'wrap'}, action(rule)),
      h('td', {class: 'number'}, String(rule.fired ?? 0)),
      h('td', null, times(rule)),
      h('td', null, stateBadge(enabled ? 'on' : 'off')),
      h('td', {class: 'actions'},
        button([enabled ? 'Turn off' : 'Turn on', hidden(` rule ${rule.id}`)], () => toggle(rule, !enabled),
          {className: 'secondary small', id: `rule-switch-${rule.id}`}),
        button(['Remove', hidden(` rule ${rule.id}`), '…'], () => removeRule(rule), {className: 'secondary small'})));
    return row;
  }

  async function load() {
    try {
      const answer = await get('overrides', {signal: context.signal});
      if (!context.alive()) return;
      const rules = answer.overrides || [];
      keepFocus(list, () => fill(list, rules.length ? h('div', {class: 'scroll', role: 'region', 'aria-label': 'Override rules', tabindex: 0},
        h('table', {class: 'overrides'}, h('caption', null, `Override rules in evaluation order (${rules.length})`),
          h('thead', null, h('tr', null, ['Order', 'Rule', 'API', 'Matches', 'Action', 'Fired', 'Times', 'State', 'Actions']
            .map((label) => h('th', {scope: 'col'}, label)))),
          h('tbody', null, rules.map(ruleRow))))
        : note('No override rules: every call gets the sandbox\'s own answer.')));
      if (highlighted) {
        list.querySelector('tr.target')?.scrollIntoView({block: 'center'});
        highlighted = null; // only on the first showing
      }
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(list, loadError('the override rules', problem));
    }
  }

  async function toggle(rule, enabled) {
    try {
      await patch(`overrides/${segment(rule.id)}`, {json: {enabled}});
      announce(`Rule ${rule.id} turned ${enabled ? 'on' : 'off'}`);
    } catch (problem) {
      announce(`Could not turn rule ${rule.id} ${enabled ? 'on' : 'off'}: ${problem.message}`);
    }
    await load();
  }

  async function removeRule(rule) {
    const sure = await confirmAction({
      title: `Remove rule ${rule.id}?`,
      message: `Calls it matches (${matcher(rule)}) get the sandbox's own answer again.`,
      action: 'Remove the rule',
    });
    if (!sure) return;
    try {
      await remove(`overrides/${segment(rule.id)}`);
      announce(`Rule ${rule.id} removed`);
    } catch (problem) {
      announce(`Could not remove rule ${rule.id}: ${problem.message}`);
    }
    await load();
    refocus(place);
  }

  async function clearAll() {
    const sure = await confirmAction({
      title: 'Clear all override rules?',
      message: 'Every rule of every API is removed; calls get the sandbox\'s own answers.',
      action: 'Clear all rules',
    });
    if (!sure) return;
    try {
      await remove('overrides');
      announce('All override rules were removed');
    } catch (problem) {
      announce(`Could not clear the rules: ${problem.message}`);
    }
    await load();
    refocus(place);
  }

  async function addRule() {
    fill(errorBox);
    textarea.removeAttribute('aria-invalid');
    try {
      const rule = await post('overrides', {text: textarea.value});
      announce(`Rule ${rule?.id ?? ''} added`);
      highlighted = rule?.id ?? null;
      await load();
    } catch (problem) {
      textarea.setAttribute('aria-invalid', 'true');
      fill(errorBox, h('p', {class: 'error', role: 'alert'}, h('span', {class: 'error-label'}, `The sandbox answered ${problem.status || ''}: `.replace(' :', ':')), problem.message));
      textarea.focus();
    }
  }

  async function prefill(sequence) {
    try {
      const entry = await get(`requests/${segment(sequence)}`, {signal: context.signal});
      if (!context.alive()) return;
      textarea.value = draftFromRequest(entry);
      fill(origin, 'Prefilled from ', h('a', {href: link('requests', [sequence])}, `request ${sequence}`),
        ': check it, change what it should answer, then add it.');
      replace(link('overrides'));
      textarea.focus();
      textarea.setSelectionRange(0, 0);
      textarea.scrollTop = 0;
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(origin, `Could not read request ${sequence}: ${problem.message}`);
    }
  }

  if (route.params.from) prefill(route.params.from);
  reloadOn(context, ['override', 'reset'], load, 300);
  load();
  return {update(next) { highlighted = next.params.id || null; if (next.params.from) prefill(next.params.from); load(); }};
}
