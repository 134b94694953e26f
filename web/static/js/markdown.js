// Inject bodies are Markdown written by scenario authors: rendered, then sanitized.
// marked and DOMPurify (a quarter of a view's first load) are fetched beside the connection
// rather than before it: until they are here, a body shows as its plain text, then is rendered.

let render = null;
const ready = Promise.all([
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
});

export function renderMarkdown(text) {
  if (render) return render(text);
  const pending = document.createElement('div');
  pending.className = 'markdown-pending';
  pending.textContent = String(text ?? '');
  ready.then(() => pending.replaceWith(render(text)));
  return pending;
}
