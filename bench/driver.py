"""The load driver: processes that hold the clients, the same code for every target.

Each driver process owns whole rooms (all the members of a room live in one process), so
it knows every message posted to its rooms and counts lost and repeated deliveries
without talking to the others. The controller (bench/load.py) sends it commands over a
pipe; it answers each with a dict.

What a delivery is, per target: a frame carrying a message id `k` and its send time `t`
(stamped by the sender with the system-wide monotonic clock just before the write):
- ours: an `event` frame of type `inject.released` (`k t` in the inject's title) or
  `room.message_posted` (`k t padding` in its text); every other frame (welcome,
  snapshot, caught_up, presence, ack) is protocol overhead, read but not counted;
- sio: a Socket.IO EVENT packet `m` (msgpack serializer) whose data carries `k`, `t`;
- floor and picows (the same floor protocol): a msgpack map carrying `k`, `t`.
"""

from __future__ import annotations

import array
import asyncio
import gc
import multiprocessing.connection
import os
import random
import resource
import time
from typing import Any

import msgpack

from .wsclient import WSClient, now

COMPONENTS = ("military", "police", "humanitarian", "civilian")
PRESENCE_PREFIX = b"\xa4type\xa8presence"  # msgpack of "type": "presence", right after the map header


def raise_fd_limit() -> None:
    """2000 clients are 2000 sockets: lift the soft descriptor limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def team_id(room: int) -> str:
    return f"t{room + 1:02d}"


def split_stamp(text: str) -> tuple[int, float]:
    k, t, *_ = text.split(" ", 2)
    return int(k), float(t)


# -- the per-target protocol of a room member ----------------------------------------------


class Member(WSClient):
    """A client in a room. `seen` and `last` survive a reconnect (they move to the new socket)."""

    kind = ""

    def __init__(self, driver: Driver, idx: int, room: int, last: int = 0, seen: set | None = None) -> None:
        spec = driver.spec
        super().__init__(spec["host"], spec["port"], self.make_path(spec, room, last))
        self.driver, self.idx, self.room = driver, idx, room
        self.last = last
        self.seen: set[int] = seen if seen is not None else set()
        self.ready = driver.loop.create_future()
        self.t_ready = 0.0
        self.errors = 0

    def make_path(self, spec: dict[str, Any], room: int, last: int) -> str:
        raise NotImplementedError

    def mark_ready(self, t: float) -> None:
        if not self.ready.done():
            self.t_ready = t
            self.ready.set_result(None)

    def on_close(self, code: int | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed with {code} before catching up"))
        self.driver.unexpected_closes += 1

    def post(self, mid: int, t: float, pad: int) -> None:
        raise NotImplementedError


class OursMember(Member):
    def make_path(self, spec: dict[str, Any], room: int, last: int) -> str:
        return f"/ws/{spec['exercise']}"

    def on_open(self) -> None:
        token = self.driver.spec["tokens"][self.room]
        self.send_binary(msgpack.packb({"type": "hello", "token": token, "last_seq": self.last}))

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        if payload.startswith(PRESENCE_PREFIX, 1):
            return  # who is online: this server's overhead, not a delivery
        msg = msgpack.unpackb(payload)
        mtype = msg["type"]
        if mtype == "event":
            event = msg["event"]
            self.last = event["seq"]
            etype = event["type"]
            if etype == "inject.released":
                k, sent = split_stamp(event["payload"]["inject"]["title"])
            elif etype == "room.message_posted":
                k, sent = split_stamp(event["payload"]["text"])
            else:
                return
            self.driver.deliver(self, k, sent, t, len(payload))
        elif mtype == "caught_up":
            self.last = max(self.last, msg["seq"])
            self.mark_ready(t)
        elif mtype == "snapshot":
            self.last = msg["seq"]
        elif mtype == "error":
            self.errors += 1
            self.driver.errors += 1

    def post(self, mid: int, t: float, pad: int) -> None:
        self.send_binary(
            msgpack.packb(
                {"type": "room.post", "room": f"team:{team_id(self.room)}", "text": f"{mid} {t!r} {'x' * pad}"}
            )
        )


class SioMember(Member):
    """Socket.IO over a plain WebSocket: Engine.IO v4 (`0{...}` open, `2`/`3` ping/pong as
    text), Socket.IO packets msgpack-encoded in binary frames ({type, nsp, data})."""

    def make_path(self, spec: dict[str, Any], room: int, last: int) -> str:
        return "/socket.io/?EIO=4&transport=websocket"

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        if not binary:
            if payload[:1] == b"0":  # Engine.IO open: connect to the namespace, with our room
                self.send_binary(
                    msgpack.packb({"type": 0, "nsp": "/", "data": {"room": str(self.room), "last": self.last}})
                )
            elif payload == b"2":
                self.send_text("3")
            return
        packet = msgpack.unpackb(payload)
        ptype = packet["type"]
        if ptype == 2:
            name, data = packet["data"]
            if name == "m":
                self.last = data["s"]
                self.driver.deliver(self, data["k"], data["t"], t, len(payload))
            elif name == "c":
                self.last = max(self.last, data["c"])
                self.mark_ready(t)
        elif ptype == 4:
            self.errors += 1
            self.driver.errors += 1

    def post(self, mid: int, t: float, pad: int) -> None:
        self.send_binary(
            msgpack.packb(
                {"type": 2, "nsp": "/", "data": ["p", {"r": str(self.room), "k": mid, "t": t, "b": "x" * pad}]}
            )
        )


class FloorMember(Member):
    def make_path(self, spec: dict[str, Any], room: int, last: int) -> str:
        return f"/?room={room}&last={last}"

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        msg = msgpack.unpackb(payload)
        if "c" in msg:
            self.last = max(self.last, msg["c"])
            self.mark_ready(t)
            return
        self.last = msg["s"]
        self.driver.deliver(self, msg["k"], msg["t"], t, len(payload))

    def post(self, mid: int, t: float, pad: int) -> None:
        self.send_binary(msgpack.packb({"r": str(self.room), "k": mid, "t": t, "b": "x" * pad}))


MEMBERS: dict[str, type[Member]] = {"ours": OursMember, "sio": SioMember, "floor": FloorMember, "picows": FloorMember}


# -- the driver process --------------------------------------------------------------------


class Driver:
    def __init__(
        self, conn: multiprocessing.connection.Connection, spec: dict[str, Any], rooms: dict[int, list[int]]
    ) -> None:
        self.conn, self.spec, self.rooms = conn, spec, rooms  # room -> member indices
        self.loop = asyncio.get_running_loop()
        self.cls = MEMBERS[spec["kind"]]
        self.members: dict[int, Member] = {}
        self.room_of = {i: r for r, ids in rooms.items() for i in ids}
        self.latencies = array.array("d")
        self.frame_bytes = 0
        self.deliveries = 0
        self.dups = 0
        self.errors = 0
        self.unexpected_closes = 0
        self.recording = False
        self.window: tuple[float, float] | None = None  # deliveries counted as throughput in it
        self.in_window = 0
        self.posted: dict[int, int] = {}  # member -> messages it posted so far

    def deliver(self, member: Member, k: int, sent: float, t: float, size: int) -> None:
        if not self.recording:
            return
        if k in member.seen:
            self.dups += 1
            return
        member.seen.add(k)
        self.deliveries += 1
        self.frame_bytes += size
        self.latencies.append(t - sent)
        w = self.window
        if w is not None and w[0] <= t <= w[1]:
            self.in_window += 1

    # -- commands ---------------------------------------------------------------------

    async def connect(self, ids: list[int] | None = None, concurrency: int = 50) -> dict[str, Any]:
        ids = ids if ids is not None else sorted(self.room_of)
        sem = asyncio.Semaphore(concurrency)
        failed = 0

        async def one(i: int) -> None:
            nonlocal failed
            async with sem:
                try:
                    await self._open(i)
                except Exception:  # noqa: BLE001 - counted, reported
                    failed += 1

        t0 = time.monotonic()
        await asyncio.gather(*(one(i) for i in ids))
        return {"connected": len(ids) - failed, "failed": failed, "seconds": time.monotonic() - t0}

    async def _open(self, i: int, old: Member | None = None) -> Member:
        room = self.room_of[i]
        last, seen = (old.last, old.seen) if old else (0, None)
        host, port = self.spec["host"], self.spec["port"]
        _, member = await asyncio.wait_for(
            self.loop.create_connection(lambda: self.cls(self, i, room, last, seen), host, port), 60
        )
        self.members[i] = member
        await asyncio.wait_for(member.ready, 120)
        return member

    def record(self, on: bool = True) -> dict[str, Any]:
        """Start (or stop) a measurement: forget what earlier phases received."""
        self.recording = on
        if on:
            for m in self.members.values():
                m.seen = set()
            self.latencies = array.array("d")
            self.deliveries = self.dups = self.frame_bytes = self.in_window = 0
            self.window = None
        return {}

    def tally(self, expected: dict[str, list[int]]) -> dict[str, Any]:
        """Deliveries still missing, per member: the ids sent to its room (or to all, "*")
        that it has not received. `gaps` are the missing ids sent before one it did receive
        (a hole it will never fill: ids to "*" are sent one after the other, and every
        target delivers in order); `lost` counts all missing ones, the tail included."""
        every = expected.get("*", [])
        lost = gaps = 0
        for m in self.members.values():
            seen = m.seen
            want = every + expected.get(str(m.room), []) if str(m.room) in expected else every
            missing = [k for k in want if k not in seen]
            lost += len(missing)
            if missing and every:
                newest = max((k for k in every if k in seen), default=-1)
                gaps += sum(1 for k in missing if k < newest)
        return {"lost": lost, "gaps": gaps}

    def collect(self, expected: dict[str, list[int]]) -> dict[str, Any]:
        return {
            "latencies": self.latencies.tobytes(),
            "deliveries": self.deliveries,
            "dups": self.dups,
            "frame_bytes": self.frame_bytes,
            "in_window": self.in_window,
            "errors": self.errors,
            "closes": self.unexpected_closes,
            **self.tally(expected),
        }

    async def drain(self, expected: dict[str, list[int]], timeout: float) -> dict[str, Any]:
        """Wait until every expected delivery has arrived (or `timeout`): the backlog left in buffers."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.tally(expected)["lost"] == 0:
                break
            await asyncio.sleep(0.05)
        return {"seconds": time.monotonic() - t0}

    async def chat(self, rate: float, duration: float, pad: int, drain: float) -> dict[str, Any]:
        """Every member posts `rate` messages per second to its room, evenly spread (the
        members take turns), for `duration` seconds; then wait for the deliveries."""
        self.record(True)
        order = sorted(self.members)
        random.Random(len(order)).shuffle(order)
        posted: dict[str, list[int]] = {str(r): [] for r in self.rooms}
        counters = self.posted  # ids stay unique across steps: a late delivery is never taken for a new one
        per_second = rate * len(order)
        tick = 0.01
        start = now()
        self.window = (start, start + duration)
        due, n, cursor = 0.0, 0, 0
        while True:
            t = now()
            if t - start >= duration:
                break
            due = (t - start) * per_second
            while n < int(due):
                i = order[cursor]
                cursor = (cursor + 1) % len(order)
                m = self.members[i]
                counters[i] = n_i = counters.get(i, 0) + 1
                mid = i * 1_000_000 + n_i
                posted[str(m.room)].append(mid)
                m.post(mid, now(), pad)
                n += 1
            await asyncio.sleep(tick)
        drained = (await self.drain(posted, drain))["seconds"]
        out = self.collect(posted)
        self.recording = False
        return {**out, "posts": n, "drain_seconds": drained}

    async def storm(self, ids: list[int], deadline: float) -> dict[str, Any]:
        """Drop these members at once (no closing handshake), then reconnect them all at once,
        each from its last sequence number; report, per member, the seconds from the drop
        until it was caught up, and how many were not after `deadline` seconds."""
        dropped = [self.members[i] for i in ids]
        t0 = now()
        for m in dropped:
            m.abort()
        times: list[float] = []
        failed = 0

        async def one(old: Member) -> None:
            nonlocal failed
            try:
                new = await self._open(old.idx, old)
                times.append(new.t_ready - t0)
            except Exception:  # noqa: BLE001 - counted, reported
                failed += 1

        tasks = [asyncio.ensure_future(one(m)) for m in dropped]
        if not tasks:
            return {"times": [], "failed": 0, "late": 0}
        _, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - (now() - t0)))
        for task in pending:
            task.cancel()
        return {"times": times, "failed": failed, "late": len(pending)}

    def close_all(self) -> dict[str, Any]:
        for m in self.members.values():
            m.close()
        return {}

    # -- the command loop -------------------------------------------------------------

    async def serve(self) -> None:
        done = self.loop.create_future()
        queue: asyncio.Queue = asyncio.Queue()

        def readable() -> None:
            try:
                queue.put_nowait(self.conn.recv())
            except EOFError:
                self.loop.remove_reader(self.conn.fileno())
                queue.put_nowait({"cmd": "quit"})

        self.loop.add_reader(self.conn.fileno(), readable)
        while not done.done():
            msg = await queue.get()
            cmd = msg.pop("cmd")
            try:
                if cmd == "quit":
                    self.close_all()
                    await asyncio.sleep(0.2)
                    self.conn.send({})
                    break
                result = getattr(self, cmd)(**msg)
                if asyncio.iscoroutine(result):
                    result = await result
                self.conn.send(result)
            except Exception as exc:  # noqa: BLE001 - the controller reports it
                self.conn.send({"exception": f"{type(exc).__name__}: {exc}"})


