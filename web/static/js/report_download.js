// The after-action report to download: HTML to keep, or PDF to print, in the seat's language,
// beside the class's other syndicates when the exercise is one of a class (on by default). The
// server decides which syndicates this seat may compare with; the page only asks.

import { $, el } from './dom.js';
import { api } from './session.js';
import { errorText, language, t } from './i18n.js';

const reportPath = (exercise) => `/api/exercises/${encodeURIComponent(exercise)}/report`;

// One download; `status` says what is under way and, on a refusal, why; `buttons` wait meanwhile.
export async function downloadReport({ exercise, token, format, compare, status, buttons }) {
  const query = new URLSearchParams({ format, language: language() });
  if (compare) query.set('compare', 'class');
  buttons.forEach((b) => { b.disabled = true; });
  status.textContent = format === 'pdf' ? t('Printing the report…') : t('Making the report…');
  try {
    const response = await fetch(`${reportPath(exercise)}?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) {
      const error = (await response.json().catch(() => ({}))).error;
      // A message the server wrote in this seat's language is shown as it is (no Chromium to print with).
      status.textContent = error?.language === language() ? error.message
        : error ? errorText(error.code, error.message) : t('The report could not be made ({status})', { status: response.status });
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: `${exercise}-report.${format}`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status.textContent = '';
  } catch {
    status.textContent = t('not connected; try again in a moment');
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// The controls of _report_download.html for one exercise (the replay and evaluation pages). Returns
// `offer(syndicates)`, for a page that already has the syndicates to compare with (the replay's
// timeline carries them); without `asked: false` they are fetched here.
export function reportDownload(exercise, token, { asked = true } = {}) {
  const buttons = [$('#report'), $('#report-pdf')];
  let others = [];
  const offer = (syndicates) => {
    others = syndicates || [];
    $('#report-compare-label').hidden = !others.length;
    $('#report-compare-label').title = others.map((s) => t('Syndicate {number}', { number: s.number })).join(', ');
  };
  if (asked) { // the report itself still downloads without them; a refusal of it says why
    api(`${reportPath(exercise)}/syndicates`, { token }).then((answer) => offer(answer.compare)).catch(() => {});
  }
  const get = (format) => downloadReport({ exercise, token, format, buttons, status: $('#report-status'),
    compare: others.length > 0 && $('#report-compare').checked });
  buttons[0].addEventListener('click', () => get('html'));
  buttons[1].addEventListener('click', () => get('pdf'));
  return offer;
}
