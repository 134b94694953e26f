// Sign-in: a participant joins with a code and a name; the facilitator with the secret.
import { $ } from './dom.js';
import { api, saveFacilitatorToken, saveSession } from './session.js';
import { language, t } from './i18n.js';

// A refused sign-in in the seat's words: the server's English message in an English seat.
function refusal(error, words) {
  return language() === 'en' ? error.message : (words[error.code] || error.message);
}

$('#join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#join-error').textContent = '';
  try {
    const joined = await api('/api/join', { method: 'POST', body: { code: $('#join-code').value, name: $('#join-name').value } });
    saveSession(joined.exercise, joined);
    location.assign(joined.role === 'evaluator' ? `/observe/${joined.exercise}` : `/team/${joined.exercise}`);
  } catch (error) {
    $('#join-error').textContent = refusal(error, { not_found: t('No exercise has this join code.'),
      forbidden: t('This join code no longer lets anyone in.'), wrong_state: t('This exercise has ended.') });
  }
});

$('#facilitator-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#facilitator-error').textContent = '';
  try {
    const session = await api('/api/session/facilitator', { method: 'POST', body: { secret: $('#facilitator-secret').value } });
    saveFacilitatorToken(session.token);
    location.assign('/control');
  } catch (error) {
    $('#facilitator-error').textContent = refusal(error, { forbidden: t('Wrong facilitator secret.') });
  }
});
