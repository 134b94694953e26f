"""Commands: validate, authorize, decide which events follow. No I/O.

`decide(state, principal, command, now)` answers with the drafts of the events a
command produces, or raises CommandError; it never changes the state. The caller
appends the drafts to the store and folds the stored events back into the state.
The deciders live beside their subject: inject_commands, cop_commands,
evaluation_commands and the workflows/ package; the clock, rooms and codes are here.
"""

from __future__ import annotations

from typing import Any

from . import (
    cop_commands,
    evaluation_commands,
    improvement_plan,
    inject_commands,
    lead_evaluation,
    learning_commands,
    people,
    roster,
    workflows,
)
from . import events as ev
from .access import EXPLAINED_REFUSALS, FACILITATOR, SYSTEM, TRAINEE, Principal, may_issue, may_read, may_write
from .branches import branched_payload
from .clock import DRAFT, ENDED, MAX_SPEED, MIN_SPEED, PAUSED, RUNNING
from .context import Decider, Decision
from .errors import CommandError
from .msel import due_injects, release_for
from .projections import ExerciseState
from .syndicates import Syndicate
from .timefmt import format_dday, parse_exercise_time
from .validate import field, text
from .workflows.notification import due_hazards

MAX_EXERCISE_SECONDS = 30 * 24 * 3600  # a jump target beyond a month of exercise time is a mistake


class Limits:
    """Per-exercise content limits; documented in docs/protocol.md."""

    message_chars = 4000
    actor_name_chars = 80
    display_name_chars = 60
    features_per_team = 500
    feature_bytes = 16_000
    observation_chars = 4000
    note_chars = 1000
    languages: tuple[str, ...] = ("en", "fr")  # the interface's languages: the server sets those it has catalogues for


DEFAULT_LIMITS = Limits()


def now_ex(state: ExerciseState, now: float) -> float:
    """Exercise time for an event decided at wall time `now` (never runs backwards)."""
    return max(state.clock.at(now), state.last_ex_time)


def decide(
    state: ExerciseState, principal: Principal, command: dict[str, Any], now: float, limits: Limits = DEFAULT_LIMITS
) -> list[ev.Draft]:
    ctype = command.get("type")
    if isinstance(ctype, str) and ctype in EXPLAINED_REFUSALS:
        raise CommandError("invalid", EXPLAINED_REFUSALS[ctype])
    if not isinstance(ctype, str) or ctype not in DECIDERS:
        raise CommandError("unknown_type", f"unknown command type {ctype!r}")
    if not may_issue(principal, ctype):
        raise CommandError("forbidden", f"a {principal.role} may not issue {ctype}")
    if state.scenario is None:
        raise CommandError("wrong_state", "the exercise is not open")
    if state.was_removed(principal.participant):  # a command that raced the removal, on another process
        raise CommandError("forbidden", "you were removed from the exercise")
    if principal.role == TRAINEE and roster.moved_from(state, principal.participant, principal.team):
        raise CommandError("forbidden", "you were moved to another team: reconnect")  # raced the move (roster.py)
    decision = Decision(state, state.scenario, principal, now, now_ex(state, now), limits)
    if "responds_to" not in command:
        return DECIDERS[ctype](decision, command)
    inject_id, team = _responds_to(decision, command)
    drafts = DECIDERS[ctype](decision, {k: v for k, v in command.items() if k != "responds_to"})
    action = RESPONSE_ACTIONS[ctype] + (f" in {command['room']}" if ctype == "room.post" else "")
    payload = {"inject_id": inject_id, "team": team, "action": action}
    return [*drafts, decision.draft(ev.INJECT_RESPONDED, payload, (*ev.CONTROL_CELL, ev.team_key(team)))]


# A team's actions that may say which inject they answer (`responds_to`), and how metrics name them.
RESPONSE_ACTIONS = {
    "room.post": "message",
    "cop.add": "COP feature added",
    "cop.change": "COP change",
    **workflows.RESPONSES,
}


def _responds_to(decision: Decision, command: dict[str, Any]) -> tuple[str, str]:
    """The inject a team's action answers, and the team: one released to that team (else refused, nothing leaked)."""
    if command["type"] not in RESPONSE_ACTIONS:
        raise CommandError(
            "invalid", f"{command['type']} does not take responds_to; only {', '.join(sorted(RESPONSE_ACTIONS))} do"
        )
    if decision.principal.role != TRAINEE:
        raise CommandError("forbidden", "only a team's actions answer an inject (responds_to)")
    iid, team = field(command, "responds_to", str), decision.principal.team
    if team is None or decision.state.in_inbox(iid, team) is None:
        raise CommandError("not_found", f"no inject {iid!r} in your inbox")
    return iid, team


