// The team view: inbox, rooms, COP map and clock for one team of one component.

import { $, clearSent, el, replaceChildren, showLengthLimits, toast } from './dom.js';
import { loadSession, uiMemory } from './session.js';
import { ExerciseView } from './projection.js';
import { runClockDisplay } from './clock.js';
import { RoomsPanel } from './rooms.js';
import { InjectList } from './inbox.js';
import { CopMap, copFeatures } from './map.js';
import { renderMarkdown } from './markdown.js';
import { jointRoomCards, showWorkflowsIn, workflowFeatures } from './workflows.js';
import { CoordinationPanel } from './coordination.js';
import { InjectAlerts } from './alerts.js';

const exercise = document.body.dataset.exercise;
const session = loadSession(exercise);
if (!session || session.role !== 'trainee') location.replace('/');

const view = new ExerciseView();
const memory = uiMemory(`${exercise}:${session?.participant}`);
const rooms = new RoomsPanel(view, memory, { cards: jointRoomCards });
const inbox = new InjectList(view, memory, {
  list: '#inbox-list', detail: '#inject-detail', shows: '#inbox-shows', search: '#inbox-search',
  actions: (row) => [
    row.acknowledged
      ? el('span', { class: 'acked' }, 'Acknowledged')
      : el('button', { type: 'button', class: 'ack', onclick: () => acknowledge(row.inject.id) }, 'Acknowledge'),
    el('button', { type: 'button', class: 'respond', title: 'Tag your next message in the room as the answer to this inject',
      onclick: () => rooms.respondTo(row.inject.id) }, 'Respond…'),
    row.responded ? el('span', { class: 'responded' }, 'Responded') : null,
  ],
});
inbox.onRead = () => showUnread();
const alerts = new InjectAlerts($('#inject-alerts'), memory);
let map;
const coordination = new CoordinationPanel(view, $('#coordination'), () => map, memory);

// The unread count in the inbox's heading and in the browser tab's title, seen from another tab.
const TITLE = document.title;
function showUnread() {
  const n = inbox.unreadCount();
  $('#inbox-unread').textContent = n ? `${n} unread` : '';
  document.title = n ? `(${n}) ${TITLE}` : TITLE;
}

async function acknowledge(id) {
  try {
    await view.command('inject.ack', { inject_id: id });
  } catch (error) {
    toast(error.message);
  }
}

// What a team places on the map: a point each (routes and areas are drawn by the workflows).
const FEATURE_KINDS = ['incident', 'unit', 'convoy', 'checkpoint', 'camp', 'place', 'note'];

// A note is a point whose text is its name and, optionally, `properties.text`.
function showNoteText() {
  const note = $('#feature-kind').value === 'note';
  $('#feature-text').hidden = !note;
  $('#feature-name').placeholder = note ? 'Title of the note' : 'Name of the new feature';
}
$('#feature-kind').addEventListener('change', showNoteText);

function shareOptions() {
  const you = view.you;
  const comps = view.state.scenario.components.filter((c) => c.id !== you.component && !c.played_by_control);
  return [
    ['team', 'My team only', [you.team]],
    ['component', 'My component', [you.component]],
    ...comps.map((c) => [`with-${c.id}`, `My component and ${c.name}`, [you.component, c.id]]),
    ['all', 'Everyone', 'all'],
  ];
}

function setUp() {
  const s = view.state;
  const you = view.you;
  document.body.dataset.component = you.component;
  $('#exercise-title').textContent = s.scenario.title;
  $('#who').textContent = `${view.teamName(you.team)} · ${you.name}`;
  replaceChildren($('#briefing'), renderMarkdown(s.scenario.briefings[you.component] || 'No briefing for your component.'));
  replaceChildren($('#feature-kind'), FEATURE_KINDS.map((k) => el('option', { value: k }, k)));
  showNoteText();
  replaceChildren($('#feature-share'), shareOptions().map(([value, text]) => el('option', { value }, text)));
  if (!map) {
    map = new CopMap($('#map'), {
      canMove: (f) => f.owner === you.team || f.owner === you.component,
      onMove: (f, at) => view.command('cop.change', { feature_id: f.id, set: { geometry: { type: 'Point', coordinates: at } }, version: f.version })
        .catch((error) => { toast(error.message); map.setFeatures(copFeatures(view)); }),
    });
    map.loadBasemap(s.scenario.basemap);
  }
}

$('#add-feature').addEventListener('click', () => {
  const typed = $('#feature-name').value;
  const name = typed.trim();
  if (!name) { toast('Give the feature a name first.'); return; }
  const share = shareOptions().find(([value]) => value === $('#feature-share').value);
  const kind = $('#feature-kind').value;
  const typedText = $('#feature-text').value;
  const text = kind === 'note' ? typedText.trim() : '';
  toast('Click on the map where it is.', 4000);
  map.pick(async (coordinates) => {
    try {
      await view.command('cop.add', { feature: { kind, name, geometry: { type: 'Point', coordinates },
        visible_to: share[2], ...(text ? { properties: { text } } : {}) } });
      clearSent([$('#feature-name'), $('#feature-text')], [typed, text ? typedText : null]);
    } catch (error) {
      toast(error.message);
    }
  });
});

view.addEventListener('reset', () => {
  setUp(); inbox.render(); showUnread(); map.setFeatures(copFeatures(view)); coordination.setUp();
  map.setOverlay(workflowFeatures(view));
});
showWorkflowsIn(view, { panel: coordination, getMap: () => map, rooms });

// What others ask of this team through the workflows is announced: the panel is below the fold.
const ANNOUNCED = {
  'notification.submitted': (p) => `Humanitarian notification ${p.notification_id}: ${p.name}`,
  'notification.hazard_flagged': (p) => `Hazard near notification ${p.notification_id}`,
  'rfa.submitted': (p) => `Request for assistance ${p.rfa_id}: ${p.asset}`,
  'rfa.responded': (p) => `Request ${p.rfa_id}: ${p.decision.replace('_', ' ')}`,
  'document.shared': (p) => `Document shared with you: ${p.title}`,
  'document.forwarded': (p) => `Document ${p.title} forwarded to ${p.to.join(', ')}`,
  'media.published': (p) => `Media: ${p.headline}`,
};
for (const [kind, text] of Object.entries(ANNOUNCED)) {
  view.addEventListener(kind, (e) => {
    if (e.detail.actor.team !== view.you.team) toast(`${text(e.detail.payload)} (see Coordination below)`, 6000);
  });
}
for (const kind of ['inject.released', 'inject.acknowledged', 'inject.responded']) {
  view.addEventListener(kind, () => { inbox.render(); showUnread(); });
}
view.addEventListener('inject.released', (e) => { coordination.renderInjectChoices(); alerts.announce(e.detail.payload.inject); });
for (const kind of ['cop.feature_added', 'cop.feature_changed', 'cop.feature_removed']) {
  view.addEventListener(kind, () => map.setFeatures(copFeatures(view)));
}
runClockDisplay(view);
if (session) view.connect(exercise, session.token, (code, message) => toast(message, 600000));
showLengthLimits();
