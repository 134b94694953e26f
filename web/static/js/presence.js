// Who is connected, by team.
import { el, replaceChildren } from './dom.js';
import { tn } from './i18n.js';
import { personName, roleName } from './words.js';

export function renderPresence(view, list) {
  replaceChildren(list, view.presence.online.map((p) => el('li', { class: `present role-${p.role}` },
    el('span', { class: 'dot' }), personName(p), ' ',
    el('span', { class: 'meta' }, p.team ? view.teamName(p.team) : roleName(p.role),
      p.connections > 1 ? ` (${tn('{n} tab', '{n} tabs', p.connections)})` : ''))));
}
