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
import { showRoleCards } from './role_cards.js';
import { t, tn } from './i18n.js';
import { followSeatLanguage } from './seat_language.js';
import { assetName, decisionName, featureKindName, rfaStatusName } from './words.js';
import { contentLanguage, localized, nameOf, onSeatLanguage, pickScenario } from './content_language.js';
import { InjectAlerts } from './alerts.js';
import { LearningForms } from './learning_form.js';

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
      ? el('span', { class: 'acked' }, t('Acknowledged'))
      : el('button', { type: 'button', class: 'ack', onclick: () => acknowledge(row.inject.id) }, t('Acknowledge')),
    el('button', { type: 'button', class: 'respond', title: t('Tag your next message in the room as the answer to this inject'),
      onclick: () => rooms.respondTo(row.inject.id) }, t('Respond…')),
    row.responded ? el('span', { class: 'responded' }, t('Responded')) : null,
  ],
});
inbox.onRead = () => showUnread();
inbox.onOpen = recordOpening;
const alerts = new InjectAlerts($('#inject-alerts'), memory);
let map;
const coordination = new CoordinationPanel(view, $('#coordination'), () => map, memory);

// The unread count in the inbox's heading and in the browser tab's title, seen from another tab.
function showUnread() {
  const n = inbox.unreadCount();
  $('#inbox-unread').textContent = n ? tn('{n} unread', '{n} unread', n) : '';
  const title = document.title.replace(/^\(\d+\) /, ''); // in the seat's words (i18n.js rewrites it on a switch)
  document.title = n ? `(${n}) ${title}` : title;
}

// The record of who read an inject in which language (inject.open): once per inject and language
// from this page; the server refuses a repeat (conflict), which needs no word.
const openings = new Set();
function recordOpening(id) {
  const language = contentLanguage(view.state.scenario);
  const key = `${id} ${language}`;
  if (openings.has(key)) return;
  openings.add(key);
  view.command('inject.open', { inject_id: id, language }).catch((error) => {
    if (error.code === 'offline') openings.delete(key); // not sent: the next opening tries again
  });
}

async function acknowledge(id) {
  try {
    // The language the inject was shown in, for the record (the report says who read which).
    await view.command('inject.ack', { inject_id: id, language: contentLanguage(view.state.scenario) });
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
  $('#feature-name').placeholder = note ? t('Title of the note') : t('Name of the new feature');
}
$('#feature-kind').addEventListener('change', showNoteText);

function shareOptions() {
  const you = view.you;
  const comps = view.state.scenario.components.filter((c) => c.id !== you.component && !c.played_by_control);
  return [
    ['team', t('My team only'), [you.team]],
    ['component', t('My component'), [you.component]],
    ...comps.map((c) => [`with-${c.id}`, t('My component and {component}', { component: nameOf(c, view.state.scenario) }),
      [you.component, c.id]]),
    ['all', t('Everyone'), 'all'],
  ];
}

function showBriefing() {
  showRoleCards($('#role-cards'), view);
  const briefing = pickScenario(view.state.scenario, view.you.component, 'briefings');
  replaceChildren($('#briefing'), briefing.text
    ? localized('div', {}, briefing, renderMarkdown) : t('No briefing for your component.'));
}

// The seat's language changed (content_language.js): show the scenario's content in it.
onSeatLanguage(() => {
  if (!view.state) return;
  learning.render();
  if (view.injects.get(inbox.open)?.status === 'released') recordOpening(inbox.open);
  showBriefing();
  $('#who').textContent = `${view.teamName(view.you.team)} · ${view.you.name}`;
  rooms.renderTabs();
  rooms.renderMessages();
  map?.setFeatures(copFeatures(view));
});

function setUp() {
  const s = view.state;
  const you = view.you;
  document.body.dataset.component = you.component;
  $('#exercise-title').textContent = s.scenario.title;
  $('#who').textContent = `${view.teamName(you.team)} · ${you.name}`;
  showBriefing();
  const kind = $('#feature-kind').value;
  replaceChildren($('#feature-kind'), FEATURE_KINDS.map((k) => el('option', { value: k }, featureKindName(k))));
  if (kind) $('#feature-kind').value = kind;
  showNoteText();
  const share = $('#feature-share').value;
  replaceChildren($('#feature-share'), shareOptions().map(([value, text]) => el('option', { value }, text)));
  if (share) $('#feature-share').value = share;
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
  if (!name) { toast(t('Give the feature a name first.')); return; }
  const share = shareOptions().find(([value]) => value === $('#feature-share').value);
  const kind = $('#feature-kind').value;
  const typedText = $('#feature-text').value;
  const text = kind === 'note' ? typedText.trim() : '';
  toast(t('Click on the map where it is.'), 4000);
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

const learning = new LearningForms(view, memory, $('#learning'));
view.addEventListener('reset', () => {
  setUp(); inbox.render(); showUnread(); learning.render(); map.setFeatures(copFeatures(view)); coordination.setUp();
  map.setOverlay(workflowFeatures(view));
});
showWorkflowsIn(view, { panel: coordination, getMap: () => map, rooms });

// What others ask of this team through the workflows is announced: the panel is below the fold.
const ANNOUNCED = {
  'notification.submitted': (p) => t('Humanitarian notification {id}: {name}', { id: p.notification_id, name: p.name }),
  'notification.hazard_flagged': (p) => t('Hazard near notification {id}', { id: p.notification_id }),
  'rfa.submitted': (p) => t('Request for assistance {id}: {asset}', { id: p.rfa_id, asset: assetName(p.asset) }),
  'rfa.coordinated': (p) => t('Request {id}: {status}', { id: p.rfa_id, status: rfaStatusName(p.decision === 'forward' ? 'forwarded' : 'returned') }),
  'rfa.responded': (p) => t('Request {id}: {decision}', { id: p.rfa_id, decision: p.decision === 'more_info' ? t('more info') : decisionName(p.decision) }),
  'tasking.requested': (p) => t('Mission tasking {id}: {task}', { id: p.tasking_id, task: p.task }),
  'casevac.called': (p) => t('CASEVAC {id}: {n} casualties', { id: p.casevac_id, n: p.casualties }),
  'document.shared': (p) => t('Document shared with you: {title}', { title: p.title }),
  'document.forwarded': (p) => t('Document {title} forwarded to {teams}', { title: p.title, teams: p.to.join(', ') }),
  'media.published': (p) => t('Media: {headline}', { headline: p.headline }),
};
for (const [kind, text] of Object.entries(ANNOUNCED)) {
  view.addEventListener(kind, (e) => {
    if (e.detail.actor.team !== view.you.team) toast(t('{what} (see Coordination below)', { what: text(e.detail.payload) }), 6000);
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
followSeatLanguage(view, () => {
  setUp(); inbox.render(); showUnread(); rooms.render(); coordination.renderInjectChoices(); coordination.render();
});
if (session) view.connect(exercise, session.token, (code, message) => toast(message, 600000));
showLengthLimits();
