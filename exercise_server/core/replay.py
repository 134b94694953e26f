"""Replay: the exercise as it stood at any moment, and as any one team saw it then.

Seeking is the fold stopped early (`ExerciseState.fold_until`), made fast by periodic
snapshots of the fold. A snapshot is a cache of the fold, never a second truth: the
property test folds from the start and compares.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from . import events as ev
from . import workflows
from .access import EVALUATOR, TRAINEE, Principal, event_for_view
from .command_ids import CommandIds
from .conditions import describe_branch
from .errors import ReplayError
from .events import N_
from .projections import ExerciseState, InjectState
from .versions import Versions
from .workflows.common import Gettext, short

CONTROL_VIEW = "control"  # the whole picture, as the control cell saw it (without join codes)
SNAPSHOT_EVERY = 1000  # events between snapshots: a seek folds at most this many


def _same(value: Any) -> Any:
    return value


def _injects(injects: dict[str, InjectState]) -> dict[str, InjectState]:
    return {k: replace(st, item=dict(st.item), acks=dict(st.acks)) for k, st in injects.items()}


# How each field of ExerciseState is copied for a snapshot. Values that the fold replaces
# rather than changes in place (frozen scenario, clock and join codes, message rows, COP features,
# participants, marks) are shared; containers the fold changes are copied. A field not
# listed here is deep-copied, so a new field is safe before it is made fast.
_COPIERS: dict[str, Callable[[Any], Any]] = {
    "exercise": _same,
    "scenario": _same,
    "title": _same,
    "head": _same,
    "last_ex_time": _same,
    "clock": _same,
    "adhoc_count": _same,
    "injects": _injects,
    "messages": lambda rooms: {room: list(rows) for room, rows in rooms.items()},
    "cop": dict,
    "participants": dict,
    "codes": dict,
    "observations": list,
    "syndicate": _same,
    "room_window": _same,
    "earlier": dict,
    "message_seqs": lambda rooms: {room: seqs[:] for room, seqs in rooms.items()},
    "cop_versions": lambda versions: {k: Versions(v.version, dict(v.fields)) for k, v in versions.items()},
    "cop_placed": dict,
    "removed": dict,
    "languages": dict,
    "personal_codes": dict,
    "person_of": dict,
    "command_ids": lambda ids: CommandIds({p: dict(stored) for p, stored in ids.by_participant.items()}),
    "expectation_marks": dict,
    "pitfall_ticks": dict,
    "evaluators": dict,
    "final_ratings": dict,
    "improvements": dict,
}


def clone(state: ExerciseState) -> ExerciseState:
    """An independent copy of `state`: folding more events into it leaves `state` as it was."""
    out = copy.copy(state)
    for f in fields(state):
        setattr(out, f.name, _COPIERS.get(f.name, copy.deepcopy)(getattr(state, f.name)))
    return out


# Lists the fold only ever appends to: a snapshot keeps each list with its length at the
# time (the first n rows never change) instead of a copy of it.
_APPEND_ONLY = ("messages", "observations")


@dataclass
class _Snapshot:
    state: ExerciseState  # without the append-only lists
    messages: dict[str, tuple[list[dict[str, Any]], int]]
    observations: tuple[list[dict[str, Any]], int]


class Replay:
    """An exercise's log held for seeking, with a snapshot of the fold every `every` events."""

    def __init__(self, events: Iterable[ev.Event] = (), every: int = SNAPSHOT_EVERY) -> None:
        if every < 1:
            raise ValueError("snapshots need an interval of at least one event")
        self.every = every
        self.events: list[ev.Event] = []
        self._latest = ExerciseState()  # the fold at the head
        self._snapshots: list[_Snapshot] = [self._snapshot()]  # [k]: the state after k * every events
        self._reached: list[float] = []  # [i]: the latest exercise time reached by events 1..i+1
        self.extend(events)

    @property
    def head(self) -> int:
        return len(self.events)

    @property
    def latest(self) -> ExerciseState:
        """The state at the head (do not change it; seek for a copy)."""
        return self._latest

    def extend(self, events: Iterable[ev.Event]) -> None:
        """Fold further events of a running exercise (each must follow the head)."""
        for event in events:
            self._latest.apply(event)
            self.events.append(event)
            self._reached.append(max(event.ex_time, self._reached[-1] if self._reached else event.ex_time))
            if self.head % self.every == 0:
                self._snapshots.append(self._snapshot())

    def state_at(self, seq: int) -> ExerciseState:
        """The state after event `seq` (0: before the first): a fresh copy the caller may keep."""
        if not 0 <= seq <= self.head:
            raise ReplayError("invalid", f"seq must be from 0 to {self.head}")
        if seq == self.head:
            return clone(self._latest)
        k = seq // self.every
        state = self._restore(self._snapshots[k])
        for event in self.events[k * self.every : seq]:
            state.apply(event)
        return state

    def seq_at(self, ex_time: float) -> int:
        """The last event at or before exercise time `ex_time`, as `fold_until(ex_time=...)` stops."""
        return bisect.bisect_right(self._reached, ex_time)

    def ex_time_of(self, seq: int) -> float:
        """The exercise time at which the moment after event `seq` stands."""
        return self._reached[seq - 1] if seq > 0 else 0.0

    def _snapshot(self) -> _Snapshot:
        latest = self._latest
        shallow = copy.copy(latest)
        for name in _APPEND_ONLY:
            setattr(shallow, name, type(getattr(latest, name))())
        return _Snapshot(
            clone(shallow),
            {room: (rows, len(rows)) for room, rows in latest.messages.items()},
            (latest.observations, len(latest.observations)),
        )

    @staticmethod
    def _restore(snap: _Snapshot) -> ExerciseState:
        state = clone(snap.state)
        state.messages = {room: rows[:n] for room, (rows, n) in snap.messages.items()}
        rows, n = snap.observations
        state.observations = rows[:n]
        return state


