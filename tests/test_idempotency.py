"""Idempotent commands (protocol 1.1): a command resent with its id is applied once, also across kill -9.

Real server processes (tests/server_harness.py) and real WebSocket clients. A client that says
`protocol: 1.1` in its hello keeps every command it has not seen acknowledged and, after a
reconnect, resends it with the same id, as web/static/js/connection.js does.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
import websockets

from exercise_server.core import events as ev
from exercise_server.core.command_ids import PER_PARTICIPANT, digest
from exercise_server.core.commands import decide
from exercise_server.core.projections import ExerciseState
from exercise_server.export import LogImportError, read_jsonl, write_jsonl
from exercise_server.store.redis import RedisStore
from exercise_server.store.sqlite import SqliteLog

from .core_harness import FAC, HUM, MIL, CoreRun
from .server_harness import Client, ServerProcess, reconnect

TEAMS = ["mil-1", "pol-1", "hum-1", "civ-1"]
FAST = ("--commands-per-second", "500", "--command-burst", "500")  # bursts measure idempotency, not the limiter
TRANSIENT = {"unavailable", "rate_limited"}  # nothing said about the command: resend it


class RetryingClient(Client):
    """A protocol 1.1 client: keeps what it has not seen answered and resends it after a reconnect."""

    def __init__(self, server: ServerProcess, exercise: str, token: str, protocol: float | None = 1.1) -> None:
        super().__init__(server, exercise, token)
        self.protocol = protocol
        self.prefix = uuid.uuid4().hex[:8]  # ids unique for the participant, as a browser's are
        self.numbers = itertools.count(1)
        self.unacked: dict[str, dict[str, Any]] = {}  # id -> command, in the order sent
        self.acks: dict[str, dict[str, Any]] = {}  # id -> the ack that settled it
        self.sent: dict[str, dict[str, Any]] = {}  # every command ever sent, by id
        self.found_stored = 0

    async def connect(self, last_seq: int | None = None, **connect_args: Any) -> RetryingClient:
        self.ws = await websockets.connect(self.url, max_size=None, **connect_args)
        hello = {"type": "hello", "token": self.token, "last_seq": self.last_seq}
        if self.protocol is not None:
            hello["protocol"] = self.protocol
        await self.ws.send(self.encode(hello))
        self.welcome = await self.recv()
        assert self.welcome["type"] == "welcome", self.welcome
        await self.until(lambda f: f["type"] == "caught_up")
        return self

    async def send(self, command: dict[str, Any], cid: str | None = None) -> str:
        cid = cid or f"{self.prefix}-{next(self.numbers)}"
        self.unacked[cid] = self.sent[cid] = command
        await self.ws.send(self.encode({**command, "id": cid}))
        return cid

    async def settle(self, ids: set[str], timeout: float = 15) -> dict[str, dict[str, Any]]:
        """Read until each of `ids` is answered; the answers by id. A transient error leaves it unacked."""
        answers: dict[str, dict[str, Any]] = {}
        while ids - set(answers):
            frame = await self.until(lambda f: f["type"] in ("ack", "error") and f.get("id") in ids, timeout)
            answers[frame["id"]] = frame
            if frame["type"] == "ack":
                self.unacked.pop(frame["id"], None)
                self.acks[frame["id"]] = frame
            elif frame["code"] not in TRANSIENT:
                self.unacked.pop(frame["id"], None)
        return answers

    async def resend(self) -> dict[str, dict[str, Any]]:
        """Everything not seen acknowledged, again with the same ids; their answers. Those the
        server had stored before it died are counted in `found_stored` (their ack is older than
        this connection)."""
        ids = list(self.unacked)
        for cid in ids:
            await self.ws.send(self.encode({**self.unacked[cid], "id": cid}))
        answers = await self.settle(set(ids))
        assert self.welcome is not None
        self.found_stored += sum(a["type"] == "ack" and a["seq"] <= self.welcome["head"] for a in answers.values())
        return answers


def post(text: str) -> dict[str, Any]:
    return {"type": "room.post", "room": "plenary", "text": text}


async def bursts(client: RetryingClient, label: str, stop: asyncio.Event | None = None) -> None:
    """Bursts of 8 commands sent at once, then their acks, until the server dies under the client
    (or `stop` is set)."""
    for b in itertools.count():
        if stop is not None and stop.is_set():
            return
        try:
            ids = {await client.send(post(f"{label}-{b}-{i}")) for i in range(8)}
            await client.settle(ids)
        except (websockets.ConnectionClosed, TimeoutError, OSError):
            return


def check_log(log: list[Any], clients: list[RetryingClient]) -> int:
    """Every command sent is in the log exactly once, under its id, and its ack points at it."""
    assert [e.seq for e in log] == list(range(1, len(log) + 1)), "the log has a gap"
    posts = [e for e in log if e.type == "room.message_posted"]
    texts = [e.payload["text"] for e in posts]
    duplicates = sorted({t for t in texts if texts.count(t) > 1})
    assert duplicates == [], f"commands applied twice: {duplicates[:5]}"
    by_seq = {e.seq: e for e in log}
    sent = 0
    for c in clients:
        assert c.unacked == {}, "every command was settled in the end"
        for cid, command in c.sent.items():
            ack = c.acks[cid]
            event = by_seq[ack["seq"]]
            assert ack["first_seq"] == ack["seq"] and event.payload["text"] == command["text"], (cid, ack)
            assert event.command is not None and event.command.id == cid
            sent += 1
    assert set(texts) >= {cmd["text"] for c in clients for cmd in c.sent.values()}, "a command was lost"
    return sent


async def kill_rounds(start, read_log, rounds: int) -> tuple[int, int]:
    """kill -9 the server while 4 clients send bursts; restart; every client resends what is unacked."""
    rng = random.Random(20261204)
    server = start()
    exercise, codes, fac_token = server.open_exercise()
    fac = await RetryingClient(server, exercise, fac_token).connect()
    await fac.settle({await fac.send({"type": "clock.start"})})
    clients = [
        await RetryingClient(server, exercise, server.join(codes[t], f"player {t}")["token"]).connect() for t in TEAMS
    ]
    resent = 0
    for round_no in range(rounds):
        work = [asyncio.create_task(bursts(c, f"{t}-r{round_no}")) for c, t in zip(clients, TEAMS, strict=True)]
        await asyncio.sleep(rng.uniform(0.3, 0.8))
        server.kill()
        await asyncio.gather(*work)
        server = start()
        for c in clients:
            await reconnect(c, server, exercise)
            resent += len(c.unacked)
            answers = await c.resend()
            assert all(a["type"] == "ack" for a in answers.values()), answers
    server.stop()
    print(f"{sum(c.found_stored for c in clients)} of the resent commands had been stored already")
    return check_log(await read_log(exercise), clients), resent


async def test_a_resent_command_gets_its_first_ack_and_is_stored_once_also_after_kill_9(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    exercise, codes, fac_token = server.open_exercise()
    fac = await RetryingClient(server, exercise, fac_token).connect()
    assert fac.welcome["protocol"] == 1.1
    await fac.settle({await fac.send({"type": "clock.start"})})
    hum = await RetryingClient(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
    first = (await hum.settle({cid := await hum.send(post("once"))}))[cid]
    assert first["type"] == "ack"
    again = (await hum.settle({await hum.send(post("once"), cid)}))[cid]
    assert (again["seq"], again["first_seq"]) == (first["seq"], first["first_seq"])
    other = (await hum.settle({await hum.send(post("something else"), cid)}))[cid]
    assert (other["type"], other["code"]) == ("error", "id_reused")
    refused = (await hum.settle({bad := await hum.send({"type": "room.post", "room": "nowhere", "text": "x"})}))[bad]
    assert refused["code"] == "not_found"
    resent = await hum.settle({await hum.send({"type": "room.post", "room": "nowhere", "text": "x"}, bad)})
    assert resent[bad] == refused, "a refused id resent: the same refusal"
    # Another participant may use the same id: ids are per participant.
    mil = await RetryingClient(server, exercise, server.join(codes["mil-1"], "Okafor")["token"]).connect()
    theirs = (await mil.settle({await mil.send(post("mine"), cid)}))[cid]
    assert theirs["type"] == "ack" and theirs["seq"] > first["seq"]
    server.kill()
    server = ServerProcess(data).start()
    await reconnect(hum, server, exercise)
    after = (await hum.settle({await hum.send(post("once"), cid)}))[cid]
    assert (after["type"], after["seq"], after["first_seq"]) == ("ack", first["seq"], first["first_seq"])
    server.stop()
    log = SqliteLog(data / "events.sqlite3")
    try:
        events = log.read(exercise)
    finally:
        log.close()
    assert [e.payload["text"] for e in events if e.type == "room.message_posted"] == ["once", "mine"]


async def test_a_1_0_client_s_ids_are_only_echoed(server):
    exercise, codes, fac_token = server.open_exercise()
    old = await RetryingClient(server, exercise, fac_token, protocol=None).connect()
    assert old.welcome["protocol"] == 1
    await old.settle({await old.send({"type": "clock.start"})})
    one = (await old.settle({cid := await old.send(post("hello"))}))[cid]
    two = (await old.settle({await old.send(post("hello"), cid)}))[cid]
    assert one["type"] == two["type"] == "ack" and two["seq"] == one["seq"] + 1, "a 1.0 client's id is no key"


async def test_kill_9_during_bursts_then_resending_loses_nothing_and_duplicates_nothing(tmp_path):
    data = tmp_path / "data"

    async def read_log(exercise: str) -> list[Any]:
        log = SqliteLog(data / "events.sqlite3")
        try:
            return log.read(exercise)
        finally:
            log.close()

    sent, resent = await kill_rounds(lambda: ServerProcess(data, *FAST).start(), read_log, 2)
    assert resent > 0, "the kills caught commands in flight"
    print(f"idempotency, embedded store: {sent} commands, {resent} resent after kill -9, 0 lost, 0 duplicates")


async def test_two_processes_on_redis_one_killed_during_bursts_lose_and_duplicate_nothing(
    tmp_path, redis_url, redis_prefix
):
    args = ("--redis-url", redis_url, "--redis-prefix", redis_prefix, *FAST)
    a, b = (ServerProcess(tmp_path / f"data-{n}", *args) for n in "ab")
    with ThreadPoolExecutor(2) as pool:  # started side by side
        list(pool.map(ServerProcess.start, (a, b)))
    try:
        exercise, codes, fac_token = a.open_exercise()
        fac = await RetryingClient(b, exercise, fac_token).connect()
        await fac.settle({await fac.send({"type": "clock.start"})})
        clients = []
        for i, team in enumerate(TEAMS):  # two on A, two on B
            on = a if i % 2 == 0 else b
            clients.append(await RetryingClient(on, exercise, on.join(codes[team], f"p {team}")["token"]).connect())
        stop = asyncio.Event()
        work = [asyncio.create_task(bursts(c, t, stop)) for c, t in zip(clients, TEAMS, strict=True)]
        await asyncio.sleep(0.6)
        a.kill()  # A's clients fail over to B and resend there, while B's go on
        await asyncio.gather(*work[::2])
        resent = 0
        for c in clients[::2]:
            await reconnect(c, b, exercise)
            resent += len(c.unacked)
            answers = await c.resend()
            assert all(x["type"] == "ack" for x in answers.values()), answers
        stop.set()  # B's clients end after their burst
        await asyncio.gather(*work)
        for c in clients:  # what B refused as unavailable (too busy while A died) is resent too
            for _ in range(5):
                if not c.unacked:
                    break
                resent += len(c.unacked)
                await c.resend()
        store = RedisStore(redis_url, redis_prefix)
        try:
            log = await store.read(exercise)
        finally:
            await store.close()
        sent = check_log(log, clients)
        print(f"{sum(c.found_stored for c in clients)} of the resent commands had been stored already")
        assert resent > 0
        print(f"idempotency, two processes on Redis: {sent} commands, {resent} resent after kill -9, 0 lost, 0 dup")
    finally:
        b.stop()
        if a.proc and a.proc.poll() is None:
            a.stop()


# -- the fold and the stored form, without a server ---------------------------------------


def _run_with_ids(n: int) -> CoreRun:
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    for i in range(n):
        command = post(f"m{i}")
        ref = ev.CommandRef(HUM.participant, f"id-{i}", digest(command))
        run.append([replace(d, command=ref) for d in decide(run.state, HUM, command, run.clock.now())])
    return run


def test_the_fold_keeps_each_participant_s_latest_ids_and_the_log_rebuilds_them():
    run = _run_with_ids(PER_PARTICIPANT + 10)
    ids = run.state.command_ids
    assert ids.stored(HUM.participant, "id-0") is None, "the oldest ids are forgotten: the bound"
    last = ids.stored(HUM.participant, f"id-{PER_PARTICIPANT + 9}")
    assert last is not None and last.first_seq == last.last_seq == run.log[-1].seq
    assert len(ids.by_participant[HUM.participant]) == PER_PARTICIPANT
    assert ids.stored(MIL.participant, f"id-{PER_PARTICIPANT + 9}") is None, "ids are per participant"
    # The stored form keeps the command; the fold of the log read back is the same.
    back = [ev.decode_event(ev.encode_event(e)) for e in run.log]
    assert back == run.log and ExerciseState.fold(back).command_ids == ids


def test_an_exported_log_keeps_its_command_ids_and_an_old_one_still_imports():
    run = _run_with_ids(3)
    out = io.StringIO()
    write_jsonl(run.log, out)
    lines = out.getvalue().splitlines()
    assert sum('"command"' in line for line in lines) == 3
    assert read_jsonl(lines) == run.log
    old = [line for line in lines if '"command"' not in line]  # a log written before 1.1
    assert [e.command for e in read_jsonl(old)] == [None] * len(old)
    with pytest.raises(LogImportError, match="command must be"):
        read_jsonl([*old, lines[-1].replace('"digest"', '"hash"')])
