// The coordination workflows as every view holds them: folding their events into the
// view's state (mirroring the server's projections), their rows as the pages show them,
// and their places on the COP. Forms and actions live in coordination.js (teams) and
// control_coordination.js (control cell). All text goes in through el() as text nodes.

import { el } from './dom.js';
import { exNow, scenarioLabel } from './clock.js';
import { renderMarkdown } from './markdown.js';
import { t } from './i18n.js';
import { assetName, featureKindName, mediaChip, rfaStatusName, supportName } from './words.js';
import { nameOf } from './content_language.js';

export const WORKFLOW_EVENTS = ['notification.submitted', 'notification.acknowledged', 'notification.hazard_flagged',
  'rfa.submitted', 'rfa.coordinated', 'rfa.responded', 'rfa.clarified', 'tasking.requested', 'tasking.responded',
  'casevac.called', 'casevac.dispatched', 'document.shared', 'document.forwarded', 'document.accessed',
  'media.published', 'statement.issued', 'decision.recorded'];

const RFA_STATUS = { accept: 'accepted', decline: 'declined', more_info: 'more_info_requested' };
const LISTS = ['notifications', 'rfas', 'taskings', 'casevacs', 'documents', 'media', 'statements', 'decisions'];

// -- folding ------------------------------------------------------------------------

export function applyWorkflowEvent(s, e, you) {
  const p = e.payload;
  const meta = { seq: e.seq, ex_time: e.ex_time, wall_time: e.wall_time, author: e.actor.name };
  for (const list of LISTS) s[list] = s[list] || [];
  const doc = (id) => s.documents.find((d) => d.document_id === id);
  const seesAccesses = (d) => you?.role !== 'trainee' || d.owner === you.team;
  switch (e.type) {
    case 'notification.submitted': s.notifications.push({ ...p, ...meta, acks: {}, hazards: [] }); break;
    case 'notification.acknowledged': {
      const n = s.notifications.find((x) => x.notification_id === p.notification_id);
      if (n) n.acks[p.team] = { ...p, ...meta };
      break;
    }
    case 'notification.hazard_flagged': {
      const n = s.notifications.find((x) => x.notification_id === p.notification_id);
      if (n) n.hazards.push({ ...p, seq: e.seq, ex_time: e.ex_time });
      break;
    }
    case 'rfa.submitted':
      s.rfas.push({ ...p, ...meta, status: p.to_military ? 'submitted' : 'with_ocha', conditions: {},
        history: [{ status: 'submitted', team: p.team, reason: '', seq: e.seq, ex_time: e.ex_time }] });
      break;
    case 'rfa.coordinated': { // OCHA forwards or returns; a team new to the request gets its row
      let r = s.rfas.find((x) => x.rfa_id === p.rfa_id);
      if (!r && p.request) {
        r = { ...p.request, history: p.request.history.map((h) => ({ ...h })) };
        s.rfas.push(r);
        s.rfas.sort((a, b) => a.seq - b.seq);
      }
      if (!r) break;
      const forward = p.decision === 'forward';
      r.status = forward ? 'submitted' : 'returned';
      r.to_military = forward;
      r.history.push({ status: forward ? 'forwarded' : 'returned', team: p.team, reason: p.note, seq: e.seq, ex_time: e.ex_time });
      break;
    }
    case 'rfa.responded': {
      const r = s.rfas.find((x) => x.rfa_id === p.rfa_id);
      const status = RFA_STATUS[p.decision];
      if (r) {
        r.status = status;
        if (Object.keys(p.conditions).length) r.conditions = { ...p.conditions };
        r.history.push({ status, team: p.team, reason: p.reason, seq: e.seq, ex_time: e.ex_time });
      }
      break;
    }
    case 'rfa.clarified': {
      const r = s.rfas.find((x) => x.rfa_id === p.rfa_id);
      if (r) { r.status = 'submitted'; r.history.push({ status: 'clarified', team: p.team, reason: p.text, seq: e.seq, ex_time: e.ex_time }); }
      break;
    }
    case 'tasking.requested':
      s.taskings.push({ ...p, ...meta, status: 'requested',
        history: [{ status: 'requested', team: p.team, reason: '', seq: e.seq, ex_time: e.ex_time }] });
      break;
    case 'tasking.responded': {
      const r = s.taskings.find((x) => x.tasking_id === p.tasking_id);
      const status = p.decision === 'accept' ? 'accepted' : 'declined';
      if (r) { r.status = status; r.history.push({ status, team: p.team, reason: p.reason, seq: e.seq, ex_time: e.ex_time }); }
      break;
    }
    case 'casevac.called': s.casevacs.push({ ...p, ...meta, dispatched: null }); break;
    case 'casevac.dispatched': {
      const r = s.casevacs.find((x) => x.casevac_id === p.casevac_id);
      if (r) r.dispatched = { note: p.note, seq: e.seq, ex_time: e.ex_time };
      break;
    }
    case 'document.shared': {
      const row = { ...p, ...meta, recipients: [...p.share_with] };
      if (seesAccesses(row)) row.accesses = [];
      s.documents.push(row);
      break;
    }
    case 'document.forwarded': {
      const d = doc(p.document_id);
      if (d) { d.recipients = [...p.recipients]; break; }
      // Newly ours: the row as it was shared, as the server's snapshot holds it.
      const { to, by, recipients, shared_seq: seq, shared_ex_time: exTime, shared_by: author, ...shared } = p;
      const row = { ...shared, seq, ex_time: exTime, author, wall_time: e.wall_time, recipients: [...recipients] };
      s.documents.push(row);
      s.documents.sort((a, b) => a.seq - b.seq);
      break;
    }
    case 'document.accessed': {
      const d = doc(p.document_id);
      if (!d) break;
      if ('body' in p && d.sealed) { d.body = p.body; d.location = p.location; delete d.sealed; }
      if (d.accesses) {
        d.accesses.push({ document_id: p.document_id, team: p.team, participant: p.participant, name: p.name,
          seq: e.seq, ex_time: e.ex_time });
      }
      break;
    }
    case 'media.published': s.media.push({ ...p, ...meta }); break;
    case 'statement.issued': s.statements.push({ ...p, ...meta }); break;
    case 'decision.recorded': s.decisions.push({ ...p, ...meta }); break;
    default:
  }
}

