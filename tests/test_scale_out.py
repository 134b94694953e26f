"""Two real server processes on one real Redis serve one exercise."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import msgpack
import pytest
import redis
import websockets

from exercise_server.bus.redis import RedisBus
from exercise_server.server.registry import Exercises
from exercise_server.store.redis import RedisStore

from .redis_server import key_prefix
from .server_harness import Client, ServerProcess


def start_all(servers: list[ServerProcess]) -> None:
    """Start `servers` side by side (each start is mostly the child's own CPU)."""
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(ServerProcess.start, servers))


@pytest.fixture(scope="module")
def prefix(redis_url):
    """The module's key prefix: its processes share it from test to test; its keys are deleted afterwards."""
    with key_prefix(redis_url) as prefix:
        yield prefix


@pytest.fixture(scope="module")
def processes(tmp_path_factory, redis_url, prefix):
    servers = [ServerProcess(tmp_path_factory.mktemp(f"data-{name}") / "data", "--redis-url", redis_url,
                             "--redis-prefix", prefix) for name in "ab"]
    start_all(servers)
    yield servers
    for s in servers:
        s.stop()


@pytest.fixture
def pair(processes):
    """The module's two processes, each test on an exercise of its own; a process that an earlier
    test killed is started again first (on its data directory and port)."""
    start_all([s for s in processes if s.proc is None or s.proc.poll() is not None])
    return processes


def lease_holder(url: str, prefix: str, exercise: str, servers: list[ServerProcess]) -> ServerProcess:
    """The process holding the scheduler's lease (waiting for the first tick to take it, on a busy machine)."""
    client, deadline = redis.Redis.from_url(url), time.monotonic() + 15
    while (owner := client.get(f"{prefix}ex:{exercise}:scheduler")) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert owner is not None, "no process took the scheduler's lease"
    pid = int(owner.decode().split(":")[1])
    return next(s for s in servers if s.proc.pid == pid)


