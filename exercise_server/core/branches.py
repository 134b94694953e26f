"""Branching as events fold: when each inject's condition (core/conditions.py) first held, and the
event that made it hold. A pure fold beside ExerciseState's, so a restarted server and a replay
know exactly what the running one knew; the scheduler (`msel.py`) reads it to release a conditional
inject, or an alternate in place of its inject, and records why in `inject.branched`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import events as ev
from .conditions import COVER_M, Condition
from .geometry import distance_m, points
from .workflows.assistance import RESPONSES as REQUEST_ACTIONS

if TYPE_CHECKING:
    from .projections import ExerciseState
    from .scenario import Scenario

# The event each kind of condition waits for (silence waits for the clock, and is broken by messages).
WATCHED = {
    "released": ev.INJECT_RELEASED,
    "acknowledged": ev.INJECT_ACKNOWLEDGED,
    "request": ev.RFA_RESPONDED,
    "notification": ev.NOTIFICATION_SUBMITTED,
    "document": ev.DOCUMENT_ACCESSED,
    "decision": ev.DECISION_RECORDED,
    "silence": ev.ROOM_MESSAGE_POSTED,
}
REQUEST_OUTCOMES = {"accepted": "accepted", "declined": "declined"}  # condition word -> request status


@dataclass(frozen=True)
class Met:
    """When a condition first held, and what made it hold: an event (its seq, type and the item it
    concerns), or the clock (seq None: a room stayed silent)."""

    ex_time: float
    seq: int | None = None
    type: str | None = None
    ref: str | None = None  # the request, notification, document, decision, inject or room

    def plain(self) -> dict[str, Any]:
        return {"ex_time": self.ex_time, "seq": self.seq, "type": self.type, "ref": self.ref}


@dataclass
class Branches:
    """Each conditional inject's condition and, once it held, when and why."""

    conditions: dict[str, Condition] = field(default_factory=dict)  # inject id -> its condition
    watching: dict[str, list[str]] = field(default_factory=dict)  # event type -> inject ids
    met: dict[str, Met] = field(default_factory=dict)  # inject id -> when its condition first held
    broken: set[str] = field(default_factory=set)  # injects whose silence a message broke
    request_answers: dict[str, str] = field(default_factory=dict)  # request id -> the inject it answered
    _last_request: dict[str, str] = field(default_factory=dict)  # team -> its latest request id

    @classmethod
    def of(cls, scenario: Scenario) -> Branches:
        out = cls()
        for inject in scenario.injects:
            if inject.condition is not None:
                out.conditions[inject.id] = inject.condition
                out.watching.setdefault(WATCHED[inject.condition.kind], []).append(inject.id)
        return out

    def observe(self, state: ExerciseState, event: ev.Event) -> None:
        """Fold one event (after the state's own handler ran: the rows it names are there)."""
        if not self.conditions:
            return
        if event.type == ev.RFA_SUBMITTED:
            self._last_request[event.payload["team"]] = event.payload["rfa_id"]
        elif event.type == ev.INJECT_RESPONDED and event.payload["action"] == REQUEST_ACTIONS["rfa.submit"]:
            # A request that says which inject it answers: its inject.responded follows it in one command.
            rfa_id = self._last_request.get(event.payload["team"])
            if rfa_id is not None:
                self.request_answers.setdefault(rfa_id, event.payload["inject_id"])
        for inject_id in self.watching.get(event.type, ()):
            if inject_id in self.met or inject_id in self.broken:
                continue
            condition = self.conditions[inject_id]
            if condition.kind == "silence":
                if _breaks_silence(state, condition, event):
                    self.broken.add(inject_id)
                continue
            ref = _matches(state, condition, event, self.request_answers)
            if ref is not None:
                self.met[inject_id] = Met(event.ex_time, event.seq, event.type, ref)

    def held(self, state: ExerciseState, inject_id: str) -> Met | None:
        """When the inject's condition first held (a silence: when its minutes end, unless broken)."""
        condition = self.conditions.get(inject_id)
        if condition is None or condition.kind != "silence":
            return self.met.get(inject_id)
        if inject_id in self.broken:
            return None
        start = _silence_start(state, condition)
        return None if start is None else Met(start + condition.minutes * 60, None, None, condition.subject)


def _teams(state: ExerciseState, condition: Condition) -> frozenset[str] | None:
    if condition.team is None or state.scenario is None:
        return None
    return state.scenario.teams_of([condition.team])


def _by(state: ExerciseState, condition: Condition, team: str) -> bool:
    teams = _teams(state, condition)
    return teams is None or team in teams


def _matches(state: ExerciseState, condition: Condition, event: ev.Event, answers: dict[str, str]) -> str | None:
    """The id of what made `condition` hold with `event`, or None."""
    p = event.payload
    kind = condition.kind
    if kind == "released":
        return condition.subject if p["inject"]["id"] == condition.subject else None
    if kind == "acknowledged":
        return p["inject_id"] if p["inject_id"] == condition.subject and _by(state, condition, p["team"]) else None
    if kind == "request":
        rfa = state.rfas.get(p["rfa_id"])
        if rfa is None or rfa.status != REQUEST_OUTCOMES[condition.subject] or not _by(state, condition, rfa.team):
            return None
        if condition.inject is not None and answers.get(rfa.rfa_id) != condition.inject:
            return None
        return rfa.rfa_id
    if kind == "notification":
        notification = state.notifications.get(p["notification_id"])
        if notification is None or not _by(state, condition, notification.team):
            return None
        return notification.notification_id if covers(notification.geometry, _feature(state, condition)) else None
    if kind in ("document", "decision"):
        return (p.get("document_id") or p.get("decision_id")) if _by(state, condition, p["team"]) else None
    return None


def _feature(state: ExerciseState, condition: Condition) -> dict[str, Any] | None:
    """The feature as the COP shows it now, else as the scenario drew it (not added yet, or removed)."""
    feature = state.cop.get(condition.subject)
    if feature is None and state.scenario is not None:
        feature = next((f for f in state.scenario.features if f["id"] == condition.subject), None)
    return feature


def covers(geometry: dict[str, Any], feature: dict[str, Any] | None) -> bool:
    """Whether a notified site or movement comes within COVER_M of a COP feature (a place or a route)."""
    if feature is None:
        return False
    shape = feature.get("geometry") or {}
    if shape.get("type") == "Polygon" and any(_inside(p, shape["coordinates"][0]) for p in points(geometry)):
        return True  # a site or movement inside an area (a camp, a zone): its edges may be far
    near = min((distance_m(p, shape) for p in points(geometry)), default=math.inf)
    near = min(near, min((distance_m(p, geometry) for p in points(shape)), default=math.inf))
    return near <= COVER_M


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    """Whether a point lies inside a polygon's outer ring (ray casting)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _silence_start(state: ExerciseState, condition: Condition) -> float | None:
    """When a silence is counted from: the release of its inject, else the start of the exercise."""
    if condition.inject is None:
        return 0.0
    inject = state.injects.get(condition.inject)
    return None if inject is None else inject.released_ex


def _breaks_silence(state: ExerciseState, condition: Condition, event: ev.Event) -> bool:
    if event.payload["room"] != condition.subject:
        return False
    start = _silence_start(state, condition)
    return start is not None and start <= event.ex_time <= start + condition.minutes * 60


def branched_payload(inject_id: str, condition: Condition, met: Met, instead_of: str | None) -> dict[str, Any]:
    """What `inject.branched` records: which inject, in place of which, on which condition and why."""
    return {"inject_id": inject_id, "instead_of": instead_of, "condition": condition.plain(), "cause": met.plain()}
