"""uvicorn's `websockets-sansio` WebSocket protocol, plus a synchronous send for the fan-out.

Through ASGI every frame costs a task switch (the connection's writer wakes up) and
five awaits (Starlette's WebSocket, its exception wrapper, uvicorn's send) before the
bytes reach the socket. For a frame that can go out at once (nothing queued before it,
the socket not paused), the fan-out writes it directly, as `websockets.broadcast` does;
everything else still goes through the connection's bounded backlog. The function is
offered to the app as the ASGI scope extension `exercise.send_nowait`.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN

SEND_NOWAIT = "exercise.send_nowait"


class FanoutProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][SEND_NOWAIT] = self.send_nowait

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":
            # The upgrade request and response are sent: nothing reads them again, and each
            # holds a few KiB of headers for the life of the connection.
            self.request = self.response = None  # type: ignore[assignment]

    def send_nowait(self, data: bytes | str) -> bool:
        """Write one message now if the socket takes it without waiting; False otherwise."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        conn = self.conn
        if conn.state is not OPEN or conn.expect_continuation_frame:
            return False
        if conn.extensions or conn.writes or conn.debug:
            if isinstance(data, bytes):  # a compressing connection frames each message its own way
                conn.send_binary(data)
            else:
                conn.send_text(data.encode())
            self.transport.write(b"".join(conn.data_to_send()))
        else:
            self.transport.write(_framed(data))
        return True


class _LastFramed:
    """The last message framed, and its frame: the fan-out offers one message to all the
    connections of a view in a row, and it is framed once for all of them."""

    message: bytes | str | None = None
    frame = b""


def _framed(data: bytes | str) -> bytes:
    """The unmasked, uncompressed frame of a message (see _LastFramed)."""
    if _LastFramed.message is not data:
        if isinstance(data, bytes):
            frame = Frame(Opcode.BINARY, data)
        else:
            frame = Frame(Opcode.TEXT, data.encode())
        _LastFramed.message, _LastFramed.frame = data, frame.serialize(mask=False)
    return _LastFramed.frame
