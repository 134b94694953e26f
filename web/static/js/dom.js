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
  fields.forEach((field, k) => { if (field.value === sent[k]) field.value = ''; });
}

export function toast(message, ms = 5000) {
  const box = $('#toast');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, ms);
}
