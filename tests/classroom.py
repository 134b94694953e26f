"""A simulated classroom for the soak: participants who post, acknowledge injects, draw on
the COP and reconnect, each on its own WebSocket, as an accelerated day has them do.

Every participant speaks the protocol through the load benchmark's lean client
(bench/wsclient.py), so a frame's arrival is stamped when its bytes arrive, and latency
is measured as the bench measures it: every post and every ad-hoc inject carries its send
time (`k t ...`, the system-wide monotonic clock read just before the write), and a
delivery on a live connection is `arrival - t`. What a participant holds survives its
reconnects (it resumes from its last sequence number, or reloads the page: a snapshot), so
at the end its received events can be held against the log, view by view.
"""

from __future__ import annotations

import array
import asyncio
import itertools
import random
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import msgpack

from bench.wsclient import WSClient, now

NALORA = (30.25, 3.45, 32.75, 5.55)  # the capstone's base map: west, south, east, north


@dataclass(frozen=True)
class Pace:
    """Mean seconds of wall time between a participant's actions. At x60 one wall second is an
    exercise minute: a trainee posts every few exercise minutes, moves a unit every ten, draws a
    new feature every half hour and loses the network about once an hour."""

    post: float = 4.0
    move: float = 10.0
    draw: float = 36.0
    erase: float = 150.0
    drop: float = 60.0
    reload_share: float = 0.2  # of the reconnects, those that reload the page (a snapshot)
    adhoc: float = 5.0  # the control cell's ad-hoc injects to every component


class Socket(WSClient):
    """One connection of a participant; the participant outlives it."""

    def __init__(self, person: Person, host: str, port: int, last_seq: int) -> None:
        super().__init__(host, port, f"/ws/{person.exercise}")
        self.person, self.last_seq = person, last_seq
        self.caught_up = asyncio.get_running_loop().create_future()
        person.sock = self  # its frames may arrive before create_connection returns

    def on_open(self) -> None:
        # Protocol 1.1, as the browser speaks it: command ids are idempotency keys the server remembers.
        hello = {"type": "hello", "token": self.person.token, "last_seq": self.last_seq, "protocol": 1.1}
        self.send_binary(msgpack.packb(hello))

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        self.person.received(self, msgpack.unpackb(payload), t)

    def on_close(self, code: int | None) -> None:
        self.person.lost(self, code)


