// The inspector's start: token, health, navigation, the live stream, and the view the
// address names.
import * as api from './api.js';
import * as announcer from './announce.js';
import * as bus from './bus.js';
import {fill, h, note} from './render.js';
import {currentRoute, link} from './router.js';
import {openStream} from './stream.js';
import {catchUp, noteSequence, startFrom} from './catchup.js';
import {PANELS} from './panels/index.js';
import {showTokenForm} from './token-form.js';

const view = document.getElementById('view');
const notice = document.getElementById('notice');
let health = null;
let stream = null;
let current = null; // {panel, kind, handle, controller}
let firstView = true;
let wasLive = false;

function defaultPanel() {
  return health.panels[0];
}

function buildNavigation() {
  const list = document.getElementById('panel-links');
  fill(list, health.panels.filter((name) => PANELS[name]).map((name) =>
    h('li', null, h('a', {href: link(name), 'data-panel': name}, PANELS[name].title))));
}

function markCurrent(panel) {
  for (const anchor of document.querySelectorAll('#panel-links a')) {
    if (anchor.dataset.panel === panel) anchor.setAttribute('aria-current', 'page');
    else anchor.removeAttribute('aria-current');
  }
}

function describeServer() {
  const line = document.getElementById('server-line');
  const kind = health.server === 'proxy' ? `validating proxy for ${health.api || 'one API'}` : 'sandbox';
  fill(line, [kind, health.version ? `version ${health.version}` : null, window.location.host].filter(Boolean).join(' · '));
}

/** Show the view the address names, reusing the one on screen when only its filters changed. */
function route() {
  if (window.location.hash.startsWith('#token=')) {
    // A token link opened in a tab that already shows the inspector.
    api.takeTokenFromAddress();
    notice.replaceChildren();
    stream?.reconnect();
    current = null;
  }
  const target = currentRoute();
  if (!target.panel || !health.panels.includes(target.panel) || !PANELS[target.panel]) {
    window.history.replaceState(null, '', link(defaultPanel()));
    route();
    return;
  }
  const panel = PANELS[target.panel];
  const kind = panel.kindOf ? panel.kindOf(target) : 'list';
  if (current && current.panel === target.panel && current.kind === kind && current.handle?.update) {
    current.handle.update(target);
    return;
  }
  current?.controller.abort();
  current?.handle?.dispose?.();
  const controller = new AbortController();
  const unsubscribers = [];
  controller.signal.addEventListener('abort', () => unsubscribers.forEach((stop) => stop()));
  const context = {
    health,
    signal: controller.signal,
    on: (name, listener) => unsubscribers.push(bus.on(name, listener)),
    alive: () => !controller.signal.aborted,
  };
  fill(view);
  document.title = `${panel.title} · mock-server inspector`;
  markCurrent(target.panel);
  const handle = panel.show(view, target, context);
  current = {panel: target.panel, kind, handle, controller};
  if (!firstView) view.querySelector('.view-title')?.focus();
  firstView = false;
}

function streamState(state, detail) {
  announcer.connection(state);
  if (state === 'live') {
    announcer.announce('Live', {passing: true});
    catchUp({reconnected: wasLive}).catch(() => {});
    wasLive = true;
  } else if (state === 'retrying') {
    announcer.announce('Disconnected, retrying', {passing: true});
  } else if (state === 'refused' && (detail === 401 || detail === 403)) {
    announcer.announce('The live stream was refused: the admin token is missing or wrong');
  }
}

function startStream() {
  stream = openStream({
    onEvent: (name, data) => {
      if (name === 'request' && data) noteSequence(data.sequence);
      bus.publish(name, data);
    },
    onState: streamState,
  });
  window.addEventListener('pagehide', () => stream.close());
}

function wireSkipLink() {
  // The skip link must not change the hash: the hash is the route.
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
}

async function start() {
  api.takeTokenFromAddress();
  announcer.attach(document.getElementById('live-region'), document.getElementById('connection'));
  wireSkipLink();
  api.onUnauthorized((message) => showTokenForm(notice, message, async () => {
    await startFrom().catch(() => {});
    stream?.reconnect();
    firstView = true;
    current = null;
    route();
  }));
  try {
    health = await api.get('health');
  } catch (problem) {
    announcer.connection('retrying');
    fill(view, h('h1', null, 'The sandbox does not answer'),
      note(`GET /__admin/health failed: ${problem.message}. Reload the page once the server runs.`, 'error'));
    return;
  }
  health.panels = Array.isArray(health.panels) && health.panels.length ? health.panels : guessPanels(health);
  describeServer();
  buildNavigation();
  await startFrom().catch(() => {});
  startStream();
  window.addEventListener('hashchange', route);
  bus.on('reset', () => {
    // Everything may have changed: show the view afresh, keeping the keyboard in the view.
    const focusWasInView = view.contains(document.activeElement);
    current = null;
    firstView = !focusWasInView;
    route();
  });
  route();
}

/** A server from before `panels` was in its health answer: the proxy says `mode`. */
function guessPanels(answer) {
  return answer.mode === 'proxy' || answer.server === 'proxy'
    ? ['requests', 'coverage', 'drift']
    : ['overview', 'requests', 'state', 'tasks', 'webhooks', 'coverage', 'overrides'];
}

start();
