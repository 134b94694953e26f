"""A participant's live connection: its socket, its direct send, and the bounded backlog between them."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket

from ..core.access import Principal
from .fastsend import SEND_BURST, SEND_NOWAIT, Burst

log = logging.getLogger("exercise_server.connection")

Send = Callable[[bytes | str], Awaitable[None]]
SendNow = Callable[[bytes | str], bool]  # writes at once, or says it cannot
SendBurst = Callable[[Burst], bool]  # writes several at once, in one write, or says it cannot


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
        "socket",
        "close_code",
        "close_reason",
        "pending",
        "send",
        "send_now",
        "send_burst",
        "task",
        "drainer",
        "interrupted",
        "submitting",
        "protocol",
    )

    def __init__(
        self, principal: Principal, code: str | None, fmt: str, queue_size: int, socket: WebSocket | None = None
    ) -> None:
        self.principal, self.code, self.fmt, self.queue_size = principal, code, fmt, queue_size
        self.view = principal.view
        self.socket = socket
        self.close_code: int | None = None
        self.close_reason = ""
        # Frames waiting to be sent, in order; None when nothing waits (the usual case once live).
        self.pending: deque[bytes | str] | None = deque()
        self.send: Send | None = None  # set once the catch-up is sent
        self.send_now: SendNow | None = None
        self.send_burst: SendBurst | None = None
        self.task: asyncio.Task[None] | None = None  # the handler, interrupted by a kick
        self.drainer: asyncio.Task[None] | None = None
        self.protocol: float = 1  # the protocol version spoken on it (protocol.spoken: 1 or 1.1)
        self.interrupted = False
        self.submitting = False  # a command of this connection is being stored: do not cancel it midway

    async def write(self, frame: bytes | str) -> None:
        """Send one frame on the socket, waiting for it (the catch-up, the backlog)."""
        assert self.socket is not None
        if isinstance(frame, bytes):
            await self.socket.send_bytes(frame)
        else:
            await self.socket.send_text(frame)

    def offer(self, frame: bytes | str | Burst) -> None:
        """Send or queue a frame (or a burst of them, in one write) without waiting; a client too
        far behind is told to resume."""
        if self.close_code is not None:
            return
        pending = self.pending
        if pending is None:
            try:
                if self._sent_now(frame):
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
        if isinstance(frame, Burst):
            pending.extend(frame.messages)
        else:
            pending.append(frame)

    def _sent_now(self, frame: bytes | str | Burst) -> bool:
        if not isinstance(frame, Burst):
            return self.send_now is not None and self.send_now(frame)
        if self.send_burst is not None:
            return self.send_burst(frame)
        if self.send_now is None or not self.send_now(frame.messages[0]):
            return False
        for rest, message in enumerate(frame.messages[1:], 1):  # no burst send: one at a time
            if not self.send_now(message):
                self.offer(Burst(frame.messages[rest:]))  # the socket is full: the rest waits
                break
        return True

    async def write_all(self, frames: list[bytes | str]) -> None:
        """Send frames on the socket in one write when it takes them at once (the catch-up), else one
        by one, waiting for each."""
        burst = None
        if self.socket is not None:
            burst = self.socket.scope.get("extensions", {}).get(SEND_BURST)
        if burst is not None and burst(Burst(frames)):
            return
        for frame in frames:
            await self.write(frame)

    async def flush(self) -> None:
        """Send what was queued during the catch-up (the handler does, before going live)."""
        pending = self.pending
        assert pending is not None
        while pending:
            await self.write(pending.popleft())

    def go_live(self, send: Send | None = None, send_now: SendNow | None = None) -> None:
        """The catch-up and the backlog behind it are sent: from now on frames go straight out,
        through the socket's direct send when its server offers one (fastsend.py)."""
        extensions = self.socket.scope.get("extensions", {}) if self.socket is not None else {}
        if send_now is None:
            send_now = extensions.get(SEND_NOWAIT)
            self.send_burst = extensions.get(SEND_BURST)
        self.pending, self.send, self.send_now = None, send or self.write, send_now

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

    def release(self) -> None:
        """The connection has ended: let go of its socket and the socket's methods, so that
        reference counting frees them at once (see fastsend.FanoutProtocol.on_task_complete)."""
        self.socket = self.send = self.send_now = self.send_burst = None
        self.task = self.drainer = None
        self.pending = None

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
