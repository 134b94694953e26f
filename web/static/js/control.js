// The facilitator's control panel: clock, MSEL (timeline and table), rooms monitor,
// COP, who is connected and the join codes.

import { $, el, keepingFocus, replaceChildren, showLengthLimits, toast } from './dom.js';
import { facilitatorToken, uiMemory } from './session.js';
import { ExerciseView } from './projection.js';
import { exNow, parseOffset, runClockDisplay, scenarioLabel, wallLabel } from './clock.js';
import { RoomsPanel, roomName } from './rooms.js';
import { CopMap, copFeatures } from './map.js';
import { renderPresence } from './presence.js';
import { jointRoomCards, showWorkflowsIn, workflowFeatures } from './workflows.js';
import { ControlCoordination } from './control_coordination.js';
import { attachmentList } from './attachments.js';
import { InjectEditor } from './inject_editor.js';
import { channelName } from './inbox.js';
import { t } from './i18n.js';
import { followSeatLanguage } from './seat_language.js';
import { injectStatusName, roleName } from './words.js';
import { branchDue, branchReason } from './conditions.js';
import { nameOf, onSeatLanguage, pick } from './content_language.js';
import { pickAddressees, pickedAddressees, showAddressees } from './addressees.js';
import { moveControl, showRoster } from './control_people.js';
import { showRoleCards } from './role_cards.js';

const exercise = document.body.dataset.exercise;
const token = facilitatorToken();
if (!token) location.replace('/');

const DUE_SOON = 5 * 60; // exercise seconds
const view = new ExerciseView();
const memory = uiMemory(`${exercise}:facilitator`);
const focusTeam = new URLSearchParams(location.hash.slice(1)).get('team'); // the dashboard's link to a team
if (focusTeam) memory.set('room', `team:${focusTeam}`); // opens on its team room (docs/dashboard.md)
const rooms = new RoomsPanel(view, memory, { postAs: true, cards: jointRoomCards });
const coordination = new ControlCoordination(view, $('#coordination'), { publish: true });
const editor = new InjectEditor(view);
let map;

async function run(type, fields = {}) {
  try {
    return await view.command(type, fields);
  } catch (error) {
    toast(`${type}: ${error.message}`);
    return null;
  }
}

// -- the clock ---------------------------------------------------------------------

for (const button of document.querySelectorAll('#clock-controls [data-command]')) {
  button.addEventListener('click', () => {
    if (button.dataset.command === 'exercise.end' && !confirm(t('End the exercise for everyone?'))) return;
    run(button.dataset.command);
  });
}
$('#speed').addEventListener('change', () => run('clock.speed', { speed: Number($('#speed').value) }));
$('#jump').addEventListener('click', () => {
  // An offset (+1:30) is sent as seconds; anything else (a scenario time, D+1 09:30) as typed,
  // for the server to read or to refuse with its reason.
  const text = $('#jump-to').value.trim();
  if (!text) { toast(t('Jump to an offset such as +1:30 or a scenario time such as D+1 09:30')); return; }
  run('clock.jump', { to: parseOffset(text) ?? text });
});

function renderClockControls() {
  const status = view.state.clock.status;
  const enabled = { 'clock.start': status === 'draft', 'clock.pause': status === 'running',
    'clock.resume': status === 'paused', 'exercise.end': status !== 'ended' };
  for (const button of document.querySelectorAll('#clock-controls [data-command]')) {
    button.disabled = !enabled[button.dataset.command];
  }
  $('#speed').value = String(view.state.clock.speed);
}

// The planned duration reached: said once, and shown beside End exercise until it is ended.
let durationTold = false;
function tellDuration() {
  const s = view.state;
  if (!s) return;
  const reached = !['draft', 'ended'].includes(s.clock.status) && exNow(s.clock, view.serverOffset) >= s.scenario.duration;
  $('#duration-reached').hidden = !reached;
  if (reached && !durationTold) toast(t('The planned duration of the exercise is reached: end it when you are ready.'), 15000);
  durationTold = durationTold || reached;
}
view.addEventListener('change', tellDuration);
setInterval(tellDuration, 1000);

// -- the MSEL ----------------------------------------------------------------------

// Ids in a branch's words, as people read them.
const branchNames = {
  team: (id) => view.teamName(id),
  room: (id) => (view.state.rooms[id] ? roomName(view, view.state.rooms[id]) : id),
  feature: (id) => view.cop.get(id)?.name || id,
};

