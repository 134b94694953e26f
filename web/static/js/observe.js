// The evaluator's live view: every released inject (with expected actions and control
// notes), every room, the whole COP, who is connected. Unseen by trainees, read-only for the
// exercise; the evaluator writes only observations, expected-action marks and pitfalls (control only).

import { $, clearSent, el, replaceChildren, showLengthLimits, toast } from './dom.js';
import { loadSession, uiMemory } from './session.js';
import { ExerciseView } from './projection.js';
import { runClockDisplay, scenarioLabel, wallLabel } from './clock.js';
import { RoomsPanel } from './rooms.js';
import { InjectList } from './inbox.js';
import { CopMap, copFeatures } from './map.js';
import { renderPresence } from './presence.js';
import { jointRoomCards, showWorkflowsIn, workflowFeatures } from './workflows.js';
import { ControlCoordination } from './control_coordination.js';
import { t } from './i18n.js';
import { followSeatLanguage } from './seat_language.js';
import { onSeatLanguage } from './content_language.js';

const exercise = document.body.dataset.exercise;
const session = loadSession(exercise);
if (!session || session.role !== 'evaluator') location.replace('/');

const STATUSES = () => [['met', t('Met')], ['partly', t('Partly')], ['not_met', t('Not met')]];
const view = new ExerciseView();
const memory = uiMemory(`${exercise}:${session?.participant}`);
const rooms = new RoomsPanel(view, memory, { cards: jointRoomCards });
const coordination = new ControlCoordination(view, $('#coordination'), { observe: observeItem });

// An observation about a workflow item: the form is prefilled with its team and what it is about.
function observeItem(team, subject) {
  $('#obs-team').value = team;
  const text = $('#obs-text');
  if (!text.value.startsWith(`${subject}: `)) text.value = `${subject}: ${text.value}`;
  text.scrollIntoView({ block: 'center' });
  text.focus();
}
const notes = new Map(); // checklist item -> note being typed, kept across re-renders
let map;

function audienceOf(row) { return row.audience || []; }

// -- expected actions: a checklist per addressed team ---------------------------------

// The actions expected of `team` after the inject: those listed for the team, its component or all,
// each with the objectives it evidences and its weight (`expected_links`, aligned with `expected`).
function expectedOf(row, team) {
  const component = view.component(team);
  const links = row.inject.expected_links || {};
  return Object.entries(row.inject.expected || {})
    .filter(([who]) => who === team || who === component || who === 'all')
    .flatMap(([who, actions]) => actions.map((text, i) => ({ text, ...(links[who]?.[i] || {}) })));
}

// "critical · O2, O4": what an action weighs and the objectives it evidences.
function linkLabel(action) {
  const weight = action.weight === 'critical' ? t('critical') : t('desirable');
  return action.objectives?.length ? `${weight} · ${action.objectives.join(', ')}` : weight;
}

function markOf(injectId, team, action) {
  return (view.state.expectation_marks || [])
    .find((m) => m.inject_id === injectId && m.team === team && m.action === action);
}

async function mark(row, team, action, status) {
  const key = `${row.inject.id}|${team}|${action}`;
  const note = (notes.get(key) ?? markOf(row.inject.id, team, action)?.note ?? '').trim();
  try {
    await view.command('expectation.mark', { inject_id: row.inject.id, team, action, status, note: note || null });
    notes.delete(key);
  } catch (error) {
    toast(error.message);
  }
}

function checklist(row) {
  const teams = audienceOf(row).filter((team) => expectedOf(row, team).length);
  if (!teams.length) return null;
  return el('div', { class: 'checklist' }, el('h4', {}, t('Expected actions')),
    teams.map((team) => el('div', { class: 'checklist-team', dataset: { team } },
      el('strong', {}, view.teamName(team)),
      el('ol', {}, expectedOf(row, team).map(({ text, ...link }, action) => {
        const key = `${row.inject.id}|${team}|${action}`;
        const current = markOf(row.inject.id, team, action);
        const note = el('input', { class: 'note', maxlength: 1000, placeholder: t('Note (optional)'),
          value: notes.get(key) ?? current?.note ?? '', oninput: (e) => notes.set(key, e.target.value) });
        return el('li', { class: `check-item ${current ? `marked-${current.status}` : 'unmarked'}`,
          dataset: { action: String(action), weight: link.weight || 'desirable' } },
        el('span', { class: 'action-text' }, text),
        el('span', { class: `action-links weight-${link.weight || 'desirable'}` }, linkLabel(link)),
        el('span', { class: 'mark-status' }, current
          ? `${STATUSES().find(([s]) => s === current.status)[1]} · ${current.author.name}` : t('not marked')),
        el('span', { class: 'mark-buttons' }, STATUSES().map(([status, label]) => el('button', {
          type: 'button', class: current?.status === status ? 'mark active' : 'mark', dataset: { status },
          onclick: () => mark(row, team, action, status) }, label))),
        note);
      })))));
}

