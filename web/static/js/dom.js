// DOM helpers. Text always goes in as text nodes: nothing from users or scenarios is parsed as HTML.

import './i18n.js'; // every page: the seat's catalogue loaded and its language selector live

export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

// Empties the fields once what they held has been sent, unless someone typed on meanwhile:
// the acknowledgement arrives later than the next keystroke on a slow network.
export function clearSent(fields, sent) {
  fields.forEach((field, k) => {
    if (field.value !== sent[k]) return;
    field.value = '';
    field.dispatchEvent(new Event('input', { bubbles: true })); // what follows its length sees it empty
  });
}

export function toast(message, ms = 5000) {
  const box = $('#toast');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, ms);
}

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]';

// Runs `render`, which rebuilds `container`, and puts the keyboard focus back where it was: on the
// control at the same place within the same item (data-inject, data-room, data-seq), or within the container;
// if that item has no control left (an inject just released), on the next control after it.
export function keepingFocus(container, render) {
  const active = document.activeElement;
  if (!active || active === container || !container.contains(active)) { render(); return; }
  const keyed = active.closest('[data-inject], [data-room], [data-seq]');
  const attr = keyed && container.contains(keyed) ? ['inject', 'room', 'seq'].find((name) => keyed.dataset[name] !== undefined) : null;
  const key = attr && keyed.dataset[attr];
  const scopeIn = () => (attr ? container.querySelector(`[data-${attr}="${CSS.escape(key)}"]`) : container);
  const controls = (scope) => (scope ? [scope, ...scope.querySelectorAll(FOCUSABLE)].filter((n) => n.matches(FOCUSABLE)) : []);
  const index = controls(scopeIn()).indexOf(active);
  render();
  const scope = scopeIn();
  const now = controls(scope);
  const next = () => [...container.querySelectorAll(FOCUSABLE)]
    .find((n) => scope && scope.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING);
  const target = now.length ? now[Math.min(Math.max(index, 0), now.length - 1)] : next();
  target?.focus();
}

// A long text field (maxlength of 200 or more) shows its length once it nears the limit, in red at
// the limit: a long paste was cut there without a word before (bug 14 of the review).
export function showLengthLimits(root = document) {
  root.addEventListener('input', (e) => {
    const field = e.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) || field.maxLength < 200) return;
    const near = field.value.length >= 0.8 * field.maxLength;
    let counter = field.nextElementSibling?.classList.contains('length-counter') ? field.nextElementSibling : null;
    if (!near) { counter?.remove(); return; }
    if (!counter) {
      counter = el('span', { class: 'length-counter' });
      field.after(counter);
    }
    counter.textContent = `${field.value.length} / ${field.maxLength}`;
    counter.classList.toggle('full', field.value.length >= field.maxLength);
  });
}
