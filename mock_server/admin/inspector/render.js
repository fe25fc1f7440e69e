// DOM helpers. Everything from the server is added as text: no innerHTML, no
// attribute whose value could run script (event handlers are functions, never strings).

const SAFE_ATTRIBUTE = /^(?:aria-[a-z-]+|data-[a-z-]+|role|id|for|type|name|value|href|title|lang|colspan|rowspan|scope|datetime|max|min|step|rows|cols|placeholder|autocomplete|spellcheck|tabindex|list|inputmode|pattern|open|readonly|required|disabled|hidden|selected|checked|multiple|method|headers)$/;

/** An element: h('a', {href: '#x', class: 'y', on: {click: fn}}, 'text', child, [more]). */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (name === 'props') Object.assign(node, value);
    else if (SAFE_ATTRIBUTE.test(name)) {
      if (name === 'href' && !String(value).startsWith('#')) throw new Error('links stay inside the page');
      node.setAttribute(name, value === true ? '' : String(value));
    } else throw new Error(`attribute ${name} is not allowed`);
  }
  append(node, children);
  return node;
}

/** Append children: strings and numbers as text nodes; null, undefined and false are skipped. */
export function append(node, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replace what a node holds. */
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** Text hidden on screen but read by screen readers (for buttons repeated per row). */
export function hidden(text) {
  return h('span', {class: 'visually-hidden'}, text);
}

/**
 * A table in a horizontally scrolling, keyboard-focusable box.
 * columns: [{label, key?, class?}]; rows: arrays of cells (first cell becomes a row header
 * when rowHeader is set). A cell may be a node, text, or {content, class}.
 */
export function table({caption, columns, rows, rowHeader = false, className = ''}) {
  const head = h('thead', null, h('tr', null, columns.map((column) =>
    h('th', {scope: 'col', class: column.class}, column.label))));
  const body = h('tbody', null, rows.map((cells) => tableRow(cells, columns, rowHeader)));
  const tableNode = h('table', {class: className}, h('caption', null, caption), head, body);
  return scrollBox(tableNode, caption);
}

/** One <tr> for `table`, also used to add rows to a live table. */
export function tableRow(cells, columns, rowHeader = false) {
  return h('tr', null, cells.map((cell, index) => {
    const tag = rowHeader && index === 0 ? 'th' : 'td';
    const props = {class: columns[index]?.class};
    if (tag === 'th') props.scope = 'row';
    if (cell && typeof cell === 'object' && !(cell instanceof Node) && !Array.isArray(cell)) {
      props.class = [props.class, cell.class].filter(Boolean).join(' ');
      return h(tag, props, cell.content);
    }
    return h(tag, props, cell);
  }));
}

/** A region that scrolls sideways when its content is wider than the screen. */
export function scrollBox(content, label) {
  return h('div', {class: 'scroll', role: 'region', 'aria-label': label, tabindex: 0}, content);
}

/** A description list from [term, description] pairs (descriptions may be nodes). */
export function definitions(pairs, className = 'facts') {
  return h('dl', {class: className}, pairs.filter(Boolean).map(([term, description]) =>
    h('div', null, h('dt', null, term), h('dd', null, description))));
}

/** A button with a click handler; `busyText` is shown while the handler's promise runs. */
export function button(label, onClick, {className = '', busyText = null, ...props} = {}) {
  const node = h('button', {type: 'button', class: className, ...props}, label);
  node.addEventListener('click', async (event) => {
    if (node.getAttribute('aria-disabled') === 'true') return;
    node.setAttribute('aria-disabled', 'true');
    const idle = [...node.childNodes];
    if (busyText) fill(node, busyText);
    try {
      await onClick(event);
    } finally {
      node.removeAttribute('aria-disabled');
      if (busyText) fill(node, ...idle);
    }
  });
  return node;
}

/** A preformatted block of text. */
export function pre(text, label) {
  return h('pre', {class: 'code', tabindex: 0, role: 'region', 'aria-label': label}, text);
}

/** A paragraph saying there is nothing to show, or that loading failed. */
export function note(text, className = 'note') {
  return h('p', {class: className}, text);
}

/** The page heading of a view; focused after navigation so screen readers start there. */
export function heading(text, level = 1) {
  return h(`h${level}`, {tabindex: level === 1 ? -1 : null, class: level === 1 ? 'view-title' : null}, text);
}
