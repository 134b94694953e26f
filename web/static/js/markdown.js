// Inject bodies are Markdown written by scenario authors: rendered, then sanitized.
import { marked } from '../vendor/marked/marked.esm.js';
import '../vendor/dompurify/purify.min.js'; // DOMPurify's minified build (UMD): it sets window.DOMPurify

const { DOMPurify } = window;

export function renderMarkdown(text) {
  const html = marked.parse(String(text ?? ''), { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'form', 'input'] });
}
