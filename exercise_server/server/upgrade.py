"""uvicorn's HTTP protocol (h11), with an exercise socket's opening request handed straight to the
WebSocket protocol (fastsend.py).

uvicorn parses every request with h11; an upgrade request is then written out again and parsed a
second time by the `websockets` handshake, which checks it in full (and refuses a bad one). In a
reconnect storm that first parse was a sixth of the server's CPU time. A request that arrives
whole in the connection's first read, for `/ws/...`, asking for a WebSocket, skips it; anything
else (every page, an upgrade split over several reads) takes uvicorn's way, as before."""

from __future__ import annotations

import re

from uvicorn.protocols.http.h11_impl import H11Protocol

SOCKET_UPGRADE = re.compile(rb"GET /ws/[^ ]* HTTP/1\.1\r\n(?:[^\r\n]*\r\n)*?upgrade: *websocket\r\n", re.IGNORECASE)


class SocketFirstProtocol(H11Protocol):
    first_read = True

    def data_received(self, data: bytes) -> None:
        first, self.first_read = self.first_read, False
        if (
            not first
            or not data.endswith(b"\r\n\r\n")
            or data.count(b"\r\n\r\n") != 1
            or not SOCKET_UPGRADE.match(data)
        ):
            super().data_received(data)
            return
        # What H11Protocol.handle_websocket_upgrade does, with the request's own bytes.
        self.connections.discard(self)
        protocol = self.ws_protocol_class(  # type: ignore[call-arg, misc]
            config=self.config, server_state=self.server_state, app_state=self.app_state
        )
        protocol.connection_made(self.transport)
        self.transport.set_protocol(protocol)
        protocol.data_received(data)
