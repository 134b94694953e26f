// The replay of one exercise: a timeline with a scrubber, seeking to any moment, playing at
// x1 to x60, and the COP, the rooms and the inject statuses as they stood then, from exercise
// control's or one team's point of view. The server folds and filters; this page only shows.
// Deep links: /replay/<exercise>?view=team:<id>&at=+1:30 (or &seq=N).

import { $, el, keepingFocus, replaceChildren, toast } from './dom.js';
import { api, facilitatorToken, loadSession } from './session.js';
import { ExerciseView } from './projection.js';
import { RoomsPanel } from './rooms.js';
import { CopMap, copFeatures } from './map.js';
import { jointRoomCards, workflowFeatures } from './workflows.js';
import { ControlCoordination } from './control_coordination.js';
import { offsetLabel, parseOffset, scenarioLabel } from './clock.js';
import { language, t } from './i18n.js';
import { injectStatusName } from './words.js';
import { contentLanguage, localized, onSeatLanguage, pick } from './content_language.js';
import { reportDownload } from './report_download.js';

const exercise = document.body.dataset.exercise;
const session = loadSession(exercise);
const evaluator = session?.role === 'evaluator' ? session : null;
const token = facilitatorToken() || evaluator?.token;
if (!token) location.replace('/');
$('#back-link').href = facilitatorToken() ? `/control/${exercise}` : `/observe/${exercise}`;

const LANES = () => [['inject', t('Injects')], ['message', t('Messages')], ['cop', t('COP changes')], ['workflow', t('Workflow')],
  ['observation', t('Observations')]];
const BINS = 240;
const TICK_MS = 250;
const base = `/api/exercises/${encodeURIComponent(exercise)}`;

const view = new ExerciseView(); // the state at the moment shown
const pageMemory = {};
const rooms = new RoomsPanel(view, { get: (k, d) => (k in pageMemory ? pageMemory[k] : d), set: (k, v) => { pageMemory[k] = v; } },
  { cards: jointRoomCards });
const coordination = new ControlCoordination(view, $('#coordination')); // read-only, as they stood
view.now = () => position.ex; // notifications expire by the moment shown, not by today's clock
const params = new URLSearchParams(location.search);
let pov = params.get('view') || 'control';
let timeline = null;
let map = null;
let position = { seq: 0, ex: 0, by: 'seq' };
let wanted = null; // the latest seek asked for while one was under way
let seeking = false;
let player = null;
let playTime = 0;

// -- talking to the server ------------------------------------------------------------

async function loadTimeline() {
  timeline = await api(`${base}/timeline?view=${encodeURIComponent(pov)}&language=${language()}`, { token });
  $('#exercise-title').textContent = timeline.title;
  offerComparison(timeline.compare);
  document.title = `${t('Replay')} · ${timeline.title}`;
  replaceChildren($('#pov'), timeline.views.map((v) => el('option', { value: v.id }, viewName(v))));
  $('#pov').value = pov;
  const chosen = timeline.views.find((v) => v.id === pov);
  $('#who').textContent = `${t('Replay')} · ${chosen ? viewName(chosen) : pov}`;
  document.body.dataset.component = chosen?.component || '';
  $('#scrubber').max = String(Math.max(1, Math.ceil(timeline.end)));
  if (!map) { map = new CopMap($('#map')); map.loadBasemap(timeline.basemap); }
  renderLanes();
}

// The control cell's point of view is named here; a team's is its name in the scenario.
function viewName(v) { return v.id === 'control' ? t('Exercise control (everything)') : v.name; }

async function seek(target) {
  if (seeking) { wanted = target; return; }
  seeking = true;
  try {
    const query = new URLSearchParams({ view: pov });
    if (target.seq !== undefined) query.set('seq', String(target.seq)); else query.set('at', String(target.at));
    const answer = await api(`${base}/replay?${query}`, { token });
    position = { seq: answer.seq, ex: answer.ex_time, by: target.seq !== undefined ? 'seq' : 'at' };
    show(answer);
  } catch (error) {
    toast(error.message);
    stop();
  } finally {
    seeking = false;
  }
  if (wanted) { const next = wanted; wanted = null; seek(next); }
}

