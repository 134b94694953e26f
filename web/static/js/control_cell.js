// The lead facilitator's page of the control cell: named controllers and evaluators, each with a
// personal sign-in link shown once (exercise_server/server/staff.py); removing one signs them out.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t } from './i18n.js';

const token = facilitatorToken();
if (!token) location.replace('/');

async function load() {
  try {
    const { members } = await api('/api/staff', { token });
    replaceChildren($('#member-table tbody'), members.length ? members.map((m) => el('tr', { dataset: { member: m.id } },
      el('td', {}, m.name), el('td', {}, m.role === 'evaluator' ? (m.lead ? t('Lead evaluator') : t('Evaluator')) : t('Controller')),
      el('td', {}, m.role === 'evaluator' ? el('button', { type: 'button', class: 'lead-toggle', 'aria-pressed': m.lead ? 'true' : 'false',
        onclick: () => setLead(m, !m.lead) }, m.lead ? t('No longer lead') : t('Make lead evaluator')) : null, ' ', el('button', { type: 'button', class: 'danger', 'aria-label': t('Remove {name}', { name: m.name }),
        onclick: () => confirm(t('Remove {name} from the control cell? Their sign-in stops working at once.', { name: m.name }))
          && remove(m) }, t('Remove'))))) : el('tr', {}, el('td', { colspan: 3, class: 'meta' }, t('Nobody yet: you are the lead.'))));
  } catch (error) {
    $('#cell-error').textContent = error.status === 404 ? t('Only the lead facilitator manages the control cell.') : error.message;
  }
}

// The lead evaluator alone sets the final ratings (docs/evaluation.md).
async function setLead(member, lead) {
  try {
    await api(`/api/staff/${encodeURIComponent(member.id)}/lead`, { method: 'POST', token, body: { lead } });
    load();
  } catch (error) { $('#cell-error').textContent = error.message; }
}

async function remove(member) {
  try {
    await api(`/api/staff/${encodeURIComponent(member.id)}/remove`, { method: 'POST', token });
    load();
  } catch (error) { $('#cell-error').textContent = error.message; }
}

$('#member-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#cell-error').textContent = '';
  try {
    const added = await api('/api/staff', { method: 'POST', token, body: { name: $('#member-name').value, role: $('#member-role').value } });
    const box = $('#new-member');
    box.hidden = false;
    // The link at each address the server listens on for the class (a laptop across the room cannot open localhost).
    const { addresses } = await api('/api/addresses', { token }).catch(() => ({ addresses: [] }));
    const links = [...new Set([...addresses, `${location.origin}/`])].map((a) => `${a.replace(/\/$/, '')}/#staff=${added.secret}`);
    replaceChildren(box,
      el('p', {}, t('Sign-in link for {name} ({role}), shown only now:', { name: added.member.name, role: added.member.role === 'evaluator' ? t('Evaluator') : t('Controller') })),
      links.map((link) => el('p', {}, el('strong', { class: 'sign-in-link' }, link))),
      el('p', { class: 'meta' }, t('Or the secret, typed on the sign-in page: {secret}', { secret: added.secret })));
    e.target.reset();
    load();
  } catch (error) { $('#cell-error').textContent = error.message; }
});

load();
