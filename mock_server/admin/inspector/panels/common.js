// What several panels share: error messages, refreshing after live events.
import {h} from '../render.js';

/** A failed load, in the server's words. */
export function loadError(what, problem) {
  return h('p', {class: 'error', role: 'alert'}, `Could not load ${what}: ${problem.message}`);
}

/** Call `action` at most once every `ms`, always ending with a call after the last request. */
export function throttled(action, ms) {
  let timer = null;
  let again = false;
  const run = () => {
    timer = null;
    if (!again) return;
    again = false;
    action();
    timer = setTimeout(run, ms);
  };
  return () => {
    again = true;
    if (!timer) run();
  };
}

/** Reload with `load` when any of `events` arrives (at most every `ms`) and after a reconnection. */
export function reloadOn(context, events, load, ms = 300) {
  const reload = throttled(() => { if (context.alive()) load(); }, ms);
  for (const name of [...events, 'resync']) context.on(name, reload);
}

/** A link styled as a button, for actions that are navigation. */
export function linkButton(href, label, className = 'button secondary') {
  return h('a', {href, class: className}, label);
}

/**
 * Rebuild part of a view without losing the keyboard's place: the focused link, button or
 * field inside `container` is found again afterwards by its href, id or text.
 */
export function keepFocus(container, rebuild) {
  const active = document.activeElement;
  const inside = active && active !== container && container.contains(active);
  const href = inside ? active.getAttribute('href') : null;
  const id = inside ? active.id : null;
  const text = inside ? active.textContent : null;
  const tag = inside ? active.tagName : null;
  rebuild();
  if (!inside || active.isConnected) return;
  const again = (id && document.getElementById(id))
    || (href && container.querySelector(`a[href="${CSS.escape(href)}"]`))
    || [...container.querySelectorAll(tag)].find((node) => node.textContent === text);
  again?.focus();
}

/** After the focused control went away (a removed row), put focus on the view's heading. */
export function refocus(place) {
  if (!document.activeElement || document.activeElement === document.body) place.querySelector('.view-title')?.focus();
}
