"""Mission tasking: the civilian component asks the mission's own assets (its engineers, mission
transport) for a task. A decision of the mission under its mandate, weighed for the harm it may do
to the local economy, not a humanitarian use of military assets: no last-resort test, no Oslo
label. The military teams accept or decline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..events import N_
from ..scenario import Scenario
from ..validate import choice, geometry, offset, text
from ..validate import field as required
from .common import Label, is_control, short, stamp, team_id, trainee, visible_rows, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

ASSETS = ("engineering", "transport")  # the mission's engineers, mission transport
DECISIONS = ("accept", "decline")
STATUS = {"accept": "accepted", "decline": "declined"}

EVENTS = {
    ev.TASKING_REQUESTED: "asset do_no_harm location mandate task tasking_id team time_limit",
    ev.TASKING_RESPONDED: "decision reason tasking_id team",
}
RESPONSES = {"tasking.request": "mission tasking request", "tasking.respond": "response to a mission tasking"}
ACTIONS = {
    ev.TASKING_REQUESTED: "mission tasking request",
    ev.TASKING_RESPONDED: "response to a mission tasking",
}
KNOWN_ITEMS = {ev.TASKING_REQUESTED: ("tasking", "tasking_id", "task")}
STATUS_WORDS = {"accepted": N_("accepted"), "declined": N_("declined")}
LABELS: dict[str, Label] = {
    ev.TASKING_REQUESTED: lambda p, _: (
        _("%(id)s mission tasking (%(asset)s) asked by %(team)s: %(task)s")
        % {"id": p["tasking_id"], "asset": _(p["asset"]), "team": p["team"], "task": short(p["task"])}
    ),
    ev.TASKING_RESPONDED: lambda p, _: (
        _("%(id)s %(status)s by %(team)s: %(reason)s")
        % {
            "id": p["tasking_id"],
            "status": _(STATUS_WORDS[STATUS[p["decision"]]]),
            "team": p["team"],
            "reason": short(p["reason"]),
        }
    ),
}


@dataclass
class Tasking:
    tasking_id: str
    team: str
    asset: str
    task: str
    mandate: str  # how the task falls within the mission's mandate
    do_no_harm: str  # its effect on local contractors and the economy, and how harm is avoided
    time_limit: float
    location: dict[str, Any]
    seq: int
    ex_time: float
    wall_time: float
    author: str
    status: str = "requested"
    history: list[dict[str, Any]] = field(default_factory=list)  # {status, team, reason, seq, ex_time}


def teams(scenario: Scenario, team: str) -> frozenset[str]:
    """The requesting team and the military teams that decide."""
    return frozenset({team} | {t.id for t in scenario.teams if t.component == "military"})


def visible(scenario: Scenario, row: Tasking, view: ev.View) -> dict[str, Any] | None:
    if is_control(view) or (view.team is not None and view.team in teams(scenario, row.team)):
        return wire(row)
    return None


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"taskings": visible_rows(state.taskings.values(), lambda row: visible(scenario, row, view))}


def _request(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("civilian",), "request a mission tasking")
    asset = choice(command, "asset", ASSETS)
    time_limit = offset(command.get("time_limit"), "time_limit")
    if time_limit < decision.ex:
        raise CommandError("invalid", "time_limit has already passed: give a time still ahead in the exercise")
    payload = {
        "tasking_id": team_id("T", (t.team for t in decision.state.taskings.values()), team),
        "team": team,
        "asset": asset,
        "task": text(command.get("task"), "task"),
        "mandate": text(command.get("mandate"), "mandate"),
        "do_no_harm": text(command.get("do_no_harm"), "do_no_harm"),
        "time_limit": time_limit,
        "location": geometry(command.get("location"), ("Point", "LineString", "Polygon"), "location"),
    }
    return [decision.draft(ev.TASKING_REQUESTED, payload, decision.team_audience(teams(decision.scenario, team)))]


def _respond(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("military",), "respond to a mission tasking")
    tid = required(command, "tasking_id", str)
    row = decision.state.taskings.get(tid)
    if row is None:
        raise CommandError("not_found", f"no mission tasking {tid!r}")
    answer = choice(command, "decision", DECISIONS)
    reason = text(command.get("reason"), "reason")
    if row.status != "requested":
        raise CommandError("wrong_state", f"mission tasking {tid!r} was already {row.status}")
    payload = {"tasking_id": tid, "team": team, "decision": answer, "reason": reason}
    return [decision.draft(ev.TASKING_RESPONDED, payload, decision.team_audience(teams(decision.scenario, row.team)))]


def _requested(state: ExerciseState, e: ev.Event) -> None:
    row = Tasking(**e.payload, **stamp(e))
    row.history.append({"status": "requested", "team": row.team, "reason": "", "seq": e.seq, "ex_time": e.ex_time})
    state.taskings[row.tasking_id] = row


def _responded(state: ExerciseState, e: ev.Event) -> None:
    row = state.taskings[e.payload["tasking_id"]]
    row.status = STATUS[e.payload["decision"]]
    row.history.append(
        {
            "status": row.status,
            "team": e.payload["team"],
            "reason": e.payload["reason"],
            "seq": e.seq,
            "ex_time": e.ex_time,
        }
    )


DECIDERS: dict[str, Decider] = {"tasking.request": _request, "tasking.respond": _respond}
HANDLERS: dict[str, Handler] = {ev.TASKING_REQUESTED: _requested, ev.TASKING_RESPONDED: _responded}
