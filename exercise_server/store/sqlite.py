"""The embedded durable event store: SQLite from the standard library.

Why SQLite rather than an append-only file of our own: it gives atomic, fsync'd
transactions (an append of several events lands whole or not at all), indexed reads by
sequence and by exercise time, and recovery after a kill, with nothing to install.
WAL mode with synchronous=FULL makes each commit durable before `append` returns.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..core.events import Draft, Event, decode_event, encode_event
from .base import HeadMismatch, Segment, StoreUnavailable, new_epoch

log = logging.getLogger("exercise_server.store.sqlite")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    exercise TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ex_time REAL NOT NULL,
    type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (exercise, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_by_ex_time ON events (exercise, ex_time);
CREATE TABLE IF NOT EXISTS epochs (
    exercise TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    epoch TEXT NOT NULL,
    PRIMARY KEY (exercise, epoch)
);
"""
# Range reads, each a SEARCH on an index (tests/test_store.py checks the plans). The exercise-time
# read is ordered as its index is, else SQLite prefers the primary key and scans the whole
# exercise; read_ex_time returns the rows by seq.
READ_BY_SEQ = "SELECT data FROM events WHERE exercise = ? AND seq > ? AND seq <= ? ORDER BY seq"
READ_BY_EX_TIME = (
    "SELECT seq, data FROM events WHERE exercise = ? AND ex_time >= ? AND ex_time <= ? ORDER BY ex_time, seq"
)


@dataclass(frozen=True)
class Append:
    """One append asked for: the drafts, and the head they were decided on (None: any)."""

    exercise: str
    drafts: Sequence[Draft]
    expected_head: int | None = None