function dueOf(row) {
  const i = row.inject;
  const branch = branchDue(i, branchNames);
  if (branch) return branch;
  if (typeof i.at === 'object' && i.at) {
    const when = { released: t('released'), acknowledged: t('acknowledged') }[i.at.when] || i.at.when;
    return t('after {inject} {when}', { inject: i.at.after, when }) + (i.at.delay ? ` ${i.at.delay}` : '');
  }
  if (i.at === 'manual' || row.adhoc) return t('manual');
  return scenarioLabel(view.state.scenario.start, i.offset);
}

// Whom an inject goes to, by name.
function addressees(i) {
  const s = view.state;
  const component = (id) => nameOf(s.scenario.components.find((c) => c.id === id), s.scenario) || id;
  return [...(i.to.components || []).map(component), ...(i.to.teams || []).map((id) => view.teamName(id)),
    ...(i.to.rooms || []).map((id) => (s.rooms[id] ? roomName(view, s.rooms[id]) : id))].join(', ');
}

function rowActions(row) {
  const id = row.inject.id;
  const buttons = [];
  if (row.status === 'scheduled' || row.status === 'held') {
    buttons.push(el('button', { type: 'button', onclick: () => run('inject.release', { inject_id: id }) }, t('Release now')));
    buttons.push(row.status === 'held'
      ? el('button', { type: 'button', onclick: () => run('inject.unhold', { inject_id: id }) }, t('Unhold'))
      : el('button', { type: 'button', onclick: () => run('inject.hold', { inject_id: id }) }, t('Hold')));
    buttons.push(el('button', { type: 'button', onclick: () => editor.open(row) }, t('Edit')));
    buttons.push(el('button', { type: 'button', class: 'danger', onclick: () => {
      // One click used to cancel for good (bug 4 of the review): asked first, as End exercise is.
      if (confirm(t('Cancel {id} ({title})? You can undo it until its time.', { id, title: row.inject.title }))) {
        run('inject.cancel', { inject_id: id });
      }
    } }, t('Cancel')));
  }
  // A cancel is undone until the inject's time (a manual or conditional inject has none of its own).
  const offset = row.inject.offset;
  if (row.status === 'cancelled' && !row.adhoc
      && (offset === null || offset === undefined || offset > exNow(view.state.clock, view.serverOffset))) {
    buttons.push(el('button', { type: 'button', class: 'undo-cancel', onclick: () => run('inject.restore', { inject_id: id }) },
      t('Undo cancel')));
  }
  return buttons;
}

// A scheduled inject whose time is at most DUE_SOON ahead (or a second past: the release is on its way).
function dueSoon(row, now) {
  const offset = row.inject.offset;
  return row.status === 'scheduled' && offset !== null && offset !== undefined
    && offset - now <= DUE_SOON && offset >= now - 1;
}

// The highlight follows exercise time between events: rows only change class, the table stays.
function refreshDueSoon() {
  const now = exNow(view.state.clock, view.serverOffset);
  for (const tr of $('#msel-table tbody').children) {
    const row = view.injects.get(tr.dataset.inject);
    if (row) tr.classList.toggle('due-soon', dueSoon(row, now));
  }
}

