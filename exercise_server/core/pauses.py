"""Working time: wall time with the clock's stops left out, for response times a pause must not distort.

Exercise time stands still while the clock is paused, so a team that answers during a huddle
shows 0 seconds; plain wall time counts the huddle as if the team had been slow. The rule
(docs/evaluation.md, "Response times and pauses"): the wall seconds between two events, less
every stop of the clock (draft, paused, ended) that lies wholly between them. A stop in which
either event falls counts, because the team was evidently working in it.
"""

from __future__ import annotations

import bisect
import math
from itertools import accumulate

from . import events as ev
from .clock import RUNNING, ClockState
from .events import Event

CLOCK_EVENTS = frozenset(
    {
        ev.CLOCK_STARTED,
        ev.CLOCK_PAUSED,
        ev.CLOCK_RESUMED,
        ev.CLOCK_SPEED_SET,
        ev.CLOCK_JUMPED,
        ev.EXERCISE_ENDED,
    }
)


class Pauses:
    """The stops of one exercise's clock, folded from its events in log order."""

    def __init__(self) -> None:
        self.clock = ClockState()
        self.starts: list[float] = []  # wall time at which each stop began
        self.ends: list[float] = []  # ... and ended (inf while it lasts)
        self._stopped_since: float | None = None
        self._by_pause = False  # whether the present stop is a pause (not the draft)
        self._sums: list[float] | None = None
        self.pauses = 0  # the pauses of the clock that ended (clock.paused to clock.resumed)
        self.paused_seconds = 0.0  # their wall seconds

    def apply(self, event: Event) -> None:
        """Fold one event (only clock events change anything)."""
        if self._stopped_since is None and not self.starts and self.clock.status != RUNNING:
            self._stopped_since = event.wall_time  # the draft: stopped from the first event
        if event.type not in CLOCK_EVENTS:
            return
        was_running = self.clock.status == RUNNING
        self.clock = self.clock.after(event)
        running = self.clock.status == RUNNING
        if was_running and not running:
            self._stopped_since = event.wall_time
            self._by_pause = event.type == ev.CLOCK_PAUSED
        elif running and not was_running and self._stopped_since is not None:
            self.starts.append(self._stopped_since)
            self.ends.append(event.wall_time)
            if self._by_pause:
                self.pauses += 1
                self.paused_seconds += event.wall_time - self._stopped_since
            self._stopped_since, self._by_pause, self._sums = None, False, None

    def stops(self) -> list[tuple[float, float]]:
        """Every stop as (wall start, wall end), the one still lasting with end inf."""
        out = list(zip(self.starts, self.ends, strict=True))
        if self._stopped_since is not None:
            out.append((self._stopped_since, math.inf))
        return out

    def working(self, start_wall: float, end_wall: float) -> float:
        """Wall seconds from `start_wall` to `end_wall`, less the stops wholly between them."""
        if self._sums is None:
            self._sums = [0.0, *accumulate(e - s for s, e in zip(self.starts, self.ends, strict=True))]
        i = bisect.bisect_left(self.starts, start_wall)
        j = bisect.bisect_right(self.ends, end_wall)
        left_out = self._sums[j] - self._sums[i] if j > i else 0.0
        return max(0.0, end_wall - start_wall - left_out)