def principal_for(state: ExerciseState, view: str) -> Principal:
    """Who to filter as: the control cell for CONTROL_VIEW, else a member of team `team:<id>`."""
    if view == CONTROL_VIEW:
        return Principal(EVALUATOR, "Replay", "replay")
    seen = ev.View.parse(view) if isinstance(view, str) else None
    if seen is None or seen.team is None:
        raise ReplayError("invalid", f"view must be {CONTROL_VIEW!r} or team:<team id>")
    assert state.scenario is not None
    team = state.scenario.team(seen.team)
    if team is None:
        raise ReplayError("not_found", f"no team {seen.team!r}")
    return Principal(TRAINEE, team.name, "replay", team.id, team.component)


def point_of_view(state: ExerciseState, view: str, last_messages: int | None = None) -> dict[str, Any]:
    """What `view` could see in `state`: the snapshot its members would have received.

    With `last_messages`, each room keeps only its latest messages (`earlier` counts the rest),
    so that a long exercise's rooms stay cheap to send."""
    principal = principal_for(state, view)
    earlier: dict[str, int] = {}
    if last_messages is not None:
        state = copy.copy(state)
        trimmed = {}
        for room, rows in state.messages.items():
            earlier[room] = max(0, len(rows) - last_messages)
            trimmed[room] = rows[earlier[room] :]
        state.messages = trimmed
    out = state.snapshot(principal)
    for room_id, room in out["rooms"].items():
        room["earlier"] = earlier.get(room_id, 0)
    return out


# -- the timeline -------------------------------------------------------------------

LANES = ("inject", "message", "cop", "workflow", "observation")
LANE_OF = {
    ev.INJECT_RELEASED: "inject",
    ev.INJECT_BRANCHED: "inject",
    ev.ROOM_MESSAGE_POSTED: "message",
    ev.COP_FEATURE_ADDED: "cop",
    ev.COP_FEATURE_CHANGED: "cop",
    ev.COP_FEATURE_REMOVED: "cop",
    ev.OBSERVATION_RECORDED: "observation",
    ev.EXPECTATION_MARKED: "observation",
    ev.PITFALL_TICKED: "observation",
    ev.FINAL_RATING_SET: "observation",
    ev.IMPROVEMENT_SET: "observation",
}


def lane_of(event_type: str) -> str:
    """The timeline lane of an event type; everything else is workflow (clock, acks, joins, holds)."""
    return LANE_OF.get(event_type, "workflow")


def _untranslated(message: str) -> str:
    return message


def timeline(
    events: Iterable[ev.Event], view: str | ev.View = CONTROL_VIEW, _: Gettext = _untranslated
) -> list[dict[str, Any]]:
    """Every event `view` could see, as one line of the replay's timeline: lane, label (in the language
    of `_`, a catalogue's gettext), time.

    `view` is CONTROL_VIEW, a view or its audience key."""
    name = str(view)
    wire_view = ev.EVALUATOR_VIEW if name == CONTROL_VIEW else ev.View.parse(name) or ev.View(name)
    out = []
    for event in events:
        body = event_for_view(wire_view, event)
        if body is None:
            continue
        out.append(
            {
                "seq": event.seq,
                "ex_time": event.ex_time,
                "type": body["type"],
                "lane": lane_of(body["type"]),
                "label": _label(body, _),
            }
        )
    return out


