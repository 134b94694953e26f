"""The floor: a bare `websockets` server that relays each message to a room with
`websockets.broadcast`. No framework, no persistence, no per-view filtering: the
practical lower bound for a Python WebSocket server doing the same fan-out.

`ws://HOST:PORT/?room=R&last=N` joins room R; the server first sends what R missed
after sequence number N (the reconnect storm's resume), then `{"c": seq}`. A client
message `{"r": room, ...}` is stamped with the next sequence number `s` and sent, encoded
once, to every member of that room (room "*": every member of every room).
"""

from __future__ import annotations

import argparse
import asyncio
from urllib.parse import parse_qs, urlsplit

import msgpack
import websockets
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Response

from .common import EVERY_ROOM, History, caught_up

rooms: dict[str, set[ServerConnection]] = {}
everyone: set[ServerConnection] = set()
history = History()


async def handler(ws: ServerConnection) -> None:
    query = parse_qs(urlsplit(ws.request.path).query)
    room = query.get("room", [None])[0]
    last = int(query.get("last", ["0"])[0])
    if room is not None:
        members = rooms.setdefault(room, set())
        missed = list(history.missed(room, last))  # taken before joining: no gap, no repeat
        members.add(ws)
        everyone.add(ws)
        for frame in missed:
            await ws.send(frame)
        await ws.send(caught_up(history.seq))
    try:
        async for data in ws:
            message = msgpack.unpackb(data)
            target = message["r"]
            history.stamp(message)
            frame = msgpack.packb(message)
            history.keep(target, frame)
            websockets.broadcast(everyone if target == EVERY_ROOM else rooms.get(target, ()), frame)
    except websockets.ConnectionClosed:
        pass
    finally:
        if room is not None:
            rooms[room].discard(ws)
            everyone.discard(ws)


def health(connection: ServerConnection, request) -> Response | None:  # type: ignore[no-untyped-def]
    if request.path == "/health":
        return connection.respond(200, "ok\n")
    return None


async def main(port: int) -> None:
    async with serve(
        handler,
        "127.0.0.1",
        port,
        process_request=health,
        compression=None,
        max_size=2**20,
        ping_interval=20,
        backlog=2048,
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    try:
        asyncio.run(main(p.parse_args().port))
    except KeyboardInterrupt:
        pass
