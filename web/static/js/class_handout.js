// The join codes of a class, grouped by syndicate: a page per syndicate, a slip per team and one
// for its evaluators (with its QR code, slips.js), each saying which syndicate it is for.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t } from './i18n.js';
import { chosenAddress, codeHeading, offerAddresses, slip, usable } from './slips.js';

const classId = $('main[data-class]').dataset.class;
let syndicates = [];

function showSlips() {
  const address = chosenAddress();
  if (!address) return;
  replaceChildren($('#syndicate-slips'), syndicates.map((s) => el('section', { class: 'syndicate-slips', dataset: { syndicate: String(s.number) } },
    el('h2', {}, t('Syndicate {number}', { number: s.number })),
    el('div', { class: 'slips' }, usable(s.codes).map((c) => slip({
      heading: `${t('Syndicate {number}', { number: s.number })} · ${codeHeading(c)}`, code: c.code, exercise: s.exercise,
    }, address))))));
}

$('#print').addEventListener('click', () => window.print());
$('#slip-address').addEventListener('change', showSlips);
document.addEventListener('seat-language', showSlips);
const token = facilitatorToken();
Promise.all([api(`/api/classes/${encodeURIComponent(classId)}`, { token }), api('/api/addresses', { token })])
  .then(([data, { addresses }]) => {
    syndicates = data.syndicates;
    offerAddresses(addresses);
    showSlips();
  })
  .catch((error) => replaceChildren($('#syndicate-slips'), el('p', { class: 'form-error' }, error.message)));
