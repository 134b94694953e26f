"""Commands: validate, authorize, decide which events follow. No I/O.

`decide(state, principal, command, now)` answers with the drafts of the events a
command produces, or raises CommandError; it never changes the state. The caller
appends the drafts to the store and folds the stored events back into the state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import events as ev
from . import workflows
from .access import FACILITATOR, TRAINEE, Principal, may_change_feature, may_issue, may_read, may_see_feature, may_write
from .clock import DRAFT, ENDED, MAX_SPEED, MIN_SPEED, PAUSED, RUNNING
from .errors import CommandError
from .msel import due_injects
from .msel_check import patch_problem
from .projections import (
    CANCELLED,
    HELD,
    RELEASED,
    SCHEDULED,
    ExerciseState,
    InjectState,
    expected_actions,
    inject_content,
)
from .scenario import ADHOC_PREFIX, ALL, CONTROL, FEATURE_KINDS, Scenario
from .scenario_check import build_inject
from .timefmt import format_dday, parse_exercise_time

MAX_EXERCISE_SECONDS = 30 * 24 * 3600  # a jump target beyond a month of exercise time is a mistake
EDITABLE_INJECT_FIELDS = ("at", "from", "to", "channel", "title", "body", "expected", "objectives", "notes")


class Limits:
    """Per-exercise content limits; documented in docs/protocol.md."""

    message_chars = 4000
    actor_name_chars = 80
    display_name_chars = 60
    features_per_team = 500
    feature_bytes = 16_000
    observation_chars = 4000
    note_chars = 1000


def now_ex(state: ExerciseState, now: float) -> float:
    """Exercise time for an event decided at wall time `now` (never runs backwards)."""
    return max(state.clock.at(now), state.last_ex_time)


def decide(
    state: ExerciseState, principal: Principal, command: dict[str, Any], now: float, limits: Limits = Limits()
) -> list[ev.Draft]:
    ctype = command.get("type")
    if isinstance(ctype, str) and ctype in workflows.EXPLAINED_REFUSALS:
        raise CommandError("invalid", workflows.EXPLAINED_REFUSALS[ctype])
    if not isinstance(ctype, str) or ctype not in _DECIDERS:
        raise CommandError("unknown_type", f"unknown command type {ctype!r}")
    if not may_issue(principal, ctype):
        raise CommandError("forbidden", f"a {principal.role} may not issue {ctype}")
    if state.scenario is None:
        raise CommandError("wrong_state", "the exercise is not open")
    ctx = _Ctx(state, state.scenario, principal, now, now_ex(state, now), limits)
    if "responds_to" not in command:
        return _DECIDERS[ctype](ctx, command)
    inject_id = _responds_to(ctx, command)
    drafts = _DECIDERS[ctype](ctx, {k: v for k, v in command.items() if k != "responds_to"})
    action = RESPONSE_ACTIONS[ctype] + (f" in {command['room']}" if ctype == "room.post" else "")
    return [
        *drafts,
        ctx.draft(
            ev.INJECT_RESPONDED,
            {"inject_id": inject_id, "team": principal.team, "action": action},
            (*ev.CONTROL_CELL, ev.team_key(principal.team)),
        ),
    ]


# A team's actions that may say which inject they answer (`responds_to`), and how metrics name them.
RESPONSE_ACTIONS = {
    "room.post": "message",
    "cop.add": "COP feature added",
    "cop.change": "COP change",
    "decision.record": "decision recorded",
    "statement.issue": "public statement",
    "rfa.submit": "request for assistance",
    "rfa.respond": "response to a request for assistance",
    "notification.submit": "humanitarian notification",
    "document.share": "document shared",
}


def _responds_to(ctx: _Ctx, command: dict[str, Any]) -> str:
    """The inject a team's action answers: one released to that team (else refused, nothing leaked)."""
    if command["type"] not in RESPONSE_ACTIONS:
        raise CommandError(
            "invalid", f"{command['type']} does not take responds_to; only {', '.join(sorted(RESPONSE_ACTIONS))} do"
        )
    if ctx.p.role != TRAINEE:
        raise CommandError("forbidden", "only a team's actions answer an inject (responds_to)")
    iid = _field(command, "responds_to", str)
    if ctx.state.in_inbox(iid, ctx.p.team) is None:
        raise CommandError("not_found", f"no inject {iid!r} in your inbox")
    return iid