function renderMsel() {
  const s = view.state;
  const now = exNow(s.clock, view.serverOffset);
  const start = s.scenario.start;
  const rows = [...s.injects].sort((a, b) => (a.released_seq ?? 1e12) - (b.released_seq ?? 1e12)
    || (a.inject.offset ?? 1e12) - (b.inject.offset ?? 1e12));
  const tbody = $('#msel-table tbody');
  keepingFocus(tbody, () => replaceChildren(tbody, rows.map((row) => {
    const i = row.inject;
    const soon = dueSoon(row, now);
    const bilingual = (s.scenario.languages || []).length > 1;
    const acks = Object.entries(row.acks || {}).map(([team, a]) =>
      el('div', { class: 'ack', title: wallLabel(a.wall_time) }, `${view.teamName(team)}: ${a.name}, ${scenarioLabel(start, a.ex_time)}`,
        bilingual && a.language ? ` (${a.language})` : null));
    // The control cell sees each inject's title in every language of the scenario.
    const translated = Object.entries(i.translations || {}).filter(([, t]) => t.title)
      .map(([lang, t]) => el('div', { class: 'meta translation', lang, dataset: { language: lang } }, `${lang}: ${t.title}`));
    const responses = Object.entries(row.responses || {}).map(([team, r]) =>
      el('div', { class: 'response', dataset: { team }, title: wallLabel(r.wall_time) },
        t('{team} responded: {name}, {time} ({action})', { team: view.teamName(team), name: r.name,
          time: scenarioLabel(start, r.ex_time), action: r.action })));
    return el('tr', { class: `status-${row.status}${soon ? ' due-soon' : ''}`, dataset: { inject: i.id } },
      el('td', {}, el('div', { class: 'due' }, dueOf(row)),
        el('span', { class: `status status-${row.status}` }, injectStatusName(row.status)),
        row.status === 'released' ? el('div', { class: 'meta' }, scenarioLabel(start, row.released_ex)) : null,
        row.status === 'released' && row.released_by
          ? el('div', { class: 'meta released-by' }, t('released by {name}', { name: row.released_by })) : null,
        row.branch ? el('div', { class: 'meta branch' }, branchReason(row, (ex) => scenarioLabel(start, ex), branchNames)) : null),
      el('td', { title: i.notes || '' }, el('strong', { class: 'inject-id' }, i.id), ' ', i.title, translated,
        el('div', { class: 'meta' }, t('to {addressees}', { addressees: addressees(i) })),
        i.mode ? el('div', { class: 'meta inject-mode' }, t('mode: {mode}', { mode: i.mode })) : null,
        i.controller ? el('div', { class: 'meta inject-controller' }, t('controller: {name}', { name: i.controller })) : null,
        attachmentList(view, i.id, i.attachments)),
      el('td', { class: 'acks' }, acks, responses),
      el('td', { class: 'row-actions' }, rowActions(row)));
  })));
  renderTimeline(now);
}

function renderTimeline(now) {
  const s = view.state;
  const span = Math.max(s.scenario.duration, now, ...s.injects.map((r) => r.inject.offset || 0)) || 1;
  const marks = s.injects.filter((r) => r.inject.offset !== null && r.inject.offset !== undefined || r.released_ex !== null)
    .map((row) => {
      const at = row.status === 'released' ? row.released_ex : row.inject.offset;
      return el('span', { class: `mark status-${row.status}`, title: `${row.inject.id} ${row.inject.title}`,
        style: null, dataset: { left: (100 * at / span).toFixed(2) } });
    });
  const cursor = el('span', { class: 'cursor', dataset: { left: (100 * now / span).toFixed(2) } });
  replaceChildren($('#timeline'), marks, cursor);
  // Positions are set through the CSSOM (allowed by the page's content security policy).
  for (const node of $('#timeline').children) node.style.left = `${node.dataset.left}%`;
}

$('#adhoc-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const to = pickedAddressees($('#adhoc-to'));
  if (!to.components.length && !to.teams.length && !to.rooms.length) { toast(t('Choose who receives it.')); return; }
  const ok = await run('inject.adhoc', { from: form.from.value, to, channel: form.channel.value,
    title: form.title.value, body: form.body.value });
  if (ok) { form.reset(); pickAddressees($('#adhoc-to'), {}); }
});

// -- people and codes ----------------------------------------------------------------

// A team's current code has "New code": the old one then lets nobody new in, and those who joined
// with it stay in (so a removed participant cannot come back with it). Revoke shuts them all out.
function renderCodes() {
  const s = view.state;
  replaceChildren($('#code-table tbody'), (s.codes || []).map((c) => {
    const who = c.team ? view.teamName(c.team) : roleName(c.role);
    const status = [c.revoked ? t('revoked') : null, c.replaced_by ? t('replaced by {code}', { code: c.replaced_by }) : null]
      .filter(Boolean);
    return el('tr', { class: `${c.revoked ? 'revoked' : ''}${c.replaced_by ? ' replaced' : ''}`, dataset: { code: c.code } },
      el('td', {}, who), el('td', { class: 'code' }, c.code),
      el('td', { class: 'code-actions' }, status.join(', '),
        c.replaced_by ? null : el('button', { type: 'button', class: 'new-code', 'aria-label': t('New code for {who}', { who }),
          onclick: () => confirm(t('Give {who} a new code? {code} then lets nobody new in; those who joined with it stay in.',
            { who, code: c.code }))
            && run('code.replace', { code: c.code }) }, t('New code')),
        c.revoked ? null : el('button', { type: 'button', class: 'danger', 'aria-label': t('Revoke {code}', { code: c.code }),
          onclick: () => confirm(t('Revoke {code}? Everyone who joined with it is disconnected.', { code: c.code }))
            && run('code.revoke', { code: c.code }) }, t('Revoke'))));
  }));
}

