// An inject's change to an existing COP feature at release (`change: <id>, set: {...}`,
// docs/scenario-format.md): its new name, kind, owner, who sees it, properties and place or shape.
// Every field left empty or unticked stays as it was; the new place or shape is picked on the map.

import { el } from './dom.js';
import { t } from './i18n.js';
import { featureKindName } from './words.js';
import { checkboxes, field } from './studio_fields.js';
import { FEATURE_KINDS, componentName, components, playedByControl, teams, text, withText } from './studio_doc.js';

// The feature an inject's change names: drawn on the map from the start, or added by an inject.
function featureOf(doc, id) {
  return (doc.cop?.features || []).find((f) => f.id === id)
    || (doc.msel || []).flatMap((inject) => (inject.cop || []).map((c) => c.add)).find((f) => f?.id === id);
}

// `key: value` lines <-> a properties mapping (numbers stay numbers).
const propertiesText = (props) => Object.entries(props || {}).map(([key, value]) => `${key}: ${value}`).join('\n');
function parseProperties(typed) {
  const out = {};
  for (const line of typed.split('\n')) {
    const at = line.indexOf(':');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    if (key) out[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}

// The fields of `change` (`path` is msel.<n>.cop.<m>); `redraw` draws the inject editor again.
export function copChangeFields(editor, change, path, redraw) {
  const doc = editor.doc;
  const set = () => (change.set ||= {});
  const put = (key, value) => { if (value === undefined) delete set()[key]; else set()[key] = value; };
  const feature = featureOf(doc, change.change);
  const type = feature?.geometry?.type || 'Point';
  const who = [['all', t('Everyone')],
    ...components(doc).filter((c) => !playedByControl(c)).map((c) => [c.id, componentName(doc, c.id)]),
    ...teams(doc).map((x) => [x.id, text(x.name, doc) || x.id])];
  const unchanged = ['', t('Unchanged')];
  const geometry = set().geometry;
  const pick = () => {
    editor.show('map');
    editor.cop.draw(type, null, (drawn) => {
      set().geometry = drawn;
      editor.changed();
      editor.show('msel');
      redraw();
    });
  };
  return el('div', { class: 'cop-change-edit', dataset: { path: `${path}.set`, feature: change.change } },
    el('div', { class: 'row-fields' },
      field(editor, { label: t('New name'), path: `${path}.set.name`, attrs: { class: 'change-name' },
        get: () => text(set().name, doc), set: (v) => put('name', v.trim() ? withText(set().name, doc, v) : undefined) }),
      field(editor, { label: t('New kind'), path: `${path}.set.kind`, attrs: { class: 'change-kind' },
        options: [unchanged, ...FEATURE_KINDS.map((x) => [x, featureKindName(x)])],
        get: () => set().kind || '', set: (v) => put('kind', v || undefined) }),
      field(editor, { label: t('Who may change it from then on'), path: `${path}.set.owner`, attrs: { class: 'change-owner' },
        options: [unchanged, ['control', t('Control only')], ...who.slice(1)],
        get: () => set().owner || '', set: (v) => put('owner', v || undefined) })),
    checkboxes(editor, { legend: t('Who sees it from then on (none ticked: unchanged)'), path: `${path}.set.visible_to`, choices: who,
      get: () => (set().visible_to === 'all' ? ['all'] : set().visible_to || []),
      set: (v) => put('visible_to', !v.length ? undefined : v.includes('all') ? 'all' : v) }),
    field(editor, { label: t('Properties (one "name: value" a line)'), path: `${path}.set.properties`, rows: 2,
      attrs: { class: 'change-properties' }, get: () => propertiesText(set().properties),
      set: (v) => { const props = parseProperties(v); put('properties', Object.keys(props).length ? props : undefined); } }),
    el('p', { class: 'meta change-geometry' }, geometry ? t('Moves to the place or shape picked on the map.') : t('Stays where it is.')),
    el('div', { class: 'row-actions' },
      el('button', { type: 'button', class: 'change-pick', onclick: pick },
        type === 'Point' ? t('Pick its new place on the map') : t('Draw its new shape on the map')),
      geometry ? el('button', { type: 'button', class: 'change-keep', onclick: () => { put('geometry', undefined); editor.changed(); redraw(); } },
        t('Keep it where it is')) : null));
}
