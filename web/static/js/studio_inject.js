// The studio's inject editor: when it is due (a time, manual, or after another inject), who sends
// it (a persona or any sender), who receives it (picked by name), its channel, title and Markdown
// text, what each addressed team is expected to do (each action weighted and linked to the
// objectives it evidences), the control cell's notes, its files (uploaded in place) and its
// changes to the map.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { channelName } from './inbox.js';
import { pickedAddressees, showAddressees } from './addressees.js';
import { checkboxes, field, markdownField } from './studio_fields.js';
import {
  CHANNELS, componentName, docView, renameInEvaluation, teamName, teams, text, triggerKind, withText,
} from './studio_doc.js';
import { uploadAttachment } from './studio_api.js';
import { copChangeFields } from './studio_cop_change.js';
import { conditionFields } from './studio_branch.js';

// The teams an inject reaches through its addressees (docs/scenario-format.md, "The MSEL").
export function audience(doc, to = {}) {
  const all = teams(doc).map((x) => x.id);
  const ofComponent = (c) => teams(doc).filter((x) => x.component === c).map((x) => x.id);
  const reached = new Set([...(to.teams || []), ...(to.components || []).flatMap(ofComponent)]);
  for (const room of to.rooms || []) {
    if (room === 'joint' || room === 'plenary') all.forEach((x) => reached.add(x));
    else if (room.startsWith('team:')) reached.add(room.slice(5));
    else if (room.startsWith('component:')) ofComponent(room.slice(10)).forEach((x) => reached.add(x));
    else if (room.startsWith('liaison:')) room.slice(8).split('~').forEach((x) => reached.add(x));
    else {
      const extra = (doc.rooms?.extra || []).find((r) => r.id === room);
      const read = extra?.read === 'all' ? all : extra?.read || [];
      for (const id of read) (all.includes(id) ? [id] : ofComponent(id)).forEach((x) => reached.add(x));
    }
  }
  return all.filter((x) => reached.has(x));
}

export class InjectEditor {
  constructor(editor, root, { onClose }) {
    this.editor = editor;
    this.root = root;
    this.onClose = onClose;
    this.index = null;
  }

  get doc() { return this.editor.doc; }
  get inject() { return this.doc.msel[this.index]; }

  open(index) {
    this.index = index;
    this.draw();
    this.root.hidden = false;
    this.root.querySelector('#inject-title')?.focus();
  }

  close() {
    const index = this.index;
    this.index = null;
    this.root.hidden = true;
    replaceChildren(this.root);
    this.onClose(index);
  }

