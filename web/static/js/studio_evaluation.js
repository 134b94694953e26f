// The studio's Evaluation tab: the scenario's exercise evaluation guide (docs/scenario-format.md,
// "Evaluation"; core/evaluation_check.py checks it): capability targets with their measure, inject,
// teams and threshold, critical tasks each with its doctrine source, and the pitfalls evaluators
// tick. Texts and capabilities are edited in the scenario's default language, their translations kept.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { checkboxes, field, listEditor } from './studio_fields.js';
import { plainField, textField } from './studio_sections.js';
import { components, editableLists, playedByControl, slug, teams, text } from './studio_doc.js';

// What a target measures from the inject's release (core/evaluation_guide.py MEASURES).
export const MEASURES = () => [['acknowledge', t('acknowledges the inject')], ['answer', t('answers the inject')],
  ['first_action', t('acts after the inject')], ['informed', t('hears of it from another team')]];
const PARTS = ['targets', 'critical_tasks', 'pitfalls'];
const OPTIONAL_TEXTS = ['capability'];
export const NOT_EDITABLE = () => t('This part of the file is not written in the form the studio edits: its problems are listed above. Fix it in the file, then upload it again.');

// Choices with what the item already names and the list does not offer (kept, shown by its id).
const withCurrent = (choices, current) => [...choices,
  ...[...new Set((Array.isArray(current) ? current : [current]).filter((v) => v && typeof v === 'string'))]
    .filter((v) => !choices.some(([c]) => c === v)).map((v) => [v, v])];

export function objectiveChoices(doc) {
  return Object.keys(doc.objectives || {}).map((id) => [id, `${id}: ${text(doc.objectives[id], doc).slice(0, 60)}`]);
}

// Teams first, then the components (an item for a whole component covers its teams).
function partyChoices(doc) {
  return [...teams(doc).map((x) => [x.id, text(x.name, doc) || x.id]),
    ...components(doc).filter((c) => !playedByControl(c)).map((c) => [c.id, t('{component} (every team)', { component: text(c.name, doc) || c.id })])];
}

