// The control panel of a class: syndicates 1..N of one scenario (core/syndicates.py) under one
// control. It reads each syndicate live over its own WebSocket (one ExerciseView each, the
// facilitator's token) and acts through the server's fan-out (POST /api/classes/{id}/commands):
// one request, one decision in each chosen syndicate's log, and an answer per syndicate.

import { $, el, keepingFocus, replaceChildren, toast } from './dom.js';
import { api, facilitatorToken, forgetFacilitator } from './session.js';
import { ExerciseView } from './projection.js';
import { Connection, showConnectionState } from './connection.js';
import { clockStatus, exNow, offsetLabel, parseOffset, scenarioLabel } from './clock.js';
import { roomName } from './rooms.js';
import { errorText, t } from './i18n.js';
import { injectStatusName } from './words.js';
import { nameOf, onSeatLanguage, pick } from './content_language.js';
import { downloadReport } from './report_download.js';

const classId = $('main[data-class]').dataset.class;
const token = facilitatorToken();
if (!token) location.replace('/');

const views = new Map(); // syndicate number -> ExerciseView
let info = null; // GET /api/classes/{id}
let commandCount = 0;
const pageId = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('');

function scope() {
  const value = $('#scope').value;
  return value === 'all' ? 'all' : [Number(value)];
}

function scopeName() {
  const s = scope();
  return s === 'all' ? t('All syndicates') : t('Syndicate {number}', { number: s[0] });
}

// One command for the chosen syndicates; each refusal is named with its syndicate.
async function classCommand(command, extra = {}) {
  const id = `${pageId}-${++commandCount}`; // a retry of this request is answered from each log
  let answer;
  try {
    const response = await fetch(`/api/classes/${encodeURIComponent(classId)}/commands`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ command, syndicates: scope(), id, ...extra }) });
    answer = await response.json();
  } catch {
    toast(t('not connected; try again in a moment'));
    return null;
  }
  if (answer.results) {
    const refused = answer.results.filter((r) => !r.ok).map((r) => t('Syndicate {number}: {reason}',
      { number: r.syndicate, reason: errorText(r.error.code, r.error.message) }));
    if (refused.length) toast(refused.join('; '), 8000);
    return answer.results;
  }
  toast(answer.error ? errorText(answer.error.code, answer.error.message) : t('not connected; try again in a moment'));
  return null;
}

// -- the clock -------------------------------------------------------------------------

for (const button of document.querySelectorAll('#class-clock [data-command]')) {
  button.addEventListener('click', () => {
    if (button.dataset.command === 'exercise.end'
      && !confirm(t('End the exercise for everyone in {scope}?', { scope: scopeName() }))) return;
    classCommand({ type: button.dataset.command });
  });
}
$('#class-jump').addEventListener('click', () => {
  // As the control panel does: an offset (+1:30) as seconds, a scenario time as typed, for the server to read.
  const text = $('#class-jump-to').value.trim();
  if (!text) { toast(t('Jump to an offset such as +1:30 or a scenario time such as D+1 09:30')); return; }
  classCommand({ type: 'clock.jump', to: parseOffset(text) ?? text });
});
$('#class-speed').addEventListener('change', () => classCommand({ type: 'clock.speed', speed: Number($('#class-speed').value) }));

// -- the syndicates ----------------------------------------------------------------------

function renderSyndicates() {
  const body = $('#syndicate-table tbody');
  keepingFocus(body, () => replaceChildren(body, [...views].map(([n, view]) => {
    const s = view.state;
    const exercise = view.connection.exercise;
    const clock = s ? `${scenarioLabel(s.scenario.start, exNow(s.clock, view.serverOffset))} · ${clockStatus(s.clock)}` : '…';
    const online = view.presence.online?.length ?? 0;
    return el('tr', { dataset: { syndicate: String(n), status: s?.clock.status || '' } },
      el('th', { scope: 'row' }, t('Syndicate {number}', { number: n })),
      el('td', { class: 'class-clock' }, clock),
      el('td', {}, String(online)),
      el('td', {}, el('a', { href: `/control/${encodeURIComponent(exercise)}` }, t('Control panel')), ' · ',
        el('a', { href: `/replay/${encodeURIComponent(exercise)}` }, t('Replay and report'))));
  })));
}

