// The dashboard's fold, as the server's core/dashboard.py folds: taken up from its state at a
// sequence number (GET /api/exercises/{id}/dashboard), then each live event of the control view
// in O(1); the figures at an exercise time are read by bisection. Definitions: docs/dashboard.md.

const CLOCK = new Set(['clock.started', 'clock.paused', 'clock.resumed', 'clock.speed_set', 'clock.jumped', 'exercise.ended']);
const RFA_STATUS = { accept: 'accepted', decline: 'declined', more_info: 'more_info_requested' };
const OPEN_REQUEST = ['with_ocha', 'submitted', 'more_info_requested'];
const ACKNOWLEDGING = ['military', 'police'];

// How many entries of `sorted` ([time, id] pairs, by time) are at or before `time`.
function countUpTo(sorted, time) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid][0] <= time) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function insertSorted(sorted, entry) {
  const at = countUpTo(sorted, entry[0]);
  sorted.splice(at, 0, entry);
}

export class DashboardFold {
  // `wire`: the server's Dashboard.to_wire(); `answers`: the event types that answer an inject.
  constructor(wire, answers) {
    this.answers = new Set(answers);
    this.seq = wire.seq;
    this.clock = { ...wire.clock };
    this.respondWithin = wire.respond_within;
    this.injectRespondWithin = wire.inject_respond_within;
    this.rfas = new Map(Object.entries(wire.rfas));
    this.awaitingMilitary = wire.awaiting_military;
    this.teams = new Map(Object.entries(wire.teams).map(([id, b]) => [id, {
      component: b.component,
      unacknowledged: new Set(b.unacknowledged),
      awaiting: b.awaiting.map((a) => [...a]),
      lastActivity: b.last_activity,
      openRequests: new Set(b.open_requests),
      notifications: b.notifications.map((n) => [...n]),
    }]));
  }

  // Fold one event; false if it was folded already (a resume may repeat some).
  apply(e) {
    if (e.seq <= this.seq) return false;
    this.seq = e.seq;
    const p = e.payload;
    if (CLOCK.has(e.type)) this.tick(e);
    else if (e.type === 'inject.released') this.released(e);
    else if (e.type === 'inject.acknowledged') this.teams.get(p.team)?.unacknowledged.delete(p.inject_id);
    else if (e.type === 'rfa.submitted') {
      this.rfas.set(p.rfa_id, [p.team, p.to_military ? 'submitted' : 'with_ocha']);
      this.awaitingMilitary += p.to_military ? 1 : 0;
      this.teams.get(p.team)?.openRequests.add(p.rfa_id);
    } else if (e.type === 'rfa.coordinated') this.rfaStatus(p.rfa_id, p.decision === 'forward' ? 'submitted' : 'returned');
    else if (e.type === 'rfa.responded') this.rfaStatus(p.rfa_id, RFA_STATUS[p.decision]);
    else if (e.type === 'rfa.clarified') this.rfaStatus(p.rfa_id, 'submitted');
    else if (e.type === 'notification.submitted') {
      for (const board of this.teams.values()) {
        if (ACKNOWLEDGING.includes(board.component) && p.share_with.includes(board.component)) {
          insertSorted(board.notifications, [p.window_end, p.notification_id]);
        }
      }
    } else if (e.type === 'notification.acknowledged') {
      const board = this.teams.get(p.team);
      if (board) board.notifications = board.notifications.filter((n) => n[1] !== p.notification_id);
    }
    const actor = e.actor || {};
    const board = actor.role === 'trainee' ? this.teams.get(actor.team) : null;
    if (board) {
      board.lastActivity = [e.seq, e.ex_time, e.wall_time];
      if (this.answers.has(e.type)) board.awaiting = []; // an action answers every inject released before it
    }
    return true;
  }

  tick(e) {
    const c = this.clock;
    const rebase = { anchor_wall: e.wall_time, anchor_ex: e.ex_time };
    switch (e.type) {
      case 'clock.started': Object.assign(c, { status: 'running', anchor_wall: e.wall_time, anchor_ex: 0 }); break;
      case 'clock.paused': Object.assign(c, rebase, { status: 'paused' }); break;
      case 'clock.resumed': Object.assign(c, rebase, { status: 'running' }); break;
      case 'clock.speed_set': Object.assign(c, rebase, { speed: e.payload.speed }); break;
      case 'clock.jumped': Object.assign(c, { anchor_wall: e.wall_time, anchor_ex: e.payload.to }); break;
      default: Object.assign(c, rebase, { status: 'ended' });
    }
  }

  released(e) {
    const inject = e.payload.inject.id;
    const due = e.ex_time + (this.injectRespondWithin[inject] ?? this.respondWithin);
    for (const key of e.audience || []) {
      const board = key.startsWith('team:') ? this.teams.get(key.slice(5)) : null;
      if (!board) continue;
      board.unacknowledged.add(inject);
      insertSorted(board.awaiting, [due, inject]);
    }
  }

  rfaStatus(id, status) {
    const [team, before] = this.rfas.get(id);
    this.rfas.set(id, [team, status]);
    this.awaitingMilitary += (status === 'submitted') - (before === 'submitted');
    if (!OPEN_REQUEST.includes(status)) this.teams.get(team)?.openRequests.delete(id);
  }

  // One team's figures when the exercise clock reads `ex`.
  figures(team, ex) {
    const b = this.teams.get(team);
    const overdue = countUpTo(b.awaiting, ex);
    return {
      unacknowledged: b.unacknowledged.size,
      awaiting: b.awaiting.length,
      overdue,
      next_due: overdue < b.awaiting.length ? b.awaiting[overdue][0] : null,
      last_activity_ex: b.lastActivity ? b.lastActivity[1] : null,
      open_requests: b.openRequests.size + (b.component === 'military' ? this.awaitingMilitary : 0),
      notifications: b.notifications.length - countUpTo(b.notifications, ex),
    };
  }
}