// Everyone who joined and was not removed; removing one ends their sessions at once.
function renderParticipants() {
  const s = view.state;
  replaceChildren($('#participant-table tbody'), s.participants.map((p) => {
    const where = p.team ? view.teamName(p.team) : roleName(p.role);
    return el('tr', { dataset: { participant: p.id } }, el('td', {}, p.name), el('td', { class: 'meta' }, where),
      el('td', {}, moveControl(view, run, p), el('button', { type: 'button', class: 'danger', 'aria-label': t('Remove {name}', { name: p.name }),
        onclick: () => confirm(t('Remove {name} ({where}) from the exercise? Their session ends now and their token '
          + 'stops working. To keep them from joining again, give {where} a new code.', { name: p.name, where }))
          && run('participant.remove', { participant: p.id }) }, t('Remove'))));
  }));
}

// -- wiring --------------------------------------------------------------------------

// The seat's language changed: everything drawn again, its scenario content in the new language.
onSeatLanguage(() => { if (view.state) view.emit('reset'); });
view.addEventListener('reset', () => {
  const s = view.state;
  $('#exercise-title').textContent = s.scenario.title;
  $('#who').textContent = `${t('Exercise control')} · ${exercise}`;
  $('#handout-link').href = `/control/${encodeURIComponent(exercise)}/handout`;
  replaceChildren($('#adhoc-channel'), s.scenario.channels.map((c) => el('option', { value: c }, channelName(c))));
  replaceChildren($('#edit-channel'), s.scenario.channels.map((c) => el('option', { value: c }, channelName(c))));
  showAddressees($('#adhoc-to'), view);
  showAddressees($('#edit-to'), view);
  showRoleCards($('#role-cards'), view);
  // The actors control plays, offered when posting as one: the scenario's personas (with their
  // role), then the other senders of its injects.
  const personas = (s.scenario.personas || []).map((p) => ({ value: nameOf(p, s.scenario),
    label: [pick(p, 'role', s.scenario).text, p.organisation].filter(Boolean).join(' · ') || null }));
  const senders = [...new Set(s.injects.map((r) => r.inject.from))].sort()
    .filter((actor) => !personas.some((p) => p.value === actor)).map((actor) => ({ value: actor }));
  replaceChildren($('#actors'), [...personas, ...senders].map((actor) => el('option', actor)));
  if (!map) { map = new CopMap($('#map'), { canMove: () => true,
    onMove: async (f, at) => { // with the version dragged: a move meanwhile by someone else is not undone
      const moved = await run('cop.change', { feature_id: f.id, set: { geometry: { type: 'Point', coordinates: at } }, version: f.version });
      if (!moved) map.setFeatures(copFeatures(view));
    } });
  map.loadBasemap(s.scenario.basemap); }
  map.setFeatures(copFeatures(view));
  coordination.setUp();
  map.setOverlay(workflowFeatures(view));
  renderClockControls();
  renderMsel();
  renderCodes();
  renderParticipants();
});
view.addEventListener('change', (e) => {
  const kind = e.detail.kind;
  if (kind.startsWith('inject.') || kind.startsWith('clock.') || kind === 'exercise.ended') { renderMsel(); renderClockControls(); }
  if (kind.startsWith('cop.')) map.setFeatures(copFeatures(view));
  if (kind.startsWith('code.') || kind === 'participant.joined') renderCodes();
  if (kind.startsWith('participant.')) renderParticipants();
});
showWorkflowsIn(view, { panel: coordination, getMap: () => map, rooms });
showRoster(view, run, { exercise, token }); // control_people.js
view.addEventListener('presence', () => renderPresence(view, $('#presence')));
// Exercise time runs between events: each second the due-soon rows follow it (at x60 the five-minute
// window lasts five seconds), every fifth the timeline's cursor.
let ticks = 0;
setInterval(() => {
  if (!view.state) return;
  refreshDueSoon();
  if (++ticks % 5 === 0) renderTimeline(exNow(view.state.clock, view.serverOffset));
}, 1000);
runClockDisplay(view);
followSeatLanguage(view, () => {
  renderMsel(); renderCodes(); renderParticipants(); renderPresence(view, $('#presence')); rooms.render();
  coordination.render(); $('#who').textContent = `${t('Exercise control')} · ${exercise}`;
});
if (token) view.connect(exercise, token, (code, message) => { toast(message, 600000); });
showLengthLimits();
