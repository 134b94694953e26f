// Who is connected, by team.
import { el, replaceChildren } from './dom.js';

export function renderPresence(view, list) {
  replaceChildren(list, view.presence.online.map((p) => el('li', { class: `present role-${p.role}` },
    el('span', { class: 'dot' }), p.name, ' ',
    el('span', { class: 'meta' }, p.team ? view.teamName(p.team) : p.role,
      p.connections > 1 ? ` (${p.connections} tabs)` : ''))));
}
