"""The fan-out of one exercise: its connections by view, the events folded and handed to each
view that may see them, and how a newcomer catches up (resume from a backlog, or a snapshot)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, ClassVar

from ..core import events as ev
from ..core.access import Principal, event_for_view, may_see_some
from ..core.projections import ExerciseState
from ..store.base import EventStore, Segment, new_epoch, resumable
from . import protocol
from .connection import Connection
from .fastsend import Burst

# Events after which some connections are closed: what follows them must not reach those.
_CLOSING = frozenset({ev.CODE_REVOKED, ev.PARTICIPANT_REMOVED, ev.PARTICIPANT_MOVED})


@dataclass(frozen=True)
class Resume:
    """The connection missed few events: it is sent those after `after`, up to `head`."""

    after: int
    head: int
    mode: ClassVar[str] = "resume"


@dataclass(frozen=True)
class Snapshot:
    """The connection starts afresh: it is sent the snapshot `frame`, made at `head`."""

    head: int
    frame: bytes | str
    mode: ClassVar[str] = "snapshot"


CatchUp = Resume | Snapshot


class Recent:
    """The last events folded, encoded (about a fifth of their size as objects), up to `max_bytes`:
    a storm of reconnects reads memory, not the store. Bounded by bytes, since an event's size
    varies from 0.1 to 16 KiB (a COP feature, an inject); a resume from before them reads the store."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.events: deque[bytes] = deque()
        self.first = 1  # the seq of events[0]; the deque holds consecutive sequence numbers

    def append(self, event: ev.Event) -> None:
        if not self.events:
            self.first = event.seq
        data = ev.encode_event(event)
        self.events.append(data)
        self.size += len(data)
        while self.size > self.max_bytes and len(self.events) > 1:
            self.size -= len(self.events.popleft())
            self.first += 1

    def between(self, after: int, until: int) -> list[ev.Event] | None:
        """The events after `after` up to `until`, or None if some of them are no longer held."""
        last = self.first + len(self.events) - 1
        if not self.events or after + 1 < self.first or until > last:
            return None
        return [ev.decode_event(data) for data in islice(self.events, after + 1 - self.first, until + 1 - self.first)]