// -- pitfalls: the errors of the evaluation guide to watch for, ticked per team ---------

function tickOf(pitfall, team) {
  return (view.state.pitfall_ticks || []).find((tick) => tick.pitfall === pitfall && tick.team === team);
}

async function tick(row, pitfall, team, ticked) {
  try {
    await view.command('pitfall.tick', { pitfall, team, ticked, inject_id: row.inject.id });
  } catch (error) {
    toast(error.message);
  }
}

function pitfalls(row) {
  const watched = (view.state.evaluation_guide?.pitfalls || [])
    .filter((p) => !p.injects.length || p.injects.includes(row.inject.id))
    .map((p) => [p, audienceOf(row).filter((team) => p.teams.includes(team))])
    .filter(([, teams]) => teams.length);
  if (!watched.length) return null;
  return el('div', { class: 'pitfalls' }, el('h4', {}, t('Pitfalls to watch for')),
    el('ul', {}, watched.map(([p, teams]) => el('li', { dataset: { pitfall: p.id } }, el('span', {}, p.text), ' ',
      teams.map((team) => {
        const seen = tickOf(p.id, team)?.ticked;
        return el('button', { type: 'button', class: seen ? 'mark active' : 'mark', 'aria-pressed': seen ? 'true' : 'false',
          onclick: () => tick(row, p.id, team, !seen) }, t('Seen in {team}', { team: view.teamName(team) }));
      })))));
}

const injects = new InjectList(view, memory, {
  list: '#inject-list', detail: '#inject-detail',
  filter: (row) => !$('#team-filter').value || audienceOf(row).includes($('#team-filter').value),
  extra: (row) => el('section', { class: 'control-only' },
    checklist(row),
    pitfalls(row),
    row.inject.notes ? [el('h4', {}, t('Control notes')), el('p', {}, row.inject.notes)] : null,
    el('h4', {}, t('Acknowledged')),
    el('ul', {}, Object.entries(row.acks || {}).map(([team, ack]) =>
      el('li', { title: wallLabel(ack.wall_time) }, `${view.teamName(team)}: ${t('{name} at {time}', { name: ack.name, time: scenarioLabel(view.state.scenario.start, ack.ex_time) })}`))),
    Object.keys(row.responses || {}).length ? [el('h4', {}, t('Responded')),
      el('ul', { class: 'responses' }, Object.entries(row.responses).map(([team, r]) => el('li', { title: wallLabel(r.wall_time) },
        `${view.teamName(team)}: ${t('{name} at {time}', { name: r.name, time: scenarioLabel(view.state.scenario.start, r.ex_time) })}`
          + ` (${r.action})`)))]
      : null),
});

$('#team-filter').addEventListener('change', () => injects.render());

// -- observations -------------------------------------------------------------------

function ratingLabel(rating) {
  const r = (view.state.rating_scale || []).find((x) => x.rating === rating);
  return r ? `${rating} ${t(r.label)}` : String(rating);
}

function renderObservationForm() {
  const s = view.state;
  const keep = (select, options) => {
    const value = select.value;
    replaceChildren(select, options);
    if ([...select.options].some((o) => o.value === value)) select.value = value;
  };
  keep($('#obs-objective'), Object.entries(s.scenario.objectives)
    .map(([id, text]) => el('option', { value: id, title: text }, `${id} ${text}`)));
  keep($('#obs-rating'), (s.rating_scale || []).map((r) => el('option', { value: r.rating, title: t(r.meaning) }, `${r.rating} ${t(r.label)}`)));
  keep($('#obs-team'), [el('option', { value: '' }, t('(any)')), s.scenario.teams.map((team) => el('option', { value: team.id }, view.teamName(team.id)))]);
  const choices = s.negotiation_choices || { relationship: [], outcome: [] };
  for (const name of ['relationship', 'outcome']) {
    keep($(`#obs-${name}`), choices[name].map((c) => el('option', { value: c.value }, t(c.label))));
  }
  renderInjectChoices();
}

function renderInjectChoices() {
  const select = $('#obs-inject');
  const value = select.value;
  replaceChildren(select, el('option', { value: '' }, t('(none)')),
    view.state.injects.filter((r) => r.status === 'released').sort((a, b) => a.released_seq - b.released_seq)
      .map((r) => el('option', { value: r.inject.id }, `${r.inject.id} ${r.inject.title}`)));
  if ([...select.options].some((o) => o.value === value)) select.value = value;
}

