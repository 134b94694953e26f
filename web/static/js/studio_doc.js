// The scenario document the studio edits: the scenario file's YAML as JSON
// (docs/scenario-format.md). What every part of the studio asks of it: the default-language text of
// a translatable field, the components (the four defaults when the file lists none), the rooms an
// inject may be addressed to, times as seconds and back. No DOM here.

export const CHANNELS = ['email', 'radio', 'phone', 'media', 'sitrep', 'map'];
export const FEATURE_KINDS = ['place', 'unit', 'convoy', 'camp', 'route', 'checkpoint', 'incident', 'area', 'note'];
export const DEFAULT_COMPONENTS = [
  { id: 'military', name: 'Military component' }, { id: 'police', name: 'UN Police' },
  { id: 'humanitarian', name: 'Humanitarian community' }, { id: 'civilian', name: 'Mission civilian component' },
];

export const baseLanguage = (doc) => doc.default_language || 'en';

// A translatable field's text in the scenario's default language (a mapping keeps the others).
export function text(value, doc) {
  if (value && typeof value === 'object') return value[baseLanguage(doc)] ?? '';
  return value ?? '';
}

export function withText(value, doc, typed) {
  if (value && typeof value === 'object') return { ...value, [baseLanguage(doc)]: typed };
  return typed;
}

export const components = (doc) => doc.components || DEFAULT_COMPONENTS;
export const teams = (doc) => doc.teams || [];
export const playedByControl = (component) => component.played_by === 'control';

export function teamName(doc, id) {
  const team = teams(doc).find((x) => x.id === id);
  return team ? text(team.name, doc) || id : id;
}

export function componentName(doc, id) {
  const component = components(doc).find((x) => x.id === id);
  return component ? text(component.name, doc) || id : id;
}

export const liaisonId = ([a, b]) => `liaison:${[a, b].sort().join('~')}`;

// The rooms of the scenario as the exercise's state lists them (rooms.js and addressees.js read
// these): team and component rooms, joint, plenary, the liaison lines and the extra rooms.
export function rooms(doc) {
  const out = {};
  for (const team of teams(doc)) out[`team:${team.id}`] = { id: `team:${team.id}`, kind: 'team' };
  for (const c of components(doc)) if (!playedByControl(c)) out[`component:${c.id}`] = { id: `component:${c.id}`, kind: 'component' };
  out.joint = { id: 'joint', kind: 'joint' };
  out.plenary = { id: 'plenary', kind: 'plenary' };
  for (const pair of doc.rooms?.liaison || []) out[liaisonId(pair)] = { id: liaisonId(pair), kind: 'liaison' };
  for (const room of doc.rooms?.extra || []) out[room.id] = { id: room.id, kind: 'extra', name: text(room.name, doc) };
  return out;
}

// What addressees.js and rooms.js ask of a view, made from the document: names in its default language.
export function docView(doc) {
  const scenario = {
    components: components(doc).map((c) => ({ ...c, name: text(c.name, doc), played_by_control: playedByControl(c) })),
    teams: teams(doc).map((x) => ({ ...x, name: text(x.name, doc) })),
    default_language: baseLanguage(doc), languages: [baseLanguage(doc)],
  };
  return { state: { scenario, rooms: rooms(doc) }, teamName: (id) => teamName(doc, id) };
}

// '+1:30', '+0:05:30' -> seconds; null when it is not an offset.
export function offsetSeconds(at) {
  const m = typeof at === 'string' ? /^\+?(\d+):([0-5]\d)(?::([0-5]\d))?$/.exec(at.trim()) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] || 0) : null;
}

export function offsetText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const rest = s % 60 ? `:${String(s % 60).padStart(2, '0')}` : '';
  return `+${h}:${m}${rest}`;
}

