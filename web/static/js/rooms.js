// The rooms panel: a tab per room with unread counts, the messages, and a composer. A team's
// composer may carry a tag, the inject its next message answers (shown as a removable chip).
// The server keeps a room's latest messages (the snapshot's room_window); "Earlier messages"
// reads the ones before them, a page at a time (room.history).

import { t } from './i18n.js';
import { personName } from './words.js';
import { nameOf } from './content_language.js';
import { $, clearSent, el, keepingFocus, replaceChildren, toast } from './dom.js';
import { timeOf } from './clock.js';

// A room's name in the seat's language: the rooms every scenario has are named here, in the
// catalogue's words (the server names them in English); a scenario's own rooms by their
// (translated) names.
export function roomName(view, room) {
  const [, a, b] = /^[^:]*:([^~]*)~?(.*)$/.exec(room.id) || [];
  switch (room.kind) {
    case 'team': return t('Team room: {team}', { team: view.teamName(a) });
    case 'joint': return t('Joint civil-military coordination room');
    case 'plenary': return t('Plenary');
    case 'liaison': return t('Liaison line {a} - {b}', { a: view.teamName(a), b: view.teamName(b) });
    case 'phone': { // a logged line to a persona the control cell plays
      const persona = (view.state.scenario.personas || []).find((p) => p.id === b);
      const who = persona ? nameOf(persona, view.state.scenario) : nameOf(room, view.state.scenario).replace(/^Phone: /, '');
      return view.you?.role === 'trainee' ? t('Phone: {persona}', { persona: who })
        : t('Phone: {team} - {persona}', { team: view.teamName(a), persona: who });
    }
    default: return nameOf(room, view.state.scenario);
  }
}

