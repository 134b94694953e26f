// The mapping step of an MSEL spreadsheet upload: the columns the importer recognised, each with a
// field picker a person can change (or set to ignore), the rows' problems and warnings, and Import.
// The studio's list calls importSpreadsheet(file, {container, done}); /control/studio/import is the
// same step on a page of its own. The server checks every mapping again (docs/studio-api.md).
import { $, el, replaceChildren } from './dom.js';
import { errorText, t, tn } from './i18n.js';
import { facilitatorToken } from './session.js';

// The fields' names in the seat's words (the sheet's own headers are shown beside them).
const FIELD_NAMES = {
  id: () => t('Inject number'),
  at: () => t('Scenario time'),
  channel: () => t('Channel'),
  mode: () => t('Mode of delivery'),
  from: () => t('From (sender)'),
  to: () => t('To (addressees)'),
  title: () => t('Title'),
  body: () => t('Message'),
  expected: () => t('Expected action'),
  objectives: () => t('Objectives'),
  modules: () => t('Course modules'),
  notes: () => t('Control notes'),
  controller: () => t('Controller'),
  cop: () => t('COP changes'),
  attachments: () => t('Attachments'),
};

function fieldName(field) {
  const [, key, lang] = /^(\w+)(?: \((\w+)\))?$/.exec(field) || [null, field, null];
  const name = FIELD_NAMES[key] ? FIELD_NAMES[key]() : field;
  return lang ? t('{field} in {language}', { field: name, language: lang }) : name;
}

function whereOf(p) {
  if (p.row && p.column) return t('Row {row}, {column} (column {letter})', { row: p.row, column: p.column, letter: p.letter || '?' });
  if (p.row) return t('Row {row}', { row: p.row });
  return null;
}

