// The control cell's live dashboard: one section per exercise (a class's syndicates), one cell per
// team with its figures (docs/dashboard.md). Each section starts from the server's fold of its log
// (GET /api/exercises/{id}/dashboard) and folds on the events of one control-view connection,
// resumed from there; who is connected comes with that connection's presence frames.

import { $, el, toast } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { Connection } from './connection.js';
import { DashboardFold } from './dashboard_fold.js';
import { clockStatus, exNow, offsetLabel, scenarioLabel } from './clock.js';
import { t, tn } from './i18n.js';
import { nameOf, onSeatLanguage } from './content_language.js';

const token = facilitatorToken();
if (!token) location.replace('/');

const FIGURES = () => [
  ['connected', t('Connected')],
  ['unacknowledged', t('Unacknowledged')],
  ['overdue', t('Overdue answers')],
  ['open_requests', t('Open requests')],
  ['notifications', t('Notifications to acknowledge')],
  ['last_activity', t('Last activity')],
];
const STATES = () => ({
  connecting: t('connecting'), connected: t('connected'), reconnecting: t('reconnecting'),
  'catching up': t('catching up'), degraded: t('connected, server degraded'), 'signed out': t('signed out'),
});

class Syndicate {
  constructor(exercise, root) {
    this.exercise = exercise;
    this.serverOffset = 0;
    this.online = [];
    this.fold = null;
    this.held = null; // events that arrive while the state is fetched again
    this.cells = new Map(); // team -> { link, name, figures: {name: dd} }
    this.section = el('section', { class: 'syndicate', 'aria-labelledby': `title-${exercise}`, dataset: { exercise } });
    this.title = el('a', { href: `/control/${encodeURIComponent(exercise)}` }, exercise);
    this.clock = el('span', { class: 'syndicate-clock' });
    this.state = el('span', { class: 'syndicate-state', dataset: { state: 'connecting' } }, STATES().connecting);
    this.grid = el('ul', { class: 'team-cells' });
    this.section.append(el('header', { class: 'syndicate-head' },
      el('h2', { id: `title-${exercise}` }, this.title, ' ', el('span', { class: 'meta' }, exercise)), // syndicates share a title
      this.clock, this.state), this.grid);
    root.append(this.section);
  }

  async start() {
    try {
      await this.load();
    } catch (error) {
      this.setState('signed out', error.status === 404 ? t('This exercise does not exist.') : error.message);
      return;
    }
    this.connection = new Connection({
      exercise: this.exercise, token,
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.setState(state),
      onFatal: (code, message) => this.setState('signed out', message),
    });
    this.connection.lastSeq = this.fold.seq; // resumed from the fetched state: only what follows it
    this.connection.start();
  }

  async load() {
    const data = await api(`/api/exercises/${encodeURIComponent(this.exercise)}/dashboard`, { token });
    this.data = data;
    this.fold = new DashboardFold(data.state, data.answers);
    this.title.textContent = data.title;
    if (!this.cells.size) this.build();
    this.render();
  }

  build() {
    for (const team of this.data.teams) {
      const figures = {};
      const rows = FIGURES().map(([key, label]) => {
        figures[key] = el('dd', { dataset: { figure: key } });
        return el('div', { class: `figure figure-${key}` }, el('dt', {}, label), figures[key]);
      });
      const name = el('span', { class: 'team-name' });
      const link = el('a', { class: 'team-cell', href: `/control/${encodeURIComponent(this.exercise)}#team=${encodeURIComponent(team.id)}`,
        dataset: { team: team.id, component: team.component } }, name, el('dl', { class: 'figures' }, rows));
      this.cells.set(team.id, { link, name, figures, team });
      this.grid.append(el('li', {}, link));
    }
    this.rename();
  }

  rename() {
    for (const { name, team } of this.cells.values()) name.textContent = nameOf(team, this.data.scenario);
  }

  onFrame(frame) {
    if (frame.type === 'welcome') {
      this.serverOffset = frame.server_time - Date.now() / 1000;
    } else if (frame.type === 'event') {
      if (this.held) this.held.push(frame.event);
      else if (this.fold.apply(frame.event)) this.render();
    } else if (frame.type === 'snapshot') { // too far behind to resume: start again from the server's fold
      this.held = [];
      this.load().then(() => {
        for (const e of this.held) this.fold.apply(e);
        this.held = null;
        this.render();
      }, (error) => toast(error.message));
    } else if (frame.type === 'presence') {
      this.online = frame.online.filter((p) => p.role === 'trainee');
      this.render();
    }
  }

  setState(state, why = '') {
    this.state.dataset.state = state.replace(' ', '-');
    this.state.textContent = why || STATES()[state] || state;
  }

  render() {
    if (!this.fold) return;
    const clock = this.fold.clock;
    const ex = exNow(clock, this.serverOffset);
    this.clock.textContent = `${scenarioLabel(this.data.scenario.start, ex)} · ${clockStatus(clock)}`;
    for (const [team, cell] of this.cells) {
      const f = this.fold.figures(team, ex);
      const people = this.online.filter((p) => p.team === team);
      const shown = { ...f, connected: people.length, last_activity: lastActivity(f.last_activity_ex, ex) };
      for (const [key, dd] of Object.entries(cell.figures)) {
        const text = String(shown[key]);
        if (dd.textContent !== text) dd.textContent = text;
        dd.toggleAttribute('data-zero', text === '0');
      }
      cell.figures.connected.title = people.map((p) => p.name).join(', ');
      cell.figures.overdue.title = f.next_due === null ? '' : t('next answer due at {time}', { time: offsetLabel(f.next_due) });
      cell.figures.last_activity.title = f.last_activity_ex === null ? '' : offsetLabel(f.last_activity_ex);
      cell.link.dataset.alert = f.overdue ? 'overdue' : f.unacknowledged ? 'unacknowledged' : 'none';
    }
  }
}

// How long ago, in exercise minutes, the team last did anything.
function lastActivity(at, ex) {
  if (at === null) return t('none yet');
  const minutes = Math.max(0, Math.floor((ex - at) / 60));
  return minutes ? tn('{n} minute ago', '{n} minutes ago', minutes) : t('just now');
}

const root = $('#dashboard');
const ids = root.dataset.exercises ? root.dataset.exercises.split(',') : [];
const syndicates = ids.map((id) => new Syndicate(id, root));
root.dataset.count = String(syndicates.length);
for (const s of syndicates) s.start();
setInterval(() => { for (const s of syndicates) s.render(); }, 1000); // the clock moves answers into overdue
onSeatLanguage(() => { for (const s of syndicates) { if (s.data) { s.rename(); s.render(); } } });
