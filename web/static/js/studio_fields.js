// The studio's form controls: each bound to a place in the scenario document and named by its
// field path (data-path="msel.3.title"), so that a problem the server finds at a path is shown
// beside the control it concerns (showProblems).

import { el } from './dom.js';
import { t } from './i18n.js';
import { renderMarkdown } from './markdown.js';

let fieldCount = 0;
const nextFieldId = () => `f-${(fieldCount += 1)}`;

// A labelled control. `get` reads its value from the document, `set` writes a typed one back;
// `editor.changed()` then marks the scenario unsaved and checks it again.
export function field(editor, { label, path, get, set, type = 'text', rows = 0, options = null, hint = '', attrs = {} }) {
  const id = nextFieldId();
  let input;
  if (options) {
    input = el('select', { id, ...attrs }, options.map(([value, name]) => el('option', { value }, name)));
  } else if (rows) {
    input = el('textarea', { id, rows, ...attrs });
  } else {
    input = el('input', { id, type, ...attrs });
  }
  input.dataset.path = path;
  if (type === 'checkbox') input.checked = Boolean(get());
  else input.value = get() ?? '';
  input.addEventListener(options || type === 'checkbox' ? 'change' : 'input', () => {
    set(type === 'checkbox' ? input.checked : input.value);
    editor.changed();
  });
  const wrap = el('label', { class: `field${type === 'checkbox' ? ' check' : ''}`, for: id },
    type === 'checkbox' ? [input, ` ${label}`] : [el('span', { class: 'field-label' }, label), input],
    hint ? el('span', { class: 'hint' }, hint) : null);
  return wrap;
}

// A Markdown text with its preview beside it, drawn as the teams will read it.
export function markdownField(editor, { label, path, get, set, rows = 6 }) {
  const preview = el('div', { class: 'markdown-preview', 'aria-live': 'off' });
  const draw = () => preview.replaceChildren(renderMarkdown(get() || ''));
  const wrap = field(editor, { label, path, get, set: (v) => { set(v); draw(); }, rows });
  draw();
  return el('div', { class: 'markdown-field' }, wrap,
    el('div', { class: 'preview-box' }, el('span', { class: 'field-label' }, t('Preview')), preview));
}

// Rows of a list (teams, rooms, personas...): each drawn by `row(item, index)`, with Remove; Add
// appends `make()`. `redraw` rebuilds the whole section (ids and names elsewhere may follow). With
// `move`, each row has arrows that move it up and down the list (the order the file keeps).
export function listEditor(editor, { items, row, make, addLabel, removeLabel, redraw, path, empty = '', move = false }) {
  const rowsOf = () => document.querySelectorAll(`[data-path="${CSS.escape(path)}"] > li`);
  const moveRow = (k, by) => {
    const list = items();
    [list[k], list[k + by]] = [list[k + by], list[k]];
    editor.changed();
    redraw();
    const moved = rowsOf()[k + by];
    const arrow = moved?.querySelector(by < 0 ? '.move-up' : '.move-down');
    (arrow && !arrow.disabled ? arrow : moved?.querySelector('.move-up:not(:disabled), .move-down:not(:disabled)'))?.focus();
  };
  const arrows = (k, n) => el('span', { class: 'row-actions move' },
    el('button', { type: 'button', class: 'move-up', disabled: k === 0, 'aria-label': t('Move row {n} up', { n: k + 1 }),
      onclick: () => moveRow(k, -1) }, '↑'),
    el('button', { type: 'button', class: 'move-down', disabled: k === n - 1,
      'aria-label': t('Move row {n} down', { n: k + 1 }), onclick: () => moveRow(k, 1) }, '↓'));
  const list = el('ol', { class: 'studio-rows', dataset: { path } }, items().map((item, k) => el('li', { class: 'studio-row' },
    row(item, k),
    move ? arrows(k, items().length) : null,
    el('button', { type: 'button', class: 'danger remove-row', onclick: () => {
      items().splice(k, 1);
      editor.changed();
      redraw();
    } }, removeLabel))));
  return el('div', { class: 'list-editor' },
    items().length ? list : el('p', { class: 'meta' }, empty),
    el('button', { type: 'button', class: 'add-row', dataset: { add: path }, onclick: () => {
      items().push(make());
      editor.changed();
      redraw();
      const rows = rowsOf();
      rows[rows.length - 1]?.querySelector('input, select, textarea')?.focus();
    } }, addLabel));
}

// Boxes to pick several of `choices` ([value, name]); `get` and `set` give and take the list.
export function checkboxes(editor, { legend, path, choices, get, set }) {
  const picked = new Set(get() || []);
  return el('fieldset', { class: 'studio-checks', dataset: { path } }, el('legend', {}, legend),
    choices.map(([value, name]) => el('label', {}, el('input', { type: 'checkbox', value, checked: picked.has(value),
      onchange: (e) => {
        const now = new Set(get() || []);
        if (e.target.checked) now.add(value); else now.delete(value);
        set(choices.map(([v]) => v).filter((v) => now.has(v)));
        editor.changed();
      } }), ` ${name}`)));
}

// The problems at their fields: each control (or row, or fieldset) named by the problem's path, or
// its nearest named ancestor path, gets the message below it and aria-invalid. The paths that no
// shown control names are returned (the caller lists them).
export function showProblems(root, problems) {
  for (const node of root.querySelectorAll('.field-problem')) node.remove();
  for (const node of root.querySelectorAll('[aria-invalid]')) {
    node.removeAttribute('aria-invalid');
    const ids = (node.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.startsWith('problem-'));
    if (ids.length) node.setAttribute('aria-describedby', ids.join(' ')); else node.removeAttribute('aria-describedby');
  }
  const unplaced = [];
  problems.forEach((problem, k) => {
    const target = placeOf(root, problem.key);
    if (!target) { unplaced.push(problem); return; }
    const id = `problem-${k}`;
    const note = el('p', { class: 'field-problem', id }, problem.message);
    const anchor = target.closest('label.field') || target;
    if (anchor.tagName === 'FIELDSET' || anchor.tagName === 'OL') anchor.prepend(note); else anchor.after(note);
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') || ''} ${id}`.trim());
  });
  return unplaced;
}

export function placeOf(root, key) {
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const node = root.querySelector(`[data-path="${CSS.escape(parts.slice(0, n).join('.'))}"]`);
    if (node && node.getClientRects().length) return node;
  }
  return null;
}
