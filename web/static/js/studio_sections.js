// The studio's forms for the scenario as a whole: its title, setting and times, its objectives,
// components and teams, rooms, briefings and personas. Each draws itself from the document and
// writes every change back into it (studio.js keeps the document, checks and saves it).

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { checkboxes, field, listEditor, markdownField } from './studio_fields.js';
import {
  DEFAULT_COMPONENTS, clone, componentName, components, playedByControl, renameParty, renameRoom, slug, teams, text, withText,
} from './studio_doc.js';

const MODULES = [1, 2, 3, 4, 5, 6, 7, 8];

// A translatable text of `obj[key]`, edited in the scenario's default language.
export function textField(editor, obj, key, label, path, options = {}) {
  const { doc } = editor;
  return field(editor, { label, path, get: () => text(obj()[key], doc), set: (v) => { obj()[key] = withText(obj()[key], doc, v); }, ...options });
}

export function plainField(editor, obj, key, label, path, options = {}) {
  return field(editor, { label, path, get: () => obj()[key], set: (v) => { obj()[key] = v; }, ...options });
}

export function scenarioSection(editor, root) {
  const { doc } = editor;
  const redraw = () => scenarioSection(editor, root);
  doc.objectives ||= {};
  const objectiveIds = () => Object.keys(doc.objectives);
  replaceChildren(root, el('h2', {}, t('Scenario')),
    el('div', { class: 'studio-grid' },
      plainField(editor, () => doc, 'title', t('Title'), 'title', { attrs: { id: 'sc-title', required: true, maxlength: 200 } }),
      plainField(editor, () => doc, 'start', t('Scenario time at the start'), 'start',
        { hint: t('D+N HH:MM, e.g. D+1 09:00'), attrs: { id: 'sc-start' } }),
      plainField(editor, () => doc, 'duration', t('Planned duration'), 'duration', { hint: t('H:MM, e.g. 1:30'), attrs: { id: 'sc-duration' } }),
      field(editor, { label: t('Base map'), path: 'basemap', attrs: { id: 'sc-basemap' },
        options: [['', t('none')], ...[...new Set([...editor.basemaps, doc.basemap].filter(Boolean))].map((name) => [name, name])],
        get: () => doc.basemap || '', set: (v) => { if (v) doc.basemap = v; else delete doc.basemap; editor.basemapChanged(); } })),
    markdownField(editor, { label: t('Setting (Markdown, read by everyone)'), path: 'setting',
      get: () => text(doc.setting, doc), set: (v) => { doc.setting = withText(doc.setting, doc, v); } }),
    checkboxes(editor, { legend: t('Course modules'), path: 'modules', choices: MODULES.map((n) => [n, t('Module {n}', { n })]),
      get: () => doc.modules, set: (v) => { if (v.length) doc.modules = v.map(Number); else delete doc.modules; } }),
    el('h3', {}, t('Objectives')),
    el('ol', { class: 'studio-rows', dataset: { path: 'objectives' } }, objectiveIds().map((id) => el('li', { class: 'studio-row' },
      el('div', { class: 'row-fields' },
        field(editor, { label: t('Id'), path: `objectives.${id}.id`, get: () => id, attrs: { size: 5, class: 'short objective-id' },
          set: (v) => renameKey(doc, 'objectives', id, v.trim(), redraw) }),
        textField(editor, () => doc.objectives, id, t('Objective'), `objectives.${id}`, { attrs: { class: 'wide objective-text' } })),
      el('button', { type: 'button', class: 'danger remove-row', onclick: () => {
        delete doc.objectives[id];
        editor.changed();
        redraw();
      } }, t('Remove'))))),
    el('button', { type: 'button', class: 'add-row', id: 'add-objective', onclick: () => {
      let n = objectiveIds().length + 1;
      while (doc.objectives[`O${n}`] !== undefined) n += 1;
      doc.objectives[`O${n}`] = '';
      editor.changed();
      redraw();
    } }, t('Add objective')));
}

