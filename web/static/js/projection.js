// The page's copy of what this participant may see: the server's snapshot, then each
// event applied in order. It mirrors the server's projections for one view.

import { parseOffset } from './clock.js';
import { Connection, showConnectionState } from './connection.js';
import { WORKFLOW_EVENTS, applyWorkflowEvent } from './workflows.js';
import { INJECT_TEXT_FIELDS, dropTranslations, nameOf } from './content_language.js';

export class ExerciseView extends EventTarget {
  constructor() {
    super();
    this.state = null;
    this.presence = { online: [], rooms: {} };
    this.serverOffset = 0;
    this.you = null;
  }

  connect(exercise, token, onFatal) {
    this.connection = new Connection({
      exercise, token, onFatal,
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => { showConnectionState(state); this.emit('connection', state); },
    });
    this.connection.start();
    return this.connection;
  }

  command(type, fields) { return this.connection.command(type, fields); }

  onFrame(frame) {
    if (frame.type === 'welcome') {
      this.serverOffset = frame.server_time - Date.now() / 1000;
      this.you = frame.you;
    } else if (frame.type === 'snapshot') {
      this.reset(frame.state);
    } else if (frame.type === 'event') {
      this.apply(frame.event);
    } else if (frame.type === 'presence') {
      this.presence = frame;
      this.emit('presence');
    }
  }

  reset(state) {
    this.state = state;
    this.injects = new Map(state.injects.map((row) => [row.inject.id, row]));
    this.cop = new Map(state.cop.map((f) => [f.id, f]));
    this.emit('reset');
  }

  emit(kind, detail) {
    this.dispatchEvent(new CustomEvent(kind, { detail }));
    this.dispatchEvent(new CustomEvent('change', { detail: { kind, event: detail } }));
  }