async function post(path, file, fields) {
  const form = new FormData();
  form.append('file', file, file.name);
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null && value !== '') form.append(key, value);
  const response = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${facilitatorToken()}` }, body: form });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.error ? errorText(data.error.code, data.error.message)
      : t('request failed ({status})', { status: response.status }));
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

async function scenarioChoices() {
  try {
    const response = await fetch('/api/studio/scenarios', { headers: { Authorization: `Bearer ${facilitatorToken()}` } });
    return response.ok ? (await response.json()).scenarios || [] : [];
  } catch { return []; }
}

let dialogs = 0;

// Show the mapping step for `file` in `container`; done(id) once a scenario was saved.
export async function importSpreadsheet(file, { container, done = () => {}, cancel = null } = {}) {
  const n = ++dialogs;
  const ids = { heading: `import-title-${n}`, into: `import-into-${n}`, id: `import-id-${n}`, name: `import-name-${n}`,
    duration: `import-duration-${n}` };
  const status = el('p', { class: 'import-status', role: 'status' }, t('Reading {file}…', { file: file.name }));
  replaceChildren(container, el('section', { class: 'card import-step', 'aria-labelledby': ids.heading },
    el('h2', { id: ids.heading }, t('Map the columns of {file}', { file: file.name })), status));
  let preview;
  let chosen = null; // the mapping once a person changed a picker
  const into = el('select', { id: ids.into, name: 'into' }, el('option', { value: '' }, t('A new scenario')));
  const newId = el('input', { id: ids.id, name: 'id', maxlength: 63, pattern: '[a-z0-9][a-z0-9-]*', autocomplete: 'off' });
  const newTitle = el('input', { id: ids.name, name: 'title', maxlength: 200, autocomplete: 'off' });
  const duration = el('input', { id: ids.duration, name: 'duration', maxlength: 6, placeholder: 'H:MM', autocomplete: 'off',
    inputmode: 'numeric' });

  // Into a scenario: the version the preview read, so that a save meanwhile is not overwritten.
  const target = () => (into.value ? { into: into.value, version: preview?.target.into === into.value ? preview.target.version : null }
    : { id: newId.value.trim(), title: newTitle.value.trim() });
  const fields = () => ({ ...target(), duration: duration.value.trim(), mapping: chosen ? JSON.stringify(chosen) : null });

  async function refresh() {
    status.textContent = t('Checking the rows…');
    try {
      preview = await post('/api/studio/import/preview', file, fields());
    } catch (error) {
      replaceChildren(container.firstChild, el('h2', { id: ids.heading }, t('Map the columns of {file}', { file: file.name })),
        el('p', { class: 'form-error', role: 'alert' }, error.message), listOf(error.data?.problems || [], 'form-error import-problems'),
        el('div', { class: 'form-row' }, el('button', { type: 'button', onclick: close }, t('Close'))));
      return;
    }
    if (!newId.value && preview.target.id) newId.value = preview.target.id;
    render();
  }

  function listOf(problems, cls) {
    if (!problems.length) return null;
    return el('ul', { class: cls }, problems.map((p) => {
      const where = whereOf(p);
      return el('li', { dataset: { row: p.row ?? '' } }, where ? `${where}: ${p.message}` : p.message);
    }));
  }

  function picker(column, index) {
    const select = el('select', { id: `import-field-${n}-${index}`, dataset: { column: index },
      onchange: () => { chosen = preview.columns.map((c, i) => $(`#import-field-${n}-${i}`).value || null); refresh(); } },
    el('option', { value: '' }, t('Ignore this column')),
    preview.fields.map((f) => el('option', { value: f.field, selected: f.field === column.field },
      f.required ? t('{field} (required)', { field: fieldName(f.field) }) : fieldName(f.field))));
    return select;
  }

  function render() {
    const focused = document.activeElement?.id;
    draw();
    if (focused && container.contains(document.getElementById(focused))) document.getElementById(focused).focus();
  }

  function draw() {
    const problems = preview.problems;
    const summary = [tn('{n} row', '{n} rows', preview.rows), t('header on row {row}', { row: preview.header_row })];
    if (preview.remembered) summary.push(t('the mapping chosen last time for these columns'));
    const table = el('table', { class: 'table import-columns' },
      el('caption', { class: 'visually-hidden' }, t('Columns of the sheet and the field each gives')),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('Column')), el('th', { scope: 'col' }, t('Field')),
        el('th', { scope: 'col' }, t('First cells')))),
      el('tbody', {}, preview.columns.map((c, i) => el('tr', { class: c.field ? 'recognised' : 'ignored', dataset: { column: i } },
        el('th', { scope: 'row' }, el('label', { for: `import-field-${n}-${i}` }, `${c.letter}: ${c.header}`)),
        el('td', {}, picker(c, i)),
        el('td', { class: 'meta' }, c.samples.join(' · '))))));
    const warnings = preview.warnings.length ? el('details', { class: 'import-warnings' },
      el('summary', {}, tn('{n} warning', '{n} warnings', preview.warnings.length)),
      el('ul', {}, preview.warnings.map((w) => el('li', {}, w)))) : null;
    replaceChildren(container.firstChild,
      el('h2', { id: ids.heading }, t('Map the columns of {file}', { file: file.name })),
      el('p', { class: 'meta' }, summary.join(', ')),
      el('div', { class: 'form-row import-target' },
        el('label', { for: ids.into }, t('Import into')), into,
        into.value ? null : [el('label', { for: ids.id }, t('Id (file name)')), newId,
          el('label', { for: ids.name }, t('Title')), newTitle],
        el('label', { for: ids.duration }, t('Duration (H:MM, optional)')), duration),
      el('div', { class: 'table-wrap' }, table),
      problems.length ? el('h3', {}, tn('{n} problem to fix before importing', '{n} problems to fix before importing', problems.length)) : null,
      listOf(problems, 'form-error import-problems'),
      warnings,
      el('div', { class: 'form-row' },
        el('button', { type: 'button', class: 'primary', id: `import-go-${n}`, onclick: go }, t('Import')),
        el('button', { type: 'button', onclick: close }, t('Cancel'))),
      status);
    status.textContent = problems.length ? t('Fix the rows in the spreadsheet or change the mapping, then import.') : t('Ready to import.');
  }

  async function go() {
    status.textContent = t('Importing…');
    const mapping = preview.columns.map((c, i) => $(`#import-field-${n}-${i}`).value || null);
    try {
      const made = await post('/api/studio/import', file, { ...fields(), mapping: JSON.stringify(mapping) });
      replaceChildren(container.firstChild, el('h2', { id: ids.heading }, t('Map the columns of {file}', { file: file.name })),
        el('p', { role: 'status', class: 'import-done' }, t('Saved as {id}.', { id: made.id }), ' ',
          el('a', { href: `/control/studio/${encodeURIComponent(made.id)}` }, t('Open it in the studio'))));
      done(made.id);
    } catch (error) {
      preview = { ...preview, problems: error.data?.problems || [], warnings: error.data?.warnings || preview.warnings };
      render();
      status.textContent = t('Nothing was saved: {reason}', { reason: error.message });
    }
  }

  function close() { replaceChildren(container); if (cancel) cancel(); }

  into.addEventListener('change', refresh);
  duration.addEventListener('change', refresh);
  for (const sc of await scenarioChoices()) into.append(el('option', { value: sc.id }, t('Replace the MSEL of {title}', { title: sc.title })));
  await refresh();
}

// The page of its own: a file picker, then the step below it.
const picker = $('#import-file');
if (picker && document.body.classList.contains('studio-import-page')) {
  if (!facilitatorToken()) location.replace('/');
  picker.addEventListener('change', (e) => {
    const file = e.target.files[0];
    if (file) importSpreadsheet(file, { container: $('#import-step') });
  });
}
