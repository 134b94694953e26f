"""The control cell's live dashboard: per team, injects unacknowledged, answers overdue, last
activity, open requests for assistance and humanitarian notifications awaiting acknowledgement.

An incremental fold, as `ExerciseState.apply` is: `apply(event)` does O(1) work for an event (an
inject's release adds one due time per addressed team, in a per-team sorted list; a team's action
clears its list once), and the figures at an exercise time are read from the kept state by bisection,
never by walking the log again. The definitions are docs/dashboard.md's; the browser folds the same
way (web/static/js/dashboard_fold.js), from `to_wire()` onwards.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from typing import Any

from . import events as ev
from . import workflows
from .access import TRAINEE
from .clock import ClockState
from .scenario import DEFAULT_RESPOND_WITHIN
from .scenario_check import scenario_from_doc

# What answers an inject for a team: any action a trainee of the team takes after its release, as
# the metrics' "time to first action" counts it (docs/evaluation.md): a room message, a COP change
# or a coordination step. Acknowledging or opening an inject is not an answer.
ANSWERS = frozenset(
    {ev.ROOM_MESSAGE_POSTED, ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED, ev.COP_FEATURE_REMOVED, *workflows.ACTIONS}
)
# a request for assistance not yet accepted, declined or returned
OPEN_REQUEST = ("with_ocha", "submitted", "more_info_requested")
RFA_STATUS = {"accept": "accepted", "decline": "declined", "more_info": "more_info_requested"}
ACKNOWLEDGING = ("military", "police")  # the components that acknowledge humanitarian notifications


@dataclass
class TeamBoard:
    """One team's kept state: what its figures are read from."""

    component: str
    unacknowledged: set[str] = field(default_factory=set)  # injects released to it, not acknowledged by it
    awaiting: list[tuple[float, str]] = field(default_factory=list)  # (due ex_time, inject), sorted: no answer yet
    last_activity: tuple[int, float, float] | None = None  # (seq, ex_time, wall_time) of its latest event
    open_requests: set[str] = field(default_factory=set)  # requests for assistance it raised, still open
    notifications: list[tuple[float, str]] = field(default_factory=list)  # (window end, id), sorted: to acknowledge


@dataclass
class Dashboard:
    """The fold. `figures(ex_time)` is what the dashboard shows when the exercise clock reads ex_time."""

    seq: int = 0
    clock: ClockState = field(default_factory=ClockState)
    respond_within: float = DEFAULT_RESPOND_WITHIN  # the scenario's
    inject_respond_within: dict[str, float] = field(default_factory=dict)  # the injects that set their own
    teams: dict[str, TeamBoard] = field(default_factory=dict)
    rfas: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (requesting team, status)
    awaiting_military: int = 0  # requests in status "submitted": the military teams' to answer

    def apply(self, e: ev.Event) -> None:
        if e.seq <= self.seq:
            return  # already folded (a resume may repeat the events of a fetched state)
        self.seq = e.seq
        handler = _HANDLERS.get(e.type)
        if handler is not None:
            handler(self, e)
        if e.actor.role == TRAINEE and e.actor.team in self.teams:
            board = self.teams[e.actor.team]
            board.last_activity = (e.seq, e.ex_time, e.wall_time)
            if e.type in ANSWERS:
                board.awaiting.clear()  # an action answers every inject released to the team before it

    def figures(self, ex_time: float) -> dict[str, dict[str, Any]]:
        """Per team: the counts at exercise time `ex_time`."""
        return {team: self.team_figures(team, ex_time) for team in self.teams}

    def team_figures(self, team: str, ex_time: float) -> dict[str, Any]:
        b = self.teams[team]
        overdue = bisect_right(b.awaiting, ex_time, key=lambda due: due[0])
        expired = bisect_right(b.notifications, ex_time, key=lambda n: n[0])
        requests = len(b.open_requests) + (self.awaiting_military if b.component == "military" else 0)
        return {
            "unacknowledged": len(b.unacknowledged),
            "awaiting": len(b.awaiting),
            "overdue": overdue,
            "next_due": b.awaiting[overdue][0] if overdue < len(b.awaiting) else None,
            "last_activity_ex": b.last_activity[1] if b.last_activity else None,
            "open_requests": requests,
            "notifications": len(b.notifications) - expired,
        }

    def to_wire(self) -> dict[str, Any]:
        """The kept state as the browser's fold takes it up (msgpack and JSON alike)."""
        return {
            "seq": self.seq,
            "clock": vars(self.clock),
            "respond_within": self.respond_within,
            "inject_respond_within": self.inject_respond_within,
            "rfas": {rid: list(v) for rid, v in self.rfas.items()},
            "awaiting_military": self.awaiting_military,
            "teams": {
                team: {
                    "component": b.component,
                    "unacknowledged": sorted(b.unacknowledged),
                    "awaiting": [list(a) for a in b.awaiting],
                    "last_activity": list(b.last_activity) if b.last_activity else None,
                    "open_requests": sorted(b.open_requests),
                    "notifications": [list(n) for n in b.notifications],
                }
                for team, b in self.teams.items()
            },
        }