function renderObservations() {
  const start = view.state.scenario.start;
  replaceChildren($('#observation-list'), [...(view.state.observations || [])].reverse().map((o) =>
    el('li', { class: `observation rating-${o.rating}`, dataset: { observation: o.id } },
      el('span', { class: 'meta', title: wallLabel(o.wall_time) }, `${scenarioLabel(start, o.ex_time)} · ${o.objective} · `,
        el('span', { class: 'rating' }, ratingLabel(o.rating)),
        o.team ? ` · ${view.teamName(o.team)}` : '', o.inject_id ? ` · ${o.inject_id}` : '', ` · ${o.author.name}`),
      el('span', { class: 'text' }, o.text),
      o.recommendation ? el('span', { class: 'recommendation' }, `${t('Recommendation:')} ${o.recommendation}`) : null,
      o.negotiation ? el('span', { class: 'negotiation' }, negotiationLine(o.negotiation)) : null)));
}

// A negotiation observation in one line: its relationship and outcome, in the seat's language.
function negotiationLine(n) {
  const label = (name, value) => t((view.state.negotiation_choices?.[name] || []).find((c) => c.value === value)?.label ?? value);
  return t('Negotiation: relationship {relationship}, outcome {outcome}',
    { relationship: label('relationship', n.relationship), outcome: label('outcome', n.outcome) });
}

$('#observation-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const fields = { text: $('#obs-text').value, rating: Number($('#obs-rating').value), objective: $('#obs-objective').value };
  if ($('#obs-team').value) fields.team = $('#obs-team').value;
  if ($('#obs-inject').value) fields.inject_id = $('#obs-inject').value;
  if ($('#obs-recommendation').value.trim()) fields.recommendation = $('#obs-recommendation').value;
  const negotiationTexts = [$('#obs-interests'), $('#obs-options'), $('#obs-red-lines')];
  if ($('#obs-negotiation').open) {
    const [interests, options, red_lines] = negotiationTexts.map((f) => f.value.trim() || null);
    fields.negotiation = { interests, options, red_lines,
      relationship: $('#obs-relationship').value, outcome: $('#obs-outcome').value };
  }
  const typed = [$('#obs-text'), $('#obs-recommendation'), ...negotiationTexts];
  const sent = typed.map((f) => f.value);
  try {
    await view.command('observation.record', fields);
    clearSent(typed, sent);
  } catch (error) {
    toast(error.message);
  }
});

// -- wiring -------------------------------------------------------------------------

// The seat's language changed: everything drawn again, its scenario content in the new language.
onSeatLanguage(() => { if (view.state) view.emit('reset'); });
view.addEventListener('reset', () => {
  const s = view.state;
  $('#exercise-title').textContent = s.scenario.title;
  $('#who').textContent = `${t('Evaluator')} · ${view.you.name}`;
  const filter = $('#team-filter').value;
  replaceChildren($('#team-filter'), el('option', { value: '' }, t('all teams')),
    s.scenario.teams.map((team) => el('option', { value: team.id }, view.teamName(team.id))));
  $('#team-filter').value = filter;
  if (!map) { map = new CopMap($('#map')); map.loadBasemap(s.scenario.basemap); }
  map.setFeatures(copFeatures(view));
  coordination.setUp();
  map.setOverlay(workflowFeatures(view));
  injects.render();
  renderObservationForm();
  renderObservations();
});
for (const kind of ['inject.released', 'inject.acknowledged', 'inject.responded', 'expectation.marked', 'pitfall.ticked']) {
  view.addEventListener(kind, () => injects.render());
}
view.addEventListener('inject.released', () => renderInjectChoices());
view.addEventListener('observation.recorded', () => renderObservations());
for (const kind of ['cop.feature_added', 'cop.feature_changed', 'cop.feature_removed']) {
  view.addEventListener(kind, () => map.setFeatures(copFeatures(view)));
}
showWorkflowsIn(view, { panel: coordination, getMap: () => map, rooms });
view.addEventListener('presence', () => renderPresence(view, $('#presence')));
runClockDisplay(view);
followSeatLanguage(view, () => {
  $('#who').textContent = `${t('Evaluator')} · ${view.you.name}`;
  injects.render(); renderObservationForm(); renderObservations(); renderPresence(view, $('#presence'));
  rooms.render(); coordination.render();
});
if (session) view.connect(exercise, session.token, (code, message) => toast(message, 600000));
showLengthLimits();
