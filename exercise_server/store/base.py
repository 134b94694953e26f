"""The event store interface. The core never knows which backend runs."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..core.events import Draft, Event


class StoreUnavailable(Exception):
    """The backend cannot be reached; nothing was stored."""


class OutcomeUnknown(StoreUnavailable):
    """The backend went away during an append and could not be asked afterwards whether
    the append landed: it may or may not be stored."""


class LogHole(StoreUnavailable):
    """The log lacks events it should hold (a trimmed Redis stream): nothing after them can be
    folded, so nothing after them is stored or sent either."""


class HeadMismatch(Exception):
    """Another writer appended first (optimistic concurrency); decide again."""


class FenceLost(Exception):
    """The scheduler's lease passed to another process; this one must stop releasing."""


@dataclass(frozen=True)
class Segment:
    """A stretch of one exercise's history, written by one writer since it opened the store: from
    `first_seq` up to the next segment's first. Its `epoch` names that history to clients."""

    epoch: str
    first_seq: int


def new_epoch() -> str:
    return secrets.token_hex(8)


def resumable(segments: Sequence[Segment], epoch: str | None, last_seq: int) -> bool:
    """Whether a client that saw up to `last_seq` in `epoch` saw only events this log still holds:
    its epoch is the current one, or an earlier segment that it did not see past. A client without
    an epoch (protocol 1.0) is taken at its word. An epoch this log does not know (a restored older
    copy, another log) means a history that may have diverged: such a client gets a snapshot."""
    if epoch is None:
        return True
    for i, segment in enumerate(segments):
        if segment.epoch == epoch:
            return i == len(segments) - 1 or last_seq < segments[i + 1].first_seq
    return False


class EventStore(Protocol):
    async def append(
        self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None, fence: int | None = None
    ) -> list[Event]:
        """Store `drafts` as the next events, durably, and return them with their sequence numbers.

        With `expected_head`, refuse (HeadMismatch) unless the log's head is exactly that;
        with `fence`, refuse (FenceLost) unless it is still the scheduler lease's token.
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

    async def begin_epoch(self, exercise: str) -> list[Segment]:
        """This writer starts serving `exercise`: the segments of its history, oldest first, the
        current one last (a store kept in one process begins a new segment here, at the head + 1)."""
        ...

    async def exercises(self) -> list[str]: ...

    async def lease(self, exercise: str, owner: str, ttl: float) -> int | None:
        """Take or renew the exercise's scheduler lease for `ttl` seconds.

        Returns a fencing token (it grows with each new holder), or None if another
        process holds the lease. One process alone always holds it."""
        ...

    async def check(self) -> None:
        """Raise StoreUnavailable unless the store would take an append now (the scheduler asks
        while the service is degraded, to end it without waiting for a command)."""
        ...

    async def close(self) -> None: ...


def open_store(data_dir: str | Path | None, redis_url: str | None = None, redis_prefix: str = "exsrv:") -> EventStore:
    """Choose the backend: Redis when a URL is given, else SQLite in `data_dir`, else memory."""
    if redis_url:
        from .redis import RedisStore

        return RedisStore(redis_url, redis_prefix)
    if data_dir is None:
        from .memory import MemoryStore

        return MemoryStore()
    from .sqlite import SqliteStore

    return SqliteStore(Path(data_dir) / "events.sqlite3")