// Renames a key of a mapping in place, keeping its order (an objective's id, a briefing's component).
function renameKey(doc, group, from, to, redraw) {
  if (!to || to === from || to in doc[group]) return;
  doc[group] = Object.fromEntries(Object.entries(doc[group]).map(([k, v]) => [k === from ? to : k, v]));
  for (const inject of doc.msel || []) {
    if (group === 'objectives' && inject.objectives) inject.objectives = inject.objectives.map((o) => (o === from ? to : o));
  }
  if (group === 'objectives') {
    for (const part of ['targets', 'critical_tasks', 'pitfalls']) {
      for (const item of doc.evaluation?.[part] || []) {
        if (Array.isArray(item?.objectives)) item.objectives = item.objectives.map((o) => (o === from ? to : o));
      }
    }
    for (const q of doc.learning?.knowledge_check || []) if (q?.objective === from) q.objective = to;
  }
  clearTimeout(renameKey.timer);
  renameKey.timer = setTimeout(redraw, 800); // after typing: a redraw at each key would lose the field's focus
}

export function peopleSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { peopleSection(editor, root); editor.structureChanged(); };
  const componentChoices = () => components(doc).filter((c) => !playedByControl(c)).map((c) => [c.id, componentName(doc, c.id)]);
  replaceChildren(root, el('h2', {}, t('Components and teams')),
    el('h3', {}, t('Components')),
    doc.components ? null : el('p', { class: 'meta' }, t('The four usual components are used.'), ' ',
      el('button', { type: 'button', id: 'customise-components', onclick: () => { doc.components = clone(DEFAULT_COMPONENTS); editor.changed(); redraw(); } },
        t('Change components'))),
    doc.components ? listEditor(editor, {
      path: 'components', items: () => doc.components,
      row: (c, k) => el('div', { class: 'row-fields' },
        field(editor, { label: t('Id'), path: `components.${k}.id`, attrs: { class: 'short' }, get: () => c.id,
          set: (v) => { const before = c.id; c.id = v.trim(); renameParty(doc, before, c.id); } }),
        textField(editor, () => c, 'name', t('Name'), `components.${k}.name`, { attrs: { class: 'wide' } }),
        field(editor, { label: t('Played by control'), path: `components.${k}.played_by`, type: 'checkbox',
          get: () => playedByControl(c), set: (v) => { if (v) c.played_by = 'control'; else delete c.played_by; } })),
      make: () => ({ id: slug('new component', components(doc).map((x) => x.id)), name: t('New component'), played_by: 'control' }),
      addLabel: t('Add component'), removeLabel: t('Remove'), redraw,
    }) : null,
    el('h3', {}, t('Teams')),
    listEditor(editor, {
      path: 'teams', items: () => (doc.teams ||= []),
      row: (team, k) => el('div', { class: 'row-fields' },
        textField(editor, () => team, 'name', t('Name'), `teams.${k}.name`, { attrs: { class: 'wide team-name' } }),
        field(editor, { label: t('Id'), path: `teams.${k}.id`, attrs: { class: 'short team-id' }, get: () => team.id,
          set: (v) => { const before = team.id; team.id = v.trim(); renameParty(doc, before, team.id); } }),
        plainField(editor, () => team, 'component', t('Component'), `teams.${k}.component`,
          { options: componentChoices(), attrs: { class: 'team-component' } })),
      make: () => ({ id: slug(`team ${teams(doc).length + 1}`, [...teams(doc).map((x) => x.id), ...components(doc).map((c) => c.id)]),
        name: t('New team'), component: componentChoices()[0]?.[0] }),
      addLabel: t('Add team'), removeLabel: t('Remove'), redraw,
    }));
  for (const input of root.querySelectorAll('.team-id, [data-path$=".id"]')) input.addEventListener('change', redraw);
}

function readerChoices(doc) {
  return [['all', t('Everyone')],
    ...components(doc).filter((c) => !playedByControl(c)).map((c) => [c.id, componentName(doc, c.id)]),
    ...teams(doc).map((x) => [x.id, text(x.name, doc) || x.id])];
}

