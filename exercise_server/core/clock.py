"""The exercise clock: draft, running, paused, ended; speed x1 to x60; jumps forward.

Exercise time is derived from the clock events alone (each records the wall time and
the exercise time at which it happened), so a restarted process that folds the log
knows exactly where the clock stands. The core never reads the wall clock itself: it
is handed a `WallClock`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from . import events as ev
from .events import Event

DRAFT, RUNNING, PAUSED, ENDED = "draft", "running", "paused", "ended"
MIN_SPEED, MAX_SPEED = 1.0, 60.0


class WallClock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class ManualClock:
    """A wall clock that moves only when told to: for tests and for replay."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass(frozen=True)
class ClockState:
    status: str = DRAFT
    speed: float = 1.0
    anchor_wall: float = 0.0  # wall time of the last rebase
    anchor_ex: float = 0.0  # exercise seconds at that moment

    def at(self, wall: float) -> float:
        """Exercise seconds elapsed at wall time `wall`."""
        if self.status != RUNNING:
            return self.anchor_ex
        return self.anchor_ex + max(0.0, wall - self.anchor_wall) * self.speed

    def started(self, wall: float) -> ClockState:
        return ClockState(RUNNING, self.speed, wall, 0.0)

    def paused(self, wall: float, ex: float) -> ClockState:
        return replace(self, status=PAUSED, anchor_wall=wall, anchor_ex=ex)

    def resumed(self, wall: float, ex: float) -> ClockState:
        return replace(self, status=RUNNING, anchor_wall=wall, anchor_ex=ex)

    def with_speed(self, wall: float, ex: float, speed: float) -> ClockState:
        return replace(self, speed=speed, anchor_wall=wall, anchor_ex=ex)

    def jumped(self, wall: float, to: float) -> ClockState:
        return replace(self, anchor_wall=wall, anchor_ex=to)

    def ended(self, wall: float, ex: float) -> ClockState:
        return replace(self, status=ENDED, anchor_wall=wall, anchor_ex=ex)

    def after(self, event: Event) -> ClockState:
        """The clock once a clock event (or exercise.ended) is folded: the one rule that the
        exercise's state and the control dashboard both fold by."""
        wall, ex, kind = event.wall_time, event.ex_time, event.type
        if kind == ev.CLOCK_STARTED:
            return self.started(wall)
        if kind == ev.CLOCK_PAUSED:
            return self.paused(wall, ex)
        if kind == ev.CLOCK_RESUMED:
            return self.resumed(wall, ex)
        if kind == ev.CLOCK_SPEED_SET:
            return self.with_speed(wall, ex, float(event.payload["speed"]))
        if kind == ev.CLOCK_JUMPED:
            return self.jumped(wall, float(event.payload["to"]))
        if kind == ev.EXERCISE_ENDED:
            return self.ended(wall, ex)
        return self
