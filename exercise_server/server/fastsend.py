"""uvicorn's `websockets-sansio` WebSocket protocol, plus a synchronous send for the fan-out.

Through ASGI every frame costs a task switch (the connection's writer wakes up) and
five awaits (Starlette's WebSocket, its exception wrapper, uvicorn's send) before the
bytes reach the socket. For a frame that can go out at once (nothing queued before it,
the socket not paused), the fan-out writes it directly, as `websockets.broadcast` does;
everything else still goes through the connection's bounded backlog. The function is
offered to the app as the ASGI scope extension `exercise.send_nowait`.

Several messages for one connection at once (the events of one group commit, a catch-up) go
in one write, `exercise.send_burst`: one `send()` system call for all of them, and the frames
of a view's burst are built once for all its connections.
"""

from __future__ import annotations

import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Opcode
from websockets.protocol import OPEN

SEND_NOWAIT = "exercise.send_nowait"
SEND_BURST = "exercise.send_burst"


class Burst:
    """Messages that go to a connection together, in order: framed once (unmasked, uncompressed)
    for every connection of a view that speaks without extensions, and written in one go."""

    __slots__ = ("messages", "_wire")

    def __init__(self, messages: list[bytes | str]) -> None:
        self.messages = messages
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = b"".join(_frame(m) for m in self.messages)
        return self._wire


class FanoutProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            # ASGI header names are lower-case; uvicorn leaves them as the request spelt them, which
            # were lower-case only once h11 had read them (upgrade.py hands the request over unread).
            scope["headers"] = [(name.lower(), value) for name, value in scope["headers"]]
            scope["extensions"][SEND_NOWAIT] = self.send_nowait
            scope["extensions"][SEND_BURST] = self.send_burst

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            # The upgrade request and response are sent: nothing reads them again, and each
            # holds a few KiB of headers for the life of the connection.
            self.request = self.response = None  # type: ignore[assignment]

    def on_task_complete(self, task: Any) -> None:
        super().on_task_complete(task)
        # The application is done with the socket. Its scope holds this protocol's own methods
        # (SEND_NOWAIT, SEND_BURST): a reference cycle that only the cyclic GC would free, with the
        # transport and the socket inside it, in a storm a thousand such at once.
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"].clear()

    def _takes_now(self) -> bool:
        """Whether a message can be written at once: open, not closing, the socket not paused."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        conn = self.conn
        return conn.state is OPEN and not conn.expect_continuation_frame

    def _frames_itself(self) -> bool:
        """A compressing connection frames each message its own way (browsers, permessage-deflate)."""
        conn = self.conn
        return bool(conn.extensions or conn.writes or conn.debug)

    def _frame_here(self, data: bytes | str) -> None:
        if isinstance(data, bytes):
            self.conn.send_binary(data)
        else:
            self.conn.send_text(data.encode())

    def send_nowait(self, data: bytes | str) -> bool:
        """Write one message now if the socket takes it without waiting; False otherwise."""
        if not self._takes_now():
            return False
        if self._frames_itself():
            self._frame_here(data)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(_framed(data))
        return True

    def send_burst(self, burst: Burst) -> bool:
        """Write several messages now, in one write, if the socket takes them; False otherwise."""
        if not self._takes_now():
            return False
        if self._frames_itself():
            for data in burst.messages:
                self._frame_here(data)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(burst.wire)
        return True


class _LastFramed:
    """The last message framed, and its frame: the fan-out offers one message to all the
    connections of a view in a row, and it is framed once for all of them."""

    message: bytes | str | None = None
    frame = b""


def _framed(data: bytes | str) -> bytes:
    """The unmasked, uncompressed frame of a message (see _LastFramed)."""
    if _LastFramed.message is not data:
        _LastFramed.message, _LastFramed.frame = data, _frame(data)
    return _LastFramed.frame


_BINARY, _TEXT = 0x80 | Opcode.BINARY.value, 0x80 | Opcode.TEXT.value  # FIN set, no extension bits
_HEAD16, _HEAD64 = struct.Struct("!BBH"), struct.Struct("!BBQ")  # lengths of 126 bytes to 64 KiB, and over


def _frame(data: bytes | str) -> bytes:
    """The frame `websockets` would build (`Frame(...).serialize(mask=False)`, RFC 6455 5.2), built
    here in one step: every acknowledgement is framed for its one connection, and the library's
    checks and buffer cost more than the frame does."""
    if isinstance(data, bytes):
        first, payload = _BINARY, data
    else:
        first, payload = _TEXT, data.encode()
    size = len(payload)
    if size < 126:
        return bytes((first, size)) + payload
    if size < 0x10000:
        return _HEAD16.pack(first, 126, size) + payload
    return _HEAD64.pack(first, 127, size) + payload