export function evaluationSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { evaluationSection(editor, root); editor.structureChanged(); };
  if (!editableLists(doc, 'evaluation', PARTS)) {
    replaceChildren(root, el('h2', {}, t('Evaluation guide')), el('p', { class: 'meta', dataset: { path: 'evaluation' } }, NOT_EDITABLE()));
    return;
  }
  const guide = () => (doc.evaluation && typeof doc.evaluation === 'object' ? doc.evaluation : (doc.evaluation = {}));
  const list = (part) => () => (guide()[part] ||= []);
  const ids = () => PARTS.flatMap((part) => guide()[part] || []).map((item) => item?.id);
  const injects = (doc.msel || []).map((x) => [x.id, `${x.id}: ${text(x.title, doc).slice(0, 60)}`]);
  const objectives = objectiveChoices(doc);
  const parties = partyChoices(doc);
  const capabilities = [...new Set(PARTS.flatMap((part) => guide()[part] || []).map((x) => text(x?.capability, doc)).filter(Boolean))];

  // An optional list: left out of the file when nothing is picked.
  const optionalList = (item, key) => (v) => { if (v.length) item[key] = v; else delete item[key]; };
  const objectivesBox = (item, path) => (objectives.length ? checkboxes(editor, { legend: t('Objectives'),
    path: `${path}.objectives`, choices: withCurrent(objectives, item.objectives), get: () => item.objectives,
    set: optionalList(item, 'objectives') }) : null);
  const teamsBox = (item, path, legend) => checkboxes(editor, { legend, path: `${path}.teams`,
    choices: withCurrent(parties, item.teams), get: () => item.teams, set: optionalList(item, 'teams') });
  const capabilityField = (item, path) => textField(editor, () => item, 'capability', t('Capability'), `${path}.capability`,
    { hint: t('Items of the same capability are rated together.'), attrs: { class: 'item-capability', list: 'capability-names' } });
  const idField = (item, path) => plainField(editor, () => item, 'id', t('Id'), `${path}.id`, { attrs: { class: 'short item-id' } });
  const newId = (prefix) => slug(prefix, ids());

  replaceChildren(root, el('h2', {}, t('Evaluation guide')),
    el('p', { class: 'meta', dataset: { path: 'evaluation' } }, t('What the evaluators measure, the critical tasks they look for and the errors they watch for. The evaluator view, the printable guide per team and the after-action report use them.')),
    el('datalist', { id: 'capability-names' }, capabilities.map((name) => el('option', { value: name }))),
    el('div', { class: 'evaluation-edit' },
      el('h3', {}, t('Capability targets')),
      el('p', { class: 'meta' }, t('A threshold the log is checked against: the time from an inject\'s release until each team does what is measured, in minutes of exercise time (a pause stops the clock).')),
      listEditor(editor, {
        path: 'evaluation.targets', items: list('targets'), move: true,
        row: (item, k) => {
          const path = `evaluation.targets.${k}`;
          return el('div', { class: 'row-fields target-row', dataset: { path } },
            textField(editor, () => item, 'text', t('Capability target'), `${path}.text`, { rows: 2, attrs: { class: 'wide target-text' } }),
            idField(item, path),
            capabilityField(item, path),
            field(editor, { label: t('The team…'), path: `${path}.measure`, attrs: { class: 'target-measure' },
              options: withCurrent(MEASURES(), item.measure), get: () => item.measure, set: (v) => { item.measure = v; } }),
            field(editor, { label: t('after the inject'), path: `${path}.inject`, attrs: { class: 'target-inject' },
              options: withCurrent([['', t('pick an inject')], ...injects], item.inject), get: () => item.inject ?? '',
              set: (v) => { item.inject = v; } }),
            field(editor, { label: t('within (minutes)'), path: `${path}.within_minutes`, type: 'number',
              attrs: { class: 'short target-minutes', min: 1, max: 1440, step: 'any' }, get: () => item.within_minutes,
              set: (v) => { item.within_minutes = v.trim() === '' || Number.isNaN(Number(v)) ? v : Number(v); } }),
            teamsBox(item, path, t('Teams measured (one result each)')),
            objectivesBox(item, path));
        },
        make: () => ({ id: newId('target'), text: '', measure: 'acknowledge', inject: injects[0]?.[0] ?? '', teams: [], within_minutes: 10 }),
        addLabel: t('Add target'), removeLabel: t('Remove'), redraw, empty: t('No capability targets yet.'),
      }),
      el('h3', {}, t('Critical tasks')),
      el('p', { class: 'meta' }, t('Tasks that must be performed for a capability, each with the doctrine that says so.')),
      listEditor(editor, {
        path: 'evaluation.critical_tasks', items: list('critical_tasks'), move: true,
        row: (item, k) => {
          const path = `evaluation.critical_tasks.${k}`;
          return el('div', { class: 'row-fields task-row', dataset: { path } },
            textField(editor, () => item, 'text', t('Task'), `${path}.text`, { rows: 2, attrs: { class: 'wide task-text' } }),
            idField(item, path),
            capabilityField(item, path),
            plainField(editor, () => item, 'source', t('Doctrine source'), `${path}.source`,
              { hint: t('One line: the document, its date, the paragraph.'), attrs: { class: 'wide task-source', maxlength: 300 } }),
            teamsBox(item, path, t('Teams (none ticked: every team)')),
            objectivesBox(item, path));
        },
        make: () => ({ id: newId('task'), text: '', source: '' }),
        addLabel: t('Add critical task'), removeLabel: t('Remove'), redraw, empty: t('No critical tasks yet.'),
      }),
      el('h3', {}, t('Pitfalls')),
      el('p', { class: 'meta' }, t('Errors to watch for: evaluators tick them when a team makes one.')),
      listEditor(editor, {
        path: 'evaluation.pitfalls', items: list('pitfalls'), move: true,
        row: (item, k) => {
          const path = `evaluation.pitfalls.${k}`;
          return el('div', { class: 'row-fields pitfall-row', dataset: { path } },
            textField(editor, () => item, 'text', t('Pitfall'), `${path}.text`, { rows: 2, attrs: { class: 'wide pitfall-text' } }),
            idField(item, path),
            teamsBox(item, path, t('Teams (none ticked: every team)')),
            injects.length ? checkboxes(editor, { legend: t('Injects where it is likely'), path: `${path}.injects`,
              choices: withCurrent(injects.map(([id]) => [id, id]), item.injects), get: () => item.injects,
              set: optionalList(item, 'injects') }) : null,
            objectivesBox(item, path));
        },
        make: () => ({ id: newId('pitfall'), text: '' }),
        addLabel: t('Add pitfall'), removeLabel: t('Remove'), redraw, empty: t('No pitfalls yet.'),
      })));
  // An emptied capability is left out of the file, not written as empty text.
  root.onchange = () => {
    for (const part of PARTS) {
      for (const item of guide()[part] || []) for (const key of OPTIONAL_TEXTS) if (item && item[key] === '') delete item[key];
    }
  };
}
