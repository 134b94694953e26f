// The knowledge check (before and after the exercise) and the feedback form in a trainee's view:
// the scenario's `learning` questions (never their answers), each form sent once with
// learning.answer. The answers go to the control cell only; this seat remembers what it sent.

import { el, replaceChildren, toast } from './dom.js';
import { t } from './i18n.js';
import { contentLanguage, pick } from './content_language.js';

const FORMS = () => [
  ['pre', t('Knowledge check: before the exercise'), 'check'],
  ['post', t('Knowledge check: after the exercise'), 'check'],
  ['feedback', t('Your feedback on the exercise'), 'feedback'],
];

// A choice in the seat's language: the scenario's translations keep choices as a list.
function choiceText(q, n, scenario) {
  const other = q.translations?.[contentLanguage(scenario)]?.choices?.[n];
  return other || q.choices[n];
}

function field(q, form, scenario) {
  const name = `${form}-${q.id}`;
  const question = pick(q, 'question', scenario);
  const legend = el('legend', { lang: question.language }, question.text);
  if (q.kind === 'choice') {
    return el('fieldset', { class: 'learning-question', dataset: { question: q.id } }, legend,
      q.choices.map((_, n) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name, value: String(n) }), ' ', choiceText(q, n, scenario))));
  }
  if (q.kind === 'scale') {
    return el('fieldset', { class: 'learning-question', dataset: { question: q.id } }, legend,
      el('div', { class: 'scale' }, Array.from({ length: q.scale }, (_, k) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name, value: String(k + 1) }), ' ', String(k + 1)))));
  }
  return el('fieldset', { class: 'learning-question', dataset: { question: q.id } }, legend,
    el('textarea', { name, rows: 2, maxlength: 1000, 'aria-label': question.text }));
}

function answersOf(form, questions) {
  const answers = {};
  for (const q of questions) {
    const name = `${form.id}-${q.id}`;
    if (q.kind === 'choice' || q.kind === 'scale') {
      const checked = form.querySelector(`input[name="${name}"]:checked`);
      if (checked) answers[q.id] = Number(checked.value);
    } else {
      const text = form.querySelector(`textarea[name="${name}"]`).value.trim();
      if (text) answers[q.id] = text;
    }
  }
  return answers;
}

export class LearningForms {
  constructor(view, memory, box) {
    this.view = view;
    this.memory = memory;
    this.box = box;
  }

  render() {
    const scenario = this.view.state?.scenario;
    const learning = scenario?.learning;
    const sent = this.memory.get('learning-sent', []);
    this.box.hidden = !learning || !(learning.check.length || learning.feedback.length);
    if (this.box.hidden) return;
    replaceChildren(this.box.querySelector('.learning-forms'), FORMS()
      .filter(([, , part]) => learning[part].length)
      .map(([form, title, part]) => {
        if (sent.includes(form)) {
          return el('p', { class: 'learning-sent', dataset: { form } }, `${title}: ${t('sent, thank you.')}`);
        }
        const questions = learning[part];
        const node = el('form', { id: `learning-${form}`, class: 'learning-form stacked', dataset: { form } },
          el('h3', {}, title), questions.map((q) => field(q, `learning-${form}`, scenario)),
          el('button', { type: 'submit' }, t('Send my answers')));
        node.addEventListener('submit', (e) => { e.preventDefault(); this.send(form, node, questions); });
        return node;
      }));
  }

  async send(form, node, questions) {
    try {
      await this.view.command('learning.answer', { form, answers: answersOf(node, questions) });
      this.done(form);
    } catch (error) {
      if (error.code === 'conflict') this.done(form);
      toast(error.message);
    }
  }

  done(form) {
    this.memory.set('learning-sent', [...new Set([...this.memory.get('learning-sent', []), form])]);
    this.render();
  }
}
