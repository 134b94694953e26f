// The files attached to an inject: a button each, which fetches the file with the session's
// token (the server checks who may read the inject) and hands it to the browser as a download.

import { el, toast } from './dom.js';
import { errorText, t } from './i18n.js';

export function attachmentList(view, injectId, attachments) {
  if (!attachments?.length) return null;
  return el('ul', { class: 'attachments' }, attachments.map((a) => el('li', {},
    el('button', { type: 'button', class: 'attachment', title: a.file, dataset: { file: a.file },
      onclick: () => download(view, injectId, a.file) }, a.title))));  // the clip is drawn by app.css
}

async function download(view, injectId, file) {
  const { exercise, token } = view.connection;
  const url = `/api/exercises/${encodeURIComponent(exercise)}/injects/${encodeURIComponent(injectId)}`
    + `/attachments/${encodeURIComponent(file)}`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    toast(data.error ? errorText(data.error.code, data.error.message) : t('the file could not be fetched ({status})', { status: response.status }));
    return;
  }
  const link = el('a', { href: URL.createObjectURL(await response.blob()), download: file });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