class Fanout:
    RECENT_BYTES = 512 * 1024  # encoded events kept for resumes: about 1,300 of a classroom's
    RESUMED_BYTES = 2 * 1024 * 1024  # frames made for resumes, kept for the next ones (`backlog`)

    def __init__(
        self, exercise: str, state: ExerciseState, store: EventStore, segments: Sequence[Segment] = ()
    ) -> None:
        self.exercise, self.state, self.store = exercise, state, store
        # The log's history (store.begin_epoch), the current epoch last: which resumes are exact.
        self.segments = list(segments) or [Segment(new_epoch(), state.head + 1)]
        self.connections: set[Connection] = set()
        # The same connections by (view, format): an event is filtered and encoded once per
        # view and handed only to the connections of the views that see it.
        self.views: dict[tuple[ev.View, str], set[Connection]] = {}
        self.per_code: dict[str, int] = {}  # join code -> connections open with it
        self.recent = Recent(self.RECENT_BYTES)
        # Snapshot frames made at the current head, per principal and format: the 40 tabs of
        # a class that reconnect at once share one fold and one encoding.
        self._snapshots: dict[tuple[Principal, str], bytes | str] = {}
        self._snapshots_head = -1
        # Event frames sent to resuming connections, per view and format, by seq (None: not for that
        # view); an event's frame never changes. Let go when they pass RESUMED_BYTES.
        self._resumed: dict[tuple[ev.View, str], dict[int, bytes | str | None]] = {}
        self._resumed_bytes = 0

    @property
    def epoch(self) -> str:
        return self.segments[-1].epoch

    def deliver(self, events: Sequence[ev.Event]) -> bool:
        """Fold each event not held yet into the state, then hand it to every connection whose
        view may see it. Events already held are skipped: the bus may bring this process's own
        round, and a catch-up may read what the bus brings too. At a gap it stops and says so
        (False): nothing after a missing event is handed on; the caller reads it from the store.

        The events of one call (a group commit's room messages) go to each connection in one
        write; a run ends at an event that closes connections, so that nothing after it reaches them."""
        run: list[ev.Event] = []
        held = True
        for event in events:
            if event.seq <= self.state.head:
                continue
            if event.seq != self.state.head + 1:
                held = False
                break
            self.state.apply(event)
            self.recent.append(event)
            run.append(event)
            if event.type in _CLOSING:
                self._hand_on(run)
                run = []
                self._close_after(event)
        self._hand_on(run)
        return held

    def _hand_on(self, run: list[ev.Event]) -> None:
        """Each view's frames of `run`, encoded once per view, to each of its connections at once."""
        if not run:
            return
        self._snapshots.clear()  # made at an older head: let them go now, not at the next reload
        audiences = {key for event in run for key in event.audience}
        for (view, fmt), conns in list(self.views.items()):
            if not may_see_some(view, audiences):
                continue
            frames = [
                protocol.encode(protocol.event(body), fmt)
                for event in run
                if (body := event_for_view(view, event)) is not None
            ]
            if not frames:
                continue
            out = frames[0] if len(frames) == 1 else Burst(frames)
            for conn in list(conns):
                conn.offer(out)

    def _close_after(self, event: ev.Event) -> None:
        if event.type == ev.CODE_REVOKED:
            self._close_code(event.payload["code"])
        elif event.type == ev.PARTICIPANT_REMOVED:
            self._close_participant(event.payload["participant"])
        elif event.type == ev.PARTICIPANT_MOVED:
            self._move_participant(event.payload["participant"])

    def _close_code(self, code: str) -> None:
        for conn in list(self.connections):
            if conn.code == code:
                conn.kick(4403, "join code revoked")

    def _close_participant(self, participant: str) -> None:
        for conn in list(self.connections):
            if conn.principal.participant == participant:
                conn.kick(4410, "removed from the exercise by the facilitator")

    def _move_participant(self, participant: str) -> None:
        """A moved trainee reconnects into the new team's snapshot (core/roster.py)."""
        for conn in list(self.connections):
            if conn.principal.participant == participant:
                conn.kick(4412, "moved to another team; reconnect with last_seq 0")

    def attach(self, conn: Connection) -> None:
        self.connections.add(conn)
        self.views.setdefault((conn.view, conn.fmt), set()).add(conn)
        if conn.code is not None:
            self.per_code[conn.code] = self.per_code.get(conn.code, 0) + 1

    def detach(self, conn: Connection) -> bool:
        """Forget `conn`; whether it was attached."""
        if conn not in self.connections:
            return False
        self.connections.discard(conn)
        key = (conn.view, conn.fmt)
        self.views[key].discard(conn)
        if not self.views[key]:
            del self.views[key]
        if conn.code is not None:
            self.per_code[conn.code] -= 1
            if not self.per_code[conn.code]:
                del self.per_code[conn.code]
        return True

    def catch_up(
        self, conn: Connection, last_seq: int, snapshot_after_missed: int, epoch: str | None = None
    ) -> CatchUp:
        """How `conn`, which has seen up to `last_seq` of the history `epoch`, catches up to the head."""
        head = self.state.head
        if (
            0 < last_seq <= head
            and head - last_seq <= snapshot_after_missed
            and resumable(self.segments, epoch, last_seq)
        ):
            return Resume(last_seq, head)
        return Snapshot(head, self.snapshot_frame(conn.principal, conn.fmt))

    def snapshot_frame(self, principal: Principal, fmt: str) -> bytes | str:
        """The snapshot frame for `principal` at the head (a cache of the fold, valid until the next event)."""
        head = self.state.head
        if self._snapshots_head != head:
            self._snapshots.clear()
            self._snapshots_head = head
        key = (principal, fmt)
        frame = self._snapshots.get(key)
        if frame is None:
            state = self.state.snapshot(principal, detached=False)  # encoded at once: no copy needed
            frame = self._snapshots[key] = protocol.encode(protocol.snapshot(head, state), fmt)
        return frame

    async def backlog(self, conn: Connection, after: int, until: int) -> list[bytes | str]:
        """The event frames after `after` up to `until` that `conn` may see, in order.

        Each event is filtered and encoded once per view and format (`_resumed`): the connections
        of a class that resume together after a Wi-Fi drop mostly missed the same events."""
        key = (conn.view, conn.fmt)
        frames = self._resumed.setdefault(key, {})
        if any(seq not in frames for seq in range(after + 1, until + 1)):
            events = self.recent.between(after, until)
            if events is None:
                events = await self.store.read(self.exercise, after=after, until=until)
            if self._resumed_bytes > self.RESUMED_BYTES:
                self._resumed.clear()
                self._resumed_bytes = 0
                frames = self._resumed[key] = {}
            for event in events:
                body = event_for_view(conn.view, event)
                frame = frames[event.seq] = None if body is None else protocol.encode(protocol.event(body), conn.fmt)
                self._resumed_bytes += 0 if frame is None else len(frame)
        return [frame for seq in range(after + 1, until + 1) if (frame := frames.get(seq)) is not None]

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
