// A printable page of join codes: one slip per team (its current code), plain text.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';

const exercise = location.pathname.split('/')[2];
$('#print').addEventListener('click', () => window.print());
api(`/api/exercises/${encodeURIComponent(exercise)}/codes`, { token: facilitatorToken() }).then(({ codes }) => {
  replaceChildren($('#slips'), codes.filter((c) => !c.revoked && !c.replaced_by).map((c) => el('section', { class: 'slip' },
    el('h2', {}, c.team_name || (c.role === 'evaluator' ? 'Evaluators' : c.role)),
    el('p', {}, 'Open ', el('strong', {}, location.origin), ' and join with this code:'),
    el('p', { class: 'code' }, c.code),
    el('p', { class: 'meta' }, `Exercise ${exercise}`))));
}).catch((error) => replaceChildren($('#slips'), el('p', { class: 'form-error' }, error.message)));