class SqliteLog:
    """Synchronous SQLite log; SqliteStore runs it on one worker thread."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=5000")
        # A page cache of 512 KiB, not SQLite's 2 MB: appends touch the right edge of two B-trees and
        # reads are ranges the OS's file cache holds; the default cache filled with a day's log and
        # was a third of the server's growth in the classroom day (docs/security.md).
        self.db.execute("PRAGMA cache_size=-512")
        self.db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def head(self, exercise: str) -> int:
        row = self.db.execute("SELECT MAX(seq) FROM events WHERE exercise = ?", (exercise,)).fetchone()
        return row[0] or 0

    def append(self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None) -> list[Event]:
        outcome = self.append_together([Append(exercise, drafts, expected_head)])[0]
        if isinstance(outcome, HeadMismatch):
            raise outcome
        return outcome

    def append_together(self, appends: Sequence[Append]) -> list[list[Event] | HeadMismatch]:
        """Several appends in one transaction (group commit: one fsync for all). Each is checked
        against the head the ones before it left; one whose head check fails is refused alone
        (its HeadMismatch is its outcome). Any other failure refuses them all: nothing is stored."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                outcomes: list[list[Event] | HeadMismatch] = []
                for a in appends:
                    head = self.head(a.exercise)
                    if a.expected_head is not None and head != a.expected_head:
                        outcomes.append(HeadMismatch(f"head is {head}, not {a.expected_head}"))
                        continue
                    events = [Event.from_draft(a.exercise, head + i + 1, d) for i, d in enumerate(a.drafts)]
                    self.db.executemany(
                        "INSERT INTO events (exercise, seq, ex_time, type, data) VALUES (?, ?, ?, ?, ?)",
                        [(a.exercise, e.seq, e.ex_time, e.type, encode_event(e)) for e in events],
                    )
                    outcomes.append(events)
                self.db.execute("COMMIT")
                return outcomes
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise StoreUnavailable(f"SQLite: {exc}") from exc
            except BaseException:  # whatever else failed (encoding, cancellation): nothing half-begun stays
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def begin_epoch(self, exercise: str) -> list[Segment]:
        """A new segment at the head + 1, each time a process opens the file: a restored older copy
        of the file lacks the segments written since, so their clients are not resumed onto it.
        A file that takes no write now (locked, full disk) still starts: the new segment is then
        this process's alone, and its clients get a snapshot from the next process."""
        with self._lock:
            segment = Segment(new_epoch(), self.head(exercise) + 1)
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute(
                    "INSERT INTO epochs (exercise, first_seq, epoch) VALUES (?, ?, ?)",
                    (exercise, segment.first_seq, segment.epoch),
                )
                self.db.execute("COMMIT")
                stored = True
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                log.warning("exercise %s: its new epoch could not be stored: %s", exercise, exc)
                stored = False
        rows = self.db.execute(
            "SELECT epoch, first_seq FROM epochs WHERE exercise = ? ORDER BY first_seq, rowid", (exercise,)
        )
        segments = [Segment(epoch, first) for epoch, first in rows]
        return segments if stored else [*segments, segment]

    def check(self) -> None:
        """Take the write lock and let it go: what an append needs first."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("ROLLBACK")
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise StoreUnavailable(f"SQLite: {exc}") from exc

    def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        rows = self.db.execute(READ_BY_SEQ, (exercise, after, until if until is not None else 2**62)).fetchall()
        return [decode_event(r[0]) for r in rows]

    def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        rows = self.db.execute(READ_BY_EX_TIME, (exercise, start, end)).fetchall()
        return [decode_event(data) for _, data in sorted(rows)]

    def exercises(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT exercise FROM events ORDER BY exercise")]

    def close(self) -> None:
        self.db.close()


T = TypeVar("T")


class SqliteStore:
    """The async face of SqliteLog: every call runs on one dedicated thread, in order.

    Group commit: appends that arrive while a commit is in flight wait, and go together in the
    next transaction; each is answered once that transaction is committed (or refused with it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._log = SqliteLog(path)
        self._waiting: list[tuple[Append, asyncio.Future[list[Event]]]] = []
        self._committing = False

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def append(
        self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None, fence: int | None = None
    ) -> list[Event]:
        stored: asyncio.Future[list[Event]] = asyncio.get_running_loop().create_future()
        self._waiting.append((Append(exercise, drafts, expected_head), stored))
        if not self._committing:
            self._commit_waiting()
        return await stored  # a caller cancelled meanwhile cancels only its own wait

    def _commit_waiting(self) -> None:
        """Commit every waiting append in one transaction on the worker; then the next ones."""
        batch, self._waiting = self._waiting, []
        self._committing = True

        def answer(done: asyncio.Future[list[list[Event] | HeadMismatch]]) -> None:
            self._committing = False
            for i, (_, stored) in enumerate(batch):
                if stored.done():
                    continue
                if done.cancelled():
                    stored.cancel()
                elif (failed := done.exception()) is not None:
                    stored.set_exception(failed)
                elif isinstance(outcome := done.result()[i], HeadMismatch):
                    stored.set_exception(outcome)
                else:
                    stored.set_result(outcome)
            if self._waiting:
                self._commit_waiting()

        loop = asyncio.get_running_loop()
        try:
            done = loop.run_in_executor(self._pool, self._log.append_together, [a for a, _ in batch])
        except RuntimeError as exc:  # the store is closed
            done = loop.create_future()
            done.set_exception(StoreUnavailable(f"SQLite: {exc}"))
        done.add_done_callback(answer)

    async def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        return await self._run(self._log.read, exercise, after, until)

    async def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        return await self._run(self._log.read_ex_time, exercise, start, end)

    async def head(self, exercise: str) -> int:
        return await self._run(self._log.head, exercise)

    async def begin_epoch(self, exercise: str) -> list[Segment]:
        return await self._run(self._log.begin_epoch, exercise)

    async def exercises(self) -> list[str]:
        return await self._run(self._log.exercises)

    async def lease(self, exercise: str, owner: str, ttl: float) -> int | None:
        return 0  # one process: the scheduler is always this one

    async def check(self) -> None:
        await self._run(self._log.check)

    async def close(self) -> None:
        await self._run(self._log.close)
        self._pool.shutdown(wait=True)
