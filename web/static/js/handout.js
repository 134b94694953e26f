// A printable page of join slips: one per team (its current code) or one per person on the roster
// (their personal code), each with the address and a QR code of it. The slips print an address the
// class can open: a LAN address of the server rather than the localhost the facilitator's own
// browser may use, with a visible warning when the chosen one is a loopback address.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t, tParts } from './i18n.js';
import { qrSvg } from './qr.js';

const exercise = location.pathname.split('/')[2];
const LOOPBACK = /^(localhost|127\.[\d.]+|\[::1\]|0\.0\.0\.0)$/;
let codes = [];
let roster = [];

// The address a slip's QR code opens: the sign-in page with the code filled in.
export function joinUrl(address, code) {
  return `${address.replace(/\/$/, '')}/?code=${encodeURIComponent(code)}`;
}

function slip({ heading, name, code }, address) {
  const url = joinUrl(address, code);
  return el('section', { class: 'slip', dataset: { code } },
    el('div', { class: 'slip-text' },
      el('h2', {}, heading),
      name ? el('p', { class: 'slip-name' }, name) : null,
      el('p', {}, tParts('Open {address} and join with this code:',
        { address: el('strong', { class: 'address' }, address.replace(/\/$/, '')) })),
      el('p', { class: 'code' }, code),
      el('p', { class: 'meta' }, t('Exercise {exercise}', { exercise }))),
    qrSvg(url, t('QR code of {address}', { address: url })));
}

function teamSlips() {
  return codes.filter((c) => !c.revoked && !c.replaced_by).map((c) => ({
    heading: c.team_name || (c.role === 'evaluator' ? t('Evaluators') : c.role), code: c.code }));
}

function personSlips() {
  return roster.map((p) => ({ heading: p.team_name, name: p.name, code: p.code }));
}

function showSlips() {
  const address = $('#slip-address').value;
  if (!address) return;
  const loopback = LOOPBACK.test(new URL(address).hostname);
  $('#address-warning').hidden = !loopback;
  $('#address-warning').textContent = loopback
    ? t('Students cannot open {address} from their own computers. Start the server with --host 0.0.0.0 and open this page again.', { address })
    : '';
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
    const here = `${location.origin}/`;
    const choices = LOOPBACK.test(location.hostname) ? [...addresses, here] : [here, ...addresses];
    replaceChildren($('#slip-address'), [...new Set(choices)].map((a) => el('option', { value: a }, a)));
    showSlips();
  })
  .catch((error) => replaceChildren($('#slips'), el('p', { class: 'form-error' }, error.message)));
