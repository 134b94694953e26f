// The Coordination panel of the team view: humanitarian notifications (deconfliction)
// and requests for assistance. All text goes in through el() as text nodes.

import { $, el, replaceChildren, toast } from './dom.js';
import { exNow } from './clock.js';

const ASSETS = ['escort', 'airlift', 'engineering', 'medical'];

function offsetLabel(seconds) {
  const m = Math.round(seconds / 60);
  return `+${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

export class CoordinationPanel {
  constructor(view, root, getMap) {
    this.view = view;
    this.root = root;
    this.getMap = getMap;
    this.route = [];
  }

  get you() { return this.view.you; }

  setUp() {
    const forms = $('.wf-forms', this.root);
    const comp = this.you.component;
    const parts = [];
    if (comp === 'humanitarian') parts.push(this.notifyForm());
    if (comp === 'humanitarian' || comp === 'civilian') parts.push(this.rfaForm());
    replaceChildren(forms, parts);
    this.render();
  }

  notifyForm() {
    const comps = this.view.state.scenario.components.filter((c) => c.id !== this.you.component);
    return el('fieldset', { class: 'wf-notify' },
      el('legend', {}, 'Notify a movement'),
      el('input', { id: 'notify-name', maxlength: 200, placeholder: 'Name of the movement' }),
      el('label', {}, 'Window ends ', el('input', { id: 'notify-end', value: '+2:00', size: 6 })),
      el('div', { id: 'notify-share' }, comps.map((c) => el('label', {},
        el('input', { type: 'checkbox', value: c.id }), ` ${c.name}`))),
      el('button', { type: 'button', id: 'notify-draw', onclick: () => this.drawRoute() }, 'Draw route on map'),
      el('span', { id: 'notify-points' }, ''),
      el('button', { type: 'button', id: 'notify-send', onclick: () => this.sendNotification() }, 'Send notification'));
  }

  drawRoute() {
    this.route = [];
    $('#notify-points').textContent = 'Click points of the route on the map.';
    const next = (at) => {
      this.route.push(at);
      $('#notify-points').textContent = `${this.route.length} point(s)`;
      this.getMap().pick(next);
    };
    this.getMap().pick(next);
  }

  async sendNotification() {
    const map = this.getMap();
    map.stopPicking();
    const shareWith = [...this.root.querySelectorAll('#notify-share input:checked')].map((i) => i.value);
    if (this.route.length < 2) { toast('Draw the route first: at least two points.'); return; }
    try {
      await this.view.command('notification.submit', {
        kind: 'movement', name: $('#notify-name').value.trim(), window_start: Math.max(0, Math.floor(exNow(this.view.state.clock, this.view.serverOffset))),
        window_end: $('#notify-end').value.trim(), share_with: shareWith,
        geometry: { type: 'LineString', coordinates: this.route } });
      this.route = [];
      $('#notify-name').value = '';
      $('#notify-points').textContent = '';
    } catch (error) {
      toast(error.message);
    }
  }

  rfaForm() {
    return el('fieldset', { class: 'wf-rfa' },
      el('legend', {}, 'Request assistance'),
      el('select', { id: 'rfa-asset', 'aria-label': 'Asset' }, ASSETS.map((a) => el('option', { value: a }, a))),
      el('input', { id: 'rfa-justification', maxlength: 4000, placeholder: 'What for' }),
      el('textarea', { id: 'rfa-last-resort', maxlength: 4000,
        placeholder: 'Last resort: why no comparable civilian alternative exists (Oslo Guidelines)' }),
      el('label', {}, 'Needed by ', el('input', { id: 'rfa-time', value: '+3:00', size: 6 })),
      el('button', { type: 'button', id: 'rfa-send', onclick: () => this.sendRfa() }, 'Request (then click the place)'));
  }

  sendRfa() {
    toast('Click on the map where assistance is needed.', 4000);
    this.getMap().pick(async (at) => {
      try {
        await this.view.command('rfa.submit', {
          asset: $('#rfa-asset').value, justification: $('#rfa-justification').value,
          last_resort: $('#rfa-last-resort').value, time_limit: $('#rfa-time').value.trim(),
          location: { type: 'Point', coordinates: at } });
        $('#rfa-justification').value = '';
        $('#rfa-last-resort').value = '';
      } catch (error) {
        toast(error.message);
      }
    });
  }

  render() {
    const s = this.view.state;
    if (!s) return;
    replaceChildren($('.wf-notifications', this.root), (s.notifications || []).map((n) => this.notificationRow(n)));
    replaceChildren($('.wf-rfas', this.root), (s.rfas || []).map((r) => this.rfaRow(r)));
  }

  notificationRow(n) {
    const acks = Object.keys(n.acks || {}).map((t) => this.view.teamName(t));
    const you = this.you;
    const mayAck = you.role === 'trainee' && ['military', 'police'].includes(you.component)
      && n.share_with.includes(you.component) && !(n.acks || {})[you.team];
    return el('li', { class: 'notification', dataset: { notification: n.notification_id } },
      el('strong', {}, `${n.notification_id} ${n.kind}: ${n.name}`),
      el('span', { class: 'window' }, ` until ${offsetLabel(n.window_end)} · from ${this.view.teamName(n.team)}`),
      el('div', { class: 'acks' }, acks.length ? `Acknowledged by ${acks.join(', ')}` : 'Not yet acknowledged'),
      (n.hazards || []).map((h) => el('div', { class: 'hazard' },
        `Hazard: ${h.feature_kind} ${h.feature_name} ${h.distance_m} m away`)),
      mayAck ? el('button', { type: 'button', class: 'ack-notification',
        onclick: () => this.view.command('notification.acknowledge', { notification_id: n.notification_id })
          .catch((error) => toast(error.message)) }, 'Acknowledge') : null);
  }

  rfaRow(r) {
    const you = this.you;
    const mayRespond = you.role === 'trainee' && you.component === 'military'
      && !['accepted', 'declined'].includes(r.status);
    const decision = el('select', { class: 'rfa-decision', 'aria-label': 'Decision' },
      ['accept', 'decline', 'more_info'].map((d) => el('option', { value: d }, d)));
    const reason = el('input', { class: 'rfa-reason', maxlength: 4000, placeholder: 'Reason' });
    return el('li', { class: 'rfa', dataset: { rfa: r.rfa_id } },
      el('strong', {}, `${r.rfa_id} ${r.asset} for ${this.view.teamName(r.team)}`),
      el('span', { class: 'status' }, r.status),
      el('div', {}, r.justification),
      el('div', { class: 'last-resort' }, `Last resort: ${r.last_resort}`),
      el('ol', { class: 'history' }, (r.history || []).map((h) => el('li', {},
        `${offsetLabel(h.ex_time)} ${h.status}${h.reason ? `: ${h.reason}` : ''}`))),
      mayRespond ? el('div', { class: 'respond' }, decision, reason,
        el('button', { type: 'button', class: 'respond-rfa',
          onclick: () => this.view.command('rfa.respond', { rfa_id: r.rfa_id, decision: decision.value,
            reason: reason.value }).catch((error) => toast(error.message)) }, 'Respond')) : null);
  }
}

// Folding of workflow events into the view's state, mirroring the server's projections.
export function applyWorkflowEvent(s, e) {
  const p = e.payload;
  const meta = { seq: e.seq, ex_time: e.ex_time, wall_time: e.wall_time, author: e.actor.name };
  s.notifications = s.notifications || [];
  s.rfas = s.rfas || [];
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
      s.rfas.push({ ...p, ...meta, status: 'submitted',
        history: [{ status: 'submitted', team: p.team, reason: '', seq: e.seq, ex_time: e.ex_time }] });
      break;
    case 'rfa.responded': {
      const r = s.rfas.find((x) => x.rfa_id === p.rfa_id);
      const status = { accept: 'accepted', decline: 'declined', more_info: 'more_info_requested' }[p.decision];
      if (r) { r.status = status; r.history.push({ status, team: p.team, reason: p.reason, seq: e.seq, ex_time: e.ex_time }); }
      break;
    }
    default:
  }
}

export const WORKFLOW_EVENTS = ['notification.submitted', 'notification.acknowledged', 'notification.hazard_flagged',
  'rfa.submitted', 'rfa.responded'];
