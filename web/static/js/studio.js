// The scenario studio's editor of one scenario: its parts in forms, one section at a time; every
// change checked by the server's checker as it is made, each problem shown at its field; Save
// sends the whole document with the version it was based on (a newer file on disk is shown with
// what changed, never overwritten); the history restores an earlier version; a change of the file
// on disk shows at once.

import { $, el, replaceChildren } from './dom.js';
import { formatDate, formatTime, t, tn } from './i18n.js';
import { api, facilitatorToken, forgetFacilitator } from './session.js';
import * as studio from './studio_api.js';
import { pathKey, text, tidy } from './studio_doc.js';
import { placeOf, showProblems } from './studio_fields.js';
import {
  briefingsSection, coordinationSection, peopleSection, personasSection, roomsSection, scenarioSection,
} from './studio_sections.js';
import { evaluationSection } from './studio_evaluation.js';
import { learningSection } from './studio_learning.js';
import { MselSection } from './studio_msel.js';
import { CopSection } from './studio_cop.js';

if (!facilitatorToken()) location.replace('/');

const SECTION_OF = { 'title': 'scenario', setting: 'scenario', start: 'scenario', duration: 'scenario', modules: 'scenario',
  objectives: 'scenario', basemap: 'scenario', components: 'people', teams: 'people', rooms: 'rooms', briefings: 'briefings',
  personas: 'personas', msel: 'msel', cop: 'map', guideline: 'coordination', ocha_team: 'coordination',
  hazard_flags: 'coordination', role_cards: 'coordination', evaluation: 'evaluation', learning: 'learning' };

// The studio answers an expired session as it answers an unknown path (docs/studio-api.md): the
// exercise list tells the two apart.
async function sessionOver() {
  try { await api('/api/exercises', { token: facilitatorToken() }); return false; } catch (error) { return error.status === 403; }
}

class Studio {
  constructor(id) {
    this.id = id;
    this.doc = null;
    this.version = null;
    this.dirty = false;
    this.problems = [];
    this.basemaps = [];
    this.attachments = [];
    this.current = 'scenario';
    this.msel = new MselSection(this, $('#section-msel'));
    this.cop = new CopSection(this, $('#section-map'));
    this.sections = {
      scenario: (root) => scenarioSection(this, root), people: (root) => peopleSection(this, root),
      rooms: (root) => roomsSection(this, root), briefings: (root) => briefingsSection(this, root),
      personas: (root) => personasSection(this, root), coordination: (root) => coordinationSection(this, root),
      msel: () => this.msel.render(), map: () => this.cop.render(),
      evaluation: (root) => evaluationSection(this, root), learning: (root) => learningSection(this, root),
      history: () => this.showHistory(),
    };
    for (const tab of document.querySelectorAll('#studio-tabs button')) tab.addEventListener('click', () => this.show(tab.dataset.section));
    $('#save').addEventListener('click', () => this.save());
    $('#download').addEventListener('click', () => this.download());
    window.addEventListener('beforeunload', (e) => { if (this.dirty) e.preventDefault(); });
    document.addEventListener('seat-language', () => this.show(this.current));
  }

  async load() {
    try {
      const [{ document: doc, version, problems }, { changes }, files] = await Promise.all([studio.getScenario(this.id),
        studio.listScenarios(), studio.files().catch(() => ({ basemaps: [], attachments: [] }))]);
      this.basemaps = files.basemaps || [];
      this.attachments = files.attachments || [];
      this.open(doc, version, problems);
      studio.followChanges(changes, () => this.fileChanged());
    } catch (error) {
      if (error.status === 404 && await sessionOver()) { forgetFacilitator(); location.replace('/'); return; }
      if (error.status === 404) { replaceChildren($('#studio-main'), el('p', { class: 'form-error' }, t('No such scenario.')), el('a', { href: '/control/studio' }, t('All scenarios'))); return; }
      this.say(error.message, true);
    }
  }

  open(doc, version, problems = []) {
    this.doc = doc;
    this.version = version;
    this.dirty = false;
    this.setProblems(problems);
    this.show(this.current);
    this.status();
  }

  show(name) {
    this.current = name;
    for (const tab of document.querySelectorAll('#studio-tabs button')) {
      if (tab.dataset.section === name) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
    }
    for (const section of document.querySelectorAll('.studio-section')) section.hidden = section.id !== `section-${name}`;
    if (!this.doc) return; // still loading: drawn when it arrives
    this.sections[name]($(`#section-${name}`));
    this.placeProblems();
  }

