// The join codes of a class, grouped by syndicate: a page per syndicate, a slip per team and
// one for its evaluators, each saying which syndicate it is for (handout.js does one exercise).
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken } from './session.js';
import { t, tParts } from './i18n.js';

const classId = $('main[data-class]').dataset.class;
const LOOPBACK = /^(localhost|127\.[\d.]+|\[::1\])$/;
let syndicates = [];

function showSlips() {
  const address = $('#slip-address').value;
  if (!address) return;
  const loopback = LOOPBACK.test(new URL(address).hostname);
  $('#address-warning').hidden = !loopback;
  $('#address-warning').textContent = loopback
    ? t('Students cannot open {address} from their own computers. Start the server with --host 0.0.0.0 and open this page again.', { address })
    : '';
  replaceChildren($('#syndicate-slips'), syndicates.map((s) => el('section', { class: 'syndicate-slips', dataset: { syndicate: String(s.number) } },
    el('h2', {}, t('Syndicate {number}', { number: s.number })),
    el('div', { class: 'slips' }, s.codes.filter((c) => !c.revoked && !c.replaced_by).map((c) => el('section', { class: 'slip' },
      el('h3', {}, t('Syndicate {number}', { number: s.number }), ' · ', c.team_name || (c.role === 'evaluator' ? t('Evaluators') : c.role)),
      el('p', {}, tParts('Open {address} and join with this code:',
        { address: el('strong', { class: 'address' }, address.replace(/\/$/, '')) })),
      el('p', { class: 'code' }, c.code),
      el('p', { class: 'meta' }, t('Exercise {exercise}', { exercise: s.exercise }))))))));
}

$('#print').addEventListener('click', () => window.print());
$('#slip-address').addEventListener('change', showSlips);
document.addEventListener('seat-language', showSlips);
const token = facilitatorToken();
Promise.all([api(`/api/classes/${encodeURIComponent(classId)}`, { token }), api('/api/addresses', { token })])
  .then(([data, { addresses }]) => {
    syndicates = data.syndicates;
    const here = `${location.origin}/`;
    const choices = LOOPBACK.test(location.hostname) ? [...addresses, here] : [here, ...addresses];
    replaceChildren($('#slip-address'), [...new Set(choices)].map((a) => el('option', { value: a }, a)));
    showSlips();
  })
  .catch((error) => replaceChildren($('#syndicate-slips'), el('p', { class: 'form-error' }, error.message)));
