// The files attached to an inject: a button each, which fetches the file with the session's
// token (the server checks who may read the inject) and hands it to the browser as a download,
// or, for a Markdown file, shows it rendered in a dialog (with its download beside).
// A team reads an attachment in the seat's content language: its title, and its file where the
// scenario gives one in that language (the server picks the same one); a file only in the default
// language is marked so, as a text that fell back is (content_language.js).

import { contentLanguage, fallbackMark, pick } from './content_language.js';
import { el, toast } from './dom.js';
import { errorText, t } from './i18n.js';
import { renderMarkdown } from './markdown.js';

// `scenario`: read each attachment in the seat's language; without it (the control cell's MSEL),
// in the scenario's default language.
export function attachmentList(view, injectId, attachments, scenario = null) {
  if (!attachments?.length) return null;
  const base = view.state?.scenario?.default_language || 'en';
  const language = scenario ? contentLanguage(scenario) : base;
  return el('ul', { class: 'attachments' }, attachments.map((a) => {
    const title = scenario ? pick(a, 'title', scenario) : { text: a.title, language: base, fellBack: false };
    const file = scenario ? pick(a, 'file', scenario) : { text: a.file, language: base, fellBack: false };
    const shown = { ...a, title: title.text, saved: file.text, fileLanguage: file.language, language };
    return el('li', {},
      el('button', { type: 'button', class: 'attachment', title: file.text, lang: title.language,
        dataset: { file: a.file, language: file.language }, onclick: () => open(view, injectId, shown) }, title.text),
      file.fellBack ? ' ' : null, fileMark(file));  // the clip is drawn by app.css
  }));
}

// The mark of a file the seat's language has no copy of: it opens in the default language.
function fileMark(file) {
  const mark = fallbackMark(file);
  if (mark) mark.title = t('This file is not translated: it opens in {language}', { language: file.language.toUpperCase() });
  return mark;
}

async function fetched(view, injectId, attachment) {
  const { exercise, token } = view.connection;
  const url = `/api/exercises/${encodeURIComponent(exercise)}/injects/${encodeURIComponent(injectId)}`
    + `/attachments/${encodeURIComponent(attachment.file)}?language=${encodeURIComponent(attachment.language)}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (response.ok) return response.blob();
  const data = await response.json().catch(() => ({}));
  toast(data.error ? errorText(data.error.code, data.error.message) : t('the file could not be fetched ({status})', { status: response.status }));
  return null;
}

async function open(view, injectId, attachment) {
  const blob = await fetched(view, injectId, attachment);
  if (!blob) return;
  if (/\.md$/i.test(attachment.saved)) show(attachment, blob, await blob.text());
  else save(attachment.saved, blob);
}

// A Markdown attachment read in place: rendered and sanitized as inject bodies are.
function show(attachment, blob, text) {
  const heading = el('h2', { id: 'attachment-title' }, attachment.title);
  const dialog = el('dialog', { class: 'attachment-view', 'aria-labelledby': 'attachment-title', lang: attachment.fileLanguage },
    heading,
    el('div', { class: 'markdown attachment-body' }, renderMarkdown(text)),
    el('menu', {},
      el('button', { type: 'button', onclick: () => save(attachment.saved, blob) }, t('Download')),
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
