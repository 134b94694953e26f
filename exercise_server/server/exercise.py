"""One running exercise: its state in memory, the write path, the scheduler's tick, and who is attached.

Every change goes the same way, under the exercise's lock: decide (core) -> append (store,
durable) -> fold and fan out (`Fanout.deliver`: into the state, then to each connection whose
view may see it) -> publish (the bus tells the other processes). Events the other processes
stored arrive from the bus at the same `Fanout.deliver`. Connections attach synchronously
too, so a connection's snapshot or backlog ends exactly where its live events begin.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..bus.base import Bus
from ..core import events as ev
from ..core.access import Principal
from ..core.clock import WallClock
from ..core.commands import Limits, decide, decide_due, decide_join
from ..core.errors import CommandError
from ..core.projections import ExerciseState
from ..store.base import EventStore, FenceLost, HeadMismatch, OutcomeUnknown, StoreUnavailable
from . import protocol
from .codes import new_code
from .connection import Connection
from .fanout import CatchUp, Fanout
from .health import STORE, Health
from .presence import Presence

log = logging.getLogger("exercise_server.runtime")


class ExerciseRuntime:
    RETRIES = 20

    def __init__(
        self,
        exercise: str,
        state: ExerciseState,
        store: EventStore,
        bus: Bus,
        clock: WallClock,
        limits: Limits | None = None,
        health: Health | None = None,
    ) -> None:
        self.id = exercise
        self.state = state
        self.store = store
        self.clock = clock
        self.limits = limits or Limits()
        self.bus = bus
        self.health = health or Health()
        self.lock = asyncio.Lock()
        self.fanout = Fanout(exercise, state, store)
        self.presence = Presence(exercise, state, bus, self.fanout)
        self._unsubscribe = bus.subscribe(exercise, self._stored_elsewhere, after=state.head)

    # -- changing the exercise ----------------------------------------------------

    async def submit(self, principal: Principal, command: dict[str, Any]) -> list[ev.Event]:
        """Decide, store durably, fold and fan out, publish. Raises CommandError; nothing changes on error."""
        if command.get("type") == "code.replace":  # the server draws the new code, never a client
            command = {**command, "replacement": new_code()}
        async with self.lock:
            with _refused_while_unavailable():
                for _ in range(self.RETRIES):
                    drafts = decide(self.state, principal, command, self.clock.now(), self.limits)
                    try:
                        return await self._commit(drafts)
                    except HeadMismatch:  # another process appended first: catch up, decide again
                        await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def join(self, code: str, name: Any, participant: str) -> Principal:
        async with self.lock:
            with _refused_while_unavailable():
                for _ in range(self.RETRIES):
                    draft, principal = decide_join(self.state, code, name, participant, self.clock.now(), self.limits)
                    try:
                        await self._commit([draft])
                        return principal
                    except HeadMismatch:
                        await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def commit_system(self, drafts: list[ev.Draft]) -> list[ev.Event]:
        """Commit drafts the server itself decided (opening the exercise)."""
        async with self.lock:
            with _refused_while_unavailable():
                return await self._commit(drafts)

    async def tick(self, owner: str, lease_ttl: float) -> list[ev.Event]:
        """Release what the MSEL says is due now, if this process holds the scheduler lease.

        The lease (with its fencing token) makes one process the scheduler of an exercise;
        the head check on every append makes a release happen once even in a race.
        Raises StoreUnavailable when the store cannot be reached (the next tick tries again)."""
        try:
            fence = await self.store.lease(self.id, owner, lease_ttl)
        except StoreUnavailable as exc:
            self.health.failed(STORE, str(exc))
            raise
        if fence is None:
            return []
        released: list[ev.Event] = []
        async with self.lock:
            while drafts := decide_due(self.state, self.clock.now()):
                try:
                    released += await self._commit(drafts, fence=fence)
                except HeadMismatch:
                    await self._catch_up()
                except FenceLost:
                    log.warning("exercise %s: scheduler lease lost", self.id)
                    break
        return released

    async def _commit(self, drafts: list[ev.Draft], fence: int | None = None) -> list[ev.Event]:
        """The write path after the decision: append, fold and fan out, publish."""
        if not drafts:
            return []
        try:
            events = await self.store.append(self.id, drafts, expected_head=self.state.head, fence=fence)
        except StoreUnavailable as exc:
            when = " mid-append" if isinstance(exc, OutcomeUnknown) else ""
            log.error("exercise %s: store unavailable%s: %s", self.id, when, exc)
            self.health.failed(STORE, str(exc))
            raise
        self.health.works(STORE)
        self.fanout.deliver(events)
        self.bus.publish(self.id, events)
        return events

    async def _catch_up(self) -> None:
        """Fold in what other processes stored that the bus has not brought yet."""
        try:
            events = await self.store.read(self.id, after=self.state.head)
        except StoreUnavailable as exc:
            self.health.failed(STORE, str(exc))
            raise
        self.health.works(STORE)
        self.fanout.deliver(events)

    def _stored_elsewhere(self, events: Sequence[ev.Event]) -> None:
        """The bus brings what the other processes stored: the same fold and fan-out as a commit's."""
        self.fanout.deliver(events)

    # -- connections --------------------------------------------------------------

    def attach(self, conn: Connection, last_seq: int, snapshot_after_missed: int) -> CatchUp:
        """Register `conn` and say how it catches up. Synchronous: nothing can slip in between.

        Should anything here fail, `conn` is unregistered again: no ghost in presence or the code counts."""
        try:
            self.fanout.attach(conn)
            if not self.health.ok:  # degraded since before it came: it is told too
                conn.offer(protocol.encode(self.health.notice(), conn.fmt))
            self.presence.arrived(conn)
            return self.fanout.catch_up(conn, last_seq, snapshot_after_missed)
        except BaseException:
            self.detach(conn)
            raise

    def detach(self, conn: Connection) -> None:
        if self.fanout.detach(conn):
            self.presence.left(conn)

    def open_with_code(self, code: str) -> int:
        """Connections open with this join code."""
        return self.fanout.open_with_code(code)

    async def connection_count(self) -> int:
        """The exercise's open WebSockets, on every process."""
        return await self.presence.connection_count()

    def close(self) -> None:
        self.presence.close()
        self._unsubscribe()


@contextmanager
def _refused_while_unavailable() -> Iterator[None]:
    """A store that cannot be reached refuses the command, saying whether it may have been stored."""
    try:
        yield
    except OutcomeUnknown as exc:
        raise CommandError(
            "unavailable",
            "the event store became unreachable while storing: the command "
            "may or may not have been stored; reload to see",
        ) from exc
    except StoreUnavailable as exc:
        raise CommandError("unavailable", "the event store is unreachable; nothing was stored") from exc
