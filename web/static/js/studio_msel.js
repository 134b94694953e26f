// The studio's MSEL: a timeline on which a timed inject is dragged (or moved with the arrow keys)
// to retime it, and a table in the MSEL's order with Edit, Duplicate, Move up and down and Delete.
// The inject being edited opens in the editor below (studio_inject.js).

import { el, keepingFocus, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { channelName } from './inbox.js';
import { InjectEditor, audience } from './studio_inject.js';
import { branchDue } from './conditions.js';
import {
  clone, durationSeconds, nextId, offsetSeconds, offsetText, teamName, text, triggerKind,
} from './studio_doc.js';

const STEP = 60; // an arrow key moves an inject by a minute; with Shift, by ten

export class MselSection {
  constructor(editor, root) {
    this.editor = editor;
    this.root = root;
    this.timeline = el('div', { class: 'studio-timeline', id: 'studio-timeline' });
    this.table = el('table', { class: 'table studio-msel', id: 'studio-msel' });
    this.editorBox = el('section', { class: 'inject-editor', id: 'inject-editor', hidden: true, 'aria-labelledby': 'inject-editor-heading' });
    this.injectEditor = new InjectEditor(editor, this.editorBox, { onClose: (index) => {
      this.draw();
      this.table.querySelector(`tr[data-index="${index}"] .edit-inject`)?.focus(); // back where the editing began
    } });
  }

  get doc() { return this.editor.doc; }

  render() {
    replaceChildren(this.root, el('h2', {}, t('MSEL')),
      el('div', { class: 'msel-tools' },
        el('button', { type: 'button', id: 'add-inject', onclick: () => this.add() }, t('Add inject')),
        el('button', { type: 'button', id: 'sort-injects', onclick: () => this.sortByTime() }, t('Sort by time'))),
      el('h3', {}, t('Timeline')),
      el('p', { class: 'meta', id: 'timeline-help' }, t('Drag an inject to retime it, or focus it and use the arrow keys (Shift: ten minutes).')),
      this.timeline,
      el('h3', {}, t('Injects')),
      el('div', { class: 'table-wrap' }, this.table),
      this.editorBox);
    this.draw();
    if (this.injectEditor.index !== null) this.injectEditor.open(this.injectEditor.index);
  }

  draw() {
    clearTimeout(this.redraw); // drawn now: no need to again
    if (this.dragging) return; // the marker under the pointer stays until it is dropped
    keepingFocus(this.timeline, () => this.drawTimeline());
    keepingFocus(this.table, () => this.drawTable());
  }

  // A field of the open inject changed: the timeline and the table follow once the typing pauses.
  changed() {
    clearTimeout(this.redraw);
    this.redraw = setTimeout(() => { if (this.root.isConnected && !this.root.hidden) this.draw(); }, 300);
  }

  add() {
    const msel = (this.doc.msel ||= []);
    const last = Math.max(0, ...msel.map((x) => offsetSeconds(x.at) ?? 0));
    const previous = msel[msel.length - 1];
    msel.push({ id: nextId('I-', msel.map((x) => x.id)), at: offsetText(msel.length ? last + 300 : 0),
      from: previous?.from ?? '', to: previous?.to ? clone(previous.to) : {}, channel: previous?.channel || 'email', title: '', body: '' });
    this.editor.changed();
    this.draw();
    this.injectEditor.open(msel.length - 1);
  }

  duplicate(index) {
    const msel = this.doc.msel;
    const copy = clone(msel[index]);
    copy.id = nextId('I-', msel.map((x) => x.id));
    msel.splice(index + 1, 0, copy);
    this.editor.changed();
    this.draw();
    this.injectEditor.open(index + 1);
  }

  move(index, by) {
    const msel = this.doc.msel;
    const to = index + by;
    if (to < 0 || to >= msel.length) return;
    [msel[index], msel[to]] = [msel[to], msel[index]];
    if (this.injectEditor.index === index) this.injectEditor.index = to;
    this.editor.changed();
    this.draw();
    this.table.querySelector(`tr[data-index="${to}"] .move-${by < 0 ? 'up' : 'down'}`)?.focus();
  }

  remove(index) {
    const inject = this.doc.msel[index];
    if (!window.confirm(t('Delete inject {id}, {title}?', { id: inject.id, title: text(inject.title, this.doc) }))) return;
    this.doc.msel.splice(index, 1);
    if (this.injectEditor.index === index) this.injectEditor.close();
    this.editor.changed();
    this.draw();
  }

  sortByTime() {
    const key = (x) => offsetSeconds(x.at) ?? Infinity;
    this.doc.msel.sort((a, b) => key(a) - key(b)); // stable: manual and conditional ones keep their order, last
    this.injectEditor.close();
    this.editor.changed();
  }

  retime(index, seconds) {
    const inject = this.doc.msel[index];
    const end = durationSeconds(this.doc.duration) ?? 3600;
    inject.at = offsetText(Math.min(Math.max(0, Math.round(seconds / 60) * 60), end));
    this.editor.changed();
    if (this.injectEditor.index === index) this.injectEditor.draw();
  }

  when(inject) {
    const branch = branchDue(inject);
    if (branch) return branch;
    const kind = triggerKind(inject.at);
    if (kind === 'manual') return t('by hand');
    if (kind === 'after') {
      const { after, when, delay } = inject.at;
      const base = when === 'acknowledged' ? t('after {id} is acknowledged', { id: after }) : t('after {id} is released', { id: after });
      return delay ? `${base} ${delay}` : base;
    }
    return inject.at;
  }

  addressees(inject) {
    const reached = audience(this.doc, inject.to);
    return reached.map((id) => teamName(this.doc, id)).join(', ') || t('nobody yet');
  }

  drawTable() {
    const msel = this.doc.msel || [];
    replaceChildren(this.table,
      el('thead', {}, el('tr', {}, el('th', {}, t('Due')), el('th', {}, t('Inject')), el('th', {}, t('Reaches')),
        el('th', {}, el('span', { class: 'visually-hidden' }, t('Actions'))))),
      el('tbody', {}, msel.map((inject, k) => el('tr', { dataset: { index: k, inject: inject.id },
        class: this.injectEditor.index === k ? 'editing' : null },
        el('td', {}, this.when(inject)),
        el('td', {}, el('strong', {}, inject.id), ' ', text(inject.title, this.doc) || el('em', {}, t('no title')),
          el('div', { class: 'meta' }, channelName(inject.channel), inject.attachments?.length ? ` · ${t('{n} file(s)', { n: inject.attachments.length })}` : '')),
        el('td', {}, this.addressees(inject)),
        el('td', {}, el('div', { class: 'row-actions' },
          el('button', { type: 'button', class: 'edit-inject', onclick: () => { this.injectEditor.open(k); this.drawTable(); } }, t('Edit')),
          el('button', { type: 'button', class: 'duplicate-inject', onclick: () => this.duplicate(k) }, t('Duplicate')),
          el('button', { type: 'button', class: 'move-up', disabled: k === 0, 'aria-label': t('Move {id} up', { id: inject.id }),
            onclick: () => this.move(k, -1) }, '↑'),
          el('button', { type: 'button', class: 'move-down', disabled: k === msel.length - 1, 'aria-label': t('Move {id} down', { id: inject.id }),
            onclick: () => this.move(k, 1) }, '↓'),
          el('button', { type: 'button', class: 'danger delete-inject', onclick: () => this.remove(k) }, t('Delete'))))))));
  }

  drawTimeline() {
    const msel = this.doc.msel || [];
    const end = Math.max(durationSeconds(this.doc.duration) ?? 3600, 60);
    const ticks = [];
    const every = end > 4 * 3600 ? 3600 : end > 3600 ? 1800 : end > 1200 ? 600 : 300;
    for (let s = 0; s <= end; s += every) ticks.push(el('span', { class: 'tick', style: null, dataset: { at: s } }, offsetText(s)));
    const timed = msel.map((inject, k) => [inject, k]).filter(([inject]) => offsetSeconds(inject.at) !== null);
    const lane = el('div', { class: 'lane', role: 'group', 'aria-label': t('Timed injects'), 'aria-describedby': 'timeline-help' },
      timed.map(([inject, k]) => this.marker(inject, k, end)));
    const untimed = msel.map((inject, k) => [inject, k]).filter(([inject]) => offsetSeconds(inject.at) === null);
    replaceChildren(this.timeline, el('div', { class: 'scale' }, ticks), lane,
      untimed.length ? el('p', { class: 'untimed' }, t('By hand or after another inject:'), ' ',
        untimed.map(([inject, k]) => el('button', { type: 'button', class: 'chip', onclick: () => this.injectEditor.open(k) },
          `${inject.id} (${this.when(inject)})`))) : null);
    for (const tick of this.timeline.querySelectorAll('.tick')) tick.style.left = `${(100 * tick.dataset.at) / end}%`;
    // Markers close in time take the next row, so none hides another.
    const rows = [];
    const gap = (end * 52) / (lane.getBoundingClientRect().width || 700); // a marker's width, in seconds
    for (const marker of lane.querySelectorAll('.marker')) {
      const at = Number(marker.dataset.at);
      let row = rows.findIndex((last) => at - last >= gap);
      if (row < 0) { row = rows.length; rows.push(at); } else rows[row] = at;
      marker.style.left = `${(100 * at) / end}%`;
      marker.style.top = `${row * 1.9}rem`;
    }
    lane.style.height = `${Math.max(1, rows.length) * 1.9 + 0.3}rem`;
  }

  marker(inject, k, end) {
    const button = el('button', { type: 'button', class: 'marker', dataset: { index: k, inject: inject.id, at: offsetSeconds(inject.at) },
      title: text(inject.title, this.doc), 'aria-label': t('{id} at {at}: {title}', { id: inject.id, at: inject.at, title: text(inject.title, this.doc) }) },
    inject.id);
    button.addEventListener('keydown', (e) => {
      const by = { ArrowLeft: -1, ArrowRight: 1 }[e.key];
      if (!by) { if (e.key === 'Enter') this.injectEditor.open(k); return; }
      e.preventDefault();
      this.retime(k, offsetSeconds(this.doc.msel[k].at) + by * STEP * (e.shiftKey ? 10 : 1));
      this.draw();
      this.timeline.querySelector(`.marker[data-index="${k}"]`)?.focus();
    });
    // Dragged along the lane: the time follows the pointer, in whole minutes; a click without a move opens it.
    button.addEventListener('pointerdown', (e) => {
      const lane = button.parentElement.getBoundingClientRect();
      const startX = e.clientX;
      let moved = false;
      this.dragging = true;
      button.setPointerCapture(e.pointerId);
      const at = (x) => Math.round(((x - lane.left) / lane.width) * end / 60) * 60;
      const move = (ev) => {
        if (!moved && Math.abs(ev.clientX - startX) < 4) return;
        moved = true;
        const s = Math.min(Math.max(0, at(ev.clientX)), end);
        button.style.left = `${(100 * s) / end}%`;
        button.textContent = `${inject.id} ${offsetText(s)}`;
      };
      const up = (ev) => {
        this.dragging = false;
        button.removeEventListener('pointermove', move);
        button.removeEventListener('pointerup', up);
        button.removeEventListener('pointercancel', up);
        if (moved) {
          this.retime(k, at(ev.clientX));
          this.draw();
          this.timeline.querySelector(`.marker[data-index="${k}"]`)?.focus();
        } else {
          this.injectEditor.open(k);
          this.drawTable();
        }
      };
      button.addEventListener('pointermove', move);
      button.addEventListener('pointerup', up);
      button.addEventListener('pointercancel', up);
    });
    return button;
  }
}
