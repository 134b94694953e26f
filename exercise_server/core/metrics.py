"""Metrics of an exercise, computed from its log alone: one pass, no I/O.

The definitions are those of docs/evaluation.md; the after-action report prints them.
"""

from __future__ import annotations

import bisect
import functools
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import events as ev
from . import learning, workflows
from .access import TRAINEE
from .clock import ENDED
from .gcpause import cyclic_gc_paused
from .pauses import Pauses
from .projections import RELEASED, ExerciseState
from .replay import LANE_OF, LANES
from .targets import TargetTracker

NICE_BINS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)  # seconds
BINS_WANTED = 48  # time charts show about this many bars over the exercise


def bin_for(duration: float) -> float:
    """The shortest round length of time that cuts `duration` into at most BINS_WANTED bars."""
    return float(next((b for b in NICE_BINS if duration / b <= BINS_WANTED), NICE_BINS[-1]))


@dataclass
class Metrics:
    state: ExerciseState  # the exercise at the end of the log
    summary: dict[str, Any]
    responses: list[dict[str, Any]]  # per released inject and addressed team (times: exercise and working)
    teams: list[dict[str, Any]]  # per team: activity and response times
    cross_component: dict[str, Any]  # messages per cross-component room and time bin
    first_knew: list[dict[str, Any]]  # per inject, COP feature or workflow item: when each team first had it
    expectations: dict[str, Any]  # the checklist and its counts per team
    ratings: list[dict[str, Any]]  # observation ratings per objective
    activity: dict[str, Any] = field(default_factory=dict)  # events per timeline lane and time bin
    learning: dict[str, Any] | None = None  # knowledge check and feedback results (core/learning.py), if any
    targets: list[dict[str, Any]] = field(default_factory=list)  # capability targets per team (core/targets.py)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "state"}


def compute(events: Iterable[ev.Event], bin_seconds: float | None = None) -> Metrics:
    """Every metric of the log; time charts in bins of `bin_seconds` (default: see bin_for)."""
    with cyclic_gc_paused():
        return _compute(events, bin_seconds)


