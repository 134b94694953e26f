// Inject bodies are Markdown written by scenario authors: rendered, then sanitized.
import { marked } from '/static/vendor/marked/marked.esm.js';
import DOMPurify from '/static/vendor/dompurify/purify.es.mjs';

// A link in an inject opens in a new tab: the player's page stays where it was.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

export function renderMarkdown(text) {
  const html = marked.parse(String(text ?? ''), { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'form', 'input'],
    ADD_ATTR: ['target'] });
}