def decide_open(
    exercise: str, scenario_doc: dict[str, Any], codes: dict[str, dict[str, Any]], now: float, actor: ev.Actor
) -> list[ev.Draft]:
    """Open an exercise: the scenario (kept in the log, so later file edits change nothing) and its codes."""
    drafts = [
        ev.Draft(
            ev.EXERCISE_OPENED,
            {"scenario": scenario_doc, "title": scenario_doc.get("title", "")},
            ev.CONTROL_CELL,
            now,
            0.0,
            actor,
        )
    ]
    for code, info in codes.items():
        drafts.append(
            ev.Draft(
                ev.CODE_ISSUED,
                {"code": code, "role": info["role"], "team": info.get("team")},
                (ev.FACILITATOR,),
                now,
                0.0,
                actor,
            )
        )
    return drafts


def decide_join(
    state: ExerciseState, code: str, name: Any, participant: str, now: float, limits: Limits = Limits()
) -> tuple[ev.Draft, Principal]:
    info = state.codes.get(code)
    if info is None:
        raise CommandError("not_found", "unknown join code")
    if info["revoked"]:
        raise CommandError("forbidden", "this join code has been revoked")
    if state.clock.status == ENDED:
        raise CommandError("wrong_state", "the exercise has ended")
    name = _text(name, "name", limits.display_name_chars)
    team = info.get("team")
    component = state.scenario.team(team).component if team and state.scenario else None
    principal = Principal(info["role"], name, participant, team, component)
    audience = (*ev.CONTROL_CELL, ev.team_key(team)) if team else ev.CONTROL_CELL
    payload = {"participant": participant, "name": name, "role": info["role"], "team": team, "code": code}
    return ev.Draft(ev.PARTICIPANT_JOINED, payload, audience, now, now_ex(state, now), principal.actor()), principal


def decide_due(state: ExerciseState, now: float) -> list[ev.Draft]:
    """The scheduler's tick: release every inject due now, once, in order."""
    if state.clock.status != RUNNING or state.scenario is None:
        return []
    ex = now_ex(state, now)
    drafts: list[ev.Draft] = []
    ctx = _Ctx(state, state.scenario, None, now, ex, Limits())
    for st in due_injects(state, ex):
        drafts += ctx.release(st, "condition" if st.inject.after else "time", ev.SYSTEM)
    return drafts


class _Ctx:
    def __init__(
        self,
        state: ExerciseState,
        scenario: Scenario,
        principal: Principal | None,
        now: float,
        ex: float,
        limits: Limits,
    ) -> None:
        self.state, self.sc, self.p, self.now, self.ex, self.limits = state, scenario, principal, now, ex, limits
        self._cop: dict[str, dict[str, Any]] | None = None

    def working_cop(self) -> dict[str, dict[str, Any]]:
        """The COP as the drafts decided so far leave it (several releases in one tick)."""
        if self._cop is None:
            self._cop = dict(self.state.cop)
        return self._cop

    def draft(
        self,
        etype: str,
        payload: dict[str, Any],
        audience: tuple[str, ...],
        actor: ev.Actor | None = None,
        ex: float | None = None,
    ) -> ev.Draft:
        actor = actor or (self.p.actor() if self.p else ev.SYSTEM)
        return ev.Draft(etype, payload, audience, self.now, self.ex if ex is None else ex, actor)

    def team_audience(self, teams: frozenset[str] | set[str]) -> tuple[str, ...]:
        return (*ev.CONTROL_CELL, *sorted(ev.team_key(t) for t in teams))

    def not_ended(self) -> None:
        if self.state.clock.status == ENDED:
            raise CommandError("wrong_state", "the exercise has ended")

    # -- injects --------------------------------------------------------------------

    def inject_state(self, command: dict[str, Any]) -> InjectState:
        iid = _field(command, "inject_id", str)
        st = self.state.injects.get(iid)
        if st is None:
            raise CommandError("not_found", f"no inject {iid!r}")
        return st

    def release(self, st: InjectState, trigger: str, actor: ev.Actor) -> list[ev.Draft]:
        content = inject_content(st)
        audience = self.team_audience(self.sc.audience(st.inject.to))
        drafts = [
            self.draft(ev.INJECT_RELEASED, {"inject": content, "trigger": trigger, "adhoc": st.adhoc}, audience, actor)
        ]
        for change in st.inject.cop:
            cop_drafts = self.cop_change_drafts(self.working_cop(), change, actor, cause=st.inject.id)
            drafts += cop_drafts + workflows.hazard_drafts(self, cop_drafts)
        return drafts

    def cop_change_drafts(
        self, cop: dict[str, dict], change: dict[str, Any], actor: ev.Actor, cause: str | None = None
    ) -> list[ev.Draft]:
        """Drafts for one add / change / remove applied to `cop` (which is updated as we go)."""
        if "add" in change:
            feature = copy.deepcopy(change["add"])
            if feature["id"] in cop:
                return []  # added meanwhile by someone else: the inject's add is moot
            cop[feature["id"]] = feature
            return [
                self.draft(
                    ev.COP_FEATURE_ADDED,
                    {"feature": feature, "cause": cause},
                    self.team_audience(self.sc.teams_of(feature["visible_to"])),
                    actor,
                )
            ]
        fid = change.get("change") or change.get("remove")
        before = cop.get(fid)
        if before is None:
            return []  # removed meanwhile
        seen_before = self.sc.teams_of(before["visible_to"])
        if "remove" in change:
            del cop[fid]
            return [
                self.draft(ev.COP_FEATURE_REMOVED, {"id": fid, "cause": cause}, self.team_audience(seen_before), actor)
            ]
        after = {**before, **copy.deepcopy(change["set"])}
        cop[fid] = after
        seen_after = self.sc.teams_of(after["visible_to"])
        payload = {
            "id": fid,
            "set": change["set"],
            "feature": after,
            "cause": cause,
            "hidden_from": sorted(seen_before - seen_after),
        }
        return [self.draft(ev.COP_FEATURE_CHANGED, payload, self.team_audience(seen_before | seen_after), actor)]


