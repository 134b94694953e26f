"""The stronger floor: the same relay as floor_server.py on picows, a WebSocket library
written in Cython (frames parsed and built in C, one listener object per connection, no
task per connection or message). Same protocol, same history, same resume:

`ws://HOST:PORT/?room=R&last=N` joins room R; the server first sends what R missed after
sequence number N, then `{"c": seq}`. A client message `{"r": room, ...}` is stamped with
the next sequence number `s` and sent, encoded once, to every member of that room (room
"*": every member of every room). `GET /health` answers 200.

picows uses its own `aiofastnet` transports when that package is installed (its default,
and a dependency of picows); the event loop is asyncio's, as for every other target.
"""

from __future__ import annotations

import argparse
import asyncio
from urllib.parse import parse_qs, urlsplit

import msgpack
from picows import (
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
    ws_create_server,
)

from .common import EVERY_ROOM, History, caught_up

rooms: dict[str, set[WSTransport]] = {}
everyone: set[WSTransport] = set()
history = History()


class Member(WSListener):
    """One connection: a member of `room` (or, without a room, the fan-out sender)."""

    def __init__(self, room: str | None, last: int) -> None:
        self.room, self.last = room, last

    def on_ws_connected(self, transport: WSTransport) -> None:
        if self.room is None:
            return
        missed = list(history.missed(self.room, self.last))
        rooms.setdefault(self.room, set()).add(transport)
        everyone.add(transport)
        for frame in missed:
            transport.send(WSMsgType.BINARY, frame)
        transport.send(WSMsgType.BINARY, caught_up(history.seq))

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.BINARY:
            message = msgpack.unpackb(frame.get_payload_as_bytes())
            target = message["r"]
            history.stamp(message)
            data = msgpack.packb(message)
            history.keep(target, data)
            for member in everyone if target == EVERY_ROOM else rooms.get(target, ()):
                member.send(WSMsgType.BINARY, data)
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        if self.room is not None:
            rooms[self.room].discard(transport)
            everyone.discard(transport)


def route(request: WSUpgradeRequest) -> Member | WSUpgradeResponseWithListener:
    url = urlsplit(request.path.decode())
    if url.path == "/health":
        return WSUpgradeResponseWithListener(WSUpgradeResponse.create_ok_response(b"ok\n"), None)
    query = parse_qs(url.query)
    return Member(query.get("room", [None])[0], int(query.get("last", ["0"])[0]))


async def main(port: int) -> None:
    server = await ws_create_server(
        route,
        "127.0.0.1",
        port,
        max_frame_size=2**20,
        enable_auto_ping=True,  # as the websockets floor's ping_interval=20
        auto_ping_idle_timeout=20,
        backlog=2048,
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    try:
        asyncio.run(main(p.parse_args().port))
    except KeyboardInterrupt:
        pass