// -- the MSEL, syndicate by syndicate ---------------------------------------------------------

function anyState() { return [...views.values()].find((v) => v.state)?.state; }

function cell(view, injectId) {
  const row = view?.injects?.get(injectId);
  if (!row) return el('td', {}, '…');
  const addressed = row.audience?.length || 0;
  const acked = Object.keys(row.acks || {}).length;
  return el('td', { dataset: { status: row.status } }, injectStatusName(row.status),
    row.status === 'released' ? el('div', { class: 'meta' }, t('{acked} of {addressed} acknowledged', { acked, addressed })) : '');
}

function action(label, command, confirmText) {
  return el('button', { type: 'button', onclick: () => {
    if (confirmText && !confirm(confirmText)) return;
    classCommand(command);
  } }, label);
}

function renderMsel() {
  const state = anyState();
  if (!state) return;
  const scripted = state.injects.filter((row) => !row.adhoc);
  const body = $('#class-msel tbody');
  keepingFocus(body, () => replaceChildren(body, scripted.map((row) => {
    const inject = row.inject;
    const id = inject.id;
    const due = inject.offset == null ? (inject.at === 'manual' ? t('manual') : t('condition')) : offsetLabel(inject.offset);
    return el('tr', { dataset: { inject: id } },
      el('td', {}, due),
      el('td', {}, el('strong', {}, id), ' ', pick(inject, 'title', state.scenario).text),
      ...[...views.values()].map((view) => cell(view, id)),
      el('td', { class: 'actions' },
        action(t('Release now'), { type: 'inject.release', inject_id: id }),
        action(t('Hold'), { type: 'inject.hold', inject_id: id }),
        action(t('Unhold'), { type: 'inject.unhold', inject_id: id }),
        el('button', { type: 'button', onclick: () => openEdit(id) }, t('Edit')),
        action(t('Cancel'), { type: 'inject.cancel', inject_id: id },
          t('Cancel {inject} for {scope}? It can be undone until its time.', { inject: id, scope: scopeName() }))));
  })));
}

// An edit of the title and text, for the chosen syndicates: each with the version it was made on,
// so that an edit made meanwhile in one syndicate's own panel is not overwritten unseen.
let editing = null;
function openEdit(id) {
  const row = anyState()?.injects.find((r) => r.inject.id === id);
  if (!row) return;
  editing = id;
  const form = $('#class-edit-form');
  form.title.value = row.inject.title;
  form.body.value = row.inject.body;
  $('#class-edit-id').textContent = id;
  $('#class-edit-scope').textContent = scopeName();
  $('#class-edit-dialog').showModal();
}
$('#class-edit-dialog').addEventListener('close', () => {
  if ($('#class-edit-dialog').returnValue !== 'save' || !editing) return;
  const form = $('#class-edit-form');
  const versions = {};
  for (const [n, view] of views) {
    const version = view.injects?.get(editing)?.version;
    if (version != null) versions[n] = version;
  }
  classCommand({ type: 'inject.edit', inject_id: editing, changes: { title: form.title.value, body: form.body.value } },
    { versions });
  editing = null;
});

// -- post as a persona ----------------------------------------------------------------------

function renderRooms() {
  const view = [...views.values()].find((v) => v.state);
  if (!view) return;
  const select = $('#class-post-room');
  const chosen = select.value;
  replaceChildren(select, Object.values(view.state.rooms).map((room) => el('option', { value: room.id }, roomName(view, room))));
  if (chosen) select.value = chosen;
}
$('#class-post').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const command = { type: 'room.post', room: form.room.value, text: form.text.value };
  if (form.as.value.trim()) command.as = form.as.value.trim();
  const results = await classCommand(command);
  if (results && results.every((r) => r.ok)) form.text.value = '';
});