def _clock_cmd(allowed: tuple[str, ...], etype: str) -> Callable[[_Ctx, dict], list[ev.Draft]]:
    def decide_clock(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
        if ctx.state.clock.status not in allowed:
            raise CommandError("wrong_state", f"the clock is {ctx.state.clock.status}")
        return [ctx.draft(etype, {}, (ev.EVERYONE,), ex=0.0 if etype == ev.CLOCK_STARTED else None)]

    return decide_clock


def _speed(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    speed = _field(command, "speed", (int, float))
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise CommandError("invalid", f"speed must be between x{MIN_SPEED:g} and x{MAX_SPEED:g}")
    return [ctx.draft(ev.CLOCK_SPEED_SET, {"speed": float(speed)}, (ev.EVERYONE,))]


def _jump(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    if ctx.state.clock.status not in (RUNNING, PAUSED):
        raise CommandError("wrong_state", f"the clock is {ctx.state.clock.status}; start it before jumping")
    to = command.get("to")
    if isinstance(to, str):
        try:
            to = parse_exercise_time(to, ctx.sc.start)
        except ValueError as exc:
            raise CommandError("invalid", str(exc)) from None
    if not isinstance(to, (int, float)) or isinstance(to, bool) or not 0 <= to <= MAX_EXERCISE_SECONDS:
        raise CommandError(
            "invalid",
            'to must be an offset such as "+1:30", a scenario time such as '
            f'"{format_dday(ctx.sc.start + 5400)}" or a number of seconds, '
            f"up to {MAX_EXERCISE_SECONDS} after the start",
        )
    if to <= ctx.ex:
        raise CommandError(
            "invalid", f"the clock only jumps forward (it stands at {format_dday(ctx.sc.start + ctx.ex)})"
        )
    return [ctx.draft(ev.CLOCK_JUMPED, {"from": ctx.ex, "to": float(to)}, (ev.EVERYONE,), ex=float(to))]


def _release(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    st = ctx.inject_state(command)
    if st.status == RELEASED:
        raise CommandError("conflict", f"inject {st.inject.id!r} was already released")
    if st.status == CANCELLED:
        raise CommandError("wrong_state", f"inject {st.inject.id!r} was cancelled")
    return ctx.release(st, "manual", ctx.p.actor())


def _status_cmd(allowed: tuple[str, ...], etype: str) -> Callable[[_Ctx, dict], list[ev.Draft]]:
    def decide_status(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
        ctx.not_ended()
        st = ctx.inject_state(command)
        if st.status not in allowed:
            code = "conflict" if st.status == RELEASED else "wrong_state"
            raise CommandError(code, f"inject {st.inject.id!r} is {st.status}")
        return [ctx.draft(etype, {"inject_id": st.inject.id}, ev.CONTROL_CELL)]

    return decide_status


def _edit(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    st = ctx.inject_state(command)
    if st.status not in (SCHEDULED, HELD):
        raise CommandError("wrong_state", f"inject {st.inject.id!r} is {st.status}; only unreleased injects change")
    changes = _field(command, "changes", dict)
    unknown = set(changes) - set(EDITABLE_INJECT_FIELDS)
    if unknown or not changes:
        raise CommandError("invalid", f"changes may set {', '.join(EDITABLE_INJECT_FIELDS)}")
    if "at" in changes and not isinstance(changes["at"], str):
        raise CommandError("invalid", 'at must be an offset such as "+0:40" or manual')
    _, problems = build_inject(ctx.sc, {**st.item, **changes}, st.inject.order)
    if problems:
        raise CommandError("invalid", "; ".join(p.message for p in problems))
    return [ctx.draft(ev.INJECT_EDITED, {"inject_id": st.inject.id, "changes": changes}, ev.CONTROL_CELL)]


def _adhoc(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    iid = f"{ADHOC_PREFIX}{ctx.state.adhoc_count + 1}"
    item = {
        k: command[k]
        for k in ("from", "to", "channel", "title", "body", "expected", "objectives", "notes")
        if k in command
    }
    item.update(id=iid, at="manual")
    inject, problems = build_inject(ctx.sc, item, len(ctx.state.injects))
    if inject is None:
        raise CommandError("invalid", "; ".join(p.message for p in problems))
    return ctx.release(InjectState(inject, item, adhoc=True), "manual", ctx.p.actor())


def _ack(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    iid = _field(command, "inject_id", str)
    team = ctx.p.team
    st = ctx.state.in_inbox(iid, team)
    if st is None:  # an unreleased or unaddressed inject answers exactly like a missing one: no leak
        raise CommandError("not_found", f"no inject {iid!r} in your inbox")
    if team in st.acks:
        raise CommandError("conflict", f"your team already acknowledged {iid!r}")
    return [ctx.draft(ev.INJECT_ACKNOWLEDGED, {"inject_id": iid, "team": team}, (*ev.CONTROL_CELL, ev.team_key(team)))]


def _post(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    rid = _field(command, "room", str)
    room = ctx.sc.rooms.get(rid)
    if room is None or not may_read(ctx.p, room):
        raise CommandError("not_found", f"no room {rid!r} that you may read")
    if not may_write(ctx.p, room):
        raise CommandError("forbidden", f"you may read but not write in {rid!r}")
    text = _text(command.get("text"), "text", ctx.limits.message_chars)
    as_actor = command.get("as")
    if as_actor is not None:
        if ctx.p.role != FACILITATOR:
            raise CommandError("forbidden", "only the facilitator posts as a control-played actor")
        as_actor = _text(as_actor, "as", ctx.limits.actor_name_chars)
    return [
        ctx.draft(ev.ROOM_MESSAGE_POSTED, {"room": rid, "text": text, "as": as_actor}, ctx.team_audience(room.readers))
    ]


def _scope(sc: Scenario) -> set[str]:
    return {c.id for c in sc.components} | {t.id for t in sc.teams}


def _cop_add(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    raw = _field(command, "feature", dict)
    allowed = {"kind", "name", "geometry", "properties", "visible_to", "owner"}
    if set(raw) - allowed:
        raise CommandError("invalid", f"a new feature has only {', '.join(sorted(allowed))}")
    feature = {
        "kind": raw.get("kind"),
        "name": raw.get("name"),
        "geometry": raw.get("geometry"),
        "properties": raw.get("properties", {}),
        "visible_to": raw.get("visible_to"),
    }
    p = ctx.p
    if p.role == TRAINEE:
        if "owner" in raw:
            raise CommandError("forbidden", "a team owns what it adds; owner cannot be set")
        feature["owner"] = p.team
        feature["visible_to"] = feature["visible_to"] or [p.team]
        owned = sum(1 for f in ctx.state.cop.values() if f["owner"] == p.team)
        if owned >= ctx.limits.features_per_team:
            raise CommandError("invalid", f"a team may own at most {ctx.limits.features_per_team} features")
    else:
        feature["owner"] = raw.get("owner", CONTROL)
        feature["visible_to"] = feature["visible_to"] or ALL
    if feature["kind"] not in FEATURE_KINDS:
        raise CommandError("invalid", f"kind must be one of {', '.join(FEATURE_KINDS)}")
    problem = patch_problem(
        {k: feature[k] for k in ("name", "geometry", "properties", "visible_to", "owner")}, ctx.sc, _scope(ctx.sc)
    )
    if problem:
        raise CommandError("invalid", problem)
    _check_size(feature, ctx.limits)
    if p.role == TRAINEE and feature["visible_to"] != ALL and p.team not in ctx.sc.teams_of(feature["visible_to"]):
        feature["visible_to"] = [*feature["visible_to"], p.team]  # a team always sees its own features
    prefix = p.team if p.role == TRAINEE else "ctl"
    n = 1 + sum(1 for fid in ctx.state.cop if fid.startswith(f"{prefix}-f"))
    while f"{prefix}-f{n}" in ctx.state.cop:
        n += 1
    feature = {"id": f"{prefix}-f{n}", **feature}
    drafts = ctx.cop_change_drafts(ctx.working_cop(), {"add": feature}, p.actor())
    return drafts + workflows.hazard_drafts(ctx, drafts)


def _visible_feature(ctx: _Ctx, command: dict[str, Any]) -> dict[str, Any]:
    fid = _field(command, "feature_id", str)
    feature = ctx.state.cop.get(fid)
    if feature is None or not may_see_feature(ctx.p, feature, ctx.sc.teams_of):
        raise CommandError("not_found", f"no COP feature {fid!r} that you may see")
    if not may_change_feature(ctx.p, feature):
        raise CommandError("forbidden", f"COP feature {fid!r} belongs to {feature['owner']}")
    return feature


def _cop_change(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    feature = _visible_feature(ctx, command)
    patch = _field(command, "set", dict)
    if not patch:
        raise CommandError("invalid", "set: needs at least one field")
    if ctx.p.role == TRAINEE and "owner" in patch:
        raise CommandError("forbidden", "only the facilitator changes who owns a feature")
    problem = patch_problem(patch, ctx.sc, _scope(ctx.sc))
    if problem:
        raise CommandError("invalid", problem)
    _check_size({**feature, **patch}, ctx.limits)
    patch = copy.deepcopy(patch)
    owner = feature["owner"]
    vis = patch.get("visible_to")
    if vis is not None and vis != ALL and ctx.p.role == TRAINEE and owner not in vis:
        patch["visible_to"] = [*vis, owner]  # the owner never hides a feature from itself
    drafts = ctx.cop_change_drafts(ctx.working_cop(), {"change": feature["id"], "set": patch}, ctx.p.actor())
    return drafts + workflows.hazard_drafts(ctx, drafts)


def _cop_remove(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    feature = _visible_feature(ctx, command)
    return ctx.cop_change_drafts(ctx.working_cop(), {"remove": feature["id"]}, ctx.p.actor())


def _revoke(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    code = _field(command, "code", str)
    info = ctx.state.codes.get(code)
    if info is None:
        raise CommandError("not_found", "unknown join code")
    if info["revoked"]:
        raise CommandError("conflict", "this code is already revoked")
    return [ctx.draft(ev.CODE_REVOKED, {"code": code}, (ev.FACILITATOR,))]


# -- evaluation: allowed after the end too, when evaluators finish their notes -------


def _observe(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    text = _text(command.get("text"), "text", ctx.limits.observation_chars)
    rating = command.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or rating not in ev.RATING_SCALE:
        raise CommandError(
            "invalid", f"rating must be a whole number from {min(ev.RATING_SCALE)} to {max(ev.RATING_SCALE)}"
        )
    objective = _field(command, "objective", str)
    if objective not in ctx.sc.objectives:
        raise CommandError(
            "invalid", f"unknown objective {objective!r} (the scenario's: {', '.join(ctx.sc.objectives)})"
        )
    inject_id = _optional(command, "inject_id", str)
    if inject_id is not None:
        st = ctx.state.injects.get(inject_id)
        if st is None:
            raise CommandError("not_found", f"no inject {inject_id!r}")
        if st.status != RELEASED:
            raise CommandError("wrong_state", f"inject {inject_id!r} is {st.status}; observe released injects")
    team = _optional(command, "team", str)
    if team is not None and ctx.sc.team(team) is None:
        raise CommandError("not_found", f"no team {team!r}")
    recommendation = _optional(command, "recommendation", str)
    if recommendation is not None:
        recommendation = (
            _text(recommendation, "recommendation", ctx.limits.observation_chars) if recommendation.strip() else None
        )
    payload = {
        "observation": f"OBS-{len(ctx.state.observations) + 1}",
        "text": text,
        "rating": rating,
        "objective": objective,
        "inject_id": inject_id,
        "team": team,
        "recommendation": recommendation,
    }
    return [ctx.draft(ev.OBSERVATION_RECORDED, payload, ev.CONTROL_CELL)]


def _mark(ctx: _Ctx, command: dict[str, Any]) -> list[ev.Draft]:
    st = ctx.inject_state(command)
    if st.status != RELEASED:
        raise CommandError("wrong_state", f"inject {st.inject.id!r} is {st.status}; marks follow a release")
    team = _field(command, "team", str)
    if ctx.sc.team(team) is None:
        raise CommandError("not_found", f"no team {team!r}")
    if team not in ctx.sc.audience(st.inject.to):
        raise CommandError("invalid", f"inject {st.inject.id!r} was not addressed to {team!r}")
    actions = expected_actions(ctx.sc, st.inject, team)
    action = command.get("action")
    if not isinstance(action, int) or isinstance(action, bool) or not 0 <= action < len(actions):
        raise CommandError(
            "invalid",
            f"action must be the index of one of the {len(actions)} actions expected "
            f"of {team!r} after {st.inject.id!r}",
        )
    status = command.get("status")
    if status not in ev.EXPECTATION_STATUSES:
        raise CommandError("invalid", f"status must be one of {', '.join(ev.EXPECTATION_STATUSES)}")
    note = _optional(command, "note", str)
    if note is not None:
        note = _text(note, "note", ctx.limits.note_chars) if note.strip() else None
    before = ctx.state.expectation_marks.get((st.inject.id, team, action))
    if before is not None and before["status"] == status and before.get("note") == note:
        raise CommandError("conflict", "this action is already marked so")
    payload = {
        "inject_id": st.inject.id,
        "team": team,
        "action": action,
        "text": actions[action],
        "status": status,
        "note": note,
    }
    return [ctx.draft(ev.EXPECTATION_MARKED, payload, ev.CONTROL_CELL)]


def _optional(command: dict[str, Any], name: str, kind: type) -> Any:
    value = command.get(name)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise CommandError("invalid", f"field {name!r} has the wrong type")
    return value


def _check_size(feature: dict[str, Any], limits: Limits) -> None:
    import msgpack

    if len(msgpack.packb(feature, use_bin_type=True)) > limits.feature_bytes:
        raise CommandError("invalid", f"a COP feature may take at most {limits.feature_bytes} bytes")


def _field(command: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = command.get(name)
    if value is None:
        raise CommandError("invalid", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CommandError("invalid", f"field {name!r} has the wrong type")
    return value


def _text(value: Any, name: str, max_chars: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CommandError("invalid", f"{name} must be non-empty text")
    if len(value) > max_chars:
        raise CommandError("invalid", f"{name} is longer than {max_chars} characters")
    return value.strip()


_DECIDERS: dict[str, Callable[[_Ctx, dict[str, Any]], list[ev.Draft]]] = {
    "clock.start": _clock_cmd((DRAFT,), ev.CLOCK_STARTED),
    "clock.pause": _clock_cmd((RUNNING,), ev.CLOCK_PAUSED),
    "clock.resume": _clock_cmd((PAUSED,), ev.CLOCK_RESUMED),
    "clock.speed": _speed,
    "clock.jump": _jump,
    "exercise.end": _clock_cmd((DRAFT, RUNNING, PAUSED), ev.EXERCISE_ENDED),
    "inject.release": _release,
    "inject.hold": _status_cmd((SCHEDULED,), ev.INJECT_HELD),
    "inject.unhold": _status_cmd((HELD,), ev.INJECT_UNHELD),
    "inject.edit": _edit,
    "inject.cancel": _status_cmd((SCHEDULED, HELD), ev.INJECT_CANCELLED),
    "inject.adhoc": _adhoc,
    "inject.ack": _ack,
    "room.post": _post,
    "cop.add": _cop_add,
    "cop.change": _cop_change,
    "cop.remove": _cop_remove,
    "code.revoke": _revoke,
    "observation.record": _observe,
    "expectation.mark": _mark,
    **workflows.DECIDERS,
}
COMMAND_TYPES = frozenset(_DECIDERS)
