// The studio's Knowledge check and feedback tab: the scenario's `learning:` section
// (docs/scenario-format.md, "Learning"; core/learning.py checks it). The knowledge check each
// trainee answers twice, before the exercise and after it: multiple-choice questions with the right
// choice, or short answers with the words a right one contains, each tied to an objective. The
// feedback form of the hot wash: ratings and free text. Texts in the scenario's default language,
// their translations kept.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { field, listEditor } from './studio_fields.js';
import { plainField, textField } from './studio_sections.js';
import { editableLists, text, withText } from './studio_doc.js';
import { NOT_EDITABLE, objectiveChoices } from './studio_evaluation.js';

const MAX_CHOICES = 8; // core/learning.py
const SCALES = [2, 3, 4, 5, 6, 7, 8, 9, 10];

// The next free id of the form <prefix><n> among a list's questions (k1, k2... f1, f2...).
function freeId(prefix, questions) {
  const taken = new Set(questions.map((q) => q?.id));
  let n = questions.length + 1;
  while (taken.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

// A copy of `item` with `changes` applied (undefined removes a key), keys in the order the format
// writes them: a question that changes kind keeps its id, objective and text where they were.
function reshaped(item, changes, order) {
  const next = { ...item, ...changes };
  const out = {};
  for (const key of [...order, ...Object.keys(next)]) if (next[key] !== undefined && !(key in out)) out[key] = next[key];
  return out;
}

const CHECK_ORDER = ['id', 'objective', 'question', 'choices', 'answer', 'accept'];

export function learningSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { learningSection(editor, root); editor.structureChanged(); };
  if (!editableLists(doc, 'learning', ['knowledge_check', 'feedback'])) {
    replaceChildren(root, el('h2', {}, t('Knowledge check and feedback')), el('p', { class: 'meta', dataset: { path: 'learning' } }, NOT_EDITABLE()));
    return;
  }
  const learning = () => (doc.learning && typeof doc.learning === 'object' ? doc.learning : (doc.learning = {}));
  const check = () => (learning().knowledge_check ||= []);
  const feedback = () => (learning().feedback ||= []);
  const objectives = objectiveChoices(doc);

  const choicesFields = (q, path, answerField) => {
    const choices = q.choices;
    const box = el('fieldset', { class: 'question-choices', dataset: { path: `${path}.choices` } },
      el('legend', {}, t('Choices')),
      el('ol', {}, choices.map((choice, n) => el('li', { class: 'choice-row' },
        field(editor, { label: t('Choice {n}', { n: n + 1 }), path: `${path}.choices.${n}`, attrs: { class: 'choice-text' },
          get: () => text(choices[n], doc),
          set: (v) => {
            choices[n] = withText(choices[n], doc, v);
            const option = answerField.querySelector(`option[value="${n + 1}"]`);
            if (option) option.textContent = `${n + 1}. ${v}`;
          } }),
        el('button', { type: 'button', class: 'danger remove-choice', disabled: choices.length <= 2,
          'aria-label': t('Remove choice {n}', { n: n + 1 }), onclick: () => {
            choices.splice(n, 1);
            if (typeof q.answer === 'number' && q.answer > n + 1) q.answer -= 1;
            else if (q.answer === n + 1) q.answer = ''; // the right one gone: picked again (validate asks)
            editor.changed();
            redraw();
          } }, t('Remove'))))),
      el('button', { type: 'button', class: 'add-choice', disabled: choices.length >= MAX_CHOICES, onclick: () => {
        choices.push('');
        editor.changed();
        redraw();
        root.querySelector(`[data-path="${CSS.escape(`${path}.choices.${choices.length - 1}`)}"]`)?.focus();
      } }, t('Add choice')));
    return box;
  };

  const checkRow = (q, k) => {
    const path = `learning.knowledge_check.${k}`;
    const kind = Array.isArray(q.choices) ? 'choice' : 'accept' in q ? 'short' : ''; // '': neither yet (validate says so)
    const answered = kind === 'choice' && Number.isInteger(q.answer) && q.answer >= 1 && q.answer <= q.choices.length;
    const answerField = kind === 'choice' ? field(editor, { label: t('Right answer'), path: `${path}.answer`,
      attrs: { class: 'question-answer' },
      options: [...(answered ? [] : [['', t('pick the right choice')]]), ...q.choices.map((c, n) => [String(n + 1), `${n + 1}. ${text(c, doc)}`])],
      get: () => (answered ? String(q.answer) : ''), set: (v) => { q.answer = v === '' ? v : Number(v); } }) : null;
    const swap = (to) => {
      const list = check();
      if (to === 'short') list[k] = reshaped(q, { choices: undefined, answer: undefined, accept: [] }, CHECK_ORDER);
      else list[k] = reshaped(q, { accept: undefined, choices: ['', ''], answer: 1 }, CHECK_ORDER);
      editor.changed();
      redraw();
    };
    return el('div', { class: 'question-edit' },
      el('div', { class: 'row-fields', dataset: { path } },
        textField(editor, () => q, 'question', t('Question'), `${path}.question`, { rows: 2, attrs: { class: 'wide question-text' } }),
        plainField(editor, () => q, 'id', t('Id'), `${path}.id`, { attrs: { class: 'short question-id' } }),
        field(editor, { label: t('Objective it checks'), path: `${path}.objective`, attrs: { class: 'question-objective' },
          options: [...(q.objective && objectives.some(([id]) => id === q.objective) ? [] : [[q.objective || '', q.objective || t('pick an objective')]]),
            ...objectives], get: () => q.objective ?? '', set: (v) => { q.objective = v; } }),
        field(editor, { label: t('Kind'), path: `${path}.kind`, attrs: { class: 'question-kind' },
          options: [...(kind ? [] : [['', t('pick the kind')]]), ['choice', t('Multiple choice')], ['short', t('Short answer')]],
          get: () => kind, set: swap })),
      kind === 'choice' ? [choicesFields(q, path, answerField), answerField] : null,
      kind === 'short' ? field(editor, { label: t('Accepted words'), path: `${path}.accept`, rows: 2, attrs: { class: 'wide question-accept' },
          hint: t('A right answer contains one of these, in any case; separate them with commas and list them in every language the answers may come in (independen accepts independent and independence).'),
          get: () => (Array.isArray(q.accept) ? q.accept.join(', ') : ''),
          set: (v) => { q.accept = v.split(',').map((w) => w.trim()).filter(Boolean); } }) : null);
  };

  const feedbackRow = (q, k) => {
    const path = `learning.feedback.${k}`;
    const rated = q.scale !== undefined;
    return el('div', { class: 'row-fields', dataset: { path } },
      textField(editor, () => q, 'question', t('Question'), `${path}.question`, { rows: 2, attrs: { class: 'wide question-text' } }),
      plainField(editor, () => q, 'id', t('Id'), `${path}.id`, { attrs: { class: 'short question-id' } }),
      field(editor, { label: t('Answered with'), path: `${path}.kind`, attrs: { class: 'feedback-kind' },
        options: [['scale', t('a rating')], ['text', t('free text')]], get: () => (rated ? 'scale' : 'text'),
        set: (v) => {
          feedback()[k] = reshaped(q, { scale: v === 'scale' ? 5 : undefined }, ['id', 'question', 'scale']);
          editor.changed();
          redraw();
        } }),
      rated ? field(editor, { label: t('Rated from 1 to'), path: `${path}.scale`, attrs: { class: 'feedback-scale' },
        options: [...(SCALES.includes(q.scale) ? [] : [[String(q.scale), String(q.scale)]]), ...SCALES.map((n) => [String(n), String(n)])],
        get: () => String(q.scale), set: (v) => { q.scale = Number(v); } }) : null);
  };

  replaceChildren(root, el('h2', {}, t('Knowledge check and feedback')),
    el('div', { class: 'learning-edit' },
      el('h3', { dataset: { path: 'learning' } }, t('Knowledge check')),
      el('p', { class: 'meta' }, t('Each trainee answers it twice in their team view: before the exercise (pre) and after it (post). The report scores it per participant, per team and per objective, before against after. Trainees never see the answers.')),
      objectives.length ? null : el('p', { class: 'meta' }, t('Each question checks one of the scenario\'s objectives: add them on the Scenario tab first.')),
      listEditor(editor, {
        path: 'learning.knowledge_check', items: check, move: true, row: checkRow,
        make: () => ({ id: freeId('k', check()), objective: objectives[0]?.[0] ?? '', question: '', choices: ['', ''], answer: 1 }),
        addLabel: t('Add question'), removeLabel: t('Remove'), redraw, empty: t('No knowledge check.'),
      }),
      el('h3', {}, t('Feedback form')),
      el('p', { class: 'meta' }, t('The hot wash: each trainee answers it once, after the exercise. No right answers.')),
      listEditor(editor, {
        path: 'learning.feedback', items: feedback, move: true, row: feedbackRow,
        make: () => ({ id: freeId('f', feedback()), question: '', scale: 5 }),
        addLabel: t('Add feedback question'), removeLabel: t('Remove'), redraw, empty: t('No feedback form.'),
      })));
}
