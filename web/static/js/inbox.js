// A list of released injects and the one being read. Used by the team and evaluator views.

import { $, el, keepingFocus, replaceChildren } from './dom.js';
import { scenarioLabel } from './clock.js';
import { renderMarkdown } from './markdown.js';
import { attachmentList } from './attachments.js';

const CHANNEL = { email: 'E-mail', radio: 'Radio', phone: 'Phone', media: 'Media report', sitrep: 'Sitrep', map: 'Map change' };

export class InjectList {
  constructor(view, memory, { list, detail, filter = () => true, extra = () => null, actions = () => null }) {
    Object.assign(this, { view, memory, filter, extra, actions });
    this.list = $(list);
    this.detail = $(detail);
    this.read = new Set(memory.get('read', []));
    this.open = memory.get('open', null);
  }

  rows() {
    return this.view.state.injects.filter((r) => r.status === 'released' && this.filter(r))
      .sort((a, b) => b.released_seq - a.released_seq);
  }

  unreadCount() { return this.rows().filter((r) => !this.read.has(r.inject.id)).length; }

  // Each inject is a button (Tab, Enter, Space); the list and the detail are rebuilt on every
  // change, the focus kept on the same inject, and in the detail at the same place (on Respond…
  // once Acknowledge is done).
  render() {
    const start = this.view.state.scenario.start;
    keepingFocus(this.list, () => replaceChildren(this.list, this.rows().map((row) => {
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
    this.render();
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
