// The evaluator's live view: every released inject (with expected actions and control
// notes), every room, the whole COP, who is connected. Read-only and unseen by trainees.

import { $, el, replaceChildren, toast } from './dom.js';
import { loadSession, uiMemory } from './session.js';
import { ExerciseView } from './projection.js';
import { runClockDisplay, scenarioLabel } from './clock.js';
import { RoomsPanel } from './rooms.js';
import { InjectList } from './inbox.js';
import { CopMap, copFeatures } from './map.js';
import { renderPresence } from './presence.js';

const exercise = document.body.dataset.exercise;
const session = loadSession(exercise);
if (!session || session.role !== 'evaluator') location.replace('/');

const view = new ExerciseView();
const memory = uiMemory(`${exercise}:${session?.participant}`);
const rooms = new RoomsPanel(view, memory);
let map;

function audienceOf(row) { return row.audience || []; }

const injects = new InjectList(view, memory, {
  list: '#inject-list', detail: '#inject-detail',
  filter: (row) => !$('#team-filter').value || audienceOf(row).includes($('#team-filter').value),
  extra: (row) => el('section', { class: 'control-only' },
    el('h4', {}, 'Expected actions'),
    el('ul', {}, Object.entries(row.inject.expected || {}).map(([who, actions]) =>
      el('li', {}, el('strong', {}, view.teamName(who)), ': ', actions.join('; ')))),
    row.inject.notes ? [el('h4', {}, 'Control notes'), el('p', {}, row.inject.notes)] : null,
    el('h4', {}, 'Acknowledged'),
    el('ul', {}, Object.entries(row.acks || {}).map(([team, ack]) =>
      el('li', {}, `${view.teamName(team)}: ${ack.name} at ${scenarioLabel(view.state.scenario.start, ack.ex_time)}`)))),
});

$('#team-filter').addEventListener('change', () => injects.render());

view.addEventListener('reset', () => {
  const s = view.state;
  $('#exercise-title').textContent = s.scenario.title;
  $('#who').textContent = `Evaluator · ${view.you.name}`;
  replaceChildren($('#team-filter'), el('option', { value: '' }, 'all teams'),
    s.scenario.teams.map((t) => el('option', { value: t.id }, t.name)));
  if (!map) { map = new CopMap($('#map')); map.loadBasemap(s.scenario.basemap); }
  map.setFeatures(copFeatures(view));
  injects.render();
});
for (const kind of ['inject.released', 'inject.acknowledged']) view.addEventListener(kind, () => injects.render());
for (const kind of ['cop.feature_added', 'cop.feature_changed', 'cop.feature_removed']) {
  view.addEventListener(kind, () => map.setFeatures(copFeatures(view)));
}
view.addEventListener('presence', () => renderPresence(view, $('#presence')));
runClockDisplay(view);
if (session) view.connect(exercise, session.token, (code, message) => toast(message, 600000));
