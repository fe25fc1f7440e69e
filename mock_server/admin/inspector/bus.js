// A small publish/subscribe hub: the event stream and the page's own actions publish,
// the panel on screen listens.

const listeners = new Map();

/** Listen to `name` ('request', 'state', ...; '*' for every event); returns the function that stops it. */
export function on(name, listener) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(listener);
  return () => listeners.get(name).delete(listener);
}

export function publish(name, data) {
  for (const key of [name, '*']) {
    for (const listener of [...(listeners.get(key) || [])]) {
      try {
        listener(data, name);
      } catch (problem) {
        console.error(`inspector: a ${name} listener failed`, problem);
      }
    }
  }
}
