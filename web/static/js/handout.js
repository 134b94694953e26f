// A printable page of join codes: one slip per team (its current code), plain text.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t } from './i18n.js';

const exercise = location.pathname.split('/')[2];
$('#print').addEventListener('click', () => window.print());
let codes = [];

function render() {
  replaceChildren($('#slips'), codes.filter((c) => !c.revoked && !c.replaced_by).map((c) => {
    const [before, after] = t('Open {address} and join with this code:').split('{address}');
    return el('section', { class: 'slip' },
      el('h2', {}, c.team_name || (c.role === 'evaluator' ? t('Evaluators') : c.role)),
      el('p', {}, before, el('strong', {}, location.origin), after),
      el('p', { class: 'code' }, c.code),
      el('p', { class: 'meta' }, t('Exercise {exercise}', { exercise })));
  }));
}

api(`/api/exercises/${encodeURIComponent(exercise)}/codes`, { token: facilitatorToken() }).then((answer) => {
  codes = answer.codes;
  render();
}).catch((error) => replaceChildren($('#slips'), el('p', { class: 'form-error' }, error.message)));
document.addEventListener('seat-language', render);
