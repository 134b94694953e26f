"""One running exercise: its state in memory, its scheduler, and its fan-out to connections.

Every change goes the same way: decide (core) -> append (store, durable) -> fold into
the state and publish on the bus (synchronously, under the exercise's lock) -> each
connection (at once, or through its bounded backlog). Connections attach synchronously too, so a
connection's snapshot or backlog ends exactly where its live events begin.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from itertools import islice
from typing import Any

from ..bus.base import Bus
from ..core import events as ev
from ..core.access import TRAINEE, Principal, event_for_view, may_read
from ..core.clock import WallClock
from ..core.commands import Limits, decide, decide_due, decide_join
from ..core.errors import CommandError
from ..core.events import View
from ..core.projections import ExerciseState
from ..store.base import EventStore, FenceLost, HeadMismatch, OutcomeUnknown, StoreUnavailable
from . import protocol

log = logging.getLogger("exercise_server.runtime")


class Connection:
    """A participant's live connection, as the fan-out sees it.

    A frame goes straight to the socket when nothing waits before it (`send_now`, see
    fastsend.py); otherwise it joins the connection's bounded backlog, which the handler
    sends after the catch-up and, later, a short-lived task drains. An idle connection
    holds no task, queue or event of its own: thousands of them stay cheap."""

    __slots__ = (
        "principal",
        "view",
        "code",
        "fmt",
        "queue_size",
        "close_code",
        "close_reason",
        "pending",
        "send",
        "send_now",
        "task",
        "drainer",
        "interrupted",
        "submitting",
    )

    def __init__(self, principal: Principal, code: str | None, fmt: str, queue_size: int) -> None:
        self.principal, self.code, self.fmt, self.queue_size = principal, code, fmt, queue_size
        self.view = principal.view
        self.close_code: int | None = None
        self.close_reason = ""
        # Frames waiting to be sent, in order; None when nothing waits (the usual case once live).
        self.pending: deque[bytes | str] | None = deque()
        self.send: Callable[[bytes | str], Awaitable[None]] | None = None  # set once the catch-up is sent
        self.send_now: Callable[[bytes | str], bool] | None = None  # writes at once, or says it cannot
        self.task: asyncio.Task | None = None  # the handler, interrupted by a kick
        self.drainer: asyncio.Task | None = None
        self.interrupted = False
        self.submitting = False  # a command of this connection is being stored: do not cancel it midway

    def offer(self, frame: bytes | str) -> None:
        """Send or queue a frame without waiting; a client too far behind is told to resume."""
        if self.close_code is not None:
            return
        pending = self.pending
        if pending is None:
            try:
                if self.send_now is not None and self.send_now(frame):
                    return  # nothing queued before it and the socket takes it: no task wakes up
            except Exception:  # noqa: BLE001 - this socket failed; the fan-out goes on for the others
                log.exception("%s (%s): direct send failed, ending the connection", self.principal.name, self.view)
                self.interrupt()
                return
            self.pending = pending = deque()
            self.drainer = asyncio.get_running_loop().create_task(self._drain())
        if len(pending) >= self.queue_size:
            log.warning("%s (%s): send queue full, disconnecting", self.principal.name, self.view)
            self.kick(4409, "too slow: resume from your last sequence number")
            return
        pending.append(frame)

    def go_live(
        self, send: Callable[[bytes | str], Awaitable[None]], send_now: Callable[[bytes | str], bool] | None
    ) -> None:
        """The catch-up and the backlog behind it are sent: from now on frames go straight out."""
        self.pending, self.send, self.send_now = None, send, send_now

    async def _drain(self) -> None:
        try:
            assert self.send is not None and self.pending is not None
            while self.pending:
                await self.send(self.pending.popleft())
            self.pending = None
        except Exception:  # noqa: BLE001 - the socket is gone or closing: the handler ends the connection
            self.interrupt()
        finally:
            self.drainer = None

    def kick(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
            self.interrupt()

    def interrupt(self) -> None:
        """Make the handler stop reading and end the connection (it closes with `close_code` if set).

        A handler waiting for the client's next frame is cancelled; one storing a command is left
        to finish it (an event cancelled between the store and the bus would be stored but not
        delivered live) and stops reading afterwards."""
        task = self.task
        if task is not None and not self.interrupted and task is not asyncio.current_task():
            self.interrupted = True
            if not self.submitting:
                task.cancel()


class ExerciseRuntime:
    RECENT_EVENTS = 1000  # events kept in memory for resumes; older gaps are read from the store

    def __init__(
        self,
        exercise: str,
        state: ExerciseState,
        store: EventStore,
        bus: Bus,
        clock: WallClock,
        limits: Limits | None = None,
    ) -> None:
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
        self.views: dict[tuple[View, str], set[Connection]] = {}
        # Kept as connections come and go rather than counted by walking them all: a storm of
        # N reconnects would otherwise cost N walks of every connection.
        self.online: dict[str, dict[str, Any]] = {}  # participant -> its presence entry
        # The same for the connections other server processes hold (on Redis), merged: the bus keeps it current.
        self.remote: dict[str, dict[str, Any]] = {}
        self._online_changed = False  # since it was last shared with the other processes
        self.per_code: dict[str, int] = {}  # join code -> connections open with it
        # The last events folded, for resumes: a storm of reconnects reads memory, not the store.
        self.recent: deque[ev.Event] = deque(maxlen=self.RECENT_EVENTS)
        # Snapshot frames made at the current head, per principal and format: the 40 tabs of
        # a class that reconnect at once share one fold, one deep copy and one encoding.
        self._snapshots: dict[tuple[Principal, str], bytes | str] = {}
        self._snapshots_head = -1
        self._presence_due: asyncio.TimerHandle | None = None
        self.service: dict[str, Any] | None = None  # the `service` notice while degraded, for newcomers
        self._unsubscribe = bus.subscribe(exercise, self._deliver, after=state.head)
        # Other processes' presence is followed while this process serves the exercise to someone:
        # a process that merely knows of an exercise (every one ever stored) does not read it each second.
        self._unwatch: Callable[[], None] | None = None

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
        except OutcomeUnknown as exc:
            log.error("exercise %s: store unavailable mid-append: %s", self.id, exc)
            raise CommandError(
                "unavailable",
                "the event store became unreachable while storing: the command "
                "may or may not have been stored; reload to see",
            ) from exc
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
            self.recent.append(event)
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
        """Register `conn` and say how it catches up. Synchronous: nothing can slip in between.

        Should anything here fail, `conn` is unregistered again: no ghost in presence or the code counts."""
        try:
            return self._attach(conn, last_seq, snapshot_after_missed)
        except BaseException:
            self.detach(conn)
            raise

    def _attach(self, conn: Connection, last_seq: int, snapshot_after_missed: int) -> dict[str, Any]:
        head = self.state.head
        p = conn.principal
        self.connections.add(conn)
        if self._unwatch is None:
            self._unwatch = self.bus.watch_presence(self.id, self._remote_presence)
        self.views.setdefault((conn.view, conn.fmt), set()).add(conn)
        self.online.setdefault(
            p.participant,
            {"participant": p.participant, "name": p.name, "role": p.role, "team": p.team, "connections": 0},
        )["connections"] += 1
        if conn.code is not None:
            self.per_code[conn.code] = self.per_code.get(conn.code, 0) + 1
        if self.service is not None:  # degraded since before it came: it is told too
            conn.offer(protocol.encode(self.service, conn.fmt))
        conn.offer(protocol.encode(self.presence_for(p), conn.fmt))  # its own arrival, at once
        self._online_changed = True
        self._presence_soon()
        if 0 < last_seq <= head and head - last_seq <= snapshot_after_missed:
            return {"mode": "resume", "from": last_seq, "head": head}
        return {"mode": "snapshot", "head": head, "frame": self._snapshot_frame(p, conn.fmt)}

    def _snapshot_frame(self, principal: Principal, fmt: str) -> bytes | str:
        """The snapshot frame for `principal` at the head (a cache of the fold, valid until the next event)."""
        head = self.state.head
        if self._snapshots_head != head:
            self._snapshots.clear()
            self._snapshots_head = head
        key = (principal, fmt)
        frame = self._snapshots.get(key)
        if frame is None:
            frame = self._snapshots[key] = protocol.encode(
                {"type": "snapshot", "seq": head, "state": self.state.snapshot(principal)}, fmt
            )
        return frame

    def detach(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.discard(conn)
            key = (conn.view, conn.fmt)
            self.views[key].discard(conn)
            if not self.views[key]:
                del self.views[key]
            participant = conn.principal.participant
            entry = self.online[participant]
            entry["connections"] -= 1
            if not entry["connections"]:
                del self.online[participant]
            if conn.code is not None:
                self.per_code[conn.code] -= 1
                if not self.per_code[conn.code]:
                    del self.per_code[conn.code]
            self._online_changed = True
            self._presence_soon()
            if not self.connections and self._unwatch is not None:
                self._unwatch()
                self._unwatch = None
                self.remote = {}

    async def backlog(self, conn: Connection, after: int, until: int) -> list[dict[str, Any]]:
        """The events after `after` up to `until` that `conn` may see, in order."""
        recent = self.recent
        if recent and recent[0].seq <= after + 1 and until <= recent[-1].seq:
            first = recent[0].seq  # `recent` holds consecutive sequence numbers
            events: list[ev.Event] = list(islice(recent, after + 1 - first, until + 1 - first))
        else:
            events = await self.store.read(self.id, after=after, until=until)
        return [body for e in events if (body := event_for_view(conn.view, e)) is not None]

    # -- presence -----------------------------------------------------------------

    PRESENCE_DELAY = 0.1  # seconds: the attaches and detaches within it share one presence broadcast

    def everyone(self) -> dict[str, dict[str, Any]]:
        """Who is connected to the exercise, through this process or any other: participant -> entry."""
        if not self.remote:
            return dict(self.online)
        merged = dict(self.remote)
        for pid, entry in self.online.items():
            there = merged.get(pid)
            merged[pid] = (
                entry if there is None else {**entry, "connections": entry["connections"] + there["connections"]}
            )
        return merged

    async def connection_count(self) -> int:
        """The exercise's open WebSockets, on every process."""
        remote = self.remote if self._unwatch is not None else await self.bus.read_presence(self.id)
        return len(self.connections) + sum(entry["connections"] for entry in remote.values())

    def presence_for(self, principal: Principal, everyone: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        """Who is connected: all of it for the facilitator; for a team, its own rooms' members.
        Encode it at once: its entries are the live ones."""
        sc = self.state.scenario
        assert sc is not None
        online = self.everyone() if everyone is None else everyone
        if principal.role == TRAINEE:  # the control cell is invisible to trainees
            online = {k: v for k, v in online.items() if v["role"] == TRAINEE}
        rooms = {}
        for room in sc.rooms.values():
            if may_read(principal, room):
                rooms[room.id] = sorted(pid for pid, p in online.items() if p["team"] in room.readers)
        if principal.role == TRAINEE:
            visible = {pid for members in rooms.values() for pid in members}
            online = {k: v for k, v in online.items() if k in visible}
        return {
            "type": "presence",
            "online": sorted(online.values(), key=lambda p: (p["team"] or "", p["name"])),
            "rooms": rooms,
        }

    def _presence_soon(self) -> None:
        """Presence for everyone a moment later: a join storm of N clients then costs a few
        broadcasts instead of N broadcasts of N frames each."""
        if self._presence_due is None:
            self._presence_due = asyncio.get_running_loop().call_later(self.PRESENCE_DELAY, self._broadcast_presence)

    def _broadcast_presence(self) -> None:
        self._presence_due = None
        if self._online_changed:
            self._online_changed = False
            self.bus.share_presence(self.id, self.online)
        everyone = self.everyone()
        for (_, fmt), conns in list(self.views.items()):  # presence depends on the view only
            conns = list(conns)
            frame = protocol.encode(self.presence_for(conns[0].principal, everyone), fmt)
            for conn in conns:
                conn.offer(frame)

    def _remote_presence(self, remote: dict[str, dict[str, Any]]) -> None:
        """Who is connected through the other processes changed: tell this process's connections (batched)."""
        self.remote = remote
        self._presence_soon()

    def set_service(self, notice: dict[str, Any]) -> None:
        """The event store went away or came back: tell every connection now, and newcomers while degraded."""
        self.service = None if notice["state"] == "ok" else notice
        self.broadcast(notice)

    def broadcast(self, message: dict[str, Any]) -> None:
        """A frame for every connection (service notices)."""
        frames: dict[str, bytes | str] = {}
        for conn in list(self.connections):
            if conn.fmt not in frames:
                frames[conn.fmt] = protocol.encode(message, conn.fmt)
            conn.offer(frames[conn.fmt])

    def open_with_code(self, code: str) -> int:
        """Connections open with this join code."""
        return self.per_code.get(code, 0)

    def close(self) -> None:
        if self._presence_due is not None:
            self._presence_due.cancel()
        self._unsubscribe()
        if self._unwatch is not None:
            self._unwatch()
