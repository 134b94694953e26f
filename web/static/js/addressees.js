// Who an inject goes to, picked by name (the review's bug 12: ids typed into a text field, refused
// in words the facilitator could not act on): components, teams and the shared rooms, a box each.
// The value of a box is `<key>:<id>`, the key one of an inject's `to` lists.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { nameOf } from './content_language.js';
import { roomName } from './rooms.js';

const SHARED_ROOMS = ['joint', 'plenary', 'liaison', 'extra', 'phone']; // a team's or component's room is its team or component

function groups(view) {
  const s = view.state;
  return [
    ['components', t('Components'), s.scenario.components.filter((c) => !c.played_by_control)
      .map((c) => [c.id, nameOf(c, s.scenario)])],
    ['teams', t('Teams'), s.scenario.teams.map((team) => [team.id, view.teamName(team.id)])],
    ['rooms', t('Rooms'), Object.values(s.rooms).filter((r) => SHARED_ROOMS.includes(r.kind)).map((r) => [r.id, roomName(view, r)])],
  ];
}

// Fill `fieldset` (its legend kept) with the boxes; `to` checks those it names.
export function showAddressees(fieldset, view, to = null) {
  const legend = fieldset.querySelector('legend');
  replaceChildren(fieldset, legend, groups(view).map(([key, name, items]) => el('fieldset', { class: 'addressee-group' },
    el('legend', {}, name),
    items.map(([id, label]) => el('label', {}, el('input', { type: 'checkbox', value: `${key}:${id}` }), ` ${label}`)))));
  if (to) pickAddressees(fieldset, to);
}

export function pickAddressees(fieldset, to) {
  for (const box of fieldset.querySelectorAll('input[type=checkbox]')) {
    const [key, id] = box.value.split(/:(.*)/s);
    box.checked = (to[key] || []).includes(id);
  }
}

export function pickedAddressees(fieldset) {
  const to = { components: [], teams: [], rooms: [] };
  for (const box of fieldset.querySelectorAll('input[type=checkbox]:checked')) {
    const [key, id] = box.value.split(/:(.*)/s);
    to[key].push(id);
  }
  return to;
}

// The same addressees, whatever their order: to tell whether an edit changed them.
export function sameAddressees(a, b) {
  const key = (to) => JSON.stringify(['components', 'teams', 'rooms'].map((k) => [...(to?.[k] || [])].sort()));
  return key(a) === key(b);
}
