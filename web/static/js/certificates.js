// Certificates of participation, one page each, for every trainee who attended the exercise (or the
// exercises named by ?exercise=): the centre's details come from its centre.toml (people.md).
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { language, t } from './i18n.js';

const exercise = location.pathname.split('/')[2];
const token = facilitatorToken();
const chosen = new URLSearchParams(location.search).getAll('exercise');
const query = chosen.length ? `/api/certificates?${chosen.map((x) => `exercise=${encodeURIComponent(x)}`).join('&')}`
  : `/api/exercises/${encodeURIComponent(exercise)}/certificates`;
let data = null;

function day(iso) {
  return iso ? new Date(`${iso}T12:00:00Z`).toLocaleDateString(language(), { day: 'numeric', month: 'long', year: 'numeric' }) : '';
}

function certificate(person, centre) {
  const dates = centre.dates || (person.from === person.to ? day(person.from)
    : t('{from} to {to}', { from: day(person.from), to: day(person.to) }));
  return el('section', { class: 'certificate', dataset: { person: person.name } },
    el('header', {},
      centre.logo ? el('img', { class: 'logo', src: centre.logo, alt: centre.name || t('Logo of the training centre') }) : null,
      centre.name ? el('p', { class: 'centre' }, centre.name) : null,
      el('h2', { class: 'title' }, t('Certificate of participation'))),
    el('div', {},
      el('p', {}, t('This is to certify that')),
      el('p', { class: 'person' }, person.name),
      el('p', {}, t('took part in')),
      centre.course ? el('p', { class: 'course' }, centre.course) : null,
      el('p', {}, dates),
      person.modules.length ? el('p', { class: 'meta' }, t('Modules covered:')) : null,
      el('ul', { class: 'modules' }, person.modules.map((m) => el('li', {}, m)))),
    el('footer', { class: 'signature' },
      el('span', {}, centre.place ? `${centre.place}, ${day(person.to)}` : day(person.to)),
      el('span', { class: 'line' }, centre.signatory || t('Course director'),
        centre.signatory_title ? el('span', { class: 'meta' }, ` · ${centre.signatory_title}`) : null)));
}

function show() {
  if (!data) return;
  const { centre, people } = data;
  $('#centre-note').textContent = centre.source ? t('Centre details from {file}.', { file: centre.source })
    : t('No centre.toml: the certificates carry no centre name or logo (see the facilitator\'s guide).');
  replaceChildren($('#certificates'), people.length ? people.map((p) => certificate(p, centre))
    : el('p', { class: 'meta' }, t('Nobody has attended yet.')));
}

$('#print').addEventListener('click', () => window.print());
document.addEventListener('seat-language', show);
// The attendance file needs the token: fetched, then offered as a download of this page's own making.
$('#attendance-link').addEventListener('click', async (e) => {
  e.preventDefault();
  const response = await fetch(`/api/exercises/${encodeURIComponent(exercise)}/attendance.csv`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) { $('#certificate-error').textContent = t('request failed ({status})', { status: response.status }); return; }
  const url = URL.createObjectURL(await response.blob());
  const a = el('a', { href: url, download: `attendance-${exercise}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
});
api(query, { token }).then((answer) => { data = answer; show(); })
  .catch((error) => { $('#certificate-error').textContent = error.message; });
