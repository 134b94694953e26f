// The control panel's dialog that edits an unreleased inject. The edit names the version it was
// made on, so that of two facilitators editing one inject at once the second is told what the first
// changed (error `conflict`, docs/protocol.md) instead of reverting it; the dialog then stays open
// with the typed text kept, the untouched fields showing their new values, ready to save again.

import { $ } from './dom.js';
import { t } from './i18n.js';
import { pickAddressees, pickedAddressees, sameAddressees } from './addressees.js';

const FIELDS = ['at', 'from', 'channel', 'title', 'body', 'notes']; // and `to`, picked by name (addressees.js)
const LABELS = () => ({ at: t('Due'), from: t('From'), title: t('Title'), body: t('Message'), notes: t('Control notes'),
  to: t('Addressees'), channel: t('Channel'), expected: t('Expected actions'), objectives: t('Objectives') });

// What the dialog shows of a field: `at` only as typed (an offset or manual; a condition is left as is).
function shown(inject, name) {
  const value = inject[name];
  if (name === 'at') return typeof value === 'string' ? value : '';
  return value || '';
}

export class InjectEditor {
  constructor(view) {
    this.view = view;
    this.dialog = $('#edit-dialog');
    this.form = $('#edit-form');
    this.notice = $('#edit-conflict');
    this.form.addEventListener('submit', (e) => {
      if (e.submitter?.value !== 'save') return; // Cancel closes the dialog, as a dialog form does
      e.preventDefault();
      this.save();
    });
  }

  open(row) {
    this.id = row.inject.id;
    $('#edit-id').textContent = this.id;
    this.notice.hidden = true;
    this.notice.textContent = '';
    this.rebase(row, () => true);
    this.dialog.showModal();
  }

  // Start again from `row` as it stands: its version, and its values in the fields `refresh` picks.
  rebase(row, refresh) {
    this.version = row.version;
    this.base = Object.fromEntries(FIELDS.map((name) => [name, shown(row.inject, name)]));
    for (const name of FIELDS) if (refresh(name)) this.form[name].value = this.base[name];
    this.baseTo = row.inject.to;
    if (refresh('to')) pickAddressees($('#edit-to'), row.inject.to);
  }

  typed() {
    const changes = {};
    for (const name of FIELDS) {
      const value = name === 'at' ? this.form.at.value.trim() : this.form[name].value;
      if (value !== this.base[name] && (name !== 'at' || value)) changes[name] = value;
    }
    const to = pickedAddressees($('#edit-to'));
    if (!sameAddressees(to, this.baseTo)) changes.to = to;
    return changes;
  }

  async save() {
    const changes = this.typed();
    if (!Object.keys(changes).length) { this.dialog.close('save'); return; }
    const save = $('#edit-save');
    save.disabled = true;
    try {
      await this.view.command('inject.edit', { inject_id: this.id, changes, version: this.version });
      this.dialog.close('save');
    } catch (error) {
      this.refused(error, changes);
    } finally {
      save.disabled = false;
    }
  }

  // Keep what was typed. On a conflict, fields left alone take the new values (saving them as they
  // were would revert the other edit) and the notice says what changed, with the values now.
  refused(error, changes) {
    const row = this.view.injects.get(this.id);
    if (error.code === 'conflict' && error.changed && row) {
      this.rebase(row, (name) => !(name in changes));
      if (error.changed.version !== undefined) this.version = error.changed.version;
      const fields = error.changed.fields || [];
      const now = fields.map((name) => {
        const value = error.changed.current?.[name];
        return `${LABELS()[name] || name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
      });
      this.notice.textContent = t('Someone else changed this inject while you were editing it ({fields}). Now: {values}.', {
        fields: fields.map((name) => LABELS()[name] || name).join(', ') || t('no field you can see'), values: now.join('; ') })
        + ' ' + t('Your typed text is kept; check it and save again to apply it.');
    } else {
      this.notice.textContent = t('Not saved: {reason}. Your typed text is kept.', { reason: error.message });
    }
    this.notice.hidden = false;
  }
}
