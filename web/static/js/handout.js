// A printable page of join codes: one slip per team (its current code), plain text. The slips
// print an address the class can open: a LAN address of the server rather than the localhost
// the facilitator's own browser may use (bug 5 of the UX review), with a warning when none is.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t, tParts } from './i18n.js';

const exercise = location.pathname.split('/')[2];
const LOOPBACK = /^(localhost|127\.[\d.]+|\[::1\])$/;
let codes = [];

function showSlips() {
  const address = $('#slip-address').value;
  if (!address) return;
  const loopback = LOOPBACK.test(new URL(address).hostname);
  $('#address-warning').hidden = !loopback;
  $('#address-warning').textContent = loopback
    ? t('Students cannot open {address} from their own computers. Start the server with --host 0.0.0.0 and open this page again.', { address })
    : '';
  replaceChildren($('#slips'), codes.filter((c) => !c.revoked && !c.replaced_by).map((c) => el('section', { class: 'slip' },
    el('h2', {}, c.team_name || (c.role === 'evaluator' ? t('Evaluators') : c.role)),
    el('p', {}, tParts('Open {address} and join with this code:',
      { address: el('strong', { class: 'address' }, address.replace(/\/$/, '')) })),
    el('p', { class: 'code' }, c.code),
    el('p', { class: 'meta' }, t('Exercise {exercise}', { exercise })))));
}

$('#print').addEventListener('click', () => window.print());
$('#slip-address').addEventListener('change', showSlips);
document.addEventListener('seat-language', showSlips);
const token = facilitatorToken();
Promise.all([api(`/api/exercises/${encodeURIComponent(exercise)}/codes`, { token }), api('/api/addresses', { token })])
  .then(([data, { addresses }]) => {
    codes = data.codes;
    const here = `${location.origin}/`;
    const choices = LOOPBACK.test(location.hostname) ? [...addresses, here] : [here, ...addresses];
    replaceChildren($('#slip-address'), [...new Set(choices)].map((a) => el('option', { value: a }, a)));
    showSlips();
  })
  .catch((error) => replaceChildren($('#slips'), el('p', { class: 'form-error' }, error.message)));
