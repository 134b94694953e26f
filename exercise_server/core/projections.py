"""Projections: the exercise's state as a fold over its events.

`ExerciseState.fold(events)` is the only way state comes to be; replay to a moment is
the same fold stopped early (`fold_until`). `snapshot(principal)` is what a
participant may see of the state, filtered on the server (views.py).

A running exercise keeps only the latest `room_window` messages of each room (LIVE_ROOM_MESSAGES):
a day's chat is the log's, and older messages are read from the store on request (room.history).
Replay, metrics and the report fold with no window: they see every message.
"""

from __future__ import annotations

import bisect
import copy
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import events as ev
from . import learning_commands, people, roster, views, workflows
from .access import Principal
from .branches import Branches
from .clock import ClockState
from .command_ids import CommandIds
from .context import Handler
from .people import JoinCode
from .roster import RosterEntry
from .scenario import Inject, Scenario
from .scenario_check import build_inject, scenario_from_doc
from .syndicates import Syndicate
from .versions import Versions
from .workflows import notification
from .workflows.assistance import Request
from .workflows.casevac import Casevac
from .workflows.decisions import LoggedDecision
from .workflows.documents import Document
from .workflows.media import MediaItem, Statement
from .workflows.notification import Notification
from .workflows.tasking import Tasking

SCHEDULED, HELD, RELEASED, CANCELLED = "scheduled", "held", "released", "cancelled"
REPLACED = "replaced"  # an alternate was released in its place (inject.branched)
# The messages of each room a server keeps in memory and sends in a snapshot; older ones come from
# the store (room.history). 100 rows of about 0.45 KiB: under 1 MiB for the capstone's 12 rooms.
LIVE_ROOM_MESSAGES = 100


@dataclass
class InjectState:
    inject: Inject
    item: dict[str, Any]  # the plain scenario item, with edits applied
    status: str = SCHEDULED
    adhoc: bool = False
    released_seq: int | None = None
    released_ex: float | None = None
    trigger: str | None = None
    released_by: str | None = None  # the facilitator who released it (None: the scheduler, on time or condition)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # team -> {ex_time, wall_time, name, seq}
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # team -> its first response, as acks + action
    edits: int = 0
    versions: Versions = field(default_factory=Versions)  # of its content (what inject.edit changes)
    reads: set[tuple[str, str]] = field(default_factory=set)  # (participant, language): inject.opened
    branch: dict[str, Any] | None = None  # the inject.branched payload that released or replaced it

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


