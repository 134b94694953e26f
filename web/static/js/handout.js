// A printable page of join slips for one exercise: one per team (its current code) or one per
// person on the roster (their personal code), each with the address and a QR code of it (slips.js).
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t } from './i18n.js';
import { chosenAddress, codeHeading, offerAddresses, slip, usable } from './slips.js';
import { showRoleCards } from './role_cards.js';

const exercise = location.pathname.split('/')[2];
let codes = [];
let roster = [];

function teamSlips() {
  return usable(codes).map((c) => ({ heading: codeHeading(c), code: c.code, exercise }));
}

function personSlips() {
  return roster.map((p) => ({ heading: p.team_name, name: p.name, code: p.code, exercise }));
}

function showSlips() {
  const address = chosenAddress();
  if (!address) return;
  const perPerson = $('#slip-kind').value === 'person';
  $('#slip-note').hidden = !(perPerson && !roster.length);
  $('#slip-note').textContent = t('The roster is empty: add names on the control panel first.');
  replaceChildren($('#slips'), (perPerson ? personSlips() : teamSlips()).map((s) => slip(s, address)));
}

$('#print').addEventListener('click', () => window.print());
$('#slip-address').addEventListener('change', showSlips);
$('#slip-kind').addEventListener('change', showSlips);
document.addEventListener('seat-language', showSlips);
if (new URLSearchParams(location.search).get('slips') === 'person') $('#slip-kind').value = 'person';
const token = facilitatorToken();
const base = `/api/exercises/${encodeURIComponent(exercise)}`;
Promise.all([api(`${base}/codes`, { token }), api('/api/addresses', { token }), api(`${base}/roster`, { token })])
  .then(([data, { addresses }, people]) => {
    codes = data.codes;
    roster = people.roster;
    offerAddresses(addresses);
    showSlips();
  })
  .catch((error) => replaceChildren($('#slips'), el('p', { class: 'form-error' }, error.message)));

// The scenario's role cards whole, hidden agendas included: printed and handed to each role's player
// (a team's view shows its cards without them, core/role_cards.py).
function showPrintedCards(data) {
  const scenario = { role_cards: data.role_cards, default_language: data.default_language, languages: data.languages };
  $('#printed-role-cards').hidden = !data.role_cards.length;
  showRoleCards($('#role-card-sheet'), { state: { scenario }, teamName: (id) => data.team_names[id] || id });
}
api(`${base}/role-cards`, { token }).then((data) => {
  showPrintedCards(data);
  document.addEventListener('seat-language', () => showPrintedCards(data));
}).catch((error) => {
  $('#printed-role-cards').hidden = false;
  replaceChildren($('#role-card-sheet'), el('p', { class: 'form-error' }, error.message));
});