// -- showing a moment -----------------------------------------------------------------

function show(answer) {
  view.you = answer.state.you;
  view.reset(answer.state); // the rooms panel redraws itself
  map.setFeatures(copFeatures(view));
  map.setOverlay(workflowFeatures(view));
  coordination.setUp();
  const earlier = Object.values(answer.state.rooms).some((r) => r.earlier);
  $('#rooms-note').textContent = earlier ? t('(latest messages of each room)') : '';
  renderInjects();
  renderObservations();
  renderPosition();
  renderEvents();
}

// The seat's language changed: the moment shown again in it.
onSeatLanguage(() => {
  if (!view.state) return;
  rooms.render();
  map.setFeatures(copFeatures(view));
  renderInjects();
});

function renderPosition() {
  const start = timeline.start;
  $('#replay-time').textContent = scenarioLabel(start, position.ex);
  $('#replay-offset').textContent = offsetLabel(position.ex);
  $('#replay-seq').textContent = t('event {seq} of {head}', { seq: position.seq, head: timeline.head });
  $('#replay-time').dataset.seq = String(position.seq);
  if (document.activeElement !== $('#scrubber')) $('#scrubber').value = String(Math.round(position.ex));
  const left = `${Math.min(100, (100 * position.ex) / Math.max(1, timeline.end)).toFixed(2)}%`;
  for (const cursor of document.querySelectorAll('.lane-track .cursor')) cursor.style.left = left;
}

function renderInjects() {
  const s = view.state;
  const control = s.you.role !== 'trainee';
  const rows = control ? s.injects : s.injects.filter((r) => r.status === 'released');
  replaceChildren($('#inject-status tbody'), rows.map((row) => {
    const acked = control ? Object.keys(row.acks || {}).map((team) => view.teamName(team)).join(', ')
      : (row.acknowledged ? t('yes') : t('no'));
    return el('tr', { class: `status-${row.status}`, dataset: { inject: row.inject.id } },
      el('td', {}, row.inject.id), localized('td', {}, pick(row.inject, 'title', s.scenario)),
      el('td', {}, el('span', { class: `status status-${row.status}` }, injectStatusName(row.status)),
        row.released_ex !== null && row.released_ex !== undefined
          ? el('div', { class: 'meta' }, scenarioLabel(s.scenario.start, row.released_ex)) : null),
      el('td', {}, acked));
  }));
}

function renderObservations() {
  const list = view.state.observations;
  $('#observations-box').hidden = !list;
  if (!list) return;
  const scale = new Map((view.state.rating_scale || []).map((r) => [r.rating, t(r.label)]));
  replaceChildren($('#replay-observations'), [...list].reverse().map((o) =>
    el('li', { class: `observation rating-${o.rating}` },
      el('span', { class: 'meta' }, `${scenarioLabel(view.state.scenario.start, o.ex_time)} · ${o.objective} · `,
        el('span', { class: 'rating' }, `${o.rating} ${scale.get(o.rating) || ''}`),
        o.team ? ` · ${view.teamName(o.team)}` : ''),
      el('span', { class: 'text' }, o.text))));
}

function renderEvents() {
  const items = timeline.items;
  let at = items.findLastIndex((i) => i.seq <= position.seq);
  if (at < 0) at = 0;
  const shown = items.slice(Math.max(0, at - 8), at + 9);
  const list = $('#event-list');
  keepingFocus(list, () => replaceChildren(list, shown.map((i) => el('li', {
    class: `event lane-${i.lane}${i.seq === items[at]?.seq && i.seq <= position.seq ? ' current' : ''}`,
    dataset: { seq: String(i.seq) } },
  el('button', { type: 'button', class: 'event-open', onclick: () => { stop(); seek({ seq: i.seq }); } },
    el('span', { class: 'meta' }, `${scenarioLabel(timeline.start, i.ex_time)} · #${i.seq}`), ' ', i.label)))));
}

