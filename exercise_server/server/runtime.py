"""One running exercise: its state in memory, its scheduler, and its fan-out to connections.

Every change goes the same way: decide (core) -> append (store, durable) -> fold into
the state and publish on the bus (synchronously, under the exercise's lock) -> each
connection's bounded send queue. Connections attach synchronously too, so a
connection's snapshot or backlog ends exactly where its live events begin.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from ..bus.base import Bus
from ..core import events as ev
from ..core.access import FACILITATOR, TRAINEE, Principal, event_for_view, may_read
from ..core.clock import WallClock
from ..core.commands import Limits, decide, decide_due, decide_join
from ..core.errors import CommandError
from ..core.projections import ExerciseState
from ..store.base import EventStore, FenceLost, HeadMismatch, StoreUnavailable
from . import protocol

log = logging.getLogger("exercise_server.runtime")


@dataclass(eq=False)
class Connection:
    """A participant's live connection, as the fan-out sees it."""

    principal: Principal
    code: str | None
    fmt: str
    queue_size: int
    queue: asyncio.Queue = field(init=False)
    close_code: int | None = None
    close_reason: str = ""
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    # Set by the writer once the catch-up is sent: writes a frame at once, or says it cannot.
    send_now: Callable[[bytes | str], bool] | None = None
    writing: bool = False  # the writer holds a frame it took from the queue

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.queue_size)

    @property
    def view(self) -> str:
        return self.principal.view

    def offer(self, frame: bytes | str) -> None:
        """Queue a frame without waiting; a client too far behind is told to resume."""
        if self.close_code is not None:
            return
        if self.send_now is not None and not self.writing and self.queue.empty() and self.send_now(frame):
            return  # nothing queued before it and the socket takes it: no writer wake-up
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("%s (%s): send queue full, disconnecting", self.principal.name, self.view)
            self.kick(4409, "too slow: resume from your last sequence number")

    def kick(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self.closing.set()


class ExerciseRuntime:
    def __init__(self, exercise: str, state: ExerciseState, store: EventStore, bus: Bus, clock: WallClock,
                 limits: Limits | None = None) -> None:
        self.id = exercise
        self.state = state
        self.store = store
        self.clock = clock
        self.limits = limits or Limits()
        self.bus = bus
        self.lock = asyncio.Lock()
        self.connections: set[Connection] = set()
        # The same connections by (view, format): an event is filtered and encoded once per
        # view and handed only to the connections of the views that see it.
        self.views: dict[tuple[str, str], set[Connection]] = {}
        self._presence_due: asyncio.TimerHandle | None = None
        self._unsubscribe = bus.subscribe(exercise, self._deliver, after=state.head)

    # -- changing the exercise ----------------------------------------------------

    async def submit(self, principal: Principal, command: dict[str, Any]) -> list[ev.Event]:
        """Decide, store durably, then publish. Raises CommandError; nothing changes on error."""
        async with self.lock:
            for _ in range(self.RETRIES):
                drafts = decide(self.state, principal, command, self.clock.now(), self.limits)
                try:
                    return await self._commit(drafts)
                except HeadMismatch:  # another process appended first: catch up, decide again
                    await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def join(self, code: str, name: Any, participant: str) -> Principal:
        async with self.lock:
            for _ in range(self.RETRIES):
                draft, principal = decide_join(self.state, code, name, participant, self.clock.now(), self.limits)
                try:
                    await self._commit([draft])
                    return principal
                except HeadMismatch:
                    await self._catch_up()
        raise CommandError("unavailable", "the exercise is too busy right now; retry")

    async def tick(self, owner: str, lease_ttl: float) -> list[ev.Event]:
        """Release what the MSEL says is due now, if this process holds the scheduler lease.

        The lease (with its fencing token) makes one process the scheduler of an exercise;
        the head check on every append makes a release happen once even in a race."""
        fence = await self.store.lease(self.id, owner, lease_ttl)
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

    RETRIES = 20

    async def _catch_up(self) -> None:
        """Fold in what other processes stored that the bus has not brought yet."""
        try:
            events = await self.store.read(self.id, after=self.state.head)
        except StoreUnavailable as exc:
            raise CommandError("unavailable", "the event store is unreachable; nothing was stored") from exc
        self._deliver(events)

    async def commit_system(self, drafts: list[ev.Draft]) -> list[ev.Event]:
        """Commit drafts the server itself decided (opening the exercise)."""
        async with self.lock:
            return await self._commit(drafts)

    async def _commit(self, drafts: list[ev.Draft], fence: int | None = None) -> list[ev.Event]:
        if not drafts:
            return []
        try:
            events = await self.store.append(self.id, drafts, expected_head=self.state.head, fence=fence)
        except StoreUnavailable as exc:
            log.error("exercise %s: store unavailable: %s", self.id, exc)
            raise CommandError("unavailable", "the event store is unreachable; nothing was stored") from exc
        self.bus.publish(self.id, events)
        return events

    # -- fan-out ------------------------------------------------------------------

    def _deliver(self, events: list[ev.Event]) -> None:
        """Fold published events into the state and queue them for every connection that may see them.

        Events already folded are skipped: the bus may bring this process's own events round."""
        for event in events:
            if event.seq <= self.state.head:
                continue
            self.state.apply(event)  # refuses a gap: the bus delivers in order from where we stand
            for (view, fmt), conns in list(self.views.items()):
                body = event_for_view(view, event)
                if body is None:
                    continue
                frame = protocol.encode({"type": "event", "event": body}, fmt)
                for conn in list(conns):
                    conn.offer(frame)
            if event.type == ev.CODE_REVOKED:
                self._close_code(event.payload["code"])

    def _close_code(self, code: str) -> None:
        for conn in list(self.connections):
            if conn.code == code:
                conn.kick(4403, "join code revoked")

    def attach(self, conn: Connection, last_seq: int, snapshot_after_missed: int) -> dict[str, Any]:
        """Register `conn` and say how it catches up. Synchronous: nothing can slip in between."""
        head = self.state.head
        self.connections.add(conn)
        self.views.setdefault((conn.view, conn.fmt), set()).add(conn)
        conn.offer(protocol.encode(self.presence_for(conn.principal), conn.fmt))  # its own arrival, at once
        self._presence_soon()
        if 0 < last_seq <= head and head - last_seq <= snapshot_after_missed:
            return {"mode": "resume", "from": last_seq, "head": head}
        return {"mode": "snapshot", "head": head, "state": self.state.snapshot(conn.principal)}

    def detach(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.discard(conn)
            key = (conn.view, conn.fmt)
            self.views[key].discard(conn)
            if not self.views[key]:
                del self.views[key]
            self._presence_soon()

    async def backlog(self, conn: Connection, after: int, until: int) -> list[dict[str, Any]]:
        """The events after `after` up to `until` that `conn` may see, in order."""
        events = await self.store.read(self.id, after=after, until=until)
        return [body for e in events if (body := event_for_view(conn.view, e)) is not None]

    # -- presence -----------------------------------------------------------------

    PRESENCE_DELAY = 0.1  # seconds: the attaches and detaches within it share one presence broadcast

    def _online(self) -> dict[str, dict[str, Any]]:
        online: dict[str, dict[str, Any]] = {}
        for c in self.connections:
            p = c.principal
            online.setdefault(p.participant, {"participant": p.participant, "name": p.name, "role": p.role,
                                              "team": p.team, "connections": 0})["connections"] += 1
        return online

    def presence_for(self, principal: Principal, online: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """Who is connected: all of it for the facilitator; for a team, its own rooms' members."""
        sc = self.state.scenario
        assert sc is not None
        online = dict(self._online() if online is None else online)
        if principal.role == TRAINEE:  # the control cell is invisible to trainees
            online = {k: v for k, v in online.items() if v["role"] == TRAINEE}
        rooms = {}
        for room in sc.rooms.values():
            if may_read(principal, room):
                rooms[room.id] = sorted(pid for pid, p in online.items() if p["team"] in room.readers)
        if principal.role == TRAINEE:
            visible = {pid for members in rooms.values() for pid in members}
            online = {k: v for k, v in online.items() if k in visible}
        return {"type": "presence", "online": sorted(online.values(), key=lambda p: (p["team"] or "", p["name"])),
                "rooms": rooms}

    def _presence_soon(self) -> None:
        """Presence for everyone a moment later: a join storm of N clients then costs a few
        broadcasts instead of N broadcasts of N frames each."""
        if self._presence_due is None:
            self._presence_due = asyncio.get_running_loop().call_later(self.PRESENCE_DELAY, self._broadcast_presence)

    def _broadcast_presence(self) -> None:
        self._presence_due = None
        online = self._online()
        cache: dict[tuple[str, str], bytes | str] = {}  # presence depends on the view only
        for conn in list(self.connections):
            key = (conn.view, conn.fmt)
            if key not in cache:
                cache[key] = protocol.encode(self.presence_for(conn.principal, online), conn.fmt)
            conn.offer(cache[key])

    def broadcast(self, message: dict[str, Any]) -> None:
        """A frame for every connection (service notices)."""
        frames: dict[str, bytes | str] = {}
        for conn in list(self.connections):
            if conn.fmt not in frames:
                frames[conn.fmt] = protocol.encode(message, conn.fmt)
            conn.offer(frames[conn.fmt])

    def close(self) -> None:
        if self._presence_due is not None:
            self._presence_due.cancel()
        self._unsubscribe()