export class RoomsPanel {
  constructor(view, memory, { postAs = false, cards = null } = {}) {
    this.view = view;
    this.memory = memory;
    this.postAs = postAs;
    this.cards = cards; // view => [{seq, node}] shown between the joint room's messages
    this.tabs = $('#room-tabs');
    this.list = $('#messages');
    this.composer = $('#composer');
    this.current = memory.get('room', null);
    this.seen = memory.get('seen', {}); // room -> highest seq read
    this.respondsTo = null; // the inject the next message answers
    // room -> {messages: Map seq -> message, earlier}: the pages read with Earlier messages, and from
    // then on every message of the room, so that none leaves the list when the fold drops its oldest.
    this.read = {};
    // The arrow keys move along the tabs, Home and End to the first and the last; Enter shows one.
    this.tabs.addEventListener('keydown', (e) => {
      const tabs = [...this.tabs.querySelectorAll('.tab')];
      const at = tabs.indexOf(document.activeElement);
      const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 };
      if (at < 0 || !(e.key in moves)) return;
      e.preventDefault();
      tabs[(moves[e.key] + tabs.length) % tabs.length].focus();
    });
    view.addEventListener('reset', () => { this.read = {}; this.render(); });
    view.addEventListener('room.message_posted', (e) => this.onMessage(e.detail));
    if (this.composer) this.composer.addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    // The message being typed survives a reload, as a statement's draft does (emptied once sent).
    const text = $('#message-text');
    if (text) {
      text.value = memory.get('draft', '');
      text.addEventListener('input', () => memory.set('draft', text.value));
    }
  }

  rooms() { return Object.values(this.view.state.rooms); }

  render() {
    const rooms = this.rooms();
    if (!rooms.find((r) => r.id === this.current)) this.current = (rooms.find((r) => r.kind === 'joint') || rooms[0])?.id;
    this.renderTabs();
    this.renderMessages();
  }

  unread(room) {
    const seen = this.seen[room.id] || 0;
    return room.messages.filter((m) => m.seq > seen && m.author.team !== this.view.you?.team).length;
  }

  renderTabs() {
    keepingFocus(this.tabs, () => replaceChildren(this.tabs, this.rooms().map((room) => {
      const unread = room.id === this.current ? 0 : this.unread(room);
      return el('button', { type: 'button', class: room.id === this.current ? 'tab active' : 'tab',
        'aria-pressed': room.id === this.current ? 'true' : 'false',
        title: this.name(room), dataset: { room: room.id }, onclick: () => this.select(room.id) },
      el('span', { class: 'name' }, this.name(room)), unread ? el('span', { class: 'badge' }, unread) : null);
    })));
  }

  name(room) { return roomName(this.view, room); }

  select(id) {
    this.current = id;
    this.memory.set('room', id);
    const room = this.view.state.rooms[id];
    if (this.postAs && room?.kind === 'phone') { // control answers the line as its persona
      const persona = (this.view.state.scenario.personas || []).find((p) => `${room.id}`.endsWith(`~${p.id}`));
      if (persona) $('#post-as').value = nameOf(persona, this.view.state.scenario);
    }
    this.renderTabs();
    this.renderMessages();
  }

  renderMessages() {
    const room = this.view.state.rooms[this.current];
    if (!room) { replaceChildren(this.list); return; }
    const items = this.shown(room).map((m) => ({ seq: m.seq, node: this.message(m) }));
    if (this.cards && room.kind === 'joint') items.push(...this.cards(this.view));
    const earlier = this.read[room.id] ? this.read[room.id].earlier : room.earlier || 0;
    const more = earlier && this.view.connection ? el('li', { class: 'earlier' }, el('button', { type: 'button', class: 'earlier-messages',
      onclick: () => this.loadEarlier(room) }, t('Earlier messages'))) : null;
    replaceChildren(this.list, more, items.sort((a, b) => a.seq - b.seq).map((item) => item.node));
    this.markRead(room);
    this.list.scrollTop = this.list.scrollHeight;
    if (this.composer) {
      const input = $('#message-text');
      input.disabled = !room.can_write;
      input.placeholder = room.can_write ? t('Message {room}', { room: this.name(room) }) : t('You may read but not write here');
    }
  }

  shown(room) {
    const read = this.read[room.id];
    if (!read) return room.messages;
    for (const m of room.messages) read.messages.set(m.seq, m);
    return [...read.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  // The page of messages before the first shown, from the server (what this view may read).
  async loadEarlier(room) {
    const first = this.shown(room)[0];
    try {
      const page = await this.view.command('room.history', { room: room.id, before: first ? first.seq : this.view.state.seq + 1 });
      const read = this.read[room.id] || { messages: new Map(room.messages.map((m) => [m.seq, m])) };
      for (const m of page.messages) read.messages.set(m.seq, m);
      read.earlier = page.earlier;
      this.read[room.id] = read;
      if (room.id !== this.current) return;
      const fromBottom = this.list.scrollHeight - this.list.scrollTop;
      this.renderMessages();
      this.list.scrollTop = this.list.scrollHeight - fromBottom; // the reader stays where they were
    } catch (error) {
      toast(error.message);
    }
  }

  message(m) {
    const who = m.as ? m.as : `${personName(m.author)}${m.author.team ? ` (${this.view.teamName(m.author.team)})` : ''}`;
    return el('li', { class: `message ${m.as ? 'as-actor' : ''} role-${m.author.role}`, dataset: { seq: m.seq } },
      el('span', { class: 'meta' }, el('span', { class: 'author' }, who), ' · ',
        timeOf(this.view.state.scenario.start, m.ex_time, m.wall_time)),
      el('span', { class: 'text' }, m.text));
  }

  refreshCards() {
    if (!this.cards || this.view.state.rooms[this.current]?.kind !== 'joint') return;
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 4;
    const top = list.scrollTop;
    this.renderMessages();
    if (!atBottom) list.scrollTop = top; // the reader scrolled up: leave them there
  }

  markRead(room) {
    const last = room.messages.at(-1);
    if (last && (this.seen[room.id] || 0) < last.seq) {
      this.seen[room.id] = last.seq;
      this.memory.set('seen', this.seen);
    }
  }

  onMessage(event) {
    const roomId = event.payload.room;
    const room = this.view.state.rooms[roomId];
    if (this.read[roomId] && room) this.shown(room); // keeps it once the fold drops it
    if (roomId === this.current) {
      this.list.append(this.message(room.messages.at(-1)));
      this.list.scrollTop = this.list.scrollHeight;
      this.markRead(room);
    }
    this.renderTabs();
  }

  // Tags the next message as an answer to inject `id` (team composer only).
  respondTo(id) {
    this.respondsTo = id;
    this.renderChip();
    $('#message-text').focus();
  }

  renderChip() {
    const chip = $('#reply-chip');
    if (!chip) return;
    const id = this.respondsTo;
    chip.hidden = !id;
    const title = id && this.view.injects.get(id)?.inject.title;
    replaceChildren(chip, id ? [el('span', { title: title || '' }, t('re {inject}', { inject: id })),
      el('button', { type: 'button', class: 'chip-remove', title: t('Not in response to {inject}', { inject: id }),
        'aria-label': t('Not in response to {inject}', { inject: id }), onclick: () => { this.respondsTo = null; this.renderChip(); } }, '×')]
      : []);
  }

  async send() {
    const input = $('#message-text');
    const typed = input.value;
    const text = typed.trim();
    if (!text) return;
    const fields = { room: this.current, text };
    if (this.postAs) {
      const actor = $('#post-as').value.trim();
      if (actor) fields.as = actor;
    }
    const respondsTo = this.respondsTo;
    if (respondsTo) fields.responds_to = respondsTo;
    try {
      await this.view.command('room.post', fields);
      clearSent([input], [typed]);
      if (respondsTo && this.respondsTo === respondsTo) { this.respondsTo = null; this.renderChip(); }
    } catch (error) {
      toast(error.message);
    }
  }
}