  // `k` is the inject's path prefix: problems at msel.<index>.<field> land on these fields.
  draw() {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const k = `msel.${this.index}`;
    const txt = (key, label, options = {}) => field(editor, { label, path: `${k}.${key}`, get: () => text(inject()[key], doc),
      set: (v) => { if (v === '' && options.optional) delete inject()[key]; else inject()[key] = withText(inject()[key], doc, v); }, ...options });
    const toBox = el('fieldset', { class: 'addressees', id: 'inject-to', dataset: { path: `${k}.to` } }, el('legend', {}, t('To')));
    showAddressees(toBox, docView(doc), inject().to || {});
    toBox.addEventListener('change', () => {
      const picked = pickedAddressees(toBox);
      inject().to = Object.fromEntries(Object.entries(picked).filter(([, ids]) => ids.length));
      editor.changed();
      this.drawExpected();
    });
    this.actionsBox = el('div', { class: 'expected-actions-box' });
    const expectedBox = el('div', { class: 'expected-box' }, this.actionsBox, this.objectiveFields(k));
    replaceChildren(this.root,
      el('div', { class: 'editor-head' }, el('h3', { id: 'inject-editor-heading' }, t('Inject {id}', { id: inject().id })),
        el('button', { type: 'button', id: 'inject-done', onclick: () => this.close() }, t('Done'))),
      el('div', { class: 'studio-grid' },
        field(editor, { label: t('Id'), path: `${k}.id`, get: () => inject().id, set: (v) => { renameInject(doc, inject(), v.trim()); },
          attrs: { id: 'inject-id', class: 'short' } }),
        this.triggerFields(k),
        this.senderField(k),
        field(editor, { label: t('Channel'), path: `${k}.channel`, options: CHANNELS.map((c) => [c, channelName(c)]),
          get: () => inject().channel, set: (v) => { inject().channel = v; }, attrs: { id: 'inject-channel' } })),
      toBox,
      txt('title', t('Title'), { attrs: { id: 'inject-title', maxlength: 200 } }),
      markdownField(editor, { label: t('Message (Markdown)'), path: `${k}.body`, rows: 6,
        get: () => text(inject().body, doc), set: (v) => { inject().body = withText(inject().body, doc, v); } }),
      expectedBox,
      checkboxes(editor, { legend: t('Course modules'), path: `${k}.modules`,
        choices: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, t('Module {n}', { n })]),
        get: () => inject().modules, set: (v) => { if (v.length) inject().modules = v.map(Number); else delete inject().modules; } }),
      txt('notes', t('Control notes (never shown to the teams)'), { rows: 2, optional: true, attrs: { id: 'inject-notes' } }),
      this.attachmentFields(k),
      this.copFields(k));
    this.root.querySelector('#inject-body, textarea')?.setAttribute('id', 'inject-body');
    this.drawExpected();
  }

  triggerFields(k) {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const box = el('fieldset', { class: 'trigger', dataset: { path: `${k}.at` } }, el('legend', {}, t('When')));
    const draw = () => {
      const kind = inject().instead_of !== undefined ? 'instead' : triggerKind(inject().at);
      const others = doc.msel.filter((x, n) => n !== this.index).map((x) => [x.id, `${x.id}: ${text(x.title, doc)}`]);
      const after = () => (typeof inject().at === 'object' ? inject().at : {});
      replaceChildren(box, box.firstChild,
        field(editor, { label: t('Trigger'), path: `${k}.at.kind`, attrs: { id: 'inject-trigger' },
          options: [['time', t('At a time')], ['manual', t('Released by hand')], ['after', t('After another inject')],
            ['when', t('When teams do something')], ['instead', t('Instead of another inject, if')]],
          get: () => kind, set: (v) => {
            delete inject().instead_of;
            delete inject().when;
            if (v === 'time') inject().at = '+0:00';
            else if (v === 'manual') inject().at = 'manual';
            else if (v === 'after') inject().at = { after: others[0]?.[0] || '', when: 'released' };
            else if (v === 'when') inject().at = { when: { request: 'declined' } };
            else { // an alternate: no time of its own (docs/scenario-format.md, "Branching")
              delete inject().at;
              Object.assign(inject(), { instead_of: others[0]?.[0] || '', when: { request: 'declined' } });
            }
            draw();
          } }),
        kind === 'when' ? [
          conditionFields(editor, doc, { path: `${k}.at.when`, others, get: () => inject().at.when,
            set: (c) => { inject().at = { ...inject().at, when: c }; } }),
          field(editor, { label: t('Delay (+H:MM, optional)'), path: `${k}.at.delay`, attrs: { id: 'inject-delay', size: 8 },
            get: () => inject().at.delay, set: (v) => {
              const at = { ...inject().at, delay: v.trim() };
              if (!at.delay) delete at.delay;
              inject().at = at;
            } }),
        ] : null,
        kind === 'instead' ? [
          field(editor, { label: t('Instead of'), path: `${k}.instead_of`, options: others, attrs: { id: 'inject-instead-of' },
            get: () => inject().instead_of, set: (v) => { inject().instead_of = v; } }),
          conditionFields(editor, doc, { path: `${k}.when`, others, get: () => inject().when,
            set: (c) => { inject().when = c; } }),
        ] : null,
        kind === 'time' ? field(editor, { label: t('Due (+H:MM from the start)'), path: `${k}.at`, attrs: { id: 'inject-at', size: 8 },
          get: () => inject().at, set: (v) => { inject().at = v.trim(); } }) : null,
        kind === 'after' ? [
          field(editor, { label: t('After'), path: `${k}.at.after`, options: others, attrs: { id: 'inject-after' },
            get: () => after().after, set: (v) => { inject().at = { ...after(), after: v }; } }),
          field(editor, { label: t('is'), path: `${k}.at.when`, attrs: { id: 'inject-when' },
            options: [['released', t('released')], ['acknowledged', t('acknowledged')]],
            get: () => after().when, set: (v) => { inject().at = { ...after(), when: v }; } }),
          field(editor, { label: t('Delay (+H:MM, optional)'), path: `${k}.at.delay`, attrs: { id: 'inject-delay', size: 8 },
            get: () => after().delay, set: (v) => {
              const at = { ...after(), delay: v.trim() };
              if (!at.delay) delete at.delay;
              inject().at = at;
            } }),
        ] : null);
    };
    draw();
    return box;
  }

  // The sender: one of the scenario's personas, or a name typed in.
  senderField(k) {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const personas = doc.personas || [];
    const isPersona = () => personas.some((p) => p.id === inject().from);
    const other = field(editor, { label: t('Sender\'s name'), path: `${k}.from`, attrs: { id: 'inject-from-text', maxlength: 200 },
      get: () => (isPersona() ? '' : text(inject().from, doc)), set: (v) => { inject().from = withText(isPersona() ? '' : inject().from, doc, v); } });
    other.hidden = isPersona();
    const pick = field(editor, { label: t('Sender'), path: `${k}.from`, attrs: { id: 'inject-from' },
      options: [...personas.map((p) => [p.id, [text(p.name, doc), text(p.role, doc)].filter(Boolean).join(', ')]), ['', t('Someone else (type the name)')]],
      get: () => (isPersona() ? inject().from : ''), set: (v) => {
        inject().from = v || other.querySelector('input').value || '';
        other.hidden = Boolean(v);
      } });
    return el('div', { class: 'sender' }, pick, other);
  }

  // Expected actions: for each addressed team (or a component of them), a list of actions, each
  // with its weight and the objectives it evidences (picked by name; an action without its own
  // evidences the inject's objectives, ticked below).
  drawExpected() {
    const { editor, doc } = this;
    const inject = this.inject;
    const k = `msel.${this.index}`;
    const reached = audience(doc, inject.to);
    const keys = [...new Set([...reached, ...Object.keys(inject.expected || {})])];
    const objectiveChoices = Object.keys(doc.objectives || {}).map((id) => [id, `${id}: ${text(doc.objectives[id], doc).slice(0, 60)}`]);
    const who = (id) => (teams(doc).some((x) => x.id === id) ? teamName(doc, id) : componentName(doc, id));
    const redraw = (id, focusLast = false) => {
      editor.changed();
      this.drawExpected();
      if (focusLast) [...this.actionsBox.querySelectorAll(`[data-team="${CSS.escape(id)}"] .expected-text`)].pop()?.focus();
    };
    const team = (id) => el('fieldset', { class: 'expected-team', dataset: { team: id, path: `${k}.expected.${id}` } },
      el('legend', {}, who(id)),
      el('ol', {}, actionsOf(inject, id).map((_, n) => {
        const path = `${k}.expected.${id}.${n}`;
        const parts = () => actionParts(actionsOf(inject, id)[n]);
        const put = (change) => setAction(inject, id, n, { ...parts(), ...change });
        return el('li', { class: 'expected-action', dataset: { path } },
          el('div', { class: 'row-fields' },
            field(editor, { label: t('Action'), path: `${path}.action`, attrs: { class: 'expected-text wide', maxlength: 500 },
              get: () => text(parts().action, doc), set: (v) => put({ action: withText(parts().action, doc, v) }) }),
            field(editor, { label: t('Weight'), path: `${path}.weight`, attrs: { class: 'expected-weight' },
              options: [['desirable', t('desirable')], ['critical', t('critical')]],
              get: () => parts().weight || 'desirable', set: (v) => put({ weight: v }) }),
            el('button', { type: 'button', class: 'danger remove-action', onclick: () => {
              removeAction(inject, id, n);
              redraw(id);
            } }, t('Remove'))),
          objectiveChoices.length ? checkboxes(editor, { legend: t('Objectives it evidences'), path: `${path}.objectives`,
            choices: objectiveChoices, get: () => parts().objectives ?? inject.objectives ?? [],
            set: (v) => put({ objectives: v }) }) : null);
      })),
      el('button', { type: 'button', class: 'add-action', dataset: { team: id }, onclick: () => {
        setAction(inject, id, actionsOf(inject, id).length, { action: '' });
        redraw(id, true);
      } }, t('Add an action for {team}', { team: who(id) })));
    replaceChildren(this.actionsBox,
      el('fieldset', { class: 'expected', dataset: { path: `${k}.expected` } }, el('legend', {}, t('Expected actions')),
        keys.length ? keys.map(team) : el('p', { class: 'meta' }, t('Pick the addressees first.'))));
  }

  // The inject's objectives: what its actions without objectives of their own evidence.
  objectiveFields(k) {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const choices = Object.keys(doc.objectives || {}).map((id) => [id, `${id}: ${text(doc.objectives[id], doc).slice(0, 60)}`]);
    const box = checkboxes(editor, { legend: t('Objectives these actions evidence'), path: `${k}.objectives`, choices,
      get: () => inject().objectives, set: (v) => { if (v.length) inject().objectives = v; else delete inject().objectives; } });
    box.addEventListener('change', () => this.drawExpected()); // the actions that follow the inject's show them
    return box;
  }

  // Each attachment: its title, its file in each other language the scenario declares (one of the
  // folder's files, or the default language's file), and Remove.
  attachmentFields(k) {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const box = el('fieldset', { class: 'attachments-edit', dataset: { path: `${k}.attachments` } }, el('legend', {}, t('Files')));
    const status = el('p', { class: 'meta', role: 'status' });
    const draw = () => {
      const list = inject().attachments || [];
      replaceChildren(box, box.firstChild,
        el('ul', {}, list.map((a, n) => {
          const file = text(typeof a === 'string' ? a : a.file, doc); // the default language's file
          return el('li', {}, field(editor, { label: t('Title of {file}', { file }), path: `${k}.attachments.${n}`,
            get: () => (typeof a === 'string' ? a : text(a.title, doc)),
            set: (v) => {
              a = typeof a === 'string' ? { file: a, title: withText('', doc, v) } : { ...a, title: withText(a.title, doc, v) };
              list[n] = a;
            } }),
          ...otherLanguages(doc).map((language) => {
            const own = typeof a === 'object' && typeof a.file === 'object' ? a.file[language] || '' : '';
            const names = [...new Set([...editor.attachments.map((f) => f.file), own].filter((f) => f && f !== file))];
            const base = (doc.default_language || 'en').toUpperCase();
            return field(editor, {
              label: t('File in {language}', { language: language.toUpperCase() }), path: `${k}.attachments.${n}.file.${language}`,
              options: [['', t('Same file as in {language}', { language: base })], ...names.map((f) => [f, f])],
              attrs: { class: 'attachment-language-file' },
              get: () => own,
              set: (v) => { a = withLanguageFile(typeof a === 'string' ? { file: a, title: a } : a, doc, language, v); list[n] = a; },
            });
          }),
          el('button', { type: 'button', class: 'danger', onclick: () => {
            list.splice(n, 1);
            if (!list.length) delete inject().attachments;
            editor.changed();
            draw();
          } }, t('Remove')));
        })),
        editor.attachments.length ? el('div', { class: 'row-fields' },
          field(editor, { label: t('A file already in the folder'), path: `${k}.attachments.pick`, attrs: { id: 'inject-existing-file' },
            options: editor.attachments.map((a) => [a.file, a.file]), get: () => editor.attachments[0].file, set: () => {} }),
          el('button', { type: 'button', id: 'attach-existing', onclick: () => {
            const file = box.querySelector('#inject-existing-file').value;
            inject().attachments = [...(inject().attachments || []), { file, title: file.replace(/\.[^.]*$/, '') }];
            editor.changed();
            draw();
          } }, t('Attach it'))) : null,
        el('label', { class: 'field' }, el('span', { class: 'field-label' }, t('Attach a file (PDF, image, office document; 5 MB at most)')),
          el('input', { type: 'file', id: 'inject-file', accept: '.pdf,.png,.jpg,.jpeg,.csv,.txt,.md,.xlsx,.docx,.odt,.ods',
            onchange: async (e) => {
              const file = e.target.files[0];
              if (!file) return;
              status.textContent = t('Uploading {file}…', { file: file.name });
              try {
                const stored = await uploadAttachment(editor.id, file);
                if (!editor.attachments.some((a) => a.file === stored.file)) editor.attachments.push({ file: stored.file });
                inject().attachments ||= [];
                inject().attachments.push({ file: stored.file, title: file.name.replace(/\.[^.]*$/, '') });
                status.textContent = t('{file} attached.', { file: stored.file });
                editor.changed();
                draw();
              } catch (error) {
                status.textContent = t('{file} was not attached: {reason}', { file: file.name, reason: error.message });
              }
            } })),
        status);
    };
    draw();
    return box;
  }

  // The map changes released with the inject: change a feature (its name, kind, owner, who sees it,
  // properties, place or shape), remove one, or show one hidden until then (added when the inject
  // is released; drawn in the map section as a feature of this inject).
  copFields(k) {
    const { editor, doc } = this;
    const inject = () => this.inject;
    const box = el('fieldset', { class: 'cop-changes', dataset: { path: `${k}.cop` } }, el('legend', {}, t('Map changes when released')));
    const draw = () => {
      const features = (doc.cop?.features || []).map((f) => [f.id, `${text(f.name, doc)} (${f.id})`]);
      const changes = inject().cop || [];
      replaceChildren(box, box.firstChild,
        el('ul', {}, changes.map((change, n) => el('li', { class: 'cop-change', dataset: { path: `${k}.cop.${n}` } },
          describeChange(doc, change), ' ',
          el('button', { type: 'button', class: 'danger', onclick: () => {
            const [undone] = changes.splice(n, 1);
            if (undone.add) (((doc.cop ||= {}).features ||= [])).push(undone.add); // back on the map from the start
            if (!changes.length) delete inject().cop;
            editor.changed();
            draw();
          } }, t('Remove')),
          change.change ? copChangeFields(editor, change, `${k}.cop.${n}`, draw) : null))),
        features.length ? el('div', { class: 'row-fields' },
          field(editor, { label: t('Feature'), path: `${k}.cop.pick`, options: features, attrs: { id: 'cop-change-feature' },
            get: () => features[0][0], set: () => {} }),
          el('button', { type: 'button', id: 'cop-change-edit', onclick: () => {
            const id = box.querySelector('#cop-change-feature').value;
            inject().cop = [...(inject().cop || []), { change: id, set: {} }];
            editor.changed();
            draw();
            [...box.querySelectorAll('.cop-change-edit')].pop()?.querySelector('input')?.focus();
          } }, t('Change it when released')),
          el('button', { type: 'button', id: 'cop-change-remove', onclick: () => {
            const id = box.querySelector('#cop-change-feature').value;
            inject().cop = [...(inject().cop || []), { remove: id }];
            editor.changed();
            draw();
          } }, t('Remove it from the map')),
          el('button', { type: 'button', id: 'cop-change-add', onclick: () => {
            // Drawn on the map tab, shown to the teams only once this inject is released.
            const id = box.querySelector('#cop-change-feature').value;
            const list = doc.cop.features;
            const [feature] = list.splice(list.findIndex((f) => f.id === id), 1);
            inject().cop = [...(inject().cop || []), { add: feature }];
            editor.changed();
            this.draw();
          } }, t('Show it only once released'))) : el('p', { class: 'meta' }, t('Draw features on the map first.')));
    };
    draw();
    return box;
  }
}