// -- time ---------------------------------------------------------------------------

// A view may fix its own moment (`view.now`, the replay); otherwise the exercise clock runs.
export function isExpired(view, n) {
  const now = view.now ? view.now() : exNow(view.state.clock, view.serverOffset);
  return now >= n.window_end;
}

// Calls `onChange` whenever a notification expires (expiry is computed from the clock).
function watchExpiry(view, onChange) {
  let last = '';
  setInterval(() => {
    if (!view.state) return;
    const now = (view.state.notifications || []).filter((n) => isExpired(view, n)).map((n) => n.notification_id).join();
    if (now !== last) { last = now; onChange(); }
  }, 1000);
}

// Every time on a page in one format, the scenario's (D+1 09:02): never an offset (+3:02) beside it
// (the review's bug 8 of its friction list: three formats side by side).
function when(view, ex) { return ex == null ? '—' : scenarioLabel(view.state.scenario.start, ex); }

function names(view, teams) { return teams.map((t) => view.teamName(t)).join(', '); }

function componentNames(view, ids) {
  const { scenario } = view.state;
  return ids.map((id) => nameOf(scenario.components.find((c) => c.id === id), scenario) || id).join(', ');
}

// -- rows ---------------------------------------------------------------------------
// Each takes the view, the item and the role's controls for it (null for none).

// Who acknowledged: a team, or a party the control cell plays (named as its component).
function ackName(view, a) { return a.party ? componentNames(view, [a.team]) : view.teamName(a.team); }