// 'H:MM' -> seconds.
export function durationSeconds(duration) {
  const m = /^(\d+):([0-5]\d)$/.exec(String(duration ?? '').trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 : null;
}

// The kind of an inject's trigger: 'time', 'manual' or 'after'.
export function triggerKind(at) {
  if (at === 'manual') return 'manual';
  if (at && typeof at === 'object') return at.when && typeof at.when === 'object' ? 'when' : 'after';
  return 'time';
}

// The next free id of the form <prefix><n> (two digits at least) after the highest among `taken`.
export function nextId(prefix, taken) {
  const numbers = taken.filter((id) => id.startsWith(prefix)).map((id) => Number(id.slice(prefix.length))).filter(Number.isInteger);
  const n = Math.max(0, ...numbers) + 1;
  return `${prefix}${String(n).padStart(2, '0')}`;
}

// A lowercase id from a name (ids are lowercase letters, digits and '-').
export function slug(name, taken = []) {
  const base = String(name).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'item';
  let id = base;
  for (let n = 2; taken.includes(id); n += 1) id = `${base}-${n}`;
  return id;
}

// A problem's field path as the studio's fields name it: 'msel.3.title' (from ['msel', 3, 'title'],
// 'msel[3].title' or 'msel.3.title').
export function pathKey(path) {
  if (Array.isArray(path)) return path.join('.');
  return String(path ?? '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

export const clone = (value) => JSON.parse(JSON.stringify(value));

// Whether a section of lists (evaluation, learning) has the shape its tab edits: absent, or a
// mapping of absent lists or lists of mappings. A file written by hand may not; validate says why.
export function editableLists(doc, section, parts) {
  const value = doc[section];
  if (value === undefined || value === null) return true;
  const mapping = (x) => x && typeof x === 'object' && !Array.isArray(x);
  return mapping(value) && parts.every((part) => value[part] === undefined || (Array.isArray(value[part]) && value[part].every(mapping)));
}

// What is sent: the document without the empty lists and mappings the forms made on their way
// (no personas, no extra rooms, no features yet), which the file does not need.
export function tidy(doc) {
  const out = clone(doc);
  const empty = (v) => v === undefined || (Array.isArray(v) ? !v.length : v && typeof v === 'object' && !Object.keys(v).length);
  if (out.rooms) for (const key of ['extra', 'liaison']) if (empty(out.rooms[key])) delete out.rooms[key];
  if (out.cop && empty(out.cop.features)) delete out.cop.features;
  for (const [section, parts] of [['evaluation', ['targets', 'critical_tasks', 'pitfalls']], ['learning', ['knowledge_check', 'feedback']]]) {
    if (out[section] && typeof out[section] === 'object') for (const key of parts) if (key in out[section] && empty(out[section][key])) delete out[section][key];
  }
  for (const key of ['personas', 'rooms', 'cop', 'briefings', 'role_cards', 'evaluation', 'learning']) if (key in out && empty(out[key])) delete out[key];
  return out;
}

// A component's or team's new id, and every place that names it: teams' components, addressees,
// expected actions, room readers and writers, liaison lines, briefings, features' visibility and owner,
// the evaluation guide's teams.
export function renameParty(doc, before, after) {
  if (!before || before === after) return;
  const swap = (list) => (Array.isArray(list) ? list.map((x) => (x === before ? after : x)) : list);
  for (const team of doc.teams || []) if (team.component === before) team.component = after;
  for (const inject of doc.msel || []) {
    if (inject.to) for (const key of ['components', 'teams']) if (inject.to[key]) inject.to[key] = swap(inject.to[key]);
    if (inject.expected && before in inject.expected) {
      inject.expected = Object.fromEntries(Object.entries(inject.expected).map(([k, v]) => [k === before ? after : k, v]));
    }
  }
  for (const room of doc.rooms?.extra || []) { room.read = swap(room.read); room.write = swap(room.write); }
  if (doc.rooms?.liaison) doc.rooms.liaison = doc.rooms.liaison.map(swap);
  if (doc.briefings && before in doc.briefings) {
    doc.briefings = Object.fromEntries(Object.entries(doc.briefings).map(([k, v]) => [k === before ? after : k, v]));
  }
  for (const feature of doc.cop?.features || []) {
    feature.visible_to = swap(feature.visible_to);
    if (feature.owner === before) feature.owner = after;
  }
  for (const part of ['targets', 'critical_tasks', 'pitfalls']) {
    for (const item of doc.evaluation?.[part] || []) if (Array.isArray(item?.teams)) item.teams = swap(item.teams);
  }
}

// An inject's new id in the evaluation guide: the targets' inject, the pitfalls' injects.
export function renameInEvaluation(doc, before, after) {
  if (!before || before === after) return;
  for (const target of doc.evaluation?.targets || []) if (target?.inject === before) target.inject = after;
  for (const pitfall of doc.evaluation?.pitfalls || []) {
    if (Array.isArray(pitfall?.injects)) pitfall.injects = pitfall.injects.map((x) => (x === before ? after : x));
  }
}

// An extra room's or a feature's new id, in the injects that name it (addressed rooms; map changes).
export function renameRoom(doc, before, after) {
  if (!before || before === after) return;
  for (const inject of doc.msel || []) {
    if (inject.to?.rooms) inject.to.rooms = inject.to.rooms.map((x) => (x === before ? after : x));
  }
}

export function renameFeature(doc, before, after) {
  if (!before || before === after) return;
  for (const inject of doc.msel || []) {
    for (const change of inject.cop || []) {
      if (change.remove === before) change.remove = after;
      if (change.change === before) change.change = after;
    }
  }
}
