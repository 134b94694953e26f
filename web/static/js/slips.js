// Join slips, for one exercise's handout (handout.js) and a class's (class_handout.js): each with
// the address the class opens, the code, and a QR code of the sign-in page with the code filled in.
// The address is one the class can reach: a LAN address of the server rather than the localhost the
// facilitator's own browser may use, with a visible warning when the chosen one is a loopback.
import { $, el, replaceChildren } from './dom.js';
import { t, tParts } from './i18n.js';
import { qrSvg } from './qr.js';

const LOOPBACK = /^(localhost|127\.[\d.]+|\[::1\]|0\.0\.0\.0)$/;

// The address a slip's QR code opens: the sign-in page with the code filled in.
export function joinUrl(address, code) {
  return `${address.replace(/\/$/, '')}/?code=${encodeURIComponent(code)}`;
}

export function slip({ heading, name, code, exercise }, address) {
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

// A code's slip heading: its team's name, or the evaluators'.
export function codeHeading(code) {
  return code.team_name || (code.role === 'evaluator' ? t('Evaluators') : code.role);
}

export const usable = (codes) => codes.filter((c) => !c.revoked && !c.replaced_by);

// The address picker: the server's LAN addresses first when this page was opened at a loopback.
export function offerAddresses(addresses) {
  const here = `${location.origin}/`;
  const choices = LOOPBACK.test(location.hostname) ? [...addresses, here] : [here, ...addresses];
  replaceChildren($('#slip-address'), [...new Set(choices)].map((a) => el('option', { value: a }, a)));
}

// The chosen address, with the warning shown when students could not open it.
export function chosenAddress() {
  const address = $('#slip-address').value;
  if (!address) return null;
  const loopback = LOOPBACK.test(new URL(address).hostname);
  $('#address-warning').hidden = !loopback;
  $('#address-warning').textContent = loopback
    ? t('Students cannot open {address} from their own computers. Start the server with --host 0.0.0.0 and open this page again.', { address })
    : '';
  return address;
}