class Person:
    """A participant (or the facilitator) and everything it received over the day."""

    def __init__(self, room: Classroom, name: str, token: str, team: str | None, rng: random.Random) -> None:
        self.classroom, self.name, self.token, self.team, self.rng = room, name, token, team, rng
        self.exercise = room.exercise
        self.sock: Socket | None = None
        self.live_since: float | None = None  # when the current connection caught up
        self.last_seq = 0
        self.seqs: list[int] = []
        self.covered: list[tuple[int, int]] = []  # (after, upto]: what a snapshot stood for
        self.pending: dict[str, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.features: list[str] = []  # the features this participant drew and has not erased
        self.rooms: list[str] = []  # the rooms it may write to (from its snapshot)
        self.drawn = itertools.count(1)
        self.errors: Counter[str] = Counter()
        self.closes: Counter[int | None] = Counter()
        self.out_of_order = 0
        self.acks: list[asyncio.Task] = []

    # -- the connection -------------------------------------------------------------------

    async def connect(self, last_seq: int | None = None) -> None:
        loop = asyncio.get_running_loop()
        c = self.classroom
        _, sock = await asyncio.wait_for(
            loop.create_connection(lambda: Socket(self, c.host, c.port, self.last_seq if last_seq is None else last_seq),
                                   c.host, c.port), 30)
        await asyncio.wait_for(sock.caught_up, 60)

    async def reconnect(self, reload: bool) -> None:
        """The network drops (no closing handshake); a while later the page is back."""
        self._drop()
        await asyncio.sleep(self.rng.uniform(0.5, 3.0))
        self.classroom.reconnects += 1
        self.classroom.reloads += reload
        await self.connect(0 if reload else None)

    def _drop(self) -> None:
        if self.sock is not None:
            self.sock.abort()
        self.sock, self.live_since = None, None
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError("dropped"))
        self.pending.clear()

    def lost(self, sock: Socket, code: int | None) -> None:
        """The server closed the connection: counted (none is expected), then back as a browser comes back."""
        if sock is not self.sock:
            return
        self.closes[code] += 1
        self._drop()
        self.classroom.background(self.connect())

    # -- frames in ------------------------------------------------------------------------

    def received(self, sock: Socket, msg: dict[str, Any], t: float) -> None:
        if sock is not self.sock:
            return
        kind = msg["type"]
        if kind == "event":
            self._event(msg["event"], t)
        elif kind == "snapshot":
            self.covered.append((self.last_seq, msg["seq"]))
            self.last_seq = msg["seq"]
            prefix = f"{self.name}/"
            self.features = [f["id"] for f in msg["state"]["cop"] if f["name"].startswith(prefix)]
            self.rooms = [r for r, row in msg["state"]["rooms"].items() if row["can_write"]]
        elif kind == "caught_up":
            self.live_since = t
            if not sock.caught_up.done():
                sock.caught_up.set_result(None)
        elif kind in ("ack", "error"):
            fut = self.pending.pop(str(msg.get("id")), None)
            if kind == "error":
                self.errors[msg["code"]] += 1
            if fut is not None and not fut.done():
                fut.set_result(msg)

    def _event(self, event: dict[str, Any], t: float) -> None:
        seq, etype, payload = event["seq"], event["type"], event["payload"]
        if seq <= self.last_seq:
            self.out_of_order += 1
        self.last_seq = seq
        self.seqs.append(seq)
        stamp = None
        if etype == "room.message_posted":
            stamp = payload["text"]
        elif etype == "inject.released":
            inject = payload["inject"]
            if inject["id"].startswith("ADHOC-"):
                stamp = inject["title"]
            if self.team is not None and self.acknowledges(inject["id"]):
                self.acks.append(asyncio.ensure_future(self._acknowledge(inject["id"])))
        elif etype == "cop.feature_added" and payload["feature"]["name"].startswith(f"{self.name}/"):
            self.features.append(payload["feature"]["id"])
        elif etype == "cop.feature_removed" and payload["id"] in self.features:
            self.features.remove(payload["id"])
        if stamp is not None and self.team is not None and self.live_since is not None:
            sent = float(stamp.split(" ", 2)[1])
            if sent >= self.live_since:  # a live delivery, not one caught up after a reconnect
                self.classroom.latency(sent, t - sent)

    def acknowledges(self, inject_id: str) -> bool:
        """One member of the team answers each inject (the same one, whoever receives it first)."""
        members = self.classroom.teams[self.team]
        return members[zlib.crc32(inject_id.encode()) % len(members)] is self

    async def _acknowledge(self, inject_id: str) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 5.0))  # read it, then click
        while self.sock is None or self.live_since is None:
            await asyncio.sleep(0.2)
        await self.command("inject.ack", ("inject.acknowledged", "inject_id", inject_id), inject_id=inject_id)

    # -- commands out ---------------------------------------------------------------------

    async def command(self, ctype: str, expect: tuple[str, str | None, Any], **fields: Any) -> dict[str, Any] | None:
        """Send a command and wait for its answer; an ack is recorded with what its event must hold."""
        if self.sock is None:
            return None
        cid = f"{self.name}:{next(self.ids)}"
        fut = self.pending[cid] = asyncio.get_running_loop().create_future()
        self.sock.send_binary(msgpack.packb({"type": ctype, "id": cid, **fields}))
        try:
            answer = await asyncio.wait_for(fut, 30)
        except (ConnectionError, TimeoutError):
            return None  # never acknowledged: it may or may not be in the log
        if answer["type"] == "ack":
            self.classroom.acked.append((answer["first_seq"], *expect))
        return answer

    def stamp(self, k: str) -> str:
        return f"{k} {now()!r}"

    async def act(self, pace: Pace, stop: asyncio.Event) -> None:
        """A trainee's day: the actions come as independent random streams at `pace`."""
        rates = {"post": 1 / pace.post, "move": 1 / pace.move, "draw": 1 / pace.draw,
                 "erase": 1 / pace.erase, "drop": 1 / pace.drop}
        total = sum(rates.values())
        names, weights = list(rates), list(rates.values())
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.rng.expovariate(total))
                return
            except TimeoutError:
                pass
            if self.sock is None or self.live_since is None:
                continue
            action = self.rng.choices(names, weights)[0]
            if action == "post":
                text = f"{self.stamp(self.name)} {self.rng.choice(CHATTER)}"
                await self.command("room.post", ("room.message_posted", "text", text),
                                   room=self.rng.choice(self.rooms), text=text)
            elif action == "draw":
                name = f"{self.name}/{next(self.drawn)}"
                feature = {"kind": self.rng.choice(["unit", "incident", "checkpoint", "note"]), "name": name,
                           "geometry": {"type": "Point", "coordinates": self.point()}}
                await self.command("cop.add", ("cop.feature_added", "name", name), feature=feature)
            elif action == "move" and self.features:
                fid = self.rng.choice(self.features)
                await self.command("cop.change", ("cop.feature_changed", "id", fid), feature_id=fid,
                                   set={"geometry": {"type": "Point", "coordinates": self.point()}})
            elif action == "erase" and self.features:
                fid = self.rng.choice(self.features)
                await self.command("cop.remove", ("cop.feature_removed", "id", fid), feature_id=fid)
            elif action == "drop":
                await self.reconnect(self.rng.random() < pace.reload_share)

    async def control(self, pace: Pace, stop: asyncio.Event) -> None:
        """The control cell's day: an ad-hoc inject to every component at a steady pace."""
        n = 0
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), pace.adhoc)
                return
            except TimeoutError:
                pass
            n += 1
            title = self.stamp(f"adhoc-{n}")
            await self.command("inject.adhoc", ("inject.released", "title", title), title=title,
                               **{"from": "Exercise control", "to": {"components": list(COMPONENTS)},
                                  "channel": "radio", "body": self.rng.choice(CHATTER)})

    def point(self) -> list[float]:
        w, s, e, n = NALORA
        return [round(self.rng.uniform(w, e), 5), round(self.rng.uniform(s, n), 5)]