export function notificationRow(view, n, controls = null) {
  const acks = Object.values(n.acks || {});
  const expired = isExpired(view, n);
  return el('li', { class: `wf-item notification${expired ? ' expired' : ''}`, dataset: { notification: n.notification_id } },
    el('strong', {}, `${n.notification_id} ${featureKindName(n.kind)}: ${n.name}`),
    el('span', { class: 'window' }, ` ${t('{start} to {end}', { start: when(view, n.window_start), end: when(view, n.window_end) })}`
      + `${expired ? ` (${t('expired')})` : ''}`),
    el('div', { class: 'meta' }, t('From {team} to {components}', { team: view.teamName(n.team), components: componentNames(view, n.share_with) })),
    el('div', { class: 'acks' }, acks.length
      ? t('Acknowledged by {teams}', { teams: acks.map((a) => ackName(view, a)).join(', ') })
      : t('Not yet acknowledged')),
    acks.length ? el('ul', { class: 'ack-times meta' }, acks.map((a) => el('li', {},
      `${ackName(view, a)}: ${t('{name} at {time}', { name: a.author, time: when(view, a.ex_time) })}`))) : null,
    (n.hazards || []).map((h) => el('div', { class: 'hazard' },
      `${t('Hazard:')} ${featureKindName(h.feature_kind)}${h.feature_name ? ` ${h.feature_name}` : ''} `
      + (h.distance_m !== undefined
        ? t(n.kind === 'site' ? t('{distance} m from the site') : t('{distance} m from the route'), { distance: h.distance_m })
        : t(n.kind === 'site' ? t('within 2 km from the site') : t('within 2 km from the route'))))),
    controls);
}

// A request for military or civil defence assets: its answers to the last-resort criteria, the
// flag when it went around OCHA/HC, and the military's conditions once accepted.
export function rfaRow(view, r, controls = null) {
  const c = r.conditions || {};
  return el('li', { class: `wf-item rfa status-${r.status}${r.route === 'direct' ? ' not-channelled' : ''}`, dataset: { rfa: r.rfa_id } },
    el('strong', {}, `${r.rfa_id} ${t('{asset} for {team}', { asset: assetName(r.asset), team: view.teamName(r.team) })}`),
    el('span', { class: 'status' }, rfaStatusName(r.status)),
    r.route === 'direct' ? el('div', { class: 'not-channelled-flag' }, t('Not channelled through OCHA/HC')) : null,
    el('div', { class: 'need' }, `${t('Need:')} ${r.need}`),
    el('ul', { class: 'alternatives' }, (r.alternatives || []).map((a) => el('li', {},
      t('Civilian alternative: {option} (fails: {why_not})', { option: a.option, why_not: a.why_not })))),
    el('div', {}, `${t('Unique capability or timeliness:')} ${r.unique_capability}`),
    el('div', {}, `${t('Type of support:')} ${supportName(r.support)}`),
    el('div', {}, `${t('HC/OCHA endorsement:')} ${r.endorsement}`),
    el('div', {}, `${t('Risk to perception and access:')} ${r.perception_risk}`),
    r.escort ? el('div', { class: 'escort-criteria' }, t('IASC escort criteria answered; security risk assessment {ref}',
      { ref: r.escort.srm_reference })) : null,
    el('div', { class: 'meta' }, t('Needed by {time}', { time: when(view, r.time_limit) })),
    el('div', { class: 'meta hand-back' }, t('Handed back to {who} by {time}', { who: r.hand_back_to, time: when(view, r.until) })),
    c.scope ? el('div', { class: 'conditions' }, t('Conditions: scope {scope}; duration {duration}; visibility {visibility}',
      { scope: c.scope, duration: c.duration, visibility: c.visibility })) : null,
    el('ol', { class: 'history' }, (r.history || []).map((h) => el('li', {},
      `${when(view, h.ex_time)} ${t('{status} by {team}', { status: rfaStatusName(h.status), team: view.teamName(h.team) })}`
      + `${h.reason ? `: ${h.reason}` : ''}`))),
    controls);
}

