// The scenario studio's HTTP API (docs/studio-api.md), with the facilitator's token. A refusal
// throws an Error carrying the response's status and body (problems, changes, document).

import { facilitatorToken } from './session.js';
import { errorText, t } from './i18n.js';

const BASE = '/api/studio';
const enc = encodeURIComponent;

async function call(path, { method = 'GET', body, raw, contentType } = {}) {
  const headers = { Authorization: `Bearer ${facilitatorToken()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw) headers['Content-Type'] = contentType || 'application/octet-stream';
  const response = await fetch(`${BASE}${path}`, { method, headers, body: raw || (body !== undefined ? JSON.stringify(body) : undefined) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ? errorText(data.error.code, data.error.message)
      : t('request failed ({status})', { status: response.status }));
    Object.assign(error, { status: response.status, code: data.error?.code, data });
    throw error;
  }
  return data;
}

export const listScenarios = () => call('/scenarios');
export const getScenario = (id) => call(`/scenarios/${enc(id)}`);
export const validate = (id, document) => call('/validate', { method: 'POST', body: { id, document } });
export const createScenario = (body) => call('/scenarios', { method: 'POST', body });
export const saveScenario = (id, version, document) => call(`/scenarios/${enc(id)}`, { method: 'PUT', body: { version, document } });
export const deleteScenario = (id, version) => call(`/scenarios/${enc(id)}?version=${enc(version)}`, { method: 'DELETE' });
export const history = (id) => call(`/scenarios/${enc(id)}/history`);
export const historyVersion = (id, version) => call(`/scenarios/${enc(id)}/history/${enc(version)}`);
export const restore = (id, version, current) => call(`/scenarios/${enc(id)}/history/${enc(version)}/restore`,
  { method: 'POST', body: { version: current ?? null } });
export const files = () => call('/files');
export async function basemap(name) {
  const shared = await fetch(`/basemaps/${enc(name)}.geojson`);
  if (shared.ok) return shared.json();
  return call(`/basemaps/${enc(name)}`).catch(() => null);
}
export const changes = (since) => call(`/changes?since=${enc(since)}`);

export function uploadAttachment(id, file) {
  return call(`/scenarios/${enc(id)}/attachments?name=${enc(file.name)}`, { method: 'POST', raw: file, contentType: file.type });
}

export function upload(file, id = null) {
  return call(`/upload${id ? `?id=${enc(id)}` : ''}`, { method: 'POST', raw: file, contentType: file.type || 'application/octet-stream' });
}

// A download needs the token, so it is fetched and handed to the browser as a file.
export async function download(id, format) {
  const response = await fetch(`${BASE}/scenarios/${enc(id)}/download?format=${enc(format)}`,
    { headers: { Authorization: `Bearer ${facilitatorToken()}` } });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new Error(data.error ? errorText(data.error.code, data.error.message) : t('request failed ({status})', { status: response.status }));
  }
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') || '')?.[1] || `${id}.${format}`;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

// Calls `onChange` each time the scenarios folder changes (the server's long poll), until the page goes.
export async function followChanges(since, onChange) {
  let token = since;
  for (;;) {
    try {
      const answer = await changes(token);
      token = answer.changes;
      if (answer.changed) await onChange();
    } catch {
      await new Promise((done) => { setTimeout(done, 5000); }); // the server restarting: try again shortly
    }
  }
}
