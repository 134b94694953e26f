// Sign-in: a participant joins with a code and a name; the facilitator with the secret.
import { $, el, replaceChildren } from './dom.js';
import { api, saveFacilitatorToken, saveSession, saveStaff } from './session.js';
import { language, t } from './i18n.js';

// A refused sign-in in the seat's words: the server's English message in an English seat.
function refusal(error, words) {
  return language() === 'en' ? error.message : (words[error.code] || error.message);
}

// With a roster (people.md), a team code offers its team's names to pick from; a personal code names
// its holder. Without one, a name is typed as ever.
const CHOOSE = '';
const TYPED = '-';
function showTyped() {
  const typed = $('#join-pick').hidden || $('#join-person').value === TYPED;
  $('#join-typed').hidden = !typed;
  $('#join-name').required = typed;
}
async function offerNames() {
  const code = $('#join-code').value.trim();
  let answer = { names: [], personal: false };
  if (code.replace(/[\s-]/g, '').length >= 10) {
    try { answer = await api('/api/join/names', { method: 'POST', body: { code } }); } catch { /* joining says why */ }
  }
  $('#join-pick').hidden = !answer.names.length;
  const options = answer.names.map((n) => el('option', { value: n.person }, n.name));
  if (!answer.personal) {
    options.unshift(el('option', { value: CHOOSE }, t('Choose your name')));
    options.push(el('option', { value: TYPED }, t('My name is not listed: I type it')));
  }
  replaceChildren($('#join-person'), options);
  showTyped();
}
$('#join-person').addEventListener('change', showTyped);
$('#join-code').addEventListener('change', offerNames);
const given = new URLSearchParams(location.search).get('code'); // a join slip's QR code (handout.js)
if (given) { $('#join-code').value = given; offerNames(); }

$('#join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#join-error').textContent = '';
  const picking = !$('#join-pick').hidden && $('#join-person').value !== TYPED;
  if (picking && $('#join-person').value === CHOOSE) { $('#join-error').textContent = t('Choose your name'); return; }
  const body = picking ? { code: $('#join-code').value, person: $('#join-person').value }
    : { code: $('#join-code').value, name: $('#join-name').value };
  try {
    const joined = await api('/api/join', { method: 'POST', body });
    saveSession(joined.exercise, joined);
    location.assign(joined.role === 'evaluator' ? `/observe/${joined.exercise}` : `/team/${joined.exercise}`);
  } catch (error) {
    $('#join-error').textContent = refusal(error, { not_found: t('No exercise has this join code.'),
      forbidden: t('This join code no longer lets anyone in.'), wrong_state: t('This exercise has ended.') });
  }
});

async function signIn(secret) {
  $('#facilitator-error').textContent = '';
  try {
    const session = await api('/api/session/facilitator', { method: 'POST', body: { secret } });
    saveFacilitatorToken(session.token); // the lead, a named controller or a named evaluator (control_home.js)
    saveStaff(session);
    location.assign('/control');
  } catch (error) {
    $('#facilitator-error').textContent = refusal(error, { forbidden: t('Wrong facilitator secret.') });
  }
}
$('#facilitator-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('#facilitator-secret').value); });
// A personal sign-in link of the control cell (control_cell.js): /#staff=SECRET, taken off the address at once.
const link = new URLSearchParams(location.hash.slice(1)).get('staff');
if (link) { history.replaceState(null, '', location.pathname + location.search); signIn(link); }
