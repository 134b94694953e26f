// The exercise clock as the page shows it: computed from the clock state the server sent
// and the offset between the server's wall clock and this browser's.

import { formatTime, t } from './i18n.js';

export function exNow(clock, serverOffset) {
  if (clock.status !== 'running') return clock.anchor_ex;
  const now = Date.now() / 1000 + serverOffset;
  return clock.anchor_ex + Math.max(0, now - clock.anchor_wall) * clock.speed;
}

export function scenarioLabel(start, ex) {
  const total = Math.floor((start + ex) / 60);
  const day = Math.floor(total / 1440);
  const minutes = total - day * 1440;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return t('D{sign}{day} {time}', { sign: day < 0 ? '-' : '+', day: Math.abs(day), time: `${hh}:${mm}` });
}

// A moment as a page shows it: the scenario's time, the wall clock's when it happened on hover.
export function timeOf(start, ex, wall) {
  const node = document.createElement('time');
  node.textContent = scenarioLabel(start, ex);
  if (wall) node.title = wallLabel(wall);
  return node;
}

// The wall clock's time of a moment (seconds since the epoch), for a title shown on hover.
export function wallLabel(wall) {
  return wall ? new Date(wall * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
}

export function offsetLabel(seconds) {
  if (seconds === null || seconds === undefined) return '';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `+${h}:${String(m).padStart(2, '0')}`;
}

export function parseOffset(text) {
  const m = /^\+?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] || 0);
}

// The clock's state in the seat's words.
export function clockStatus(clock) {
  const names = { draft: t('draft'), running: t('running'), paused: t('paused'), ended: t('ended') };
  if (clock.status === 'running' && clock.speed && clock.speed !== 1) return t('running x{speed}', { speed: clock.speed });
  return names[clock.status] || clock.status;
}

// Keep the header's clock current: scenario time and wall time side by side.
export function runClockDisplay(view) {
  const scenarioEl = document.getElementById('scenario-time');
  const statusEl = document.getElementById('clock-status');
  const wallEl = document.getElementById('wall-time');
  const tick = () => {
    if (!view.state) return;
    const clock = view.state.clock;
    const ex = exNow(clock, view.serverOffset);
    scenarioEl.textContent = scenarioLabel(view.state.scenario.start, ex);
    statusEl.textContent = clockStatus(clock);
    statusEl.dataset.status = clock.status;
    wallEl.textContent = formatTime(new Date());
  };
  view.addEventListener('change', tick);
  setInterval(tick, 500);
  return tick;
}
