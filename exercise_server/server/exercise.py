"""One running exercise: its state in memory, the write path, the scheduler's tick, and who is attached.

Every change goes the same way, under the exercise's lock: decide (core) -> append (store,
durable) -> fold and fan out (`Fanout.deliver`: into the state, then to each connection whose
view may see it) -> publish (the bus tells the other processes). Events the other processes
stored arrive from the bus at the same `Fanout.deliver`. Connections attach synchronously
too, so a connection's snapshot or backlog ends exactly where its live events begin.
Room messages take the same steps, several in one append: decided at once, they are stored
together with those that come while an append is in flight (group_commit.py), and each is
answered once its append is durable; every other change waits for them (`_alone`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

from ..bus.base import Bus
from ..core import events as ev
from ..core.access import Principal
from ..core.clock import WallClock
from ..core.command_ids import Refusals, digest, reused
from ..core.commands import Limits, decide, decide_due, decide_join
from ..core.errors import CommandError
from ..core.projections import ExerciseState
from ..core.views import history_page, history_rows
from ..store.base import EventStore, FenceLost, HeadMismatch, LogHole, OutcomeUnknown, Segment, StoreUnavailable
from . import protocol
from .codes import new_code
from .connection import Connection
from .fanout import CatchUp, Fanout
from .group_commit import CommandKey, MessageQueue
from .health import LOG, STORE, Health
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
        segments: Sequence[Segment] = (),
    ) -> None:
        self.id = exercise
        self.state = state
        self.store = store
        self.clock = clock
        self.limits = limits or Limits()
        self.bus = bus
        self.health = health or Health()
        self.lock = asyncio.Lock()
        self.fanout = Fanout(exercise, state, store, segments)
        self.presence = Presence(exercise, state, bus, self.fanout)
        self._filling: asyncio.Task[None] | None = None  # a catch-up from the store after a gap in live delivery
        self._stored_head: int | None = None  # the store's head at the last live check
        self._hole_at: int | None = None  # the head at which the log itself was found to have a hole (reported once)
        self._unsubscribe = bus.subscribe(exercise, self._stored_elsewhere, after=state.head)
        self.refusals = Refusals()
        self.messages = MessageQueue(exercise, self._commit)  # room messages stored together (`_write`)

    # -- changing the exercise ----------------------------------------------------

    async def submit(self, principal: Principal, command: dict[str, Any]) -> list[ev.Event]:
        """Decide, store durably, fold and fan out, publish. Raises CommandError; nothing changes on error."""
        command = _with_drawn_code(command)
        with _refused_while_unavailable():
            for _ in range(self.RETRIES):
                try:
                    return await self._write(
                        lambda: decide(self.state, principal, command, self.clock.now(), self.limits)
                    )
                except HeadMismatch:  # another process appended first: catch up, decide again
                    async with self._alone():
                        await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def submit_once(self, principal: Principal, command: dict[str, Any], cid: str | int) -> tuple[int, int]:
        """`submit` with the client's id as idempotency key (protocol 1.1): the first and last seq
        of the command's events. An id the log holds for this participant is answered from the
        log, one this process refused with the same refusal; a head mismatch folds in what the
        other processes stored first, so a resend that reached them is recognised too."""
        body = digest(command)
        ref = ev.CommandRef(principal.participant, cid, body)
        command = _with_drawn_code(command)  # after the digest: a resend is the same command
        answered: tuple[int, int] | None = None

        def decision() -> list[ev.Draft]:
            nonlocal answered
            if (stored := self.state.command_ids.stored(principal.participant, cid)) is not None:
                if stored.digest != body:
                    raise reused(cid)
                answered = stored.first_seq, stored.last_seq
                return []
            if (refused := self.refusals.answer(principal.participant, cid, body)) is not None:
                raise refused
            try:
                drafts = decide(self.state, principal, command, self.clock.now(), self.limits)
            except CommandError as exc:
                self.refusals.remember(principal.participant, cid, body, exc)
                raise
            return [replace(d, command=ref) for d in drafts]

        with _refused_while_unavailable():
            for _ in range(self.RETRIES):
                try:
                    events = await self._write(decision, (principal.participant, cid))
                except HeadMismatch:
                    async with self._alone():
                        await self._catch_up()
                    continue
                return answered if answered is not None else (events[0].seq, events[-1].seq)
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def join(self, code: str, name: Any, participant: str, person: Any = None) -> Principal:
        async with self._alone():
            with _refused_while_unavailable():
                for _ in range(self.RETRIES):
                    now = self.clock.now()
                    draft, principal = decide_join(self.state, code, name, participant, now, self.limits, person)
                    try:
                        await self._commit([draft])
                        return principal
                    except HeadMismatch:
                        await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def commit_system(self, drafts: list[ev.Draft]) -> list[ev.Event]:
        """Commit drafts the server itself decided (opening the exercise)."""
        async with self._alone():
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
        async with self._alone():
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

    async def _write(self, decision: Callable[[], list[ev.Draft]], key: CommandKey | None = None) -> list[ev.Event]:
        """Decide (`decision`, under the lock) and store: room messages together with those that
        come while an append is in flight (group_commit.py); anything else alone, once the queued
        messages are stored. `key`: the command's id; a resend of a queued command waits for it."""
        async with self.lock:
            if key is not None and self.messages.holds(key):
                await self.messages.drain()
            drafts = decision()
            if not drafts or any(d.type != ev.ROOM_MESSAGE_POSTED for d in drafts):
                if self.messages.busy:
                    await self.messages.drain()
                    drafts = decision()  # against the state with the queued messages in
                return await self._commit(drafts)
            stored = self.messages.add(drafts)
        return await stored  # a caller cancelled meanwhile cancels only its own wait

    @asynccontextmanager
    async def _alone(self) -> AsyncIterator[None]:
        """The lock, with no room message being stored: every change but a room message decides under it."""
        async with self.lock:
            await self.messages.drain()
            yield

    async def _catch_up(self) -> None:
        """Fold in what other processes stored that the bus has not brought yet."""
        try:
            events = await self.store.read(self.id, after=self.state.head)
        except StoreUnavailable as exc:
            self.health.failed(STORE, str(exc))
            raise
        self.health.works(STORE)
        if not self.fanout.deliver(events):
            raise self._log_has_a_hole(events)

    def _log_has_a_hole(self, events: Sequence[ev.Event]) -> LogHole:
        """The store itself lacks the next event (a trimmed Redis stream): this process holds the
        exercise where it is rather than skip it, and says so (the log and the `service` frames)."""
        after = next(e.seq for e in events if e.seq > self.state.head)
        reason = f"exercise {self.id}: the event log has no events {self.state.head + 1}..{after - 1} (trimmed?)"
        if self._hole_at != self.state.head:  # reported once
            self._hole_at = self.state.head
            log.error("%s; holding the exercise at %d, its commands are refused", reason, self.state.head)
            self.health.failed(LOG, reason)
        return LogHole(reason)

    def _stored_elsewhere(self, events: Sequence[ev.Event]) -> None:
        """The bus brings what the other processes stored: the same fold and fan-out as a commit's.
        If it skipped an event (a lost message, a trimmed stream), the rest comes from the store."""
        if not self.fanout.deliver(events):
            self._fill_soon(f"the bus brought {events[-1].seq} after {self.state.head}")

    def _fill_soon(self, why: str) -> None:
        if self._filling is None or self._filling.done():
            self._filling = asyncio.get_running_loop().create_task(self.fill(why), name=f"fill-{self.id}")

    async def fill(self, why: str) -> None:
        """Live delivery missed events the store holds: read them, fold and fan them out (so every
        connection gets them, in order, with nothing after them sent before), and log it."""
        async with self._alone():
            before = self.state.head
            try:
                await self._catch_up()
            except StoreUnavailable:
                return  # health knows; the next live check tries again
        if self.state.head > before:
            log.warning(
                "exercise %s: live delivery missed events (%s); caught up from the store: %d..%d",
                self.id,
                why,
                before + 1,
                self.state.head,
            )

    async def check_live(self) -> None:
        """Every second or so (registry.py): an event the store held at the last check and this
        process still lacks was lost on its way here (the last message of a burst, which no later
        one reveals as a gap). Raises StoreUnavailable."""
        seen, self._stored_head = self._stored_head, await self.store.head(self.id)
        if seen is not None and self.state.head < seen:
            await self.fill(f"the store's head was {seen}, this process's {self.state.head}")

    # -- reading ------------------------------------------------------------------

    async def room_history(self, principal: Principal, query: dict[str, Any]) -> tuple[str, list[dict[str, Any]], int]:
        """A room.history query: the room, a page of its earlier messages, read from the store (the
        state keeps only the latest of each room) as `principal` may see them, and how many came
        before the page. Raises CommandError."""
        room, seqs, earlier = history_page(self.state, principal, query)
        events: list[ev.Event] = []
        for first, last in _runs(seqs):
            try:
                events += await self.store.read(self.id, after=first - 1, until=last)
            except StoreUnavailable as exc:
                self.health.failed(STORE, str(exc))
                raise CommandError("unavailable", "the event store is unreachable; try again") from exc
        return room, history_rows(principal, room, events, seqs), earlier

    # -- connections --------------------------------------------------------------

    def attach(self, conn: Connection, last_seq: int, snapshot_after_missed: int, epoch: str | None = None) -> CatchUp:
        """Register `conn` and say how it catches up. Synchronous: nothing can slip in between.

        Should anything here fail, `conn` is unregistered again: no ghost in presence or the code counts."""
        try:
            self.fanout.attach(conn)
            if not self.health.ok:  # degraded since before it came: it is told too
                conn.offer(protocol.encode(self.health.notice(), conn.fmt))
            self.presence.arrived(conn)
            return self.fanout.catch_up(conn, last_seq, snapshot_after_missed, epoch)
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
        if self._filling is not None:
            self._filling.cancel()


def _runs(seqs: list[int], span: int = 256) -> list[tuple[int, int]]:
    """Sorted sequence numbers as ranges to read, each at most `span` events long: a quiet room's
    page reads its messages, not the whole day between them."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and seq - runs[-1][0] < span:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


def _with_drawn_code(command: dict[str, Any]) -> dict[str, Any]:
    """A `code.replace` gets its new code here, a `roster.add` one per person: the server draws them,
    never a client (core/people.py, core/roster.py)."""
    if command.get("type") == "code.replace":
        return {**command, "replacement": new_code()}
    if command.get("type") == "roster.add" and isinstance(command.get("people"), list):
        return {**command, "codes": [new_code() for _ in command["people"][:500]]}
    return command


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