def _label(body: dict[str, Any], _: Gettext) -> str:
    p, actor = body["payload"], body["actor"]
    t: str = body["type"]
    who = actor.get("name") or actor.get("role")
    if t == ev.INJECT_RELEASED:
        return _("%(id)s released: %(title)s") % {"id": p["inject"]["id"], "title": p["inject"]["title"]}
    if t == ev.ROOM_MESSAGE_POSTED:
        return _("%(who)s in %(room)s: %(text)s") % {
            "who": p.get("as") or who,
            "room": p["room"],
            "text": short(p["text"]),
        }
    if t == ev.COP_FEATURE_ADDED:
        return _("%(who)s: COP %(name)s added") % {"who": who, "name": p["feature"]["name"]}
    if t == ev.COP_FEATURE_CHANGED:
        return _("%(who)s: COP %(name)s changed") % {"who": who, "name": p["feature"]["name"]}
    if t == ev.COP_FEATURE_REMOVED:
        return _("%(who)s: COP %(name)s removed") % {"who": who, "name": p["id"]}
    if t == ev.INJECT_ACKNOWLEDGED:
        return _("%(id)s acknowledged by %(team)s") % {"id": p["inject_id"], "team": p["team"]}
    if t == ev.INJECT_OPENED:
        return _("%(id)s opened by %(who)s (%(team)s) in %(language)s") % {
            "id": p["inject_id"],
            "who": who,
            "team": p["team"],
            "language": p["language"],
        }
    if t == ev.INJECT_RESPONDED:
        return _("%(id)s answered by %(team)s: %(action)s") % {
            "id": p["inject_id"],
            "team": p["team"],
            "action": _(p["action"]),
        }
    if t == ev.OBSERVATION_RECORDED:
        values = {"id": p["observation"], "objective": p["objective"], "rating": p["rating"], "text": short(p["text"])}
        return _("%(id)s (%(objective)s, rated %(rating)s): %(text)s") % values
    if t == ev.EXPECTATION_MARKED:
        status = _(p["status"].replace("_", " "))
        return f"{p['inject_id']} / {p['team']}: {status}: {short(p['text'])}"
    if t == ev.PARTICIPANT_JOINED:
        if p.get("team"):
            return _("%(name)s joined (%(team)s)") % {"name": p["name"], "team": p["team"]}
        return _("%(name)s joined") % {"name": p["name"]}
    if t == ev.INJECT_BRANCHED:
        return describe_branch(p, _)
    if t in HELD_AND_SO_ON:
        return f"{p['inject_id']} {_(HELD_AND_SO_ON[t])}"
    if t in workflows.LABELS:
        return workflows.LABELS[t](p, _)
    if t == ev.CLOCK_SPEED_SET:
        return _("clock x%(speed)s") % {"speed": f"{p['speed']:g}"}
    if t == ev.CLOCK_JUMPED:
        return _("clock jumped to %(time)s") % {"time": f"+{int(p['to']) // 3600}:{int(p['to']) % 3600 // 60:02d}"}
    return _(OTHER_LABELS.get(t, t.replace(".", " ").replace("_", " ")))


HELD_AND_SO_ON = {
    ev.INJECT_HELD: N_("held"),
    ev.INJECT_UNHELD: N_("unheld"),
    ev.INJECT_CANCELLED: N_("cancelled"),
    ev.INJECT_RESTORED: N_("restored"),
    ev.INJECT_EDITED: N_("edited"),
}
# The timeline's line for the events that carry nothing to show but their type.
OTHER_LABELS = {
    ev.EXERCISE_OPENED: N_("exercise opened"),
    ev.EXERCISE_ENDED: N_("exercise ended"),
    ev.CLOCK_STARTED: N_("clock started"),
    ev.CLOCK_PAUSED: N_("clock paused"),
    ev.CLOCK_RESUMED: N_("clock resumed"),
    ev.CODE_ISSUED: N_("code issued"),
    ev.CODE_REVOKED: N_("code revoked"),
    ev.CODE_REPLACED: N_("code replaced"),
    ev.PARTICIPANT_REMOVED: N_("participant removed"),
    ev.PARTICIPANT_LANGUAGE_SET: N_("participant language set"),
    ev.PARTICIPANT_MOVED: N_("participant moved to another team"),
    ev.ROSTER_PERSON_ADDED: N_("name added to the roster"),
    ev.ROSTER_PERSON_REMOVED: N_("name taken off the roster"),
}