// A mission tasking: the civilian component's request for the mission's own assets (no Oslo label).
export function taskingRow(view, r, controls = null) {
  return el('li', { class: `wf-item tasking status-${r.status}`, dataset: { tasking: r.tasking_id } },
    el('strong', {}, `${r.tasking_id} ${t('Mission tasking: {asset} for {team}', { asset: assetName(r.asset), team: view.teamName(r.team) })}`),
    el('span', { class: 'status' }, rfaStatusName(r.status)),
    el('div', {}, r.task),
    el('div', {}, `${t('Mandate:')} ${r.mandate}`),
    el('div', {}, `${t('Do no harm:')} ${r.do_no_harm}`),
    el('div', { class: 'meta' }, t('Needed by {time}', { time: when(view, r.time_limit) })),
    el('ol', { class: 'history' }, (r.history || []).map((h) => el('li', {},
      `${when(view, h.ex_time)} ${t('{status} by {team}', { status: rfaStatusName(h.status), team: view.teamName(h.team) })}`
      + `${h.reason ? `: ${h.reason}` : ''}`))),
    controls);
}

// A casualty evacuation: an emergency through UNDSS and the mission's operations centre.
export function casevacRow(view, c, controls = null) {
  return el('li', { class: `wf-item casevac${c.dispatched ? ' dispatched' : ''}`, dataset: { casevac: c.casevac_id } },
    el('strong', {}, `${c.casevac_id} ${t('CASEVAC called by {team}', { team: view.teamName(c.team) })}`),
    el('span', { class: 'status' }, c.dispatched ? t('dispatched') : t('called')),
    el('div', {}, t('{n} casualties: {condition}', { n: c.casualties, condition: c.condition })),
    el('div', { class: 'meta' }, t('Called at {time} through UNDSS and the operations centre', { time: when(view, c.ex_time) })),
    c.dispatched ? el('div', { class: 'dispatched-note' }, `${when(view, c.dispatched.ex_time)} ${c.dispatched.note}`) : null,
    controls);
}

export function documentRow(view, d, controls = null) {
  return el('li', { class: `wf-item document${d.sensitive ? ' sensitive' : ''}${d.sealed ? ' sealed' : ''}`,
    dataset: { document: d.document_id } },
  el('strong', {}, `${d.document_id} ${d.title}`),
  d.sensitive ? el('span', { class: 'status sensitive-mark' }, t('sensitive')) : null,
  el('div', { class: 'meta' }, t('From {team} to {components}', { team: view.teamName(d.owner),
    components: componentNames(view, d.recipients || d.share_with) }) + (d.location ? ` · ${t('on the map')}` : '')),
  d.sealed
    ? el('div', { class: 'sealed-note meta' }, t('Sealed: opening it is recorded in the exercise log.'))
    : el('div', { class: 'body' }, d.body),
  d.accesses ? el('div', { class: 'accesses meta' }, d.accesses.length
    ? t('Opened by {readers}', { readers: d.accesses.map((a) => t('{name} at {time}', { name: `${a.name} (${view.teamName(a.team)})`,
      time: when(view, a.ex_time) })).join('; ') })
    : (d.sensitive ? t('Not opened yet') : '')) : null,
  controls);
}

// Media as a team sees it: published items and the released injects of channel `media`.
export function mediaFeed(view) {
  const published = (view.state.media || []).map((m) => ({ seq: m.seq, item: m, kind: 'media' }));
  const injects = view.state.injects.filter((r) => r.status === 'released' && r.inject.channel === 'media')
    .map((r) => ({ seq: r.released_seq ?? 0, item: r, kind: 'inject' }));
  return [...published, ...injects].sort((a, b) => b.seq - a.seq);
}

export function mediaRow(view, entry, controls = null) {
  if (entry.kind === 'inject') {
    const i = entry.item.inject;
    return el('li', { class: 'wf-item media media-inject', dataset: { inject: i.id } },
      el('span', { class: 'channel' }, t('media')), ' ', el('strong', {}, i.title),
      el('div', { class: 'meta' }, `${i.from} · ${when(view, entry.item.released_ex ?? 0)}`),
      el('div', { class: 'body' }, renderMarkdown(i.body)), controls);
  }
  const m = entry.item;
  const answers = m.in_reply_to ? ` · ${t('answering {item}', { item: m.in_reply_to })}` : '';
  return el('li', { class: `wf-item media media-${m.kind}`, dataset: { media: m.media_id } },
    el('span', { class: 'channel' }, mediaChip(m.kind)), ' ', el('strong', {}, m.headline),
    el('div', { class: 'meta' }, `${m.outlet} · ${when(view, m.ex_time)}${answers}`),
    el('div', { class: 'body' }, m.body), controls);
}

