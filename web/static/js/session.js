// Where the sign-in page keeps the session tokens: this browser's localStorage, so that a
// reloaded tab or a laptop waking from sleep goes straight back into the exercise.

import { errorText, t } from './i18n.js';

const FACILITATOR = 'facilitator-token';

export function saveSession(exercise, session) {
  localStorage.setItem(`session:${exercise}`, JSON.stringify(session));
}

export function loadSession(exercise) {
  try { return JSON.parse(localStorage.getItem(`session:${exercise}`)); } catch { return null; }
}

export function forgetSession(exercise) {
  localStorage.removeItem(`session:${exercise}`);
}

export function saveFacilitatorToken(token) { localStorage.setItem(FACILITATOR, token); }
// Who signed in to exercise control: the lead, or a named controller or evaluator (people.md).
export function saveStaff({ role, name, lead }) { localStorage.setItem('staff', JSON.stringify({ role, name, lead })); }
export function staff() {
  try { return JSON.parse(localStorage.getItem('staff')) || { role: 'facilitator', lead: true }; } catch { return { role: 'facilitator', lead: true }; }
}
export function facilitatorToken() { return localStorage.getItem(FACILITATOR); }
export function forgetFacilitator() { localStorage.removeItem(FACILITATOR); }

export async function api(path, { method = 'GET', body, token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ? errorText(data.error.code, data.error.message)
      : t('request failed ({status})', { status: response.status }));
    error.code = data.error?.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

// A per-session memory of UI state (read injects, chosen room) that survives reloads.
export function uiMemory(exercise) {
  const key = `ui:${exercise}`;
  let state;
  try { state = JSON.parse(localStorage.getItem(key)) || {}; } catch { state = {}; }
  return {
    get: (name, fallback) => (name in state ? state[name] : fallback),
    set: (name, value) => { state[name] = value; localStorage.setItem(key, JSON.stringify(state)); },
  };
}
