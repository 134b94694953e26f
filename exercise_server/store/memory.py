"""In-memory event store: for unit tests of the core and the server. Not durable."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.events import Draft, Event
from .base import HeadMismatch, Segment, new_epoch


class MemoryStore:
    def __init__(self) -> None:
        self._logs: dict[str, list[Event]] = {}
        self._epochs: dict[str, Segment] = {}  # one history per log: it lives as long as the process

    async def append(
        self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None, fence: int | None = None
    ) -> list[Event]:
        log = self._logs.setdefault(exercise, [])
        if expected_head is not None and expected_head != len(log):
            raise HeadMismatch(f"head is {len(log)}, not {expected_head}")
        events = [Event.from_draft(exercise, len(log) + i + 1, d) for i, d in enumerate(drafts)]
        log.extend(events)
        return events

    async def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        log = self._logs.get(exercise, [])
        return log[after:until]

    async def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        return [e for e in self._logs.get(exercise, []) if start <= e.ex_time <= end]

    async def head(self, exercise: str) -> int:
        return len(self._logs.get(exercise, []))

    async def begin_epoch(self, exercise: str) -> list[Segment]:
        return [self._epochs.setdefault(exercise, Segment(new_epoch(), len(self._logs.get(exercise, [])) + 1))]

    async def exercises(self) -> list[str]:
        return list(self._logs)

    async def lease(self, exercise: str, owner: str, ttl: float) -> int | None:
        return 0  # one process: the scheduler is always this one

    async def check(self) -> None:
        pass  # memory is always there

    async def close(self) -> None:
        pass