export function roomsSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { roomsSection(editor, root); editor.structureChanged(); };
  const rooms = () => (doc.rooms ||= {});
  const teamChoices = teams(doc).map((x) => [x.id, text(x.name, doc) || x.id]);
  const readers = readerChoices(doc);
  replaceChildren(root, el('h2', {}, t('Rooms')),
    el('p', { class: 'meta' }, t('Every team has its team room, its component room, the joint coordination room and the plenary.')),
    el('h3', {}, t('Extra rooms')),
    listEditor(editor, {
      path: 'rooms.extra', items: () => (rooms().extra ||= []),
      row: (room, k) => el('div', { class: 'row-fields room-row' },
        textField(editor, () => room, 'name', t('Name'), `rooms.extra.${k}.name`, { attrs: { class: 'wide room-name' } }),
        field(editor, { label: t('Id'), path: `rooms.extra.${k}.id`, attrs: { class: 'short room-id' }, get: () => room.id,
          set: (v) => { const before = room.id; room.id = v.trim(); renameRoom(doc, before, room.id); } }),
        checkboxes(editor, { legend: t('Who reads'), path: `rooms.extra.${k}.read`, choices: readers,
          get: () => (room.read === 'all' ? ['all'] : room.read), set: (v) => { room.read = v.includes('all') ? 'all' : v; } }),
        checkboxes(editor, { legend: t('Who writes'), path: `rooms.extra.${k}.write`, choices: readers,
          get: () => (room.write === 'all' ? ['all'] : room.write), set: (v) => { room.write = v.includes('all') ? 'all' : v; } })),
      make: () => ({ id: slug(`room ${(rooms().extra || []).length + 1}`, (rooms().extra || []).map((r) => r.id)),
        name: t('New room'), read: [], write: [] }),
      addLabel: t('Add room'), removeLabel: t('Remove'), redraw, empty: t('No extra rooms.'),
    }),
    el('h3', {}, t('Liaison lines')),
    listEditor(editor, {
      path: 'rooms.liaison', items: () => (rooms().liaison ||= []),
      row: (pair, k) => el('div', { class: 'row-fields' },
        [0, 1].map((side) => field(editor, { label: side ? t('and') : t('Between'), path: `rooms.liaison.${k}.${side}`,
          options: teamChoices, get: () => pair[side], set: (v) => { pair[side] = v; } }))),
      make: () => [teamChoices[0]?.[0], teamChoices[1]?.[0]],
      addLabel: t('Add liaison line'), removeLabel: t('Remove'), redraw, empty: t('No liaison lines.'),
    }));
  for (const input of root.querySelectorAll('.room-id')) input.addEventListener('change', redraw);
}

export function briefingsSection(editor, root) {
  const { doc } = editor;
  const briefings = () => (doc.briefings ||= {});
  replaceChildren(root, el('h2', {}, t('Briefings')),
    el('p', { class: 'meta' }, t('Each team reads its component\'s briefing at the start.')),
    components(doc).filter((c) => !playedByControl(c)).map((c) => el('div', { class: 'briefing-edit' },
      markdownField(editor, { label: t('Briefing: {component}', { component: componentName(doc, c.id) }), path: `briefings.${c.id}`,
        get: () => text(briefings()[c.id], doc),
        set: (v) => { if (v || briefings()[c.id]) briefings()[c.id] = withText(briefings()[c.id], doc, v); } }))));
}

export function personasSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { personasSection(editor, root); editor.structureChanged(); };
  replaceChildren(root, el('h2', {}, t('Personas')),
    el('p', { class: 'meta' }, t('The people the control cell speaks for: picked as an inject\'s sender.')),
    listEditor(editor, {
      path: 'personas', items: () => (doc.personas ||= []),
      row: (p, k) => el('div', { class: 'row-fields persona-row' },
        textField(editor, () => p, 'name', t('Name'), `personas.${k}.name`, { attrs: { class: 'persona-name' } }),
        textField(editor, () => p, 'role', t('Role'), `personas.${k}.role`, { attrs: { class: 'persona-role' } }),
        plainField(editor, () => p, 'organisation', t('Organisation'), `personas.${k}.organisation`, { attrs: { class: 'persona-org' } }),
        plainField(editor, () => p, 'id', t('Id'), `personas.${k}.id`, { attrs: { class: 'short persona-id' } }),
        plainField(editor, () => p, 'notes', t('Notes'), `personas.${k}.notes`, { rows: 2, attrs: { class: 'persona-notes' } })),
      make: () => ({ id: slug(`persona ${(doc.personas || []).length + 1}`, (doc.personas || []).map((x) => x.id)), name: '' }),
      addLabel: t('Add persona'), removeLabel: t('Remove'), redraw, empty: t('No personas yet.'),
    }));
  // Empty optional fields are left out of the file, not written as empty text.
  root.addEventListener('change', () => {
    for (const p of doc.personas || []) for (const key of ['role', 'organisation', 'notes']) if (p[key] === '') delete p[key];
  });
}

