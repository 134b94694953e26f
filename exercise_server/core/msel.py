"""MSEL scheduling: which injects are due at a given exercise time, in release order.

Timed injects fall due at their offset; conditional ones when the inject they follow
was released (or first acknowledged) plus their delay, or when their condition on the log first
held plus their delay (branches.py). An alternate never falls due itself: when the inject it
replaces falls due, the first alternate (in MSEL order) whose condition held by then goes instead.
Held, cancelled, replaced, manual and released injects never fall due. Because statuses come from
the log, an inject that was released before a restart is never released again.
"""

from __future__ import annotations

from typing import NamedTuple

from .branches import Met
from .projections import RELEASED, SCHEDULED, ExerciseState, InjectState


def due_time(state: ExerciseState, st: InjectState) -> float | None:
    """The exercise time at which `st` falls due, or None if it cannot fall due (yet)."""
    if st.status != SCHEDULED or st.inject.manual or st.inject.instead_of:
        return None
    inj = st.inject
    if inj.offset is not None:
        return inj.offset
    if inj.condition is not None:
        met = state.branches.held(state, inj.id)
        return None if met is None else met.ex_time + inj.delay
    dep = state.injects.get(inj.after or "")
    if dep is None or dep.status != RELEASED:
        return None
    base = dep.released_ex if inj.when == "released" else dep.first_ack_ex()
    return None if base is None else base + inj.delay


def due_injects(state: ExerciseState, ex_now: float) -> list[InjectState]:
    """Injects due at `ex_now`, earliest first, MSEL order breaking ties."""
    due = []
    for st in state.injects.values():
        t = due_time(state, st)
        if t is not None and t <= ex_now:
            due.append((t, st.inject.order, st))
    due.sort(key=lambda x: (x[0], x[1]))
    return [st for _, _, st in due]


def next_due(state: ExerciseState) -> float | None:
    """The earliest exercise time at which something falls due, for the runtime's timer."""
    times = [t for st in state.injects.values() if (t := due_time(state, st)) is not None]
    return min(times, default=None)


class Release(NamedTuple):
    """What the scheduler releases for a due inject: it, or an alternate in its place, and why."""

    inject: InjectState
    met: Met | None  # the condition that held (None: on time, or after another inject)
    instead_of: str | None


def release_for(state: ExerciseState, due: InjectState) -> Release:
    """The inject to release when `due` falls due: the first scheduled alternate whose condition held
    by `due`'s time, else `due` itself (with its own condition's reason, if it has one)."""
    at = due_time(state, due)
    for st in state.injects.values():
        alt = st.inject
        if alt.instead_of != due.inject.id or st.status != SCHEDULED:
            continue
        met = state.branches.held(state, alt.id)
        if met is not None and at is not None and met.ex_time <= at:
            return Release(st, met, due.inject.id)
    if due.inject.condition is not None:
        return Release(due, state.branches.held(state, due.inject.id), None)
    return Release(due, None, None)
