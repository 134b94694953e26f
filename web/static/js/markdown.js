// Inject bodies are Markdown written by scenario authors: rendered, then sanitized.
import { marked } from '/static/vendor/marked/marked.esm.js';
import DOMPurify from '/static/vendor/dompurify/purify.es.mjs';

export function renderMarkdown(text) {
  const html = marked.parse(String(text ?? ''), { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'form', 'input'] });
}
