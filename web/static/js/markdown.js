// Inject bodies are Markdown written by scenario authors: rendered, then sanitized.
// marked and DOMPurify (a fifth of a view's first load) are fetched when the first text is
// rendered, not before the connection: until they are here, a body shows as its plain text, then
// is rendered. A view that shows no Markdown (exercise control until an inject is opened) never
// fetches them. Cut off on their way in, they are fetched again until they are in (retry.js).

import { untilLoaded } from './retry.js';

let render = null;
let ready = null;
const load = () => (ready ??= Promise.all([
  import('../vendor/marked/marked.esm.js'),
  import('../vendor/dompurify/purify.min.js'), // DOMPurify's minified build (UMD): it sets window.DOMPurify
]).then(([{ marked }]) => {
  const { DOMPurify } = window;
  // A link in an inject opens in a new tab: the player's page stays where it was.
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  render = (text) => DOMPurify.sanitize(marked.parse(String(text ?? ''), { async: false, gfm: true, breaks: false }),
    { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'form', 'input'], ADD_ATTR: ['target'] });
}).catch((error) => {
  ready = null; // not kept: the next attempt fetches them again
  throw error;
}));
const loaded = () => untilLoaded(load);

export function renderMarkdown(text) {
  if (render) return render(text);
  const pending = document.createElement('div');
  pending.className = 'markdown-pending';
  pending.textContent = String(text ?? '');
  loaded().then(() => pending.replaceWith(render(text)));
  return pending;
}