  // A change typed or picked: unsaved, and checked again once the typing pauses.
  changed() {
    if (this.current === 'msel') this.msel.changed();
    this.dirty = true;
    this.status();
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), 500);
  }

  basemapChanged() { this.cop.basemapChanged(); }

  // Ids and names changed elsewhere: what shows them is drawn again when next shown.
  structureChanged() {}

  async check() {
    const asked = JSON.stringify(this.doc);
    try {
      const { problems } = await studio.validate(this.id, tidy(this.doc));
      if (JSON.stringify(this.doc) === asked) this.setProblems(problems);
    } catch (error) {
      this.say(error.message, true);
    }
  }

  setProblems(problems) {
    this.problems = problems.map((p) => ({ ...p, key: pathKey(p.path) }));
    this.placeProblems();
    this.listProblems();
  }

  placeProblems() {
    if (this.current === 'history') return;
    showProblems($(`#section-${this.current}`), this.problems);
  }

  // Every problem, each with a button to its field; the tabs count theirs.
  listProblems() {
    const errors = this.problems.filter((p) => p.severity !== 'warning');
    const warnings = this.problems.filter((p) => p.severity === 'warning');
    const counts = {};
    for (const p of errors) {
      const section = SECTION_OF[p.key.split('.')[0]] || 'scenario';
      counts[section] = (counts[section] || 0) + 1;
    }
    for (const tab of document.querySelectorAll('#studio-tabs button')) {
      const n = counts[tab.dataset.section] || 0;
      tab.querySelector('.badge')?.remove();
      if (n) tab.append(el('span', { class: 'badge', 'aria-label': tn('{n} problem', '{n} problems', n) }, String(n)));
    }
    const item = (p) => el('li', { class: p.severity === 'warning' ? 'warning' : 'error' }, p.message, ' ',
      el('button', { type: 'button', class: 'link go-to', onclick: () => this.goTo(p) }, t('Show')));
    replaceChildren($('#problems'), errors.length || warnings.length ? [
      el('h2', {}, errors.length ? tn('{n} problem to fix before saving', '{n} problems to fix before saving', errors.length) : t('No problems')),
      el('ul', {}, errors.map(item)),
      warnings.length ? el('details', {}, el('summary', {}, tn('{n} warning', '{n} warnings', warnings.length)), el('ul', {}, warnings.map(item))) : null,
    ] : []);
    $('#problems').hidden = !(errors.length || warnings.length);
    this.status();
  }

  goTo(problem) {
    const [head, index] = problem.key.split('.');
    const section = SECTION_OF[head] || 'scenario';
    if (head === 'msel' && index !== undefined && this.doc.msel?.[index]) {
      this.current = 'msel';
      this.msel.injectEditor.index = Number(index);
    }
    this.show(section);
    const target = placeOf($(`#section-${section}`), problem.key);
    target?.scrollIntoView({ block: 'center' });
    (target?.matches('input, select, textarea, button') ? target : target?.querySelector('input, select, textarea, button'))?.focus();
  }

  status() {
    const errors = this.problems.filter((p) => p.severity !== 'warning').length;
    $('#studio-title').textContent = this.doc ? text(this.doc.title, this.doc) || this.id : this.id;
    document.title = `${$('#studio-title').textContent} · ${t('Scenario studio')}`;
    $('#save-state').textContent = this.dirty ? t('Unsaved changes') : t('Saved');
    $('#save-state').dataset.state = this.dirty ? 'unsaved' : 'saved';
    $('#save').disabled = !this.dirty;
    $('#save').title = errors ? tn('{n} problem to fix first', '{n} problems to fix first', errors) : '';
  }

  say(message, error = false) {
    const box = $('#studio-message');
    box.textContent = message;
    box.className = error ? 'form-error' : 'notice-ok';
  }

  save() {
    this.saving = this.saveNow().finally(() => { this.saving = null; });
    return this.saving;
  }

  async saveNow() {
    clearTimeout(this.checkTimer);
    $('#save').disabled = true;
    this.hideConflict();
    try {
      const { version } = await studio.saveScenario(this.id, this.version, tidy(this.doc));
      this.version = version;
      this.dirty = false;
      this.setProblems(this.problems.filter((p) => p.severity === 'warning'));
      this.say(t('Saved.'));
    } catch (error) {
      if (error.status === 422) {
        this.setProblems(error.data.problems || []);
        this.say(tn('Not saved: {n} problem to fix (listed above).', 'Not saved: {n} problems to fix (listed above).',
          (error.data.problems || []).filter((p) => p.severity !== 'warning').length), true);
      } else if (error.status === 409) {
        this.showConflict(error.data);
      } else {
        this.say(t('Not saved: {reason}', { reason: error.message }), true);
      }
    } finally {
      this.status();
    }
  }

  // Someone saved the scenario (or its file changed) since it was opened: what changed, and a choice.
  showConflict(data) {
    const box = $('#conflict');
    const shown = (value) => (value === undefined ? t('(none)') : typeof value === 'string' ? value : JSON.stringify(value));
    replaceChildren(box,
      el('h2', {}, t('Someone else saved this scenario while you were editing it')),
      el('p', {}, t('Nothing was saved. What changed in the saved version:')),
      el('ul', {}, (data.changes || []).map((c) => el('li', {}, el('code', {}, pathKey(c.path) || t('the whole scenario')), ': ',
        t('was {before}, now {now}', { before: shown(c.before), now: shown(c.now) })))),
      el('div', { class: 'row-actions' },
        el('button', { type: 'button', id: 'conflict-keep-mine', onclick: () => { this.version = data.version; this.hideConflict(); this.save(); } },
          t('Save mine over it')),
        el('button', { type: 'button', id: 'conflict-take-theirs', class: 'danger', onclick: () => { this.hideConflict(); this.open(data.document, data.version); this.say(t('Their version is open; your changes were dropped.')); } },
          t('Drop mine and open theirs'))));
    box.hidden = false;
    box.focus();
    this.say(t('Not saved: the scenario changed meanwhile.'), true);
  }

  hideConflict() { $('#conflict').hidden = true; }

  // The file changed on disk (a save elsewhere, an editor, git): unchanged here, it is reopened at
  // once; with unsaved changes here, the notice says so and the next save shows what changed.
  async fileChanged() {
    if (this.saving) await this.saving; // our own save, seen on disk before its answer came back
    let answer;
    try { answer = await studio.getScenario(this.id); } catch (error) {
      if (error.status === 404) this.say(t('The scenario\'s file was deleted. Save to write it again.'), true);
      return;
    }
    if (answer.version === this.version) return;
    if (!this.dirty) {
      this.open(answer.document, answer.version, answer.problems);
      this.say(t('The file changed on disk: this is its new version.'));
    } else {
      this.say(t('The file changed on disk while you were editing. Saving will show what changed.'), true);
    }
  }

  async showHistory() {
    const root = $('#section-history');
    replaceChildren(root, el('h2', {}, t('History')), el('p', { class: 'meta' }, t('Loading…')));
    try {
      const { versions } = await studio.history(this.id);
      const when = (s) => `${formatDate(new Date(s * 1000))} ${formatTime(new Date(s * 1000))}`;
      replaceChildren(root, el('h2', {}, t('History')),
        versions.length ? el('table', { class: 'table', id: 'history-table' },
          el('thead', {}, el('tr', {}, el('th', {}, t('Saved')), el('th', {}, t('Title')), el('th', {}, el('span', { class: 'visually-hidden' }, t('Actions'))))),
          el('tbody', {}, versions.map((v) => el('tr', { dataset: { version: v.version } },
            el('td', {}, when(v.saved)), el('td', {}, v.title || ''),
            el('td', {}, v.current || v.version === this.version ? el('span', { class: 'meta' }, t('current'))
              : el('button', { type: 'button', class: 'restore', onclick: () => this.restore(v) }, t('Restore'))))))) 
          : el('p', { class: 'meta' }, t('No earlier versions yet.')));
    } catch (error) {
      replaceChildren(root, el('h2', {}, t('History')), el('p', { class: 'form-error' }, error.message));
    }
  }

  async restore(v) {
    if (this.dirty && !window.confirm(t('Restoring drops your unsaved changes. Restore anyway?'))) return;
    try {
      const { version } = await studio.restore(this.id, v.version, this.version);
      const answer = await studio.getScenario(this.id);
      this.open(answer.document, answer.version || version, answer.problems);
      this.say(t('Restored the version of {when}.', { when: formatTime(new Date(v.saved * 1000)) }));
      this.show('history');
    } catch (error) {
      this.say(t('Not restored: {reason}', { reason: error.message }), true);
    }
  }

  async download() {
    try { await studio.download(this.id, $('#download-format').value); } catch (error) { this.say(error.message, true); }
  }
}

new Studio($("#studio-main").dataset.scenario).load();
