// The files attached to an inject: a button each, which fetches the file with the session's
// token (the server checks who may read the inject) and hands it to the browser as a download,
// or, for a Markdown file, shows it rendered in a dialog (with its download beside).

import { el, toast } from './dom.js';
import { errorText, t } from './i18n.js';
import { renderMarkdown } from './markdown.js';

export function attachmentList(view, injectId, attachments) {
  if (!attachments?.length) return null;
  return el('ul', { class: 'attachments' }, attachments.map((a) => el('li', {},
    el('button', { type: 'button', class: 'attachment', title: a.file, dataset: { file: a.file },
      onclick: () => open(view, injectId, a) }, a.title))));  // the clip is drawn by app.css
}

async function fetched(view, injectId, file) {
  const { exercise, token } = view.connection;
  const url = `/api/exercises/${encodeURIComponent(exercise)}/injects/${encodeURIComponent(injectId)}`
    + `/attachments/${encodeURIComponent(file)}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (response.ok) return response.blob();
  const data = await response.json().catch(() => ({}));
  toast(data.error ? errorText(data.error.code, data.error.message) : t('the file could not be fetched ({status})', { status: response.status }));
  return null;
}

async function open(view, injectId, attachment) {
  const blob = await fetched(view, injectId, attachment.file);
  if (!blob) return;
  if (/\.md$/i.test(attachment.file)) show(attachment, blob, await blob.text());
  else save(attachment.file, blob);
}

// A Markdown attachment read in place: rendered and sanitized as inject bodies are.
function show(attachment, blob, text) {
  const heading = el('h2', { id: 'attachment-title' }, attachment.title);
  const dialog = el('dialog', { class: 'attachment-view', 'aria-labelledby': 'attachment-title' },
    heading,
    el('div', { class: 'markdown attachment-body' }, renderMarkdown(text)),
    el('menu', {},
      el('button', { type: 'button', onclick: () => save(attachment.file, blob) }, t('Download')),
      el('button', { type: 'button', value: 'cancel', onclick: () => dialog.close() }, t('Close'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

function save(file, blob) {
  const link = el('a', { href: URL.createObjectURL(blob), download: file });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
