// A list of released injects and the one being read. Used by the team and evaluator views.

import { $, el, keepingFocus, replaceChildren } from './dom.js';
import { scenarioLabel } from './clock.js';
import { renderMarkdown } from './markdown.js';
import { attachmentList } from './attachments.js';

const CHANNEL = { email: 'E-mail', radio: 'Radio', phone: 'Phone', media: 'Media report', sitrep: 'Sitrep', map: 'Map change' };

// What the list may be narrowed to (`shows`: the team view's buttons, each with its count).
const SHOWS = [
  ['all', 'All', () => true],
  ['unread', 'Unread', (list, row) => !list.read.has(row.inject.id)],
  ['unanswered', 'Unanswered', (list, row) => !row.responded],
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
    this.shown = this.shows ? memory.get('shown', 'all') : 'all';
    this.read = new Set(memory.get('read', []));
    this.open = memory.get('open', null);
  }

  // Unread first, then newest first.
  rows() {
    const unread = (r) => (this.read.has(r.inject.id) ? 1 : 0);
    return this.view.state.injects.filter((r) => r.status === 'released' && this.filter(r))
      .sort((a, b) => unread(a) - unread(b) || b.released_seq - a.released_seq);
  }

  unreadCount() { return this.rows().filter((r) => !this.read.has(r.inject.id)).length; }

  showOnly(name) {
    this.shown = name;
    this.memory.set('shown', name);
    this.render();
  }

  renderShows(rows) {
    if (!this.shows) return;
    keepingFocus(this.shows, () => replaceChildren(this.shows, SHOWS.map(([name, text, keep]) =>
      el('button', { type: 'button', class: `show-${name}`, 'aria-pressed': name === this.shown ? 'true' : 'false',
        onclick: () => this.showOnly(name) }, `${text} (${rows.filter((row) => keep(this, row)).length})`))));
  }

  // Each inject is a button (Tab, Enter, Space); the list and the detail are rebuilt on every
  // change, the focus kept on the same inject, and in the detail at the same place (on Respond…
  // once Acknowledge is done).
  render() {
    const start = this.view.state.scenario.start;
    const rows = this.rows();
    const keep = SHOWS.find(([name]) => name === this.shown)?.[2] || (() => true);
    const words = (this.search?.value || '').toLowerCase().split(/\s+/).filter(Boolean);
    const found = (i) => words.every((w) => `${i.title}\n${i.from}\n${i.body}`.toLowerCase().includes(w));
    this.renderShows(rows);
    keepingFocus(this.list, () => replaceChildren(this.list, rows.filter((row) => keep(this, row) && found(row.inject)).map((row) => {
      const i = row.inject;
      const unread = !this.read.has(i.id);
      return el('li', { class: `inject-item${unread ? ' unread' : ''}${i.id === this.open ? ' open' : ''}`,
        dataset: { inject: i.id } },
      el('button', { type: 'button', class: 'inject-open', 'aria-current': i.id === this.open ? 'true' : null,
        onclick: () => this.show(i.id) },
      el('span', { class: `channel channel-${i.channel}` }, CHANNEL[i.channel] || i.channel),
      el('span', { class: 'subject' }, i.title),
      el('span', { class: 'meta' }, `${i.from} · ${scenarioLabel(start, row.released_ex)}`),
      row.acknowledged || row.responded ? el('span', { class: 'marks' },
        row.acknowledged ? el('span', { class: 'acked' }, 'acknowledged') : null,
        row.acknowledged && row.responded ? ' · ' : null,
        row.responded ? el('span', { class: 'responded' }, 'responded') : null) : null));
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
  }

  renderDetail() {
    const row = this.open && this.view.injects.get(this.open);
    if (!row || row.status !== 'released') { this.detail.hidden = true; return; }
    const i = row.inject;
    this.detail.hidden = false;
    replaceChildren(this.detail,
      el('header', {}, el('h3', {}, i.title),
        el('p', { class: 'meta' }, `${CHANNEL[i.channel] || i.channel} from ${i.from} · `,
          scenarioLabel(this.view.state.scenario.start, row.released_ex))),
      el('div', { class: 'body markdown' }, renderMarkdown(i.body)),
      attachmentList(this.view, i.id, i.attachments),
      this.extra(row),
      el('div', { class: 'actions' }, this.actions(row)));
  }
}
