// The seat's language follows the participant: chosen on this page, it is remembered on the
// server (the participant.language command, docs/protocol.md); chosen in another tab or on
// another device, this page follows. A switch re-renders what the view built from the state.
// The facilitators share one participant: each of their pages keeps its own browser's choice.

import { language, setLanguage } from './i18n.js';

export function followSeatLanguage(view, rerender) {
  let unsent = null; // a choice the server has not stored yet (the connection was down)
  const tell = (lang) => {
    unsent = lang;
    view.command('participant.language', { language: lang })
      .then(() => { if (unsent === lang) unsent = null; }, () => {});
  };
  const shared = () => view.you?.role === 'facilitator';
  view.addEventListener('reset', () => {
    const remembered = view.you?.language;
    if (unsent || !remembered || (shared() && remembered !== language())) tell(unsent || language());
    else if (remembered !== language()) setLanguage(remembered, { remembered: true });
  });
  view.addEventListener('participant.language_set', (e) => {
    const p = e.detail.payload;
    if (!view.you || p.participant !== view.you.participant || shared()) return;
    view.you.language = p.language;
    if (!unsent && p.language !== language()) setLanguage(p.language, { remembered: true });
  });
  document.addEventListener('seat-language', (e) => {
    if (!e.detail.remembered) tell(e.detail.language);
    if (view.state) rerender();
  });
}