  apply(e) {
    const s = this.state;
    const p = e.payload;
    const clock = s.clock;
    switch (e.type) {
      case 'clock.started': Object.assign(clock, { status: 'running', anchor_ex: 0, anchor_wall: e.wall_time }); break;
      case 'clock.paused': Object.assign(clock, { status: 'paused', anchor_ex: e.ex_time, anchor_wall: e.wall_time }); break;
      case 'clock.resumed': Object.assign(clock, { status: 'running', anchor_ex: e.ex_time, anchor_wall: e.wall_time }); break;
      case 'clock.speed_set': Object.assign(clock, { speed: p.speed, anchor_ex: e.ex_time, anchor_wall: e.wall_time }); break;
      case 'clock.jumped': Object.assign(clock, { anchor_ex: p.to, anchor_wall: e.wall_time }); break;
      case 'exercise.ended': Object.assign(clock, { status: 'ended', anchor_ex: e.ex_time, anchor_wall: e.wall_time }); break;
      case 'inject.released': {
        const row = this.injects.get(p.inject.id) || { acks: {}, acknowledged: false };
        Object.assign(row, { inject: p.inject, status: 'released', released_ex: e.ex_time, released_seq: e.seq });
        if (p.adhoc !== undefined) row.adhoc = p.adhoc;
        if (e.audience) row.audience = e.audience.filter((a) => a.startsWith('team:')).map((a) => a.slice(5));
        if (e.audience) row.released_by = e.actor.role === 'facilitator' ? e.actor.name : null; // "released by Amina"
        if (e.audience && !this.injects.has(p.inject.id)) row.version = e.seq; // an ad-hoc inject's content is new
        if (!this.injects.has(p.inject.id)) { this.injects.set(p.inject.id, row); s.injects.push(row); }
        break;
      }
      case 'inject.acknowledged': {
        const row = this.injects.get(p.inject_id);
        if (row) {
          row.acks = row.acks || {};
          row.acks[p.team] = { ex_time: e.ex_time, wall_time: e.wall_time, name: e.actor.name, seq: e.seq };
          if (p.language) row.acks[p.team].language = p.language; // the language it was shown in
          if (this.you && p.team === this.you.team) row.acknowledged = true;
        }
        break;
      }
      case 'inject.responded': { // a team's first answer counts (the server's projection keeps it)
        const row = this.injects.get(p.inject_id);
        if (row && this.you?.role === 'trainee') {
          if (p.team === this.you.team) row.responded = true;
        } else if (row) {
          row.responses = row.responses || {};
          row.responses[p.team] = row.responses[p.team] || { ex_time: e.ex_time, wall_time: e.wall_time,
            name: e.actor.name, seq: e.seq, action: p.action };
        }
        break;
      }
      case 'inject.held': this.injects.get(p.inject_id).status = 'held'; break;
      case 'inject.unheld': this.injects.get(p.inject_id).status = 'scheduled'; break;
      case 'inject.cancelled': this.injects.get(p.inject_id).status = 'cancelled'; break;
      case 'inject.restored': this.injects.get(p.inject_id).status = 'scheduled'; break;
      case 'inject.branched': { // the control cell's: why the inject released next goes (core/branches.py)
        this.injects.get(p.inject_id).branch = p;
        if (p.instead_of) Object.assign(this.injects.get(p.instead_of), { status: 'replaced', branch: p });
        break;
      }
      case 'inject.edited': {
        const row = this.injects.get(p.inject_id);
        Object.assign(row.inject, p.changes);
        dropTranslations(row.inject, INJECT_TEXT_FIELDS.filter((f) => f in p.changes));
        if ('to' in p.changes) {
          row.inject.to = { components: [], teams: [], rooms: [], ...p.changes.to };
          if ('audience' in row) row.audience = audienceOf(s, row.inject.to);
        }
        if ('at' in p.changes) row.inject.offset = typeof p.changes.at === 'string' ? parseOffset(p.changes.at) : null;
        if (p.expected_links) row.inject.expected_links = p.expected_links;
        row.edits = (row.edits || 0) + 1;
        row.version = e.seq; // what an edit names (docs/protocol.md, Versions)
        break;
      }
      case 'room.message_posted': {
        const room = s.rooms[p.room];
        if (room) {
          room.messages.push({ seq: e.seq, ex_time: e.ex_time, wall_time: e.wall_time, text: p.text, as: p.as, author: e.actor });
          if (s.room_window != null && room.messages.length > s.room_window) { // as the server keeps a room
            room.messages.shift(); // still readable: room.history (rooms.js, Earlier messages)
            room.earlier = (room.earlier || 0) + 1;
          }
        }
        break;
      }
      case 'cop.feature_added': this.cop.set(p.feature.id, { ...p.feature, version: e.seq }); break;
      case 'cop.feature_changed': this.cop.set(p.id, { ...p.feature, version: e.seq }); break;
      case 'cop.feature_removed': this.cop.delete(p.id); break;
      case 'participant.joined':
        s.participants.push({ id: p.participant, name: p.name, role: p.role, team: p.team });
        break;
      case 'participant.removed':
        s.participants = s.participants.filter((row) => row.id !== p.participant);
        break;
      case 'participant.moved': { // a trainee's seat is another team now (core/roster.py)
        if (this.you?.role === 'trainee') {
          if (p.from === this.you.team) s.participants = s.participants.filter((row) => row.id !== p.participant);
          else if (p.to === this.you.team) s.participants.push({ id: p.participant, name: p.name, role: 'trainee', team: p.to });
        } else {
          const row = s.participants.find((r) => r.id === p.participant);
          if (row) row.team = p.to;
          const entry = (s.roster || []).find((r) => r.person === p.person);
          if (entry) entry.team = p.to;
        }
        break;
      }
      case 'roster.person_added':
        if (s.roster) s.roster.push({ person: p.person, name: p.name, team: p.team, email: p.email, code: p.code });
        break;
      case 'roster.person_removed':
        if (s.roster) s.roster = s.roster.filter((r) => r.person !== p.person);
        break;
      case 'observation.recorded':
        if (s.observations) s.observations.push(observationRow(e));
        break;
      case 'learning.answered':
        if (s.learning_answers) s.learning_answers.push({ ...p, seq: e.seq, ex_time: e.ex_time });
        break;
      case 'expectation.marked': {
        if (!s.expectation_marks) break;
        const mark = expectationMark(e);
        const at = s.expectation_marks.findIndex((m) => m.inject_id === p.inject_id && m.team === p.team && m.action === p.action);
        if (at >= 0) s.expectation_marks[at] = mark; else s.expectation_marks.push(mark);
        break;
      }
      case 'pitfall.ticked':
        if (s.pitfall_ticks) replaceRow(s.pitfall_ticks, evaluationRow(e), (r) => r.pitfall === p.pitfall && r.team === p.team);
        break;
      case 'evaluator.assigned':
        if (!s.evaluators) break;
        s.evaluators = s.evaluators.filter((r) => r.evaluator !== p.evaluator);
        if (p.teams.length) s.evaluators.push(evaluationRow(e));
        break;
      case 'rating.final_set':
        if (s.final_ratings) replaceRow(s.final_ratings, evaluationRow(e), (r) => r.item === p.item && r.item_id === p.item_id);
        break;
      case 'code.revoked': {
        const code = (s.codes || []).find((c) => c.code === p.code);
        if (code) code.revoked = true;
        break;
      }
      case 'code.replaced': {
        if (!s.codes) break;
        const code = s.codes.find((c) => c.code === p.code);
        if (code) code.replaced_by = p.replacement;
        s.codes.push({ code: p.replacement, role: p.role, team: p.team, revoked: false, replaced_by: null });
        break;
      }
      default:
        if (WORKFLOW_EVENTS.includes(e.type)) applyWorkflowEvent(s, e, this.you);
    }
    s.seq = e.seq;
    this.emit(e.type, e);
  }