function renderLanes() {
  const end = Math.max(1, timeline.end);
  const counts = Object.fromEntries(LANES().map(([lane]) => [lane, new Array(BINS).fill(0)]));
  for (const item of timeline.items) {
    counts[item.lane][Math.min(BINS - 1, Math.floor((item.ex_time / end) * BINS))] += 1;
  }
  replaceChildren($('#lanes'), LANES().map(([lane, name]) => {
    const peak = Math.max(1, ...counts[lane]);
    const marks = counts[lane].map((n, b) => (n ? el('span', {
      class: `mark lane-${lane} level-${Math.ceil((3 * n) / peak)}`,
      title: `${name}: ${t('{count} from {time}', { count: n, time: offsetLabel((b * end) / BINS) })}`, dataset: { bin: String(b) } }) : null));
    const track = el('div', { class: 'lane-track', dataset: { lane },
      onclick: (e) => {
        const box = track.getBoundingClientRect();
        stop();
        seek({ at: Math.max(0, Math.round(((e.clientX - box.left) / box.width) * end)) });
      } }, marks, el('span', { class: 'cursor' }));
    return el('div', { class: 'lane' }, el('span', { class: 'lane-label' }, name), track);
  }));
  for (const mark of document.querySelectorAll('.lane-track .mark')) {
    mark.style.left = `${(100 * Number(mark.dataset.bin)) / BINS}%`;
    mark.style.width = `${100 / BINS}%`;
  }
}

// -- playing ----------------------------------------------------------------------------

function play() {
  if (player) { stop(); return; }
  playTime = position.ex >= timeline.end ? 0 : position.ex;
  $('#play').textContent = t('Pause');
  player = setInterval(() => {
    playTime = Math.min(timeline.end, playTime + (TICK_MS / 1000) * Number($('#replay-speed').value));
    seek({ at: playTime });
    if (playTime >= timeline.end) stop();
  }, TICK_MS);
}

function stop() {
  if (player) clearInterval(player);
  player = null;
  $('#play').textContent = t('Play');
}

function step(direction) {
  stop();
  const items = timeline.items;
  const next = direction > 0 ? items.find((i) => i.seq > position.seq) : items.findLast((i) => i.seq < position.seq);
  if (next) seek({ seq: next.seq });
}

$('#play').addEventListener('click', play);
$('#prev-event').addEventListener('click', () => step(-1));
$('#next-event').addEventListener('click', () => step(1));
$('#scrubber').addEventListener('input', () => { stop(); seek({ at: Number($('#scrubber').value) }); });
$('#goto-button').addEventListener('click', () => {
  const at = parseOffset($('#goto').value);
  if (at === null) { toast(t('Go to an offset such as +1:30')); return; }
  stop();
  // All that happened in that minute counts as at it (while the clock stood still, many events):
  // the replay lands after the last of them, not before the first (bug 15 of the review).
  const last = timeline.items.findLast((i) => i.ex_time < at + 60);
  seek(last && last.ex_time >= at ? { seq: last.seq } : { at });
});
$('#goto').addEventListener('keydown', (e) => { if (e.key === 'Enter') $('#goto-button').click(); });
$('#pov').addEventListener('change', async () => {
  pov = $('#pov').value;
  await loadTimeline();
  seek(position.by === 'seq' ? { seq: position.seq } : { at: position.ex });
});
$('#refresh').addEventListener('click', async () => {
  await loadTimeline();
  seek(position.by === 'seq' ? { seq: position.seq } : { at: position.ex });
});
// The report in the seat's language (its scenario content too), beside the syndicates the timeline names.
const offerComparison = reportDownload(exercise, token, { asked: false });

async function start() {
  try {
    await loadTimeline();
  } catch (error) {
    toast(error.message, 600000);
    return;
  }
  if (params.get('seq')) seek({ seq: Number(params.get('seq')) });
  else if (params.get('at')) seek({ at: parseOffset(params.get('at')) ?? Number(params.get('at')) });
  else seek({ seq: timeline.head });
}

if (token) start();
// A new language: the moment shown is drawn again in it (the report button then asks for that language).
document.addEventListener('seat-language', async () => {
  if (!timeline) return;
  await loadTimeline(); // its lines come in the new language
  renderPosition(); renderEvents();
  if (view.state) { renderInjects(); renderObservations(); coordination.render(); rooms.render(); }
});
