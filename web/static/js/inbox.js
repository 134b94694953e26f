// A list of released injects and the one being read. Used by the team and evaluator views.

import { $, el, replaceChildren } from './dom.js';
import { scenarioLabel } from './clock.js';
import { renderMarkdown } from './markdown.js';
import { attachmentList } from './attachments.js';
import { t, tParts } from './i18n.js';
import { localized, onSeatLanguage, pick } from './content_language.js';

const CHANNEL = () => ({ email: t('E-mail'), radio: t('Radio'), phone: t('Phone'), media: t('Media report'), sitrep: t('Sitrep'),
  map: t('Map change') });
export const channelName = (channel) => CHANNEL()[channel] || channel;

export class InjectList {
  constructor(view, memory, { list, detail, filter = () => true, extra = () => null, actions = () => null }) {
    Object.assign(this, { view, memory, filter, extra, actions });
    this.list = $(list);
    this.detail = $(detail);
    this.read = new Set(memory.get('read', []));
    this.open = memory.get('open', null);
    onSeatLanguage(() => { if (this.view.state) this.render(); });
  }

  // Field `field` of an inject (or attachment) in the seat's language: { text, language, fellBack }.
  shown(obj, field) { return pick(obj, field, this.view.state.scenario); }

  rows() {
    return this.view.state.injects.filter((r) => r.status === 'released' && this.filter(r))
      .sort((a, b) => b.released_seq - a.released_seq);
  }

  unreadCount() { return this.rows().filter((r) => !this.read.has(r.inject.id)).length; }

  render() {
    const start = this.view.state.scenario.start;
    replaceChildren(this.list, this.rows().map((row) => {
      const i = row.inject;
      const unread = !this.read.has(i.id);
      return el('li', { class: `inject-item${unread ? ' unread' : ''}${i.id === this.open ? ' open' : ''}`,
        dataset: { inject: i.id }, onclick: () => this.show(i.id) },
      el('span', { class: `channel channel-${i.channel}` }, channelName(i.channel)),
      localized('span', { class: 'subject' }, this.shown(i, 'title')),
      el('span', { class: 'meta' }, `${this.shown(i, 'from').text} · ${scenarioLabel(start, row.released_ex)}`),
      row.acknowledged || row.responded ? el('span', { class: 'marks' },
        row.acknowledged ? el('span', { class: 'acked' }, t('acknowledged')) : null,
        row.acknowledged && row.responded ? ' · ' : null,
        row.responded ? el('span', { class: 'responded' }, t('responded')) : null) : null);
    }));
    this.renderDetail();
  }

  show(id) {
    this.open = id;
    this.read.add(id);
    this.memory.set('open', id);
    this.memory.set('read', [...this.read]);
    this.render();
    this.onRead?.();
    this.onOpen?.(id);
  }

  renderDetail() {
    const row = this.open && this.view.injects.get(this.open);
    if (!row || row.status !== 'released') { this.detail.hidden = true; return; }
    const i = row.inject;
    this.detail.hidden = false;
    const attachments = i.attachments?.map((a) => ({ ...a, title: this.shown(a, 'title').text }));
    replaceChildren(this.detail,
      el('header', {}, localized('h3', {}, this.shown(i, 'title')),
        el('p', { class: 'meta' },
          tParts('{channel} from {sender}', { channel: channelName(i.channel),
            sender: localized('span', { class: 'from' }, this.shown(i, 'from')) }),
          ' · ', scenarioLabel(this.view.state.scenario.start, row.released_ex))),
      localized('div', { class: 'body markdown' }, this.shown(i, 'body'), renderMarkdown),
      attachmentList(this.view, i.id, attachments),
      this.extra(row),
      el('div', { class: 'actions' }, this.actions(row)));
  }
}
