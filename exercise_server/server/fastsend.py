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
from websockets.exceptions import InvalidState

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
        if (not self.handshake_complete or self.close_sent or self.initial_response is not None
                or not self.writable.is_set() or self.transport.is_closing()):
            return False
        try:
            if isinstance(data, bytes):
                self.conn.send_binary(data)
            else:
                self.conn.send_text(data.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True
