"""The event store interface. The core never knows which backend runs."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

from ..core.events import Draft, Event


class StoreUnavailable(Exception):
    """The backend cannot be reached; nothing was stored."""


class HeadMismatch(Exception):
    """Another writer appended first (optimistic concurrency); decide again."""


class EventStore(Protocol):
    async def append(self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None) -> list[Event]:
        """Store `drafts` as the next events, durably, and return them with their sequence numbers.

        With `expected_head`, refuse (HeadMismatch) unless the log's head is exactly that.
        Returns only once the events would survive the process being killed.
        """
        ...

    async def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        """Events with after < seq <= until, in order."""
        ...

    async def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        """Events with start <= ex_time <= end, in order."""
        ...

    async def head(self, exercise: str) -> int: ...

    async def exercises(self) -> list[str]: ...

    async def close(self) -> None: ...


def open_store(data_dir: str | Path | None, redis_url: str | None = None) -> EventStore:
    """Choose the backend: Redis when a URL is given, else SQLite in `data_dir`, else memory."""
    if redis_url:
        raise NotImplementedError("the Redis event store arrives with the scale-out issue")
    if data_dir is None:
        from .memory import MemoryStore
        return MemoryStore()
    from .sqlite import SqliteStore
    return SqliteStore(Path(data_dir) / "events.sqlite3")
