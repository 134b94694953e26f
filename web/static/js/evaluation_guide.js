// The printable exercise evaluation guide of one team: what its evaluator prepares and ticks during
// play (the objectives, the capability targets and their thresholds, the critical tasks and their
// sources, the pitfalls, the actions expected after each inject).
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken, loadSession } from './session.js';
import { offsetLabel } from './clock.js';
import { t } from './i18n.js';

const exercise = document.body.dataset.exercise;
const token = facilitatorToken() || loadSession(exercise)?.token;
if (!token) location.replace('/');
const MEASURES = () => ({ acknowledge: t('acknowledges the inject'), answer: t('answers the inject'),
  first_action: t('acts after the inject'), informed: t('hears of it from another team') });
let doc = null;

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
}

function show() {
  if (!doc) return;
  const team = $('#guide-team').value;
  const name = doc.teams.find((x) => x.id === team)?.name || team;
  const mine = (items) => items.filter((item) => !item.teams || item.teams.includes(team));
  const box = () => el('td', { class: 'tick' }, '☐');
  const targets = mine(doc.guide.targets);
  const tasks = mine(doc.guide.critical_tasks);
  const pitfalls = mine(doc.guide.pitfalls);
  const injects = doc.injects.filter((i) => (i.expected[team] || []).length);
  $('#guide-title').textContent = `${t('Exercise evaluation guide')} · ${name}`;
  replaceChildren($('#guide'),
    el('p', { class: 'meta' }, doc.title),
    el('h2', {}, t('Objectives')),
    el('ul', {}, Object.entries(doc.objectives).map(([id, text]) => el('li', {}, el('strong', {}, id), ` ${text}`))),
    el('h2', {}, t('Capability targets')),
    targets.length ? table([t('Capability target'), t('Measure'), t('Threshold'), t('Met?')], targets.map((x) => el('tr', {},
      el('td', {}, x.text, x.capability ? el('div', { class: 'meta' }, x.capability) : null),
      el('td', {}, `${x.inject}: ${MEASURES()[x.measure] || x.measure}`),
      el('td', {}, t('{minutes} min of exercise time', { minutes: Math.round(x.within / 60) })), box())))
      : el('p', { class: 'meta' }, t('None in this scenario.')),
    el('h2', {}, t('Critical tasks')),
    tasks.length ? table([t('Critical task'), t('Source'), t('Seen?')], tasks.map((x) => el('tr', {},
      el('td', {}, x.text), el('td', {}, x.source), box()))) : el('p', { class: 'meta' }, t('None in this scenario.')),
    el('h2', {}, t('Pitfalls to watch for')),
    pitfalls.length ? table([t('Pitfall'), t('Injects'), t('Seen?')], pitfalls.map((x) => el('tr', {},
      el('td', {}, x.text), el('td', {}, x.injects.join(', ')), box()))) : el('p', { class: 'meta' }, t('None in this scenario.')),
    el('h2', {}, t('Expected actions')),
    table([t('Inject'), t('Expected action'), t('Met?')], injects.flatMap((i) => i.expected[team].map((action, k) => el('tr', {},
      el('td', {}, k ? '' : `${i.id} ${i.at === null ? '' : offsetLabel(i.at)} · ${i.title}`), el('td', {}, action), box())))));
}

async function load() {
  doc = await api(`/api/exercises/${encodeURIComponent(exercise)}/evaluation`, { token });
  const chosen = $('#guide-team').value || new URLSearchParams(location.search).get('team');
  replaceChildren($('#guide-team'), doc.teams.map((team) => el('option', { value: team.id, selected: team.id === chosen }, team.name)));
  show();
}

$('#guide-team').addEventListener('change', show);
$('#print').addEventListener('click', () => window.print());
document.addEventListener('seat-language', () => load().catch((e) => { $('#evaluation-error').textContent = e.message; }));
load().catch((e) => { $('#evaluation-error').textContent = e.message; });
