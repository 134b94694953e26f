// The control home's part for classes: a class is listed as one line with its syndicates, and a
// scenario opens for N syndicates in one action (POST /api/classes; core/syndicates.py).
import { el } from './dom.js';
import { api } from './session.js';
import { clockStatus } from './clock.js';
import { t } from './i18n.js';

export const MAX_SYNDICATES = 8;

// The exercises of no class as they were, and one line per class (in the place of its first syndicate).
export function exerciseLines(exercises, exerciseRow) {
  const classes = new Map();
  const lines = [];
  for (const x of exercises) {
    if (!x.class) { lines.push(exerciseRow(x)); continue; }
    if (!classes.has(x.class)) { classes.set(x.class, []); lines.push(x.class); }
    classes.get(x.class).push(x);
  }
  return lines.map((line) => (typeof line === 'string' ? classRow(line, classes.get(line)) : line));
}

function classRow(classId, syndicates) {
  syndicates.sort((a, b) => a.syndicate - b.syndicate);
  const first = syndicates[0];
  const connected = syndicates.reduce((n, x) => n + x.connections, 0);
  const statuses = [...new Set(syndicates.map((x) => clockStatus(x.clock)))].join(', ');
  return el('tr', { dataset: { class: classId } },
    el('td', {}, el('strong', {}, first.title), el('div', { class: 'meta' },
      t('{count} syndicates', { count: syndicates.length }), ' · ', classId, ': ',
      ...syndicates.flatMap((x, i) => [i ? ' · ' : '', el('a', { href: `/control/${encodeURIComponent(x.id)}` },
        t('Syndicate {number}', { number: x.syndicate }))]))),
    el('td', {}, first.scenario), el('td', {}, statuses), el('td', {}, String(connected)),
    el('td', {}, el('a', { href: `/control/class/${encodeURIComponent(classId)}`, class: 'button' }, t('Class control'))));
}

// The number field beside a scenario's Open button: how many syndicates (1: one exercise, as before).
export function syndicatesField(scenario) {
  return el('label', { class: 'syndicates-field' }, t('Syndicates'), ' ',
    el('input', { type: 'number', min: '1', max: String(MAX_SYNDICATES), value: '1', name: 'syndicates',
      dataset: { scenario }, size: '2' }));
}

// Where the facilitator goes once the scenario is open: its control panel, or the class's.
export async function openScenario(scenario, syndicates, token) {
  if (syndicates !== 1) {
    const opened = await api('/api/classes', { method: 'POST', token, body: { scenario, syndicates } });
    return `/control/class/${encodeURIComponent(opened.class)}`;
  }
  const opened = await api('/api/exercises', { method: 'POST', token, body: { scenario } });
  return `/control/${encodeURIComponent(opened.exercise)}`;
}