async def test_clients_on_two_processes_see_each_other_and_resume_on_either(pair):
    a, b = pair
    exercise, codes, fac_token = a.open_exercise()  # opened on A
    fac = await Client(a, exercise, fac_token).connect()
    hum = await Client(b, exercise, b.join(codes["hum-1"], "Amina")["token"]).connect()  # joined on B
    mil = await Client(a, exercise, a.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
    await hum.ok("room.post", room="joint", text="from B")
    assert (await mil.event("room.message_posted"))["payload"]["text"] == "from B"
    await mil.ok("room.post", room="joint", text="from A")
    assert (await hum.event("room.message_posted"))["payload"]["text"] == "from A"
    await fac.ok("inject.release", inject_id="I-1")
    assert (await hum.event("inject.released"))["payload"]["inject"]["id"] == "I-1"
    # The humanitarian's laptop drops off B and comes back through A: it resumes, no gap.
    await hum.close()
    await fac.ok("room.post", room="plenary", text="while you were away")
    hum.url = f"{a.ws_base}/ws/{exercise}"
    await hum.connect()
    assert hum.welcome["mode"] == "resume"
    assert [e["payload"]["text"] for e in hum.events if e["type"] == "room.message_posted"][-1] == "while you were away"
    seqs = [e["seq"] for e in hum.events]
    assert seqs == sorted(set(seqs))
    for c in (fac, hum, mil):
        await c.close()


def names(presence: dict) -> set[str]:
    return {p["name"] for p in presence["online"]}


async def presence_where(client: Client, predicate, timeout: float = 10) -> dict:
    return await client.until(lambda f: f["type"] == "presence" and predicate(f), timeout)


async def test_presence_spans_both_processes_and_each_view_stays_filtered(pair):
    a, b = pair
    exercise, codes, fac_token = a.open_exercise()
    fac = await Client(a, exercise, fac_token).connect()
    mil = await Client(a, exercise, a.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
    hum = await Client(b, exercise, b.join(codes["hum-1"], "Amina")["token"]).connect()
    evaluator = await Client(b, exercise, b.join(codes["evaluator"], "Dr Evans")["token"]).connect()
    # The facilitator on A sees who is connected to B.
    seen = await presence_where(fac, lambda f: {"Amina", "Dr Evans"} <= names(f))
    amina = next(p for p in seen["online"] if p["name"] == "Amina")
    assert amina["team"] == "hum-1" and amina["connections"] == 1 and amina["participant"] in seen["rooms"]["joint"]
    # A trainee sees the trainees of the other process it shares rooms with, never the control cell.
    seen = await presence_where(mil, lambda f: "Amina" in names(f))
    assert names(seen) == {"Maj. Okafor", "Amina"} and "team:hum-1" not in seen["rooms"]
    seen = await presence_where(hum, lambda f: "Maj. Okafor" in names(f))
    assert names(seen) == {"Maj. Okafor", "Amina"}
    # The exercise's connections, counted on either process.
    for server in (a, b):
        listed = httpx.get(f"{server.base}/api/exercises", headers={"Authorization": f"Bearer {fac_token}"})
        assert next(x for x in listed.json()["exercises"] if x["id"] == exercise)["connections"] == 4
    # Amina closes her laptop on B: gone from A's presence too.
    await hum.close()
    await presence_where(fac, lambda f: "Amina" not in names(f) and "Dr Evans" in names(f))
    await presence_where(mil, lambda f: "Amina" not in names(f))
    # A process that serves nobody in the exercise stops following it, and reads B's count when asked.
    await fac.close(), await mil.close()
    listed = httpx.get(f"{a.base}/api/exercises", headers={"Authorization": f"Bearer {fac_token}"})
    assert next(x for x in listed.json()["exercises"] if x["id"] == exercise)["connections"] == 1  # Dr Evans
    fac = await Client(a, exercise, fac_token).connect()
    mil = await Client(a, exercise, a.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
    await presence_where(fac, lambda f: "Dr Evans" in names(f))
    # B is killed: what it served vanishes from A's presence within a few seconds (its entries expire).
    b.kill()
    await presence_where(fac, lambda f: "Dr Evans" not in names(f), timeout=RedisBus.PRESENCE_TTL + 5)
    for c in (fac, mil):
        await c.close()


async def test_the_scheduler_survives_the_death_of_its_process_and_releases_once(pair, redis_url, prefix):
    exercise, codes, fac_token = pair[0].open_exercise()
    clients = {s.port: await Client(s, exercise, fac_token).connect() for s in pair}
    holder = lease_holder(redis_url, prefix, exercise, pair)  # it ticks from the moment it has the exercise
    survivor = next(s for s in pair if s is not holder)
    driver, talker = clients[holder.port], clients[survivor.port]
    acked: dict[int, tuple[str, str | None]] = {}  # seq -> (event type, text): what some process acknowledged

    async def ok(client: Client, ctype: str, etype: str, **fields) -> None:
        answer = await client.ok(ctype, **fields)
        acked[answer["seq"]] = (etype, fields.get("text"))

    # Acknowledged by the process about to die: the clock set up and stopped 10 exercise
    # seconds (1/6 s at x60) before I-1 (+0:05) falls due.
    await ok(driver, "clock.speed", "clock.speed_set", speed=60)
    await ok(driver, "clock.start", "clock.started")
    await ok(driver, "clock.pause", "clock.paused")
    await ok(driver, "clock.jump", "clock.jumped", to="+0:04:50")
    for i in range(3):
        await ok(driver, "room.post", "room.message_posted", room="plenary", text=f"from the holder {i}")

    from_the_dead = set(acked)
    chat = await Client(survivor, exercise, fac_token).connect()

    async def keep_talking() -> None:  # commands acknowledged on the surviving process throughout
        for i in range(30):
            await ok(chat, "room.post", "room.message_posted", room="plenary", text=f"note {i}")
            await asyncio.sleep(0.1)

    chatter = asyncio.create_task(keep_talking())
    await asyncio.sleep(0.5)
    holder.kill()  # SIGKILL: its lease stays in Redis until it expires
    killed_at = time.time()
    # Resumed on the survivor at once: I-1 falls due while the lease still names the dead process.
    await ok(talker, "clock.resume", "clock.resumed")
    await talker.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released", timeout=30)
    await talker.ok("clock.jump", to="+0:31")  # I-2, I-4 and I-6 fall due, now with a live scheduler
    await talker.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                       and f["event"]["payload"]["inject"]["id"] == "I-6", timeout=15)
    await chatter
    await asyncio.sleep(1)
    store = RedisStore(redis_url, prefix)
    log = await store.read(exercise)
    await store.close()
    releases = {e.payload["inject"]["id"]: e for e in log if e.type == "inject.released"}
    released = [e.payload["inject"]["id"] for e in log if e.type == "inject.released"]
    assert sorted(released) == ["I-1", "I-2", "I-4", "I-6"]  # each exactly once
    assert all(e.wall_time > killed_at for e in releases.values())  # all by the survivor
    # From the log: when I-1 fell due, and how soon the survivor released it.
    speed = next(e for e in log if e.type == "clock.speed_set").payload["speed"]
    resumed = next(e for e in log if e.type == "clock.resumed")
    due = resumed.wall_time + (300 - resumed.ex_time) / speed
    late = releases["I-1"].wall_time - due
    assert due > killed_at and late > 0.5, "I-1 must fall due while the dead process still held the lease"
    assert releases["I-1"].wall_time - killed_at < Exercises.LEASE_TTL + 3  # a takeover within a few seconds
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    by_seq = {e.seq: e for e in log}
    assert len(from_the_dead) == 7 and from_the_dead < set(acked)
    for seq, (etype, text) in acked.items():  # no acknowledged event is missing, from either process
        assert by_seq[seq].type == etype and by_seq[seq].payload.get("text") == text
    assert lease_holder(redis_url, prefix, exercise, pair) is survivor
    await talker.close(), await chat.close()


async def test_a_redis_that_goes_away_and_comes_back(tmp_path, redis_prefix):
    from .redis_server import PrivateRedis

    backing = PrivateRedis(tmp_path / "redis").start()  # durable: appendonly yes, appendfsync always
    server = ServerProcess(tmp_path / "data", "--redis-url", backing.url, "--redis-prefix", redis_prefix).start()
    try:
        exercise, codes, fac_token = server.open_exercise()
        server.stop()  # restarted: the exercise is folded from Redis, its early events are not kept in memory
        server.start()
        fac = await Client(server, exercise, fac_token).connect()
        before = (await fac.ok("room.post", room="plenary", text="before the outage"))["seq"]
        backing.kill()
        notice = await fac.until(lambda f: f["type"] == "service", timeout=15)
        assert notice["state"] == "degraded"
        health = httpx.get(f"{server.base}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        refused = await fac.command("room.post", room="plenary", text="during the outage")
        assert refused["type"] == "error" and refused["code"] == "unavailable"
        # A laptop that connects during the outage is told as well, right after its catch-up.
        late = await Client(server, exercise, fac_token).connect()
        assert (await late.recv())["type"] == "service" and late.frames[-1]["state"] == "degraded"
        # One whose catch-up needs the store is told to try again later (1013), and then resumes.
        resumer = Client(server, exercise, fac_token)
        resumer.last_seq = 1
        resumer.ws = await websockets.connect(resumer.url)
        await resumer.ws.send(msgpack.packb({"type": "hello", "token": fac_token, "last_seq": 1}))
        assert await resumer.closed() == 1013
        port = backing.port
        backing = PrivateRedis(tmp_path / "redis")
        backing.port = port
        backing.start()
        assert (await fac.until(lambda f: f["type"] == "service", timeout=20))["state"] == "ok"
        assert (await late.until(lambda f: f["type"] == "service"))["state"] == "ok"
        assert httpx.get(f"{server.base}/healthz").json()["status"] == "ok"
        after = await fac.ok("room.post", room="plenary", text="after the outage")
        assert after["seq"] == before + 1  # the refused command left nothing behind
        await resumer.connect()
        assert resumer.welcome["mode"] == "resume"
        assert [e["seq"] for e in resumer.events] == list(range(2, after["seq"] + 1))  # no gap
        store = RedisStore(backing.url, redis_prefix)
        texts = [e.payload.get("text") for e in await store.read(exercise)]
        await store.close()
        assert "during the outage" not in texts and "after the outage" in texts
        await fac.close(), await late.close(), await resumer.close()
    finally:
        server.stop()
        backing.stop()