def _teams(audience: tuple[str, ...]) -> list[str]:
    return [view.team for key in audience if (view := ev.View.parse(key)) is not None and view.team is not None]


def _opened(d: Dashboard, e: ev.Event) -> None:
    scenario = scenario_from_doc(e.payload["scenario"])
    d.respond_within = scenario.respond_within
    d.inject_respond_within = {i.id: i.respond_within for i in scenario.injects if i.respond_within is not None}
    d.teams = {t.id: TeamBoard(t.component) for t in scenario.teams}


def _clock(d: Dashboard, e: ev.Event) -> None:
    """The clock as ExerciseState folds it: the page reads the exercise time from it (docs/architecture.md, Time)."""
    d.clock = d.clock.after(e)


def _released(d: Dashboard, e: ev.Event) -> None:
    inject = e.payload["inject"]["id"]
    due = e.ex_time + d.inject_respond_within.get(inject, d.respond_within)
    for team in _teams(e.audience):
        board = d.teams.get(team)
        if board is not None:
            board.unacknowledged.add(inject)
            insort(board.awaiting, (due, inject))


def _acknowledged(d: Dashboard, e: ev.Event) -> None:
    board = d.teams.get(e.payload["team"])
    if board is not None:
        board.unacknowledged.discard(e.payload["inject_id"])


def _rfa_submitted(d: Dashboard, e: ev.Event) -> None:
    rid, team = e.payload["rfa_id"], e.payload["team"]
    waiting = "submitted" if e.payload["to_military"] else "with_ocha"
    d.rfas[rid] = (team, waiting)
    d.awaiting_military += waiting == "submitted"
    if team in d.teams:
        d.teams[team].open_requests.add(rid)


def _rfa_status(d: Dashboard, rid: str, status: str) -> None:
    team, before = d.rfas[rid]
    d.rfas[rid] = (team, status)
    d.awaiting_military += (status == "submitted") - (before == "submitted")
    if team in d.teams and status not in OPEN_REQUEST:
        d.teams[team].open_requests.discard(rid)


def _rfa_responded(d: Dashboard, e: ev.Event) -> None:
    _rfa_status(d, e.payload["rfa_id"], RFA_STATUS[e.payload["decision"]])


def _rfa_coordinated(d: Dashboard, e: ev.Event) -> None:
    _rfa_status(d, e.payload["rfa_id"], "submitted" if e.payload["decision"] == "forward" else "returned")


def _rfa_clarified(d: Dashboard, e: ev.Event) -> None:
    _rfa_status(d, e.payload["rfa_id"], "submitted")


def _notified(d: Dashboard, e: ev.Event) -> None:
    p = e.payload
    for board in d.teams.values():
        if board.component in ACKNOWLEDGING and board.component in p["share_with"]:
            insort(board.notifications, (float(p["window_end"]), p["notification_id"]))


def _notification_acknowledged(d: Dashboard, e: ev.Event) -> None:
    board = d.teams.get(e.payload["team"])
    if board is not None:
        board.notifications[:] = [n for n in board.notifications if n[1] != e.payload["notification_id"]]


_HANDLERS = {
    ev.EXERCISE_OPENED: _opened,
    ev.CLOCK_STARTED: _clock,
    ev.CLOCK_PAUSED: _clock,
    ev.CLOCK_RESUMED: _clock,
    ev.CLOCK_SPEED_SET: _clock,
    ev.CLOCK_JUMPED: _clock,
    ev.EXERCISE_ENDED: _clock,
    ev.INJECT_RELEASED: _released,
    ev.INJECT_ACKNOWLEDGED: _acknowledged,
    ev.RFA_SUBMITTED: _rfa_submitted,
    ev.RFA_COORDINATED: _rfa_coordinated,
    ev.RFA_RESPONDED: _rfa_responded,
    ev.RFA_CLARIFIED: _rfa_clarified,
    ev.NOTIFICATION_SUBMITTED: _notified,
    ev.NOTIFICATION_ACKNOWLEDGED: _notification_acknowledged,
}