def _compute(events: Iterable[ev.Event], bin_seconds: float | None) -> Metrics:
    state = ExerciseState()
    pauses = Pauses()
    releases: dict[str, dict[str, Any]] = {}  # inject -> {seq, ex_time, wall_time, teams}
    acks: dict[tuple[str, str], tuple[float, float]] = {}  # (inject, team) -> (ex_time, wall_time)
    actions: dict[str, list[Action]] = {}  # team -> its actions in log order
    messages: list[tuple[str, float, str | None]] = []  # (room, ex_time, author component)
    knew: dict[tuple[str, str], dict[str, float]] = {}  # (kind, id) -> team -> first ex_time
    names: dict[tuple[str, str], str] = {}
    per_minute: dict[tuple[str, int], int] = {}  # (lane, minute of exercise time) -> events
    components: dict[str, str] = {}  # team -> component
    counts = {"events": 0, "messages": 0, "cop_changes": 0}
    tracker = TargetTracker()
    for event in events:
        state.apply(event)
        pauses.apply(event)
        tracker.see(event, state.scenario)
        sc = state.scenario
        counts["events"] += 1
        minute = (LANE_OF.get(event.type, "workflow"), int(event.ex_time // 60))
        per_minute[minute] = per_minute.get(minute, 0) + 1
        p = event.payload
        trainee_team = event.actor.team if event.actor.role == TRAINEE else None
        if event.type == ev.EXERCISE_OPENED and sc is not None:
            components = {t.id: t.component for t in sc.teams}
        elif event.type == ev.INJECT_RELEASED:
            inject = p["inject"]
            teams = _teams(event.audience)
            releases[inject["id"]] = {
                "seq": event.seq,
                "ex_time": event.ex_time,
                "wall_time": event.wall_time,
                "teams": teams,
            }
            names[("inject", inject["id"])] = f"{inject['id']} {inject['title']}"
            seen = knew.setdefault(("inject", inject["id"]), {})
            for team in teams:
                seen.setdefault(team, event.ex_time)
        elif event.type == ev.INJECT_ACKNOWLEDGED:
            acks.setdefault((p["inject_id"], p["team"]), (event.ex_time, event.wall_time))
        elif event.type == ev.ROOM_MESSAGE_POSTED:
            counts["messages"] += 1
            if trainee_team:
                messages.append((p["room"], event.ex_time, components.get(trainee_team)))
        elif event.type in (ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED, ev.COP_FEATURE_REMOVED):
            counts["cop_changes"] += 1
            if event.type != ev.COP_FEATURE_REMOVED:
                fid = p["feature"]["id"]
                names[("feature", fid)] = p["feature"]["name"]
                seen = knew.setdefault(("feature", fid), {})
                for team in set(_teams(event.audience)) - set(p.get("hidden_from", ())):
                    seen.setdefault(team, event.ex_time)
        elif event.type in workflows.KNOWN_ITEMS:
            kind, key, label = workflows.KNOWN_ITEMS[event.type]
            names.setdefault((kind, p[key]), f"{p[key]} {p[label]}")
            seen = knew.setdefault((kind, p[key]), {})
            for team in _first_knowers(event, components):
                seen.setdefault(team, event.ex_time)
        elif event.type == ev.DOCUMENT_ACCESSED:  # a sealed document is known once opened
            knew.setdefault(("document", p["document_id"]), {}).setdefault(p["team"], event.ex_time)
        if trainee_team and event.type in (
            ev.ROOM_MESSAGE_POSTED,
            ev.COP_FEATURE_ADDED,
            ev.COP_FEATURE_CHANGED,
            ev.COP_FEATURE_REMOVED,
        ):
            what = f"message in {p['room']}" if event.type == ev.ROOM_MESSAGE_POSTED else "COP change"
            actions.setdefault(trainee_team, []).append(Action(event.seq, event.ex_time, event.wall_time, what))
        elif trainee_team and event.type in workflows.ACTIONS:
            what = workflows.ACTIONS[event.type]
            actions.setdefault(trainee_team, []).append(Action(event.seq, event.ex_time, event.wall_time, what))
    if state.scenario is None:
        raise ValueError("the log does not open an exercise")
    end = state.last_ex_time
    bin_seconds = bin_seconds or bin_for(end)
    if bin_seconds % 60:
        raise ValueError("time charts count events per minute: bins must be whole minutes")
    responses = _responses(state, pauses, releases, acks, actions)
    return Metrics(
        state=state,
        summary=_summary(state, counts, responses, pauses),
        responses=responses,
        teams=_teams_table(state, responses, actions),
        cross_component=_cross_component(state, messages, bin_seconds, end),
        first_knew=[
            {"kind": kind, "id": item, "name": names.get((kind, item), item), "teams": dict(sorted(teams.items()))}
            for (kind, item), teams in knew.items()
        ],
        expectations=_expectations(state),
        ratings=_ratings(state),
        activity=_activity(per_minute, bin_seconds, end),
        learning=(
            learning.results(sc.learning, state.learning_answers.values(), sc.objectives)
            if (sc := state.scenario).learning
            else None
        ),
        targets=[
            r.json()
            for r in tracker.results(
                responses, {i: r["ex_time"] for i, r in releases.items()}, end, state.clock.status == ENDED
            )
        ],
    )


@functools.lru_cache(maxsize=4096)
def _teams(audience: tuple[str, ...]) -> tuple[str, ...]:
    """The teams in an audience (a log repeats a few audiences thousands of times)."""
    return tuple(sorted(view.team for key in audience if (view := ev.View.parse(key)) and view.team is not None))


def _first_knowers(event: ev.Event, components: dict[str, str]) -> list[str]:
    """Teams that received the content of a shared item with this event (a sealed copy is not knowing)."""
    if ev.EVERYONE in event.audience:
        return sorted(components)
    teams = _teams(event.audience)
    if event.type in (ev.DOCUMENT_SHARED, ev.DOCUMENT_FORWARDED) and event.payload["sensitive"]:
        return [t for t in teams if t == event.payload["owner"]]
    return list(teams)


class Action(NamedTuple):
    """A trainee team's action, as the response times read it."""

    seq: int
    ex_time: float
    wall_time: float
    what: str


def _bins(end: float, bin_seconds: float) -> int:
    return int(end // bin_seconds) + 1


def _responses(
    state: ExerciseState,
    pauses: Pauses,
    releases: dict[str, dict[str, Any]],
    acks: dict[tuple[str, str], tuple[float, float]],
    actions: dict[str, list[Action]],
) -> list[dict[str, Any]]:
    """Time from release to acknowledgement, to the team's first action that said it answers the
    inject (`responds_to`), and to the team's first action of any kind after it: each in exercise
    time (`*_after`) and in working time, wall seconds with the clock's stops left out (`*_working`)."""
    out = []
    seqs = {team: [a.seq for a in rows] for team, rows in actions.items()}
    for iid, rel in sorted(releases.items(), key=lambda x: x[1]["seq"]):
        st = state.injects[iid]
        ex0, wall0 = rel["ex_time"], rel["wall_time"]
        for team in rel["teams"]:
            ack = acks.get((iid, team))
            answer = st.responses.get(team)  # the team's first action that said it answers the inject
            rows = actions.get(team, [])
            i = bisect.bisect_right(seqs.get(team, []), rel["seq"])
            first = rows[i] if i < len(rows) else None
            out.append(
                {
                    "inject_id": iid,
                    "title": st.inject.title,
                    "team": team,
                    "released_ex": ex0,
                    "released_by": st.released_by,
                    "objectives": list(st.inject.objectives),
                    "ack_ex": ack[0] if ack else None,
                    "ack_after": ack[0] - ex0 if ack else None,
                    "ack_working": pauses.working(wall0, ack[1]) if ack else None,
                    "answer_ex": answer["ex_time"] if answer else None,
                    "answer_after": answer["ex_time"] - ex0 if answer else None,
                    "answer_working": pauses.working(wall0, answer["wall_time"]) if answer else None,
                    "answer": answer["action"] if answer else None,
                    "first_action_ex": first.ex_time if first else None,
                    "first_action_after": first.ex_time - ex0 if first else None,
                    "first_action_working": pauses.working(wall0, first.wall_time) if first else None,
                    "first_action": first.what if first else None,
                }
            )
    return out


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _teams_table(
    state: ExerciseState, responses: list[dict[str, Any]], actions: dict[str, list[Action]]
) -> list[dict[str, Any]]:
    assert state.scenario is not None
    out = []
    by_team: dict[str, list[dict[str, Any]]] = {}
    for r in responses:
        by_team.setdefault(r["team"], []).append(r)
    for team in state.scenario.teams:
        rows = by_team.get(team.id, [])
        done = actions.get(team.id, [])
        row: dict[str, Any] = {
            "team": team.id,
            "name": team.name,
            "component": team.component,
            "injects": len(rows),
        }
        for key, count in (("ack", "acknowledged"), ("answer", "answered"), ("first_action", None)):
            after = [r[f"{key}_after"] for r in rows if r[f"{key}_after"] is not None]
            working = [r[f"{key}_working"] for r in rows if r[f"{key}_working"] is not None]
            if count:
                row[count] = len(after)
            row |= {
                f"{key}_mean": _mean(after),
                f"{key}_median": _median(after),
                f"{key}_mean_working": _mean(working),
                f"{key}_median_working": _median(working),
            }
        row["messages"] = sum(1 for a in done if a.what.startswith("message"))
        row["cop_changes"] = sum(1 for a in done if a.what == "COP change")
        out.append(row)
    return out


def _cross_component(
    state: ExerciseState, messages: list[tuple[str, float, str | None]], bin_seconds: float, end: float
) -> dict[str, Any]:
    """Trainees' messages in rooms read by more than one component, per room and time bin."""
    sc = state.scenario
    assert sc is not None
    per_room: dict[str, list[tuple[float, str | None]]] = {}
    for rid, ex_time, component in messages:
        per_room.setdefault(rid, []).append((ex_time, component))
    rooms = []
    for room in sc.rooms.values():
        components = sorted({t.component for t in sc.teams if t.id in room.readers})
        if len(components) < 2:
            continue
        bins = [0] * _bins(end, bin_seconds)
        by_component: dict[str, int] = {}
        for ex_time, component in per_room.get(room.id, ()):
            bins[min(int(ex_time // bin_seconds), len(bins) - 1)] += 1
            if component:
                by_component[component] = by_component.get(component, 0) + 1
        rooms.append(
            {
                "room": room.id,
                "name": room.name,
                "components": components,
                "total": sum(bins),
                "bins": bins,
                "by_component": dict(sorted(by_component.items())),
            }
        )
    return {"bin_seconds": bin_seconds, "rooms": rooms}


def _expectations(state: ExerciseState) -> dict[str, Any]:
    items = state.checklist()
    per_team: dict[str, dict[str, int]] = {}
    for item in items:
        counts = per_team.setdefault(item["team"], {"met": 0, "partly": 0, "not_met": 0, "unmarked": 0})
        counts[item["status"] or "unmarked"] += 1
    return {"items": items, "teams": dict(sorted(per_team.items()))}


def _ratings(state: ExerciseState) -> list[dict[str, Any]]:
    assert state.scenario is not None
    out = []
    for oid, text in state.scenario.objectives.items():
        rated = [o["rating"] for o in state.observations if o["objective"] == oid]
        out.append(
            {
                "objective": oid,
                "text": text,
                "count": len(rated),
                "mean": _mean(rated),
                "counts": {r: rated.count(r) for r in sorted(ev.RATING_SCALE)},
            }
        )
    return out


def _activity(per_minute: dict[tuple[str, int], int], bin_seconds: float, end: float) -> dict[str, Any]:
    """Events per lane and bin, from the counts per lane and minute (every bin is whole minutes)."""
    n = _bins(end, bin_seconds)
    out = {lane: [0] * n for lane in LANES}
    for (lane, minute), count in per_minute.items():
        out[lane][min(int(minute * 60 // bin_seconds), n - 1)] += count
    return {"bin_seconds": bin_seconds, "lanes": out}


def _summary(
    state: ExerciseState, counts: dict[str, int], responses: list[dict[str, Any]], pauses: Pauses
) -> dict[str, Any]:
    sc = state.scenario
    assert sc is not None
    acked = sum(1 for r in responses if r["ack_ex"] is not None)
    return {
        "exercise": state.exercise,
        "title": state.title,
        "scenario": sc.id,
        "start": sc.start,
        "start_label": sc.start_label,
        "planned_duration": sc.duration,
        "duration": state.last_ex_time,
        "pauses": pauses.pauses,
        "paused_seconds": pauses.paused_seconds,
        "status": state.clock.status,
        "events": counts["events"],
        "messages": counts["messages"],
        "cop_changes": counts["cop_changes"],
        "injects": len(state.injects),
        "released": sum(1 for st in state.injects.values() if st.status == RELEASED),
        "acknowledgements": acked,
        "deliveries": len(responses),
        "trainees": sum(1 for p in state.participants.values() if p.role == TRAINEE),
        "observations": len(state.observations),
        "teams": len(sc.teams),
        "objectives": dict(sc.objectives),
    }
