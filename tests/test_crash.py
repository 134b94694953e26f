"""Crash: SIGKILL the server at random moments while many clients work; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import random

import websockets

from exercise_server.store.redis import RedisStore
from exercise_server.store.sqlite import SqliteLog

from .redis_server import PrivateRedis
from .server_harness import Client, ServerProcess, reconnect
from .soak import CRASH_ROUNDS

TEAMS = ["mil-1", "pol-1", "hum-1", "civ-1"]


async def drive(clients: list[Client], acked: dict[int, str], stop: asyncio.Event) -> None:
    """Every client posts until the server dies under it; only acks count."""
    async def one(i: int, c: Client) -> None:
        n = 0
        while not stop.is_set():
            text = f"{c.token[-6:]}-{n}"
            try:
                answer = await c.command("room.post", room="plenary", text=text)
            except (websockets.ConnectionClosed, TimeoutError, OSError):
                return
            if answer["type"] == "ack":
                acked[answer["seq"]] = text
            n += 1
    await asyncio.gather(*(one(i, c) for i, c in enumerate(clients)))


async def crash_rounds(start_server, read_log, exercise_setup, rounds: int, between_rounds=None) -> None:
    rng = random.Random(20261125)
    server = start_server()
    exercise, codes, fac_token = exercise_setup(server)
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("clock.speed", speed=10)
    await fac.ok("clock.start")
    clients = [await Client(server, exercise, server.join(codes[t], f"player {t}")["token"]).connect() for t in TEAMS]
    acked: dict[int, str] = {}
    for round_no in range(rounds):
        stop = asyncio.Event()
        work = asyncio.create_task(drive(clients, acked, stop))
        await asyncio.sleep(rng.uniform(0.3, 1.5))
        clock_before = (await Client(server, exercise, fac_token).connect()).snapshot["clock"]
        server.kill()
        stop.set()
        await work
        if between_rounds:
            await between_rounds(round_no)
        server = start_server()
        for c in [fac, *clients]:
            held = c.last_seq
            await reconnect(c, server, exercise)
            assert c.welcome["mode"] == "resume", "a client that holds events resumes"
            assert c.last_seq >= held
        clock_after = fac.snapshot["clock"] if fac.snapshot else None
        state = (await Client(server, exercise, fac_token).connect()).snapshot
        # The clock stands where the log says: same status and speed, anchored at or after the kill.
        assert state["clock"]["status"] == clock_before["status"] == "running"
        assert state["clock"]["speed"] == clock_before["speed"]
        assert state["clock"]["anchor_ex"] >= clock_before["anchor_ex"] or clock_after is None
    # The facilitator sees every event: its stream over all the crashes is exactly 1..head.
    await fac.ok("room.post", room="plenary", text="after the last crash")
    seqs = [e["seq"] for e in fac.events]
    server.stop()
    log = await read_log(exercise)
    assert [e.seq for e in log] == list(range(1, len(log) + 1)), "the log has a gap"
    by_seq = {e.seq: e for e in log}
    missing = [seq for seq, text in acked.items() if by_seq.get(seq) is None or by_seq[seq].payload["text"] != text]
    assert missing == [], f"acknowledged events lost: {missing[:5]}"
    assert seqs == sorted(set(seqs)) and seqs[-1] == len(log)
    assert len(acked) > rounds * 5, "the clients did real work between crashes"
    print(f"crash: {rounds} SIGKILL rounds, {len(acked)} acknowledged commands, {len(log)} events, 0 lost, no gap")


async def test_sigkill_on_embedded_storage_loses_nothing(tmp_path):
    data = tmp_path / "data"

    async def read_log(exercise: str):
        log = SqliteLog(data / "events.sqlite3")
        try:
            return log.read(exercise)
        finally:
            log.close()

    await crash_rounds(lambda: ServerProcess(data).start(), read_log, lambda s: s.open_exercise(), CRASH_ROUNDS)


async def test_sigkill_and_a_redis_restart_lose_nothing(tmp_path, redis_prefix):
    backing = PrivateRedis(tmp_path / "redis").start()  # appendonly yes, appendfsync always
    port = backing.port

    def start_server() -> ServerProcess:
        return ServerProcess(tmp_path / "data", "--redis-url", f"redis://127.0.0.1:{port}/0",
                             "--redis-prefix", redis_prefix).start()

    async def restart_redis(round_no: int) -> None:
        nonlocal backing
        if round_no % 2 == 0:  # every other round Redis dies too, and comes back from its file
            backing.kill()
            backing = PrivateRedis(tmp_path / "redis")
            backing.port = port
            backing.start()

    async def read_log(exercise: str):
        store = RedisStore(f"redis://127.0.0.1:{port}/0", redis_prefix)
        try:
            return await store.read(exercise)
        finally:
            await store.close()

    try:
        await crash_rounds(start_server, read_log, lambda s: s.open_exercise(), CRASH_ROUNDS, restart_redis)
    finally:
        backing.stop()
