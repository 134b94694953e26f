// The scenario studio's list: every scenario of the folder with Edit, Duplicate, Download and
// Delete (asked first; kept in the history), New from the course template, Upload, and the deleted
// scenarios with Restore. A spreadsheet upload goes through the importer's mapping step
// (studio_import.js, when this server has it). The list follows the folder as it changes.

import { $, el, replaceChildren } from './dom.js';
import { formatDate, t, tn } from './i18n.js';
import { facilitatorToken } from './session.js';
import * as studio from './studio_api.js';
import { slug } from './studio_doc.js';

if (!facilitatorToken()) location.replace('/');

const say = (message, error = false) => {
  $('#studio-message').textContent = message;
  $('#studio-message').className = error ? 'form-error' : 'notice-ok';
};
const editorOf = (id) => `/control/studio/${encodeURIComponent(id)}`;
let taken = [];

function state(sc) {
  if (!sc.loaded || sc.problems) return el('span', { class: 'form-error' }, tn('{n} problem', '{n} problems', sc.problems || 0));
  return el('span', { class: 'ok' }, t('Ready'));
}

function row(sc) {
  const format = el('select', { 'aria-label': t('Download {title} as', { title: sc.title }), class: 'download-format' },
    el('option', { value: 'yaml' }, 'YAML'), el('option', { value: 'zip' }, t('Zip (with its files)')),
    el('option', { value: 'xlsx' }, t('MSEL spreadsheet (XLSX)')), el('option', { value: 'csv' }, t('MSEL spreadsheet (CSV)')));
  return el('tr', { dataset: { scenario: sc.id } },
    el('td', {}, el('strong', {}, sc.title), el('div', { class: 'meta' }, sc.file)),
    el('td', {}, state(sc)),
    el('td', { class: 'row-actions' },
      el('a', { class: 'button edit', href: editorOf(sc.id) }, t('Edit')),
      el('button', { type: 'button', class: 'duplicate', onclick: () => duplicate(sc) }, t('Duplicate')),
      format,
      el('button', { type: 'button', class: 'download', onclick: () => studio.download(sc.id, format.value).catch((e) => say(e.message, true)) },
        t('Download')),
      el('button', { type: 'button', class: 'danger delete', onclick: () => remove(sc) }, t('Delete'))));
}

async function load() {
  try {
    const { scenarios, deleted, changes } = await studio.listScenarios();
    taken = [...scenarios, ...deleted].map((sc) => sc.id);
    replaceChildren($('#studio-table tbody'), scenarios.map(row));
    $('#deleted-card').hidden = !deleted.length;
    replaceChildren($('#deleted-table tbody'), deleted.map((sc) => el('tr', { dataset: { scenario: sc.id } },
      el('td', {}, el('strong', {}, sc.title), el('div', { class: 'meta' }, t('deleted {when}', { when: formatDate(new Date(sc.deleted * 1000)) }))),
      el('td', { class: 'row-actions' }, el('button', { type: 'button', class: 'restore', onclick: () => restoreDeleted(sc) }, t('Restore'))))));
    return changes;
  } catch (error) {
    if (error.status === 404 || error.status === 403) location.replace('/');
    say(error.message, true);
    return null;
  }
}

async function create(body) {
  try {
    const made = await studio.createScenario(body);
    location.assign(editorOf(made.id));
  } catch (error) {
    say(t('Not created: {reason}', { reason: error.message }), true);
  }
}

function duplicate(sc) {
  create({ from: sc.id, id: slug(`${sc.id}-copy`, taken), title: t('{title} (copy)', { title: sc.title }) });
}

async function remove(sc) {
  if (!window.confirm(t('Delete the scenario {title}? Its file is removed from the folder; the history keeps it and can restore it.', { title: sc.title }))) return;
  try {
    await studio.deleteScenario(sc.id, sc.version);
    say(t('{title} deleted.', { title: sc.title }));
    load();
  } catch (error) {
    say(t('Not deleted: {reason}', { reason: error.message }), true);
  }
}

async function restoreDeleted(sc) {
  try {
    await studio.restore(sc.id, sc.version, null);
    say(t('{title} restored.', { title: sc.title }));
    load();
  } catch (error) {
    say(t('Not restored: {reason}', { reason: error.message }), true);
  }
}

// A spreadsheet goes to the importer's mapping step when the server has one; a scenario straight in.
async function uploaded(file) {
  if (/\.(xlsx|csv)$/i.test(file.name)) {
    const importer = await import('./studio_import.js').catch(() => null);
    if (importer?.importSpreadsheet) {
      importer.importSpreadsheet(file, { container: $('#import-step'), done: (id) => location.assign(editorOf(id)) });
      return;
    }
  }
  say(t('Uploading {file}…', { file: file.name }));
  try {
    const made = await studio.upload(file);
    location.assign(editorOf(made.id));
  } catch (error) {
    const problems = error.data?.problems || [];
    say(problems.length ? t('{file} was not stored: {problems}', { file: file.name, problems: problems.map((p) => p.message).join('; ') })
      : t('{file} was not stored: {reason}', { file: file.name, reason: error.message }), true);
  }
}

// The id follows the title until it is typed itself (also for a title typed before this module ran).
const idFromTitle = () => { if (!$('#new-id').dataset.typed) $('#new-id').value = slug($('#new-title').value, taken); };
$('#new-title').addEventListener('input', idFromTitle);
if ($('#new-title').value) idFromTitle();
$('#new-id').addEventListener('input', () => { $('#new-id').dataset.typed = '1'; });
$('#new-form').addEventListener('submit', (e) => {
  e.preventDefault();
  create({ from: 'template', id: $('#new-id').value.trim(), title: $('#new-title').value.trim() });
});
$('#upload-file').addEventListener('change', (e) => { if (e.target.files[0]) uploaded(e.target.files[0]); e.target.value = ''; });
document.addEventListener('seat-language', load);

load().then((changes) => { if (changes !== null) studio.followChanges(changes, load); });