export function statementRow(view, st, controls = null) {
  return el('li', { class: 'wf-item statement', dataset: { statement: st.statement_id } },
    el('strong', {}, `${st.statement_id} ${t('public statement by {team}', { team: view.teamName(st.team) })}`),
    el('div', { class: 'meta' }, t('{name} at {time}', { name: st.author, time: when(view, st.ex_time) })),
    el('div', { class: 'body' }, st.text), controls);
}

export function decisionRow(view, d, controls = null) {
  return el('li', { class: 'wf-item decision', dataset: { decision: d.decision_id } },
    el('strong', {}, `${d.decision_id} ${d.what}`),
    el('div', { class: 'meta' }, `${view.teamName(d.team)} · ${t('{name} at {time}', { name: d.author, time: when(view, d.ex_time) })}`),
    el('div', {}, `${t('Why:')} ${d.why}`),
    d.consulted?.length ? el('div', { class: 'meta' }, `${t('Consulted:')} ${d.consulted.join(', ')}`) : null, controls);
}

// -- the COP ------------------------------------------------------------------------

// What the workflows put on the map: notified sites and routes (greyed once expired),
// requested assistance, and shared documents with a place (not while sealed).
export function workflowFeatures(view) {
  const s = view.state;
  const out = [];
  for (const n of s.notifications || []) {
    out.push({ id: `wf-${n.notification_id}`, kind: `notified-${n.kind}`, geometry: n.geometry,
      name: `${n.notification_id} ${n.name} (${view.teamName(n.team)}, ${t('until {time}', { time: when(view, n.window_end) })})`,
      cls: isExpired(view, n) ? 'wf expired' : 'wf' });
  }
  for (const r of s.rfas || []) {
    if (r.location) out.push({ id: `wf-${r.rfa_id}`, kind: 'rfa', geometry: r.location, cls: 'wf',
      name: `${r.rfa_id} ${t('{asset} requested by {team}', { asset: assetName(r.asset), team: view.teamName(r.team) })}`
        + ` (${rfaStatusName(r.status)})` });
  }
  for (const d of s.documents || []) {
    if (d.location) out.push({ id: `wf-${d.document_id}`, kind: 'document', geometry: d.location,
      name: `${d.document_id} ${d.title}`, cls: d.sensitive ? 'wf sensitive' : 'wf' });
  }
  return out;
}

// The cards the joint coordination room shows between its messages: the notifications
// this view holds (sharing is respected: a team holds only those shared with it).
export function jointRoomCards(view) {
  return (view.state.notifications || []).map((n) => ({
    seq: n.seq,
    node: el('li', { class: 'message room-card', dataset: { seq: n.seq, notification: n.notification_id } },
      el('span', { class: 'meta' }, el('span', { class: 'author' },
        t('Humanitarian notification from {team}', { team: view.teamName(n.team) })), ' · ', when(view, n.ex_time)),
      el('span', { class: 'text' }, `${n.notification_id} ${featureKindName(n.kind)}: ${n.name}, `
        + t('{start} to {end}, shared with {components}', { start: when(view, n.window_start), end: when(view, n.window_end),
          components: componentNames(view, n.share_with) })
        + ` · ${t('acknowledged by {teams}', { teams: names(view, Object.keys(n.acks || {})) || t('nobody yet') })}`)),
  }));
}

// Keep a page's coordination panel, map overlay and joint-room cards current.
export function showWorkflowsIn(view, { panel, getMap, rooms }) {
  const show = () => {
    panel.render();
    getMap()?.setOverlay(workflowFeatures(view));
    rooms.refreshCards();
  };
  for (const kind of WORKFLOW_EVENTS) view.addEventListener(kind, show);
  view.addEventListener('inject.released', () => panel.render()); // media injects join the feed
  watchExpiry(view, show);
}
