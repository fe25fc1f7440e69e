// Overview: what is served, the settings that explain its behaviour, and the admin actions.
import {get} from '../api.js';
import {clockTime, count, seconds} from '../format.js';
import {button, definitions, fill, h, heading, hidden, note, table} from '../render.js';
import {link} from '../router.js';
import {loadError, reloadOn} from './common.js';
import {clearJournal, resetData, runBackgroundWork} from './actions.js';

export const title = 'Overview';

function settingsList(settings) {
  if (!settings) return note('This server does not report its settings.');
  const yesNo = (value) => (value ? 'yes' : 'no');
  return definitions([
    ['Seed', String(settings.seed ?? '—')],
    ['Job delay', settings.jobDelay !== undefined ? `${seconds(settings.jobDelay)} per step` : '—'],
    ['Webhook timeout', seconds(settings.webhookTimeout)],
    ['Webhook attempts', String(settings.webhookAttempts ?? '—')],
    ['Chaos', settings.chaos ? `${Math.round(settings.chaos * 1000) / 10} % of requests` : 'off'],
    ['Frozen time', settings.frozenTime || 'off (the real clock)'],
    ['Admin token', settings.adminToken ? 'set' : 'not set'],
    ['Plain http:// webhook targets', yesNo(settings.allowHttpHooks)],
    ['casavi token lifetime', seconds(settings.tokenTtl)],
  ]);
}

function apisTable(health) {
  const names = Object.keys(health.apis || {});
  if (!names.length) return note('No API is served.');
  const rows = names.map((name) => {
    const served = health.apis[name];
    return [
      name,
      h('code', null, served.mount ?? '/'),
      String(served.operations ?? '—'),
      String(served.accounts ?? '—'),
      h('span', {class: 'links'},
        h('a', {href: link('requests', [], {api: name})}, 'Requests', hidden(` of ${name}`)),
        h('a', {href: link('state', [name])}, 'State', hidden(` of ${name}`)),
        h('a', {href: link('coverage', [], {api: name})}, 'Coverage', hidden(` of ${name}`))),
      button(['Reset', hidden(` ${name}`), '…'], () => resetData(name), {className: 'secondary small'}),
    ];
  });
  return table({
    caption: 'Served APIs',
    columns: [{label: 'API'}, {label: 'Mount'}, {label: 'Operations', class: 'number'},
      {label: 'Accounts', class: 'number'}, {label: 'Look at'}, {label: 'Actions'}],
    rows, rowHeader: true,
  });
}

export function show(place, route, context) {
  const failures = h('div');
  const uptime = h('p', {class: 'lead'});
  const apis = h('div');
  const settings = h('div');
  fill(place,
    heading('Overview'),
    uptime,
    h('section', null, h('h2', {id: 'apis-title'}, 'Served APIs'), apis),
    h('section', null, h('h2', {id: 'settings-title'}, 'Settings'),
      h('p', {class: 'hint'}, 'What the server was started with; these explain much of what it answers.'),
      settings),
    h('section', null, h('h2', {id: 'actions-title'}, 'Actions'),
      h('div', {class: 'toolbar'},
        button('Run background work now', () => runBackgroundWork(), {busyText: 'Running…'}),
        button('Clear the journal…', () => clearJournal(), {className: 'secondary'}),
        button('Reset all data…', () => resetData(), {className: 'danger'}))),
    h('section', null, h('h2', {id: 'failures-title'}, 'Failures inside the sandbox'),
      h('p', {class: 'hint'}, 'Exceptions the sandbox contained: a listener, a background step, or a request answered 500.'),
      failures));

  function renderHealth(health) {
    fill(uptime, `Up for ${seconds(Math.round(health.uptimeSeconds ?? 0))}.`);
    fill(apis, apisTable(health));
    fill(settings, settingsList(health.settings));
  }

  async function loadHealth() {
    try {
      const health = await get('health', {signal: context.signal});
      if (context.alive()) renderHealth(health);
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(apis, loadError('the served APIs', problem));
    }
  }

  async function loadFailures() {
    try {
      const answer = await get('errors', {signal: context.signal});
      if (!context.alive()) return;
      const listed = (answer.errors || []).slice().reverse();
      fill(failures, listed.length ? table({
        caption: `Contained failures, newest first (${count(listed.length, 'failure')})`,
        columns: [{label: 'Number'}, {label: 'Time'}, {label: 'API'}, {label: 'Where'}, {label: 'Error'}, {label: 'Request'}],
        rows: listed.map((failure) => [
          String(failure.sequence), clockTime(failure.time), failure.api ?? '—', failure.source ?? '—',
          `${failure.error?.type ?? 'error'}: ${failure.error?.message ?? ''}`,
          failure.request?.journal
            ? h('a', {href: link('requests', [failure.request.journal], {show: 'errors'})}, `Request ${failure.request.journal}`)
            : '—',
        ]),
        rowHeader: true,
      }) : note('None: nothing failed inside the sandbox.'));
    } catch (problem) {
      if (problem.name !== 'AbortError') fill(failures, loadError('the failures', problem));
    }
  }

  renderHealth(context.health);
  loadHealth();
  loadFailures();
  reloadOn(context, ['error', 'reset'], loadFailures, 1000);
  reloadOn(context, ['reset'], loadHealth, 1000);
  return null;
}