@dataclass
class ExerciseState:
    exercise: str = ""
    scenario: Scenario | None = None
    title: str = ""
    syndicate: Syndicate | None = None  # one syndicate of a class (core/syndicates.py), or None
    head: int = 0
    last_ex_time: float = 0.0
    clock: ClockState = field(default_factory=ClockState)
    injects: dict[str, InjectState] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the latest room_window rows
    room_window: int | None = None  # messages kept per room (None: all, for replay and the report)
    earlier: dict[str, int] = field(default_factory=dict)  # room -> messages before those kept
    message_seqs: dict[str, array[int]] = field(default_factory=dict)  # room -> every message's seq
    cop: dict[str, dict[str, Any]] = field(default_factory=dict)
    cop_versions: dict[str, Versions] = field(default_factory=dict)  # feature id -> its versions
    cop_placed: dict[str, float] = field(default_factory=dict)  # feature id -> ex time it got its geometry
    participants: dict[str, Participant] = field(default_factory=dict)
    codes: dict[str, JoinCode] = field(default_factory=dict)
    removed: dict[str, Participant] = field(default_factory=dict)  # participant.removed: their tokens are refused
    languages: dict[str, str] = field(default_factory=dict)  # participant -> their interface language (people.py)
    roster: dict[str, RosterEntry] = field(default_factory=dict)  # person -> their roster entry (roster.py)
    personal_codes: dict[str, str] = field(default_factory=dict)  # a roster entry's own join code -> person
    person_of: dict[str, str] = field(default_factory=dict)  # participant -> the roster entry they joined as
    adhoc_count: int = 0
    observations: list[dict[str, Any]] = field(default_factory=list)  # rows, in the order recorded
    expectation_marks: dict[tuple[str, str, int], dict[str, Any]] = field(default_factory=dict)  # latest mark
    learning_answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (participant, form) -> row
    pitfall_ticks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (pitfall, team) -> latest
    evaluators: dict[str, dict[str, Any]] = field(default_factory=dict)  # staff id -> their assignment
    final_ratings: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (item, id) -> latest
    improvements: dict[str, dict[str, Any]] = field(default_factory=dict)  # finding -> its row (improvement_plan.py)
    # Coordination workflows (workflows/), each keyed by its id, in the order submitted.
    notifications: dict[str, Notification] = field(default_factory=dict)
    rfas: dict[str, Request] = field(default_factory=dict)
    taskings: dict[str, Tasking] = field(default_factory=dict)
    casevacs: dict[str, Casevac] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    media: dict[str, MediaItem] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    decisions: dict[str, LoggedDecision] = field(default_factory=dict)
    command_ids: CommandIds = field(default_factory=CommandIds)  # protocol 1.1: the ids of stored commands
    branches: Branches = field(default_factory=Branches)  # when each inject's condition held (branches.py)

    # -- folding --------------------------------------------------------------------

    @classmethod
    def fold(cls, events: Iterable[ev.Event], room_window: int | None = None) -> ExerciseState:
        state = cls(room_window=room_window)
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
        self.branches.observe(self, event)
        self.command_ids.record(event)
        self.head = event.seq
        self.last_ex_time = max(self.last_ex_time, event.ex_time)

    # -- queries --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.scenario is not None

    def in_inbox(self, inject_id: str, team: str | None) -> InjectState | None:
        """The inject if it was released to `team`; None alike for unknown, unreleased or addressed elsewhere."""
        inject = self.injects.get(inject_id)
        if (
            inject is None
            or inject.status != RELEASED
            or self.scenario is None
            or team not in self.scenario.audience(inject.inject.to)
        ):
            return None
        return inject

    def room_messages(self, room: str) -> list[dict[str, Any]]:
        return self.messages.get(room, [])

    def messages_before(self, room: str, before: int, limit: int) -> tuple[list[int], int]:
        """The sequence numbers of the (at most `limit`) latest messages of `room` before `before`,
        oldest first, and how many messages came before those."""
        seqs = self.message_seqs.get(room)
        if seqs is None:
            return [], 0
        end = bisect.bisect_left(seqs, before)
        start = max(0, end - limit)
        return list(seqs[start:end]), start

    def usable_code(self, code: str) -> JoinCode | None:
        """The join code if the tokens of those who joined with it work: None alike for an unknown or
        a revoked code (a replaced one still serves them, but takes nobody new: JoinCode.takes_newcomers)."""
        info = self.codes.get(code)
        return None if info is None or info.revoked else info

    def was_removed(self, participant: str) -> bool:
        """Whether the facilitator removed this participant: their tokens are refused everywhere."""
        return participant in self.removed

    def snapshot(self, principal: Principal, detached: bool = True) -> dict[str, Any]:
        """Everything `principal` may see, as of `head`: the payload of a snapshot frame (views.py)."""
        return views.snapshot(self, principal, detached)

    def checklist(self) -> list[dict[str, Any]]:
        """Expected actions of released injects, per addressed team, with the latest mark (or None)."""
        assert self.scenario is not None
        items = []
        released = sorted(
            (inject for inject in self.injects.values() if inject.status == RELEASED),
            key=lambda inject: inject.released_seq or 0,
        )
        for inject in released:
            for team in sorted(self.scenario.audience(inject.inject.to)):
                for i, action in enumerate(views.expected_of(self.scenario, inject.inject, team)):
                    mark = self.expectation_marks.get((inject.inject.id, team, i))
                    items.append(
                        {
                            "inject_id": inject.inject.id,
                            "team": team,
                            "action": i,
                            "text": action.text,
                            "released_ex": inject.released_ex,
                            "objectives": list(action.objectives),
                            "weight": action.weight,
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


def _opened(state: ExerciseState, event: ev.Event) -> None:
    scenario = scenario_from_doc(event.payload["scenario"])
    state.exercise, state.scenario, state.title = event.exercise, scenario, event.payload.get("title", scenario.title)
    state.syndicate = Syndicate.from_payload(event.payload.get("syndicate"))
    items = event.payload["scenario"]["msel"]
    pairs = zip(scenario.injects, items, strict=False)
    state.injects = {inj.id: InjectState(inj, dict(item), versions=Versions(event.seq)) for inj, item in pairs}
    state.messages = {rid: [] for rid in scenario.rooms}
    state.cop = {f["id"]: copy.deepcopy(f) for f in scenario.features}
    state.cop_versions = {fid: Versions(event.seq) for fid in state.cop}
    state.branches = Branches.of(scenario)
    state.notifications = notification.on_record(scenario, event)  # as the initial COP: the scenario's


def _clock(state: ExerciseState, event: ev.Event) -> None:
    state.clock = state.clock.after(event)


def _joined(state: ExerciseState, event: ev.Event) -> None:
    payload = event.payload
    state.participants[payload["participant"]] = Participant(
        payload["participant"], payload["name"], payload["role"], payload.get("team"), payload.get("code"), event.seq
    )
    if payload.get("person"):
        state.person_of[payload["participant"]] = payload["person"]


def _released(state: ExerciseState, event: ev.Event) -> None:
    payload = event.payload
    content = payload["inject"]
    inject = state.injects.get(content["id"])
    if inject is None:  # an ad-hoc inject, checked when it was decided
        assert state.scenario is not None
        item = views.adhoc_item(content, state.scenario.default_language)
        inject = InjectState(_built(state, item), item, adhoc=True, versions=Versions(event.seq))
        state.injects[content["id"]] = inject
        state.adhoc_count += 1
    inject.status, inject.released_seq, inject.released_ex, inject.trigger = (
        RELEASED,
        event.seq,
        event.ex_time,
        payload["trigger"],
    )
    inject.released_by = released_by(event.actor)


def released_by(actor: ev.Actor) -> str | None:
    """Who to name for a release: the facilitator who took it (the lead or a named controller)."""
    return actor.name if actor.role == "facilitator" else None


def _branched(state: ExerciseState, event: ev.Event) -> None:
    """The scheduler's record of a branch: the inject it releases next knows why, the one it replaces is done."""
    state.injects[event.payload["inject_id"]].branch = event.payload
    replaced = event.payload["instead_of"]
    if replaced is not None:
        state.injects[replaced].status = REPLACED
        state.injects[replaced].branch = event.payload


def _inject_status(status: str) -> Handler:
    def handler(state: ExerciseState, event: ev.Event) -> None:
        state.injects[event.payload["inject_id"]].status = status

    return handler


def _edited(state: ExerciseState, event: ev.Event) -> None:
    inject = state.injects[event.payload["inject_id"]]
    inject.item = {**inject.item, **event.payload["changes"]}
    inject.inject = _built(state, inject.item, inject.inject.order)
    inject.edits += 1
    inject.versions.touch(event.seq, event.payload["changes"])


def _built(state: ExerciseState, item: dict[str, Any], order: int | None = None) -> Inject:
    assert state.scenario is not None
    inject, problems = build_inject(state.scenario, item, len(state.injects) if order is None else order)
    if inject is None:
        raise ValueError(f"stored inject {item.get('id')!r} no longer checks: {problems}")
    return inject


def _acked(state: ExerciseState, event: ev.Event) -> None:
    state.injects[event.payload["inject_id"]].acks[event.payload["team"]] = {
        "ex_time": event.ex_time,
        "wall_time": event.wall_time,
        "name": event.actor.name,
        "seq": event.seq,
        **({"language": event.payload["language"]} if event.payload.get("language") else {}),
    }


def _inject_opened(state: ExerciseState, event: ev.Event) -> None:
    state.injects[event.payload["inject_id"]].reads.add((event.actor.participant or "", event.payload["language"]))


def _responded(state: ExerciseState, event: ev.Event) -> None:
    state.injects[event.payload["inject_id"]].responses.setdefault(
        event.payload["team"],
        {
            "ex_time": event.ex_time,
            "wall_time": event.wall_time,
            "name": event.actor.name,
            "seq": event.seq,
            "action": event.payload["action"],
        },
    )


def _posted(state: ExerciseState, event: ev.Event) -> None:
    room = event.payload["room"]
    rows = state.messages.setdefault(room, [])
    rows.append(views.message_row(event))
    state.message_seqs.setdefault(room, array("q")).append(event.seq)
    if state.room_window is not None and len(rows) > state.room_window:
        del rows[0]  # still in the log: room.history reads it from the store
        state.earlier[room] = state.earlier.get(room, 0) + 1


def _cop_added(state: ExerciseState, event: ev.Event) -> None:
    feature = event.payload["feature"]
    state.cop[feature["id"]] = feature  # a feature is replaced, never changed in place: the event's own is kept
    # Every field is new: a stale edit of a removed feature whose id was given again learns of all of them.
    state.cop_versions[feature["id"]] = Versions(event.seq, dict.fromkeys(feature, event.seq))
    state.cop_placed[feature["id"]] = event.ex_time


def _cop_changed(state: ExerciseState, event: ev.Event) -> None:
    state.cop[event.payload["id"]] = event.payload["feature"]
    state.cop_versions.setdefault(event.payload["id"], Versions()).touch(event.seq, event.payload["set"])
    if "geometry" in event.payload["set"]:
        state.cop_placed[event.payload["id"]] = event.ex_time


def _cop_removed(state: ExerciseState, event: ev.Event) -> None:
    state.cop.pop(event.payload["id"], None)
    state.cop_versions.pop(event.payload["id"], None)
    state.cop_placed.pop(event.payload["id"], None)


def _observed(state: ExerciseState, event: ev.Event) -> None:
    payload = event.payload
    state.observations.append(
        {
            "id": payload["observation"],
            "seq": event.seq,
            "ex_time": event.ex_time,
            "wall_time": event.wall_time,
            "text": payload["text"],
            "rating": payload["rating"],
            "objective": payload["objective"],
            "inject_id": payload.get("inject_id"),
            "team": payload.get("team"),
            "recommendation": payload.get("recommendation"),
            "negotiation": payload.get("negotiation"),
            "author": {"role": event.actor.role, "name": event.actor.name, "participant": event.actor.participant},
        }
    )


def _evaluation_row(event: ev.Event) -> dict[str, Any]:
    """An evaluation event's payload with when and by whom (the rows of the control cell's record)."""
    author = {"role": event.actor.role, "name": event.actor.name, "participant": event.actor.participant}
    return {**event.payload, "seq": event.seq, "ex_time": event.ex_time, "author": author}


def _ticked(state: ExerciseState, event: ev.Event) -> None:
    state.pitfall_ticks[(event.payload["pitfall"], event.payload["team"])] = _evaluation_row(event)


def _assigned(state: ExerciseState, event: ev.Event) -> None:
    """The latest assignment last (as the browser's fold has it); one to no team ends it."""
    state.evaluators.pop(event.payload["evaluator"], None)
    if event.payload["teams"]:
        state.evaluators[event.payload["evaluator"]] = _evaluation_row(event)


def _rated(state: ExerciseState, event: ev.Event) -> None:
    state.final_ratings[(event.payload["item"], event.payload["item_id"])] = _evaluation_row(event)


def _improved(state: ExerciseState, event: ev.Event) -> None:
    state.improvements[event.payload["finding"]] = _evaluation_row(event)


def _marked(state: ExerciseState, event: ev.Event) -> None:
    payload = event.payload
    state.expectation_marks[(payload["inject_id"], payload["team"], payload["action"])] = {
        "inject_id": payload["inject_id"],
        "team": payload["team"],
        "action": payload["action"],
        "text": payload["text"],
        "status": payload["status"],
        "note": payload.get("note"),
        "seq": event.seq,
        "ex_time": event.ex_time,
        "author": {"role": event.actor.role, "name": event.actor.name, "participant": event.actor.participant},
    }


_HANDLERS: dict[str, Handler] = {
    **workflows.HANDLERS,
    **learning_commands.HANDLERS,
    **people.HANDLERS,
    **roster.HANDLERS,
    ev.EXERCISE_OPENED: _opened,
    ev.EXERCISE_ENDED: _clock,
    ev.CLOCK_STARTED: _clock,
    ev.CLOCK_PAUSED: _clock,
    ev.CLOCK_RESUMED: _clock,
    ev.CLOCK_SPEED_SET: _clock,
    ev.CLOCK_JUMPED: _clock,
    ev.PARTICIPANT_JOINED: _joined,
    ev.INJECT_RELEASED: _released,
    ev.INJECT_HELD: _inject_status(HELD),
    ev.INJECT_UNHELD: _inject_status(SCHEDULED),
    ev.INJECT_RESTORED: _inject_status(SCHEDULED),
    ev.INJECT_CANCELLED: _inject_status(CANCELLED),
    ev.INJECT_EDITED: _edited,
    ev.INJECT_ACKNOWLEDGED: _acked,
    ev.INJECT_OPENED: _inject_opened,
    ev.INJECT_BRANCHED: _branched,
    ev.INJECT_RESPONDED: _responded,
    ev.ROOM_MESSAGE_POSTED: _posted,
    ev.COP_FEATURE_ADDED: _cop_added,
    ev.COP_FEATURE_CHANGED: _cop_changed,
    ev.COP_FEATURE_REMOVED: _cop_removed,
    ev.OBSERVATION_RECORDED: _observed,
    ev.EXPECTATION_MARKED: _marked,
    ev.PITFALL_TICKED: _ticked,
    ev.EVALUATOR_ASSIGNED: _assigned,
    ev.FINAL_RATING_SET: _rated,
    ev.IMPROVEMENT_SET: _improved,
}
assert set(_HANDLERS) == ev.EVENT_TYPES
