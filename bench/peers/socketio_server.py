"""The peer a Python team would pick instead: python-socketio, as an ASGI app under the
same uvicorn and WebSocket implementation as this server, with its in-memory manager
or its Redis manager (AsyncRedisManager), doing the same minimal room fan-out.

Clients connect with auth `{"room": R, "last": N}`: the server joins them to room R,
sends what R missed after sequence number N as `m` events, then a `c` event
`{"c": seq}`. A `p` event `{"r": room, ...}` is stamped with the next sequence number
`s` and emitted as `m` to that room (room "*": every client but the sender).
Packets are msgpack (`serializer="msgpack"`), so frames are binary msgpack as ours are.
"""

from __future__ import annotations

import argparse
from typing import Any

import socketio
import uvicorn

from .common import EVERY_ROOM, History


def build(redis_url: str | None, channel: str) -> Any:
    manager = socketio.AsyncRedisManager(redis_url, channel=channel) if redis_url else None
    sio = socketio.AsyncServer(
        async_mode="asgi", serializer="msgpack", client_manager=manager, always_connect=True, cors_allowed_origins=[]
    )
    history = History()

    @sio.event
    async def connect(sid: str, environ: dict, auth: Any) -> None:
        if not isinstance(auth, dict) or "room" not in auth:
            return  # the fan-out sender: in no room
        room = auth["room"]
        missed = list(history.missed(room, int(auth.get("last", 0))))
        await sio.enter_room(sid, room)
        for message in missed:
            await sio.emit("m", message, to=sid)
        await sio.emit("c", {"c": history.seq}, to=sid)

    @sio.on("p")
    async def post(sid: str, message: dict[str, Any]) -> None:
        target = message["r"]
        history.stamp(message)
        history.keep(target, message)
        if target == EVERY_ROOM:
            await sio.emit("m", message, skip_sid=sid)
        else:
            await sio.emit("m", message, to=target)

    async def health(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok\n"})

    return socketio.ASGIApp(sio, other_asgi_app=health)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--redis-url")
    p.add_argument("--channel", default="socketio")
    args = p.parse_args()
    # The same server stack as exercise_server/server/run.py: uvicorn, websockets-sansio, 64 KiB frames.
    uvicorn.run(
        build(args.redis_url, args.channel),
        host="127.0.0.1",
        port=args.port,
        ws="websockets-sansio",
        ws_max_size=65536,
        log_level="warning",
        lifespan="on",
    )