// -- comparing the syndicates -------------------------------------------------------------------

function minutes(seconds) {
  if (seconds == null) return '–';
  return `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
}

async function renderComparison() {
  try {
    const { syndicates, rows } = await api(`/api/classes/${encodeURIComponent(classId)}/comparison`, { token });
    const state = anyState();
    replaceChildren($('#compare-table thead'), el('tr', {}, el('th', {}, t('Inject')), el('th', {}, t('Team')),
      ...syndicates.map((n) => el('th', {}, t('Syndicate {number}', { number: n })))));
    replaceChildren($('#compare-table tbody'), rows.map((row) => el('tr', { dataset: { inject: row.inject, team: row.team } },
      el('td', {}, el('strong', {}, row.inject), ' ', row.title),
      el('td', {}, state ? nameOf(state.scenario.teams.find((x) => x.id === row.team), state.scenario) || row.team : row.team),
      ...syndicates.map((n) => {
        const c = row.cells[String(n)];
        if (!c || c.status !== 'released') return el('td', { class: 'meta' }, c ? injectStatusName(c.status) : '–');
        return el('td', { dataset: { acked: String(c.ack_after != null) }, title: c.ack_by ? t('Acknowledged by {name}', { name: c.ack_by }) : '' },
          t('ack {ack} · answer {answer}', { ack: minutes(c.ack_after), answer: minutes(c.answer_after) }));
      }))));
  } catch (error) {
    $('#class-error').textContent = error.message;
  }
}
$('#compare-refresh').addEventListener('click', renderComparison);
$('#compare-print').addEventListener('click', () => window.print());

// One syndicate's after-action report with the class's other syndicates beside it (report_download.js).
for (const format of ['html', 'pdf']) {
  $(`#class-report-${format}`).addEventListener('click', () => {
    const number = Number($('#class-report-syndicate').value);
    const exercise = info?.syndicates.find((s) => s.number === number)?.exercise;
    if (!exercise) { toast(t('not connected; try again in a moment')); return; }
    downloadReport({ exercise, token, format, compare: true, status: $('#class-report-status'),
      buttons: [$('#class-report-html'), $('#class-report-pdf')] });
  });
}

// -- live -------------------------------------------------------------------------------------

let queued = false;
function render() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    const state = anyState();
    if (state) $('#class-title').textContent = t('Class: {title}', { title: nameOf(state.scenario, state.scenario) || state.scenario.title });
    renderSyndicates();
    renderMsel();
    if (!$('#class-post-room').options.length) renderRooms();
  });
}

function connectionStates() {
  const states = [...views.values()].map((v) => v.connectionState);
  showConnectionState(states.find((s) => s !== 'connected') || 'connected'); // the worst of them
}

async function start() {
  try {
    info = await api(`/api/classes/${encodeURIComponent(classId)}`, { token });
  } catch (error) {
    if (error.status === 403) { forgetFacilitator(); location.replace('/'); }
    $('#class-error').textContent = error.message;
    return;
  }
  // The control dashboard of every syndicate, side by side (docs/dashboard.md).
  $('#class-dashboard').href = `/control/dashboard?exercises=${info.exercises.map(encodeURIComponent).join(',')}`;
  for (const { number, exercise } of info.syndicates) {
    const view = new ExerciseView();
    view.connection = new Connection({
      exercise, token,
      onFrame: (frame) => view.onFrame(frame),
      onState: (state) => { view.connectionState = state; connectionStates(); },
      onFatal: (message) => { $('#class-error').textContent = message; },
    });
    view.addEventListener('change', render);
    views.set(number, view);
    view.connection.start();
  }
  setInterval(renderSyndicates, 1000);
  renderComparison();
}

onSeatLanguage(() => { renderRooms(); render(); renderComparison(); });
start();