// The civil-military coordination settings (docs/scenario-format.md) and the role cards, one per
// person inside a team (core/role_cards.py): a team's view shows its cards without their hidden
// agendas, which the control cell prints from the handout.
export function coordinationSection(editor, root) {
  const { doc } = editor;
  const redraw = () => { coordinationSection(editor, root); editor.structureChanged(); };
  const humanitarian = teams(doc).filter((team) => team.component === 'humanitarian');
  const optional = (key) => (v) => { if (v) doc[key] = v; else delete doc[key]; };
  replaceChildren(root, el('h2', {}, t('Coordination')),
    el('div', { class: 'row-fields' },
      field(editor, { label: t('Guidelines on military assets'), path: 'guideline', get: () => doc.guideline || '', set: optional('guideline'),
        options: [['', t('not named')], ['oslo', t('Oslo Guidelines (disasters in peacetime)')], ['mcda', t('MCDA Guidelines (complex emergencies)')]],
        attrs: { class: 'coordination-guideline' } }),
      field(editor, { label: t('Humanitarian coordination team (OCHA)'), path: 'ocha_team', get: () => doc.ocha_team || '', set: optional('ocha_team'),
        options: [['', t('none: requests go straight to the military, flagged')], ...humanitarian.map((team) => [team.id, text(team.name, doc)])],
        attrs: { class: 'coordination-ocha' } }),
      field(editor, { label: t('Hazards near a notification'), path: 'hazard_flags', get: () => doc.hazard_flags || 'at_once',
        set: (v) => { if (v === 'at_once') delete doc.hazard_flags; else doc.hazard_flags = v; },
        options: [['at_once', t('flagged at once')], ['off', t('not flagged: the teams must warn each other')],
          ...[...new Set(['+0:05', '+0:10', '+0:15', '+0:30', ...[doc.hazard_flags].filter((v) => typeof v === 'string' && v.startsWith('+'))])]
            .map((delay) => [delay, t('flagged after {delay} if nobody warns first', { delay })])],
        attrs: { class: 'coordination-hazards' } })),
    el('h3', {}, t('Role cards')),
    el('p', { class: 'meta' }, t('One card per person inside a team. The team sees its cards without the hidden agenda; the handout prints each card whole to hand to its player.')),
    listEditor(editor, {
      path: 'role_cards', items: () => (doc.role_cards ||= []),
      row: (card, k) => el('div', { class: 'row-fields role-card-row' },
        textField(editor, () => card, 'role', t('Role'), `role_cards.${k}.role`, { attrs: { class: 'card-role' } }),
        plainField(editor, () => card, 'team', t('Team'), `role_cards.${k}.team`,
          { options: teams(doc).map((team) => [team.id, text(team.name, doc)]), attrs: { class: 'card-team' } }),
        plainField(editor, () => card, 'id', t('Id'), `role_cards.${k}.id`, { attrs: { class: 'short card-id' } }),
        textField(editor, () => card, 'mandate', t('Mandate'), `role_cards.${k}.mandate`, { rows: 2, attrs: { class: 'card-mandate' } }),
        textField(editor, () => card, 'legal_basis', t('Legal basis'), `role_cards.${k}.legal_basis`, { rows: 2, attrs: { class: 'card-legal' } }),
        textField(editor, () => card, 'red_lines', t('Red lines'), `role_cards.${k}.red_lines`, { rows: 2, attrs: { class: 'card-red-lines' } }),
        textField(editor, () => card, 'hidden_agenda', t('Hidden agenda'), `role_cards.${k}.hidden_agenda`, { rows: 2, attrs: { class: 'card-agenda' } })),
      make: () => ({ id: slug(`card ${(doc.role_cards || []).length + 1}`, (doc.role_cards || []).map((x) => x.id)),
        team: teams(doc)[0]?.id, role: '', mandate: '', legal_basis: '', red_lines: '' }),
      addLabel: t('Add role card'), removeLabel: t('Remove'), redraw, empty: t('No role cards yet.'),
    }));
  // An empty hidden agenda is left out of the file, and an empty list of cards too.
  root.addEventListener('change', () => {
    for (const card of doc.role_cards || []) if (card.hidden_agenda === '') delete card.hidden_agenda;
  });
}