  teamName(id) {
    return nameOf(this.state.scenario.teams.find((t) => t.id === id), this.state.scenario) || id;
  }

  component(id) {
    return this.state.scenario.teams.find((t) => t.id === id)?.component;
  }
}

// The teams an inject addressed `to` reaches, as the server's Scenario.audience decides it.
function audienceOf(s, to) {
  const named = [...to.components, ...to.teams];
  const teams = new Set(s.scenario.teams
    .filter((t) => named.includes('all') || named.includes(t.id) || named.includes(t.component))
    .map((t) => t.id));
  for (const room of to.rooms) for (const team of s.rooms[room]?.readers || []) teams.add(team);
  return [...teams].sort();
}

// The evaluation record (control cell only), in the form of the server's snapshot rows.
function observationRow(e) {
  const p = e.payload;
  return { id: p.observation, seq: e.seq, ex_time: e.ex_time, wall_time: e.wall_time, text: p.text, rating: p.rating,
    objective: p.objective, inject_id: p.inject_id ?? null, team: p.team ?? null, recommendation: p.recommendation ?? null,
    negotiation: p.negotiation ?? null, author: { role: e.actor.role, name: e.actor.name, participant: e.actor.participant ?? null } };
}

// An evaluation event's payload with when and by whom (projections.py _evaluation_row).
function evaluationRow(e) {
  return { ...e.payload, seq: e.seq, ex_time: e.ex_time,
    author: { role: e.actor.role, name: e.actor.name, participant: e.actor.participant ?? null } };
}

// The row `keep` finds replaced by `row`, else `row` added at the end.
function replaceRow(rows, row, keep) {
  const at = rows.findIndex(keep);
  if (at >= 0) rows[at] = row; else rows.push(row);
}

function expectationMark(e) {
  const p = e.payload;
  return { inject_id: p.inject_id, team: p.team, action: p.action, text: p.text, status: p.status, note: p.note ?? null,
    seq: e.seq, ex_time: e.ex_time, author: { role: e.actor.role, name: e.actor.name, participant: e.actor.participant ?? null } };
}