def decide_open(
    exercise: str,
    scenario_doc: dict[str, Any],
    codes: dict[str, dict[str, Any]],
    now: float,
    actor: ev.Actor,
    syndicate: Syndicate | None = None,
) -> list[ev.Draft]:
    """Open an exercise: the scenario (kept in the log, so later file edits change nothing) and its
    codes; for one syndicate of a class, which (core/syndicates.py)."""
    opened: dict[str, Any] = {"scenario": scenario_doc, "title": scenario_doc.get("title", "")}
    if syndicate is not None:
        opened["syndicate"] = syndicate.payload()
    drafts = [ev.Draft(ev.EXERCISE_OPENED, opened, ev.CONTROL_CELL, now, 0.0, actor)]
    for code, info in codes.items():
        issued = {"code": code, "role": info["role"], "team": info.get("team")}
        drafts.append(ev.Draft(ev.CODE_ISSUED, issued, (ev.FACILITATOR,), now, 0.0, actor))
    return drafts


def decide_join(
    state: ExerciseState,
    code: str,
    name: Any,
    participant: str,
    now: float,
    limits: Limits = DEFAULT_LIMITS,
    person: Any = None,
) -> tuple[ev.Draft, Principal]:
    """A join with a team code (and a typed name, or `person`: a name picked from its roster) or with
    a roster entry's personal code (roster.py)."""
    if code in state.personal_codes:
        return _join_by_name(state, code, participant, now, person)
    info = state.codes.get(code)
    if info is None:
        raise CommandError("not_found", "unknown join code")
    if state.usable_code(code) is None:
        raise CommandError("forbidden", "this join code has been revoked")
    if not info.takes_newcomers:
        raise CommandError("forbidden", "this join code was replaced by a new one: ask the facilitator for it")
    if state.clock.status == ENDED:
        raise CommandError("wrong_state", "the exercise has ended")
    person, named, _ = roster.join_as(state, code, person) if person is not None else (None, None, None)
    name = named or text(name, "name", limits.display_name_chars)
    team = info.team
    found = state.scenario.team(team) if team and state.scenario else None
    component = found.component if found else None
    principal = Principal(info.role, name, participant, team, component)
    audience = (*ev.CONTROL_CELL, ev.team_key(team)) if team else ev.CONTROL_CELL
    payload = {"participant": participant, "name": name, "role": info.role, "team": team, "code": code}
    if person is not None:
        payload["person"] = person
    return ev.Draft(ev.PARTICIPANT_JOINED, payload, audience, now, now_ex(state, now), principal.actor()), principal


def _join_by_name(
    state: ExerciseState, code: str, participant: str, now: float, person: Any
) -> tuple[ev.Draft, Principal]:
    """A join with a personal code: the roster names the person and their team."""
    if state.clock.status == ENDED:
        raise CommandError("wrong_state", "the exercise has ended")
    pid, name, team = roster.join_as(state, code, None)
    assert pid is not None and name is not None and team is not None and state.scenario is not None
    found = state.scenario.team(team)
    principal = Principal(TRAINEE, name, participant, team, found.component if found else None)
    payload = {"participant": participant, "name": name, "role": TRAINEE, "team": team, "code": code, "person": pid}
    audience = (*ev.CONTROL_CELL, ev.team_key(team))
    return ev.Draft(ev.PARTICIPANT_JOINED, payload, audience, now, now_ex(state, now), principal.actor()), principal


def decide_due(state: ExerciseState, now: float) -> list[ev.Draft]:
    """The scheduler's tick: release every inject due now, once, in order."""
    if state.clock.status != RUNNING or state.scenario is None:
        return []
    decision = Decision(state, state.scenario, SYSTEM, now, now_ex(state, now), DEFAULT_LIMITS)
    drafts: list[ev.Draft] = []
    for due in due_injects(state, decision.ex):
        chosen = release_for(state, due)
        inject = chosen.inject.inject
        if chosen.met is not None and inject.condition is not None:  # a branch: recorded with its reason
            payload = branched_payload(inject.id, inject.condition, chosen.met, chosen.instead_of)
            drafts.append(decision.draft(ev.INJECT_BRANCHED, payload, ev.CONTROL_CELL, ev.SYSTEM))
        trigger = "condition" if inject.after or inject.condition else "time"
        drafts += inject_commands.release(decision, chosen.inject, trigger, ev.SYSTEM)
    return drafts or due_hazards(decision)  # hazards flagged after the scenario's delay