def main(conn: multiprocessing.connection.Connection, spec: dict[str, Any], rooms: dict[int, list[int]]) -> None:
    """Entry point of a driver process."""
    raise_fd_limit()
    gc.freeze()  # thousands of long-lived clients: keep the cyclic GC from walking them over and over

    async def run() -> None:
        await Driver(conn, spec, rooms).serve()

    asyncio.run(run())
    os._exit(0)


# -- the fan-out sender ----------------------------------------------------------------------


class Sender(WSClient):
    """Sends one message to every room: the facilitator's ad-hoc inject addressed to all
    four components (ours), or a message to room "*" from a client in no room (peers)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind = spec["kind"]
        path = {"ours": f"/ws/{spec.get('exercise')}", "sio": "/socket.io/?EIO=4&transport=websocket"}.get(
            self.kind, "/"
        )
        super().__init__(spec["host"], spec["port"], path)
        self.spec = spec
        self.ready = asyncio.get_running_loop().create_future()
        self.acks = self.errors = 0
        self.error_messages: list[str] = []

    def on_open(self) -> None:
        if self.kind == "ours":
            self.send_binary(msgpack.packb({"type": "hello", "token": self.spec["facilitator"], "last_seq": 0}))
        elif self.kind in ("floor", "picows"):
            self.ready.set_result(None)

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        if self.kind == "ours":
            if payload.startswith(PRESENCE_PREFIX, 1):
                return
            msg = msgpack.unpackb(payload)
            if msg["type"] == "caught_up" and not self.ready.done():
                self.ready.set_result(None)
            elif msg["type"] == "ack":
                self.acks += 1
            elif msg["type"] == "error":
                self.errors += 1
                self.error_messages.append(f"{msg.get('code')}: {msg.get('message')}")
        elif self.kind == "sio":
            if not binary:
                if payload[:1] == b"0":
                    self.send_binary(msgpack.packb({"type": 0, "nsp": "/"}))
                elif payload == b"2":
                    self.send_text("3")
            elif msgpack.unpackb(payload)["type"] == 0 and not self.ready.done():
                self.ready.set_result(None)

    def on_close(self, code: int | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"sender closed with {code}"))

    def release(self, k: int, t: float, pad: int) -> None:
        if self.kind == "ours":
            self.send_binary(
                msgpack.packb(
                    {
                        "type": "inject.adhoc",
                        "id": k,
                        "from": "Exercise control",
                        "to": {"components": list(COMPONENTS)},
                        "channel": "radio",
                        "title": f"{k} {t!r}",
                        "body": "x" * pad,
                    }
                )
            )
        elif self.kind == "sio":
            self.send_binary(
                msgpack.packb({"type": 2, "nsp": "/", "data": ["p", {"r": "*", "k": k, "t": t, "b": "x" * pad}]})
            )
        else:
            self.send_binary(msgpack.packb({"r": "*", "k": k, "t": t, "b": "x" * pad}))


async def open_sender(spec: dict[str, Any]) -> Sender:
    loop = asyncio.get_running_loop()
    _, sender = await loop.create_connection(lambda: Sender(spec), spec["host"], spec["port"])
    await asyncio.wait_for(sender.ready, 30)
    return sender
