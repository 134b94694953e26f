"""Projections: the exercise's state as a fold over its events.

`ExerciseState.fold(events)` is the only way state comes to be; replay to a moment is
the same fold stopped early (`fold_until`). `snapshot(principal)` is what a
participant may see of the state, filtered on the server (views.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from . import events as ev
from . import views, workflows
from .access import Principal
from .clock import ClockState
from .context import Handler
from .scenario import Inject, Scenario, build_inject, scenario_from_doc
from .workflows.assistance import Request
from .workflows.decisions import LoggedDecision
from .workflows.documents import Document
from .workflows.media import MediaItem, Statement
from .workflows.notification import Notification

SCHEDULED, HELD, RELEASED, CANCELLED = "scheduled", "held", "released", "cancelled"


@dataclass
class InjectState:
    inject: Inject
    item: dict[str, Any]  # the plain scenario item, with edits applied
    status: str = SCHEDULED
    adhoc: bool = False
    released_seq: int | None = None
    released_ex: float | None = None
    trigger: str | None = None
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # team -> {ex_time, wall_time, name, seq}
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # team -> its first response, as acks + action
    edits: int = 0

    def first_ack_ex(self) -> float | None:
        return min((a["ex_time"] for a in self.acks.values()), default=None)


@dataclass
class Participant:
    id: str
    name: str
    role: str
    team: str | None
    code: str | None
    joined_seq: int


@dataclass(frozen=True)
class JoinCode:
    """What a join code lets its holder join as; a revoked code lets nobody in."""

    role: str
    team: str | None
    revoked: bool = False


@dataclass
class ExerciseState:
    exercise: str = ""
    scenario: Scenario | None = None
    title: str = ""
    head: int = 0
    last_ex_time: float = 0.0
    clock: ClockState = field(default_factory=ClockState)
    injects: dict[str, InjectState] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cop: dict[str, dict[str, Any]] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    codes: dict[str, JoinCode] = field(default_factory=dict)
    adhoc_count: int = 0
    observations: list[dict[str, Any]] = field(default_factory=list)  # rows, in the order recorded
    expectation_marks: dict[tuple[str, str, int], dict[str, Any]] = field(default_factory=dict)  # latest mark
    # Coordination workflows (workflows/), each keyed by its id, in the order submitted.
    notifications: dict[str, Notification] = field(default_factory=dict)
    rfas: dict[str, Request] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    media: dict[str, MediaItem] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    decisions: dict[str, LoggedDecision] = field(default_factory=dict)

    # -- folding --------------------------------------------------------------------

    @classmethod
    def fold(cls, events: Iterable[ev.Event]) -> ExerciseState:
        state = cls()
        for event in events:
            state.apply(event)
        return state

    @classmethod
    def fold_until(
        cls, events: Iterable[ev.Event], *, seq: int | None = None, ex_time: float | None = None
    ) -> ExerciseState:
        """Replay: the state as it stood after event `seq`, or at exercise time `ex_time`."""
        state = cls()
        for event in events:
            if (seq is not None and event.seq > seq) or (ex_time is not None and event.ex_time > ex_time):
                break
            state.apply(event)
        return state

    def apply(self, event: ev.Event) -> None:
        if event.seq != self.head + 1:
            raise ValueError(f"event {event.seq} does not follow {self.head} (a gap or a duplicate)")
        handler = _HANDLERS.get(event.type)
        if handler is None:
            raise ValueError(f"unknown event type {event.type!r}")
        handler(self, event)
        self.head = event.seq
        self.last_ex_time = max(self.last_ex_time, event.ex_time)

    # -- queries --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.scenario is not None

    def in_inbox(self, inject_id: str, team: str | None) -> InjectState | None:
        """The inject if it was released to `team`; None alike for unknown, unreleased or addressed elsewhere."""
        st = self.injects.get(inject_id)
        if (
            st is None
            or st.status != RELEASED
            or self.scenario is None
            or team not in self.scenario.audience(st.inject.to)
        ):
            return None
        return st

    def room_messages(self, room: str) -> list[dict[str, Any]]:
        return self.messages.get(room, [])

    def usable_code(self, code: str) -> JoinCode | None:
        """The join code if it lets someone in: None alike for an unknown or a revoked code."""
        info = self.codes.get(code)
        return None if info is None or info.revoked else info

    def snapshot(self, principal: Principal) -> dict[str, Any]:
        """Everything `principal` may see, as of `head`: the payload of a snapshot frame."""
        return views.snapshot(self, principal)

    def checklist(self) -> list[dict[str, Any]]:
        """Expected actions of released injects, per addressed team, with the latest mark (or None)."""
        assert self.scenario is not None
        items = []
        released = sorted(
            (st for st in self.injects.values() if st.status == RELEASED), key=lambda st: st.released_seq or 0
        )
        for st in released:
            for team in sorted(self.scenario.audience(st.inject.to)):
                for i, text in enumerate(views.expected_actions(self.scenario, st.inject, team)):
                    mark = self.expectation_marks.get((st.inject.id, team, i))
                    items.append(
                        {
                            "inject_id": st.inject.id,
                            "team": team,
                            "action": i,
                            "text": text,
                            "released_ex": st.released_ex,
                            "objectives": list(st.inject.objectives),
                            "status": mark["status"] if mark else None,
                            "mark": mark,
                        }
                    )
        return items

    def clock_view(self) -> dict[str, Any]:
        c = self.clock
        return {
            "status": c.status,
            "speed": c.speed,
            "anchor_wall": c.anchor_wall,
            "anchor_ex": c.anchor_ex,
            "start": self.scenario.start if self.scenario else 0.0,
        }


# -- event handlers ----------------------------------------------------------------


def _opened(s: ExerciseState, e: ev.Event) -> None:
    sc = scenario_from_doc(e.payload["scenario"])
    s.exercise, s.scenario, s.title = e.exercise, sc, e.payload.get("title", sc.title)
    items = e.payload["scenario"]["msel"]
    s.injects = {inj.id: InjectState(inj, dict(item)) for inj, item in zip(sc.injects, items, strict=False)}
    s.messages = {rid: [] for rid in sc.rooms}
    s.cop = {f["id"]: copy.deepcopy(f) for f in sc.features}


def _clock(s: ExerciseState, e: ev.Event) -> None:
    c, w, x = s.clock, e.wall_time, e.ex_time
    if e.type == ev.CLOCK_STARTED:
        s.clock = c.started(w)
    elif e.type == ev.CLOCK_PAUSED:
        s.clock = c.paused(w, x)
    elif e.type == ev.CLOCK_RESUMED:
        s.clock = c.resumed(w, x)
    elif e.type == ev.CLOCK_SPEED_SET:
        s.clock = c.with_speed(w, x, float(e.payload["speed"]))
    elif e.type == ev.CLOCK_JUMPED:
        s.clock = c.jumped(w, float(e.payload["to"]))
    elif e.type == ev.EXERCISE_ENDED:
        s.clock = c.ended(w, x)


def _code_issued(s: ExerciseState, e: ev.Event) -> None:
    s.codes[e.payload["code"]] = JoinCode(e.payload["role"], e.payload.get("team"))


def _code_revoked(s: ExerciseState, e: ev.Event) -> None:
    s.codes[e.payload["code"]] = replace(s.codes[e.payload["code"]], revoked=True)


def _joined(s: ExerciseState, e: ev.Event) -> None:
    p = e.payload
    s.participants[p["participant"]] = Participant(
        p["participant"], p["name"], p["role"], p.get("team"), p.get("code"), e.seq
    )


def _released(s: ExerciseState, e: ev.Event) -> None:
    p = e.payload
    content = p["inject"]
    st = s.injects.get(content["id"])
    if st is None:  # an ad-hoc inject, checked when it was decided
        item = adhoc_item(content)
        st = InjectState(_built(s, item), item, adhoc=True)
        s.injects[content["id"]] = st
        s.adhoc_count += 1
    st.status, st.released_seq, st.released_ex, st.trigger = RELEASED, e.seq, e.ex_time, p["trigger"]


def _inject_status(status: str) -> Handler:
    def handler(s: ExerciseState, e: ev.Event) -> None:
        s.injects[e.payload["inject_id"]].status = status

    return handler


def _edited(s: ExerciseState, e: ev.Event) -> None:
    st = s.injects[e.payload["inject_id"]]
    st.item = {**st.item, **e.payload["changes"]}
    st.inject = _built(s, st.item, st.inject.order)
    st.edits += 1


def adhoc_item(content: dict[str, Any]) -> dict[str, Any]:
    """The MSEL item of an ad-hoc inject, from the content its release carries."""
    return {
        "id": content["id"],
        "at": "manual",
        "from": content["from"],
        "to": content["to"],
        "channel": content["channel"],
        "title": content["title"],
        "body": content["body"],
        "expected": content.get("expected") or {},
        "objectives": content.get("objectives") or [],
        "notes": content.get("notes") or "",
    }


def _built(s: ExerciseState, item: dict[str, Any], order: int | None = None) -> Inject:
    assert s.scenario is not None
    inject, problems = build_inject(s.scenario, item, len(s.injects) if order is None else order)
    if inject is None:
        raise ValueError(f"stored inject {item.get('id')!r} no longer checks: {problems}")
    return inject


def _acked(s: ExerciseState, e: ev.Event) -> None:
    s.injects[e.payload["inject_id"]].acks[e.payload["team"]] = {
        "ex_time": e.ex_time,
        "wall_time": e.wall_time,
        "name": e.actor.name,
        "seq": e.seq,
    }


def _responded(s: ExerciseState, e: ev.Event) -> None:
    s.injects[e.payload["inject_id"]].responses.setdefault(
        e.payload["team"],
        {
            "ex_time": e.ex_time,
            "wall_time": e.wall_time,
            "name": e.actor.name,
            "seq": e.seq,
            "action": e.payload["action"],
        },
    )


def _posted(s: ExerciseState, e: ev.Event) -> None:
    s.messages.setdefault(e.payload["room"], []).append(message_row(e))


def message_row(e: ev.Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "ex_time": e.ex_time,
        "wall_time": e.wall_time,
        "text": e.payload["text"],
        "as": e.payload.get("as"),
        "author": {"role": e.actor.role, "team": e.actor.team, "name": e.actor.name},
    }


def _cop_added(s: ExerciseState, e: ev.Event) -> None:
    s.cop[e.payload["feature"]["id"]] = copy.deepcopy(e.payload["feature"])


def _cop_changed(s: ExerciseState, e: ev.Event) -> None:
    s.cop[e.payload["id"]] = copy.deepcopy(e.payload["feature"])


def _cop_removed(s: ExerciseState, e: ev.Event) -> None:
    s.cop.pop(e.payload["id"], None)


def _observed(s: ExerciseState, e: ev.Event) -> None:
    p = e.payload
    s.observations.append(
        {
            "id": p["observation"],
            "seq": e.seq,
            "ex_time": e.ex_time,
            "wall_time": e.wall_time,
            "text": p["text"],
            "rating": p["rating"],
            "objective": p["objective"],
            "inject_id": p.get("inject_id"),
            "team": p.get("team"),
            "recommendation": p.get("recommendation"),
            "author": {"role": e.actor.role, "name": e.actor.name, "participant": e.actor.participant},
        }
    )


def _marked(s: ExerciseState, e: ev.Event) -> None:
    p = e.payload
    s.expectation_marks[(p["inject_id"], p["team"], p["action"])] = {
        "inject_id": p["inject_id"],
        "team": p["team"],
        "action": p["action"],
        "text": p["text"],
        "status": p["status"],
        "note": p.get("note"),
        "seq": e.seq,
        "ex_time": e.ex_time,
        "author": {"role": e.actor.role, "name": e.actor.name, "participant": e.actor.participant},
    }


_HANDLERS: dict[str, Handler] = {
    **workflows.HANDLERS,
    ev.EXERCISE_OPENED: _opened,
    ev.EXERCISE_ENDED: _clock,
    ev.CLOCK_STARTED: _clock,
    ev.CLOCK_PAUSED: _clock,
    ev.CLOCK_RESUMED: _clock,
    ev.CLOCK_SPEED_SET: _clock,
    ev.CLOCK_JUMPED: _clock,
    ev.CODE_ISSUED: _code_issued,
    ev.CODE_REVOKED: _code_revoked,
    ev.PARTICIPANT_JOINED: _joined,
    ev.INJECT_RELEASED: _released,
    ev.INJECT_HELD: _inject_status(HELD),
    ev.INJECT_UNHELD: _inject_status(SCHEDULED),
    ev.INJECT_CANCELLED: _inject_status(CANCELLED),
    ev.INJECT_EDITED: _edited,
    ev.INJECT_ACKNOWLEDGED: _acked,
    ev.INJECT_RESPONDED: _responded,
    ev.ROOM_MESSAGE_POSTED: _posted,
    ev.COP_FEATURE_ADDED: _cop_added,
    ev.COP_FEATURE_CHANGED: _cop_changed,
    ev.COP_FEATURE_REMOVED: _cop_removed,
    ev.OBSERVATION_RECORDED: _observed,
    ev.EXPECTATION_MARKED: _marked,
}
assert set(_HANDLERS) == ev.EVENT_TYPES
