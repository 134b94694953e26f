// Sign-in: a participant joins with a code and a name; the facilitator with the secret.
import { $ } from './dom.js';
import { api, saveFacilitatorToken, saveSession } from './session.js';

$('#join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('#join-error').textContent = '';
  try {
    const joined = await api('/api/join', { method: 'POST', body: { code: $('#join-code').value, name: $('#join-name').value } });
    saveSession(joined.exercise, joined);
    location.assign(joined.role === 'evaluator' ? `/observe/${joined.exercise}` : `/team/${joined.exercise}`);
  } catch (error) {
    $('#join-error').textContent = error.message;
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
    $('#facilitator-error').textContent = error.message;
  }
});
