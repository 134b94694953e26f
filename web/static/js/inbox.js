// A list of released injects and the one being read. Used by the team and evaluator views.

import { $, el, keepingFocus, replaceChildren } from './dom.js';
import { scenarioLabel } from './clock.js';
import { renderMarkdown } from './markdown.js';
import { attachmentList } from './attachments.js';
import { t, tParts } from './i18n.js';
import { localized, onSeatLanguage, pick } from './content_language.js';

const CHANNEL = () => ({ email: t('E-mail'), radio: t('Radio'), phone: t('Phone'), media: t('Media report'), sitrep: t('Sitrep'),
  map: t('Map change') });
export const channelName = (channel) => CHANNEL()[channel] || channel;

// What the list may be narrowed to (`shows`: the team view's buttons, each with its count).
const SHOWS = [
  ['all', () => t('All'), () => true],
  ['unread', () => t('Unread'), (list, row) => !list.read.has(row.inject.id)],
  ['unanswered', () => t('Unanswered'), (list, row) => !row.responded],
];

export class InjectList {
  constructor(view, memory, { list, detail, shows = null, search = null, filter = () => true, extra = () => null,
    actions = () => null }) {
    Object.assign(this, { view, memory, filter, extra, actions });
    this.list = $(list);
    this.detail = $(detail);
    this.shows = shows && $(shows);
    this.search = search && $(search); // words looked for in the title, the sender and the text
    this.search?.addEventListener('input', () => this.render());
    this.showing = this.shows ? memory.get('shown', 'all') : 'all'; // which SHOWS the list is narrowed to
    this.read = new Set(memory.get('read', []));
    this.open = memory.get('open', null);
    onSeatLanguage(() => { if (this.view.state) this.render(); });
  }

  // Field `field` of an inject (or attachment) in the seat's language: { text, language, fellBack }.
  shown(obj, field) { return pick(obj, field, this.view.state.scenario); }

  // Unread first, then newest first.
  rows() {
    const unread = (r) => (this.read.has(r.inject.id) ? 1 : 0);
    return this.view.state.injects.filter((r) => r.status === 'released' && this.filter(r))
      .sort((a, b) => unread(a) - unread(b) || b.released_seq - a.released_seq);
  }

  unreadCount() { return this.rows().filter((r) => !this.read.has(r.inject.id)).length; }

  showOnly(name) {
    this.showing = name;
    this.memory.set('shown', name);
    this.render();
  }

  renderShows(rows) {
    if (!this.shows) return;
    keepingFocus(this.shows, () => replaceChildren(this.shows, SHOWS.map(([name, text, keep]) =>
      el('button', { type: 'button', class: `show-${name}`, 'aria-pressed': name === this.showing ? 'true' : 'false',
        onclick: () => this.showOnly(name) }, `${text()} (${rows.filter((row) => keep(this, row)).length})`))));
  }

  // Each inject is a button (Tab, Enter, Space); the list and the detail are rebuilt on every
  // change, the focus kept on the same inject, and in the detail at the same place (on Respond…
  // once Acknowledge is done).
  render() {
    const start = this.view.state.scenario.start;
    const rows = this.rows();
    const keep = SHOWS.find(([name]) => name === this.showing)?.[2] || (() => true);
    const words = (this.search?.value || '').toLowerCase().split(/\s+/).filter(Boolean);
    const found = (i) => words.every((w) => ['title', 'from', 'body'].map((f) => `${i[f]}\n${this.shown(i, f).text}`)
      .join('\n').toLowerCase().includes(w)); // in the seat's language and the default
    this.renderShows(rows);
    keepingFocus(this.list, () => replaceChildren(this.list, rows.filter((row) => keep(this, row) && found(row.inject)).map((row) => {
      const i = row.inject;
      const unread = !this.read.has(i.id);
      return el('li', { class: `inject-item${unread ? ' unread' : ''}${i.id === this.open ? ' open' : ''}`,
        dataset: { inject: i.id } },
      el('button', { type: 'button', class: 'inject-open', 'aria-current': i.id === this.open ? 'true' : null,
        onclick: () => this.show(i.id) },
      el('span', { class: `channel channel-${i.channel}` }, channelName(i.channel)),
      localized('span', { class: 'subject' }, this.shown(i, 'title')),
      el('span', { class: 'meta' }, `${this.shown(i, 'from').text} · ${scenarioLabel(start, row.released_ex)}`),
      row.acknowledged || row.responded ? el('span', { class: 'marks' },
        row.acknowledged ? el('span', { class: 'acked' }, t('acknowledged')) : null,
        row.acknowledged && row.responded ? ' · ' : null,
        row.responded ? el('span', { class: 'responded' }, t('responded')) : null) : null));
    })));
    keepingFocus(this.detail, () => this.renderDetail());
  }

  show(id) {
    this.open = id;
    this.read.add(id);
    this.memory.set('open', id);
    this.memory.set('read', [...this.read]);
    const fromList = this.list.contains(document.activeElement);
    this.render();
    if (fromList && !this.list.contains(document.activeElement)) this.detail.focus(); // no longer listed (Unread)
    this.onRead?.();
    this.onOpen?.(id);
  }

  renderDetail() {
    const row = this.open && this.view.injects.get(this.open);
    if (!row || row.status !== 'released') { this.detail.hidden = true; return; }
    const i = row.inject;
    this.detail.hidden = false;
    replaceChildren(this.detail,
      el('header', {}, localized('h3', {}, this.shown(i, 'title')),
        el('p', { class: 'meta' },
          tParts('{channel} from {sender}', { channel: channelName(i.channel),
            sender: localized('span', { class: 'from' }, this.shown(i, 'from')) }),
          ' · ', scenarioLabel(this.view.state.scenario.start, row.released_ex))),
      localized('div', { class: 'body markdown' }, this.shown(i, 'body'), renderMarkdown),
      attachmentList(this.view, i.id, i.attachments, this.view.state.scenario),
      this.extra(row),
      el('div', { class: 'actions' }, this.actions(row)));
  }
}
