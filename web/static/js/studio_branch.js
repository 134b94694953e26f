// The studio's branch editor (docs/scenario-format.md, "Branching"): a condition on what teams do,
// picked in forms (which kind, then what it names: a team, a COP feature, a room, an inject), for an
// inject's `at: {when, delay}` and for an alternate's `instead_of` + `when`.

import { el, replaceChildren } from './dom.js';
import { t } from './i18n.js';
import { field } from './studio_fields.js';
import { components, rooms, teamName, teams, text } from './studio_doc.js';

const KINDS = ['request', 'notification', 'document', 'decision', 'silence', 'released', 'acknowledged'];

export function conditionKind(condition) {
  return KINDS.find((k) => k in (condition || {})) || 'request';
}

// A new condition of `kind`, with its first choices filled in.
function fresh(kind, doc, others) {
  const first = {
    request: 'declined', document: 'opened', decision: 'recorded',
    notification: doc.cop?.features?.[0]?.id || '', silence: 'joint',
    released: others[0]?.[0] || '', acknowledged: others[0]?.[0] || '',
  }[kind];
  return kind === 'silence' ? { silence: first, minutes: 15 } : { [kind]: first };
}

// The fields of the condition at `path` (`msel.3.at.when`, `msel.3.when`): `get()` reads it, `set(c)` writes it.
export function conditionFields(editor, doc, { path, get, set, others }) {
  const box = el('div', { class: 'condition', dataset: { path } });
  const change = (patch) => {
    const next = { ...get(), ...patch };
    for (const [key, value] of Object.entries(next)) if (value === '' || value === undefined) delete next[key];
    set(next);
  };
  const optional = (choices) => [['', t('any')], ...choices];
  const teamChoices = [...teams(doc).map((x) => [x.id, teamName(doc, x.id)]),
    ...components(doc).map((c) => [c.id, text(c.name, doc)])];
  const draw = () => {
    const condition = get() || {};
    const kind = conditionKind(condition);
    const subject = {
      request: () => field(editor, { label: t('Outcome'), path: `${path}.request`, attrs: { id: 'condition-outcome' },
        options: [['declined', t('declined')], ['accepted', t('accepted')]],
        get: () => condition.request, set: (v) => change({ request: v }) }),
      notification: () => field(editor, { label: t('Covering the COP feature'), path: `${path}.notification`,
        attrs: { id: 'condition-feature' }, options: (doc.cop?.features || []).map((f) => [f.id, `${f.id}: ${text(f.name, doc)}`]),
        get: () => condition.notification, set: (v) => change({ notification: v }) }),
      silence: () => [
        field(editor, { label: t('Room'), path: `${path}.silence`, attrs: { id: 'condition-room' },
          options: Object.keys(rooms(doc)).map((id) => [id, id]), get: () => condition.silence, set: (v) => change({ silence: v }) }),
        field(editor, { label: t('Minutes without a message'), path: `${path}.minutes`, type: 'number',
          attrs: { id: 'condition-minutes', min: 1, max: 1440, class: 'short' },
          get: () => condition.minutes, set: (v) => change({ minutes: Number(v) }) }),
        field(editor, { label: t('Counted from the release of'), path: `${path}.after`, attrs: { id: 'condition-after' },
          options: [['', t('the start')], ...others], get: () => condition.after, set: (v) => change({ after: v }) }),
      ],
      released: () => field(editor, { label: t('Inject'), path: `${path}.released`, attrs: { id: 'condition-inject' },
        options: others, get: () => condition.released, set: (v) => change({ released: v }) }),
      acknowledged: () => field(editor, { label: t('Inject'), path: `${path}.acknowledged`, attrs: { id: 'condition-inject' },
        options: others, get: () => condition.acknowledged, set: (v) => change({ acknowledged: v }) }),
    }[kind];
    replaceChildren(box,
      field(editor, { label: t('Condition'), path: `${path}.kind`, attrs: { id: 'condition-kind' },
        options: [['request', t('A request for assistance is answered')], ['notification', t('A humanitarian notification covers a place')],
          ['document', t('A sensitive document is opened')], ['decision', t('A decision is recorded')],
          ['silence', t('Nobody writes in a room')], ['released', t('Another inject is released')],
          ['acknowledged', t('Another inject is acknowledged')]],
        get: () => kind, set: (v) => { set(fresh(v, doc, others)); draw(); } }),
      subject ? subject() : null,
      ['request', 'notification', 'document', 'decision', 'acknowledged'].includes(kind)
        ? field(editor, { label: t('By'), path: `${path}.team`, attrs: { id: 'condition-team' }, options: optional(teamChoices),
          get: () => condition.team, set: (v) => change({ team: v }) }) : null,
      kind === 'request'
        ? field(editor, { label: t('Answering the inject'), path: `${path}.inject`, attrs: { id: 'condition-answering' },
          options: optional(others), get: () => condition.inject, set: (v) => change({ inject: v }) }) : null);
  };
  draw();
  return box;
}
