"""MSEL scheduling: which injects are due at a given exercise time, in release order.

Timed injects fall due at their offset; conditional ones when the inject they follow
was released (or first acknowledged) plus their delay. Held, cancelled, manual and
released injects never fall due. Because statuses come from the log, an inject that
was released before a restart is never released again.
"""

from __future__ import annotations

from .projections import RELEASED, SCHEDULED, ExerciseState, InjectState


def due_time(state: ExerciseState, st: InjectState) -> float | None:
    """The exercise time at which `st` falls due, or None if it cannot fall due (yet)."""
    if st.status != SCHEDULED or st.inject.manual:
        return None
    inj = st.inject
    if inj.offset is not None:
        return inj.offset
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
