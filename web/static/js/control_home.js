// The facilitator's list of exercises and scenarios; opening an exercise.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken, forgetFacilitator, saveSession, staff } from './session.js';
import { clockStatus, offsetLabel } from './clock.js';
import { t } from './i18n.js';
import { watchLibrary } from './library_changes.js';
import { exerciseLines, openScenario, syndicatesField } from './class_home.js';

const token = facilitatorToken();
if (!token) location.replace('/');
$('#sign-out').addEventListener('click', () => forgetFacilitator());
const me = staff(); // a named evaluator observes; only the lead manages the control cell (people.md)
const observer = me.role === 'evaluator';
$('#cell-link').hidden = !me.lead;
$('#scenarios').hidden = observer;
// The exercise's page for this member of the control cell (an evaluator's needs its session saved).
function exerciseLink(x) {
  if (!observer) return el('a', { href: `/control/${encodeURIComponent(x.id)}`, class: 'button' }, t('Control panel'));
  return el('a', { href: `/observe/${encodeURIComponent(x.id)}`, class: 'button',
    onclick: () => saveSession(x.id, { token, role: 'evaluator', name: me.name }) }, t('Observe'));
}

async function load() {
  try {
    const [{ exercises }, { scenarios, failed }] = await Promise.all([
      api('/api/exercises', { token }), observer ? { scenarios: [], failed: [] } : api('/api/scenarios', { token })]);
    replaceChildren($('#exercise-table tbody'), exerciseLines(exercises, (x) => el('tr', { dataset: { exercise: x.id } },
      el('td', {}, el('strong', {}, x.title), el('div', { class: 'meta' }, x.id)), el('td', {}, x.scenario),
      el('td', {}, clockStatus(x.clock)), el('td', {}, String(x.connections)),
      el('td', {}, exerciseLink(x)))));
    if (observer) return;
    replaceChildren($('#scenario-table tbody'), scenarios.map((sc) => el('tr', { dataset: { scenario: sc.id } },
      el('td', {}, el('strong', {}, sc.title), el('div', { class: 'meta' }, sc.id)), el('td', {}, sc.start),
      el('td', {}, String(sc.teams)), el('td', {}, t('{count} over {duration}', { count: sc.injects, duration: offsetLabel(sc.duration).slice(1) })),
      el('td', { class: 'open-scenario' }, syndicatesField(sc.id),
        el('button', { type: 'button', onclick: () => open(sc.id) }, t('Open exercise'))))));
    replaceChildren($('#scenario-problems'), failed.map((f) => el('p', { class: 'form-error' },
      t('{file} was not loaded: {problems}', { file: f.file, problems: f.problems.join('; ') }))));
  } catch (error) {
    if (error.status === 403) { forgetFacilitator(); location.replace('/'); }
    $('#control-error').textContent = error.message;
  }
}

async function open(scenario) {
  try {
    const syndicates = Number(document.querySelector(`input[name="syndicates"][data-scenario="${CSS.escape(scenario)}"]`)?.value || 1);
    location.assign(await openScenario(scenario, syndicates, token));
  } catch (error) {
    $('#control-error').textContent = error.message;
  }
}

load();
document.addEventListener('seat-language', load);
watchLibrary(token, load); // a scenario saved, added or removed shows without a reload