COMPONENTS = ("military", "police", "humanitarian", "civilian")
CHATTER = [
    "Convoy at Lunda bridge, waiting for clearance.",
    "Kora IDP camp reports 300 new arrivals overnight.",
    "Requesting an update on MSR1 between Kora and Mirek.",
    "Noted. We will pass it to the security cell.",
    "Water trucking to Doyo transit site resumes at 10:00.",
    "Can the liaison officer join the 08:00 meeting?",
]


class Classroom:
    """The participants of one exercise and the day's figures: latencies by send time, acked commands."""

    def __init__(self, host: str, port: int, exercise: str) -> None:
        self.host, self.port, self.exercise = host, port, exercise
        self.people: list[Person] = []
        self.teams: dict[str, list[Person]] = {}
        self.acked: list[tuple[int, str, str | None, Any]] = []  # (seq, event type, payload field, value)
        self.sent = array.array("d")  # send time of each live delivery
        self.delays = array.array("d")  # and its latency
        self.reconnects = self.reloads = 0
        self._tasks: set[asyncio.Task] = set()

    def latency(self, sent: float, delay: float) -> None:
        self.sent.append(sent)
        self.delays.append(delay)

    def background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def add(self, name: str, token: str, team: str | None, seed: int) -> Person:
        person = Person(self, name, token, team, random.Random(seed))
        self.people.append(person)
        if team is not None:
            self.teams.setdefault(team, []).append(person)
        return person

    async def settle(self, timeout: float = 60) -> None:
        """Wait for reconnects and acknowledgements still under way."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks or any(not t.done() for p in self.people for t in p.acks):
            assert asyncio.get_running_loop().time() < deadline, "the classroom did not settle"
            await asyncio.sleep(0.1)