# -- the clock ---------------------------------------------------------------------


def _clock_cmd(allowed: tuple[str, ...], etype: str) -> Decider:
    def decide_clock(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
        status = decision.state.clock.status
        if status not in allowed:
            raise CommandError("wrong_state", f"the clock is {status}")
        return [decision.draft(etype, {}, (ev.EVERYONE,), ex=0.0 if etype == ev.CLOCK_STARTED else None)]

    return decide_clock


def _speed(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    speed = field(command, "speed", (int, float))
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise CommandError("invalid", f"speed must be between x{MIN_SPEED:g} and x{MAX_SPEED:g}")
    return [decision.draft(ev.CLOCK_SPEED_SET, {"speed": float(speed)}, (ev.EVERYONE,))]


def _jump(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    status, start = decision.state.clock.status, decision.scenario.start
    if status not in (RUNNING, PAUSED):
        raise CommandError("wrong_state", f"the clock is {status}; start it before jumping")
    to = command.get("to")
    if isinstance(to, str):
        try:
            to = parse_exercise_time(to, start)
        except ValueError as exc:
            raise CommandError("invalid", str(exc)) from None
    if not isinstance(to, (int, float)) or isinstance(to, bool) or not 0 <= to <= MAX_EXERCISE_SECONDS:
        raise CommandError(
            "invalid",
            'to must be an offset such as "+1:30", a scenario time such as '
            f'"{format_dday(start + 5400)}" or a number of seconds, '
            f"up to {MAX_EXERCISE_SECONDS} after the start",
        )
    if to <= decision.ex:
        raise CommandError("invalid", f"the clock only jumps forward (it stands at {format_dday(start + decision.ex)})")
    return [decision.draft(ev.CLOCK_JUMPED, {"from": decision.ex, "to": float(to)}, (ev.EVERYONE,), ex=float(to))]


# -- rooms and codes ---------------------------------------------------------------


def _post(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    principal, limits = decision.principal, decision.limits
    rid = field(command, "room", str)
    room = decision.scenario.rooms.get(rid)
    if room is None or not may_read(principal, room):
        raise CommandError("not_found", f"no room {rid!r} that you may read")
    if not may_write(principal, room):
        raise CommandError("forbidden", f"you may read but not write in {rid!r}")
    message = text(command.get("text"), "text", limits.message_chars)
    as_actor = command.get("as")
    if as_actor is not None:
        if principal.role != FACILITATOR:
            raise CommandError("forbidden", "only the facilitator posts as a control-played actor")
        as_actor = text(as_actor, "as", limits.actor_name_chars)
    payload = {"room": rid, "text": message, "as": as_actor}
    return [decision.draft(ev.ROOM_MESSAGE_POSTED, payload, decision.team_audience(room.readers))]


def _revoke(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    code = field(command, "code", str)
    if code not in decision.state.codes:
        raise CommandError("not_found", "unknown join code")
    if decision.state.usable_code(code) is None:
        raise CommandError("conflict", "this code is already revoked")
    return [decision.draft(ev.CODE_REVOKED, {"code": code}, (ev.FACILITATOR,))]


_OWN: dict[str, Decider] = {
    "clock.start": _clock_cmd((DRAFT,), ev.CLOCK_STARTED),
    "clock.pause": _clock_cmd((RUNNING,), ev.CLOCK_PAUSED),
    "clock.resume": _clock_cmd((PAUSED,), ev.CLOCK_RESUMED),
    "clock.speed": _speed,
    "clock.jump": _jump,
    "exercise.end": _clock_cmd((DRAFT, RUNNING, PAUSED), ev.EXERCISE_ENDED),
    "room.post": _post,
    "code.revoke": _revoke,
}
# Every command type and its decider.
DECIDERS: dict[str, Decider] = {
    **_OWN,
    **inject_commands.DECIDERS,
    **cop_commands.DECIDERS,
    **evaluation_commands.DECIDERS,
    **learning_commands.DECIDERS,
    **lead_evaluation.DECIDERS,
    **improvement_plan.DECIDERS,
    **people.DECIDERS,
    **roster.DECIDERS,
    **workflows.DECIDERS,
}
