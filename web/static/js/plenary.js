// The plenary screen: the exercise clock, the COP, the plenary injects and the media feed with
// the public statements, for the room's projector. It signs in with a plenary token, asked with
// the facilitator's, so the server sends it only what every team sees (core/access.py).

import { $, el, replaceChildren, toast } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { ExerciseView } from './projection.js';
import { runClockDisplay, scenarioLabel } from './clock.js';
import { CopMap, copFeatures } from './map.js';
import { renderMarkdown } from './markdown.js';
import { mediaFeed, mediaRow, statementRow } from './workflows.js';
import { t } from './i18n.js';

const exercise = document.body.dataset.exercise;
const view = new ExerciseView();
let map;

function injects() {
  const s = view.state;
  const rows = view.state.injects.filter((r) => r.status === 'released' && r.inject.channel !== 'media');
  return rows.sort((a, b) => (b.released_seq ?? 0) - (a.released_seq ?? 0)).map((r) =>
    el('li', { class: 'plenary-inject', dataset: { inject: r.inject.id } },
      el('h3', {}, r.inject.title),
      el('p', { class: 'meta' }, `${r.inject.from} · ${scenarioLabel(s.scenario.start, r.released_ex ?? 0)}`),
      el('div', { class: 'body' }, renderMarkdown(r.inject.body))));
}

function render() {
  if (!view.state) return;
  replaceChildren($('#plenary-injects'), injects());
  const statements = (view.state.statements || []).map((st) => ({ seq: st.seq, st }));
  const feed = [...mediaFeed(view), ...statements].sort((a, b) => b.seq - a.seq);
  replaceChildren($('#plenary-media'), feed.map((entry) => (entry.st ? statementRow(view, entry.st) : mediaRow(view, entry))));
  map.setFeatures(copFeatures(view));
}

view.addEventListener('reset', () => {
  $('#exercise-title').textContent = view.state.scenario.title;
  if (!map) {
    map = new CopMap($('#map'));
    map.loadBasemap(view.state.scenario.basemap);
  }
  render();
});
view.addEventListener('change', (e) => { if (e.detail.kind !== 'reset' && e.detail.kind !== 'connection') render(); });
runClockDisplay(view);

async function start() {
  const token = facilitatorToken();
  if (!token) {
    toast(t('Open the plenary screen from the control panel, signed in as the facilitator.'), 600000);
    return;
  }
  try {
    const plenary = await api(`/api/exercises/${encodeURIComponent(exercise)}/plenary`, { method: 'POST', token });
    view.connect(exercise, plenary.token, (code, message) => toast(message, 600000));
  } catch (error) {
    toast(error.message, 600000);
  }
}
start();
