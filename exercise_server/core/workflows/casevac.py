"""Casualty evacuation: a team calls a CASEVAC at once, as a UN security-management emergency
through UNDSS and the mission's operations centre (both played by the control cell), not as a
last-resort request; control dispatches it and the military teams, who fly it, see the call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..access import FACILITATOR
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..scenario import Scenario
from ..validate import field as required
from ..validate import geometry, text
from .common import Label, is_control, no_team_field, short, stamp, team_id, trainee, visible_rows, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

MAX_CASUALTIES = 500

EVENTS = {
    ev.CASEVAC_CALLED: "casevac_id casualties condition location team",
    ev.CASEVAC_DISPATCHED: "casevac_id note",
}
RESPONSES = {"casevac.call": "casualty evacuation called"}
ACTIONS = {ev.CASEVAC_CALLED: "casualty evacuation called"}
KNOWN_ITEMS: dict[str, tuple[str, str, str]] = {}
LABELS: dict[str, Label] = {
    ev.CASEVAC_CALLED: lambda p, _: (
        _("%(id)s CASEVAC called by %(team)s through UNDSS and the JOC: %(n)s casualties")
        % {"id": p["casevac_id"], "team": p["team"], "n": p["casualties"]}
    ),
    ev.CASEVAC_DISPATCHED: lambda p, _: (
        _("%(id)s CASEVAC dispatched: %(note)s") % {"id": p["casevac_id"], "note": short(p["note"])}
    ),
}


@dataclass
class Casevac:
    casevac_id: str
    team: str
    casualties: int
    condition: str
    location: dict[str, Any]
    seq: int
    ex_time: float
    wall_time: float
    author: str
    dispatched: dict[str, Any] | None = None  # {note, seq, ex_time}: the operations centre's answer


def teams(scenario: Scenario, team: str) -> frozenset[str]:
    """The calling team and the military teams (the mission's aircraft and medical units)."""
    return frozenset({team} | {t.id for t in scenario.teams if t.component == "military"})


def visible(scenario: Scenario, row: Casevac, view: ev.View) -> dict[str, Any] | None:
    if is_control(view) or (view.team is not None and view.team in teams(scenario, row.team)):
        return wire(row)
    return None


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"casevacs": visible_rows(state.casevacs.values(), lambda row: visible(scenario, row, view))}


def _call(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, None, "call a casualty evacuation")
    no_team_field(command, "calls a casualty evacuation")
    casualties = required(command, "casualties", int)
    if not 1 <= casualties <= MAX_CASUALTIES:
        raise CommandError("invalid", f"casualties must be between 1 and {MAX_CASUALTIES}")
    payload = {
        "casevac_id": team_id("CASEVAC", (c.team for c in decision.state.casevacs.values()), team),
        "team": team,
        "casualties": casualties,
        "condition": text(command.get("condition"), "condition"),
        "location": geometry(command.get("location"), ("Point",), "location"),
    }
    return [decision.draft(ev.CASEVAC_CALLED, payload, decision.team_audience(teams(decision.scenario, team)))]


def _dispatch(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The control cell, as UNDSS and the operations centre, says what is on its way."""
    decision.not_ended()
    if decision.principal.role != FACILITATOR:
        raise CommandError("forbidden", "only the facilitator (UNDSS, the operations centre) dispatches a CASEVAC")
    cid = required(command, "casevac_id", str)
    row = decision.state.casevacs.get(cid)
    if row is None:
        raise CommandError("not_found", f"no casualty evacuation {cid!r}")
    if row.dispatched is not None:
        raise CommandError("conflict", f"casualty evacuation {cid!r} was already dispatched")
    payload = {"casevac_id": cid, "note": text(command.get("note"), "note")}
    audience = decision.team_audience(teams(decision.scenario, row.team))
    return [decision.draft(ev.CASEVAC_DISPATCHED, payload, audience)]


def _called(state: ExerciseState, e: ev.Event) -> None:
    row = Casevac(**e.payload, **stamp(e))
    state.casevacs[row.casevac_id] = row


def _dispatched(state: ExerciseState, e: ev.Event) -> None:
    state.casevacs[e.payload["casevac_id"]].dispatched = {"note": e.payload["note"], "seq": e.seq, "ex_time": e.ex_time}


DECIDERS: dict[str, Decider] = {"casevac.call": _call, "casevac.dispatch": _dispatch}
HANDLERS: dict[str, Handler] = {ev.CASEVAC_CALLED: _called, ev.CASEVAC_DISPATCHED: _dispatched}