// The actions expected of addressee `id` (a file may give one action without a list).
function actionsOf(inject, id) {
  const actions = inject.expected?.[id];
  return Array.isArray(actions) ? actions : actions == null ? [] : [actions];
}

// An expected action's parts: {action, objectives?, weight?} (a plain text is just its action).
function actionParts(action) {
  return action && typeof action === 'object' && 'action' in action ? action : { action };
}

// Write action `n` of `id` as the file does: plain text unless it has its own objectives or is critical.
function setAction(inject, id, n, { action, objectives, weight }) {
  const actions = [...actionsOf(inject, id)];
  const linked = { action, ...(objectives ? { objectives } : {}), ...(weight && weight !== 'desirable' ? { weight } : {}) };
  actions[n] = Object.keys(linked).length > 1 ? linked : action;
  (inject.expected ||= {})[id] = actions;
}

function removeAction(inject, id, n) {
  const actions = actionsOf(inject, id).filter((_, m) => m !== n);
  if (actions.length) inject.expected[id] = actions; else delete inject.expected[id];
  if (!Object.keys(inject.expected || {}).length) delete inject.expected;
}

// A new id for an inject, and for the conditions and the evaluation guide's items that name it.
function renameInject(doc, inject, id) {
  const before = inject.id;
  inject.id = id;
  for (const other of doc.msel) {
    if (other !== inject && other.at && typeof other.at === 'object' && other.at.after === before) other.at = { ...other.at, after: id };
  }
  renameInEvaluation(doc, before, id);
}

function describeChange(doc, change) {
  if (change.add) return t('Adds {name}', { name: text(change.add.name, doc) || change.add.id });
  if (change.remove) return t('Removes {id}', { id: change.remove });
  if (change.change) return t('Changes {id}', { id: change.change });
  return JSON.stringify(change);
}

// The languages of the scenario besides its default one.
function otherLanguages(doc) {
  const base = doc.default_language || 'en';
  return (doc.languages || []).filter((language) => language !== base);
}

// An attachment with `name` as its file in `language` ('' leaves that language with the default's file):
// `file` a language mapping while any language has its own file, a plain name otherwise.
function withLanguageFile(attachment, doc, language, name) {
  const base = doc.default_language || 'en';
  const files = typeof attachment.file === 'object' ? { ...attachment.file } : { [base]: attachment.file };
  if (name) files[language] = name;
  else delete files[language];
  return { ...attachment, file: Object.keys(files).length > 1 ? files : files[base] };
}
