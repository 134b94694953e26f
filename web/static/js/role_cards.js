// Role cards (core/role_cards.py): a person's role inside a team, with its mandate, legal basis,
// red lines and hidden agenda. The server sends a team its own cards without their hidden agendas
// (those are on the printed cards the control cell hands out) and the control cell all of them whole;
// this module only shows what it was sent, in the seat's content language.

import { el, replaceChildren } from './dom.js';
import { localized, pick } from './content_language.js';
import { t } from './i18n.js';

const PARTS = [['mandate', () => t('Mandate')], ['legal_basis', () => t('Legal basis')],
  ['red_lines', () => t('Red lines')], ['hidden_agenda', () => t('Hidden agenda')]];

export function showRoleCards(root, view) {
  const { scenario } = view.state;
  const cards = scenario.role_cards || [];
  replaceChildren(root, cards.length ? cards.map((card) => el('article', { class: 'role-card', dataset: { card: card.id } },
    el('h3', {}, localized('span', {}, pick(card, 'role', scenario)), ` (${view.teamName(card.team)})`),
    el('dl', {}, PARTS.filter(([key]) => card[key]).map(([key, label]) => [
      el('dt', {}, label()), el('dd', { class: key.replace('_', '-') }, localized('span', {}, pick(card, key, scenario)))]),
    card.hidden_agenda_on_paper ? [el('dt', {}, t('Hidden agenda')),
      el('dd', { class: 'hidden-agenda meta' }, t('On the printed card the facilitator hands to the person who plays this role.'))] : null)))
    : el('p', { class: 'meta' }, t('No role cards in this scenario.')));
}
