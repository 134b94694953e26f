"""The event store contract, for the in-memory and the embedded SQLite store; kill safety."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exercise_server.core import events as ev
from exercise_server.store.base import HeadMismatch
from exercise_server.store.memory import MemoryStore
from exercise_server.store.redis import RedisStore
from exercise_server.store.sqlite import READ_BY_EX_TIME, READ_BY_SEQ, SqliteLog, SqliteStore


def draft(i: int, ex_time: float | None = None) -> ev.Draft:
    return ev.Draft(ev.ROOM_MESSAGE_POSTED, {"room": "joint", "text": f"message {i}", "as": None},
                    (ev.EVERYONE,), 1_800_000_000.0 + i, float(i if ex_time is None else ex_time), ev.SYSTEM)


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def store(request, tmp_path):
    if request.param == "memory":
        s = MemoryStore()
    elif request.param == "sqlite":
        s = SqliteStore(tmp_path / "events.sqlite3")
    else:
        s = RedisStore(request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix"))
    yield s
    await s.close()


async def test_append_numbers_events_gap_free_per_exercise(store):
    a = await store.append("ex-a", [draft(1), draft(2)])
    b = await store.append("ex-b", [draft(3)])
    c = await store.append("ex-a", [draft(4)])
    assert [e.seq for e in a + c] == [1, 2, 3] and [e.seq for e in b] == [1]
    assert await store.head("ex-a") == 3
    assert sorted(await store.exercises()) == ["ex-a", "ex-b"]


async def test_reads_by_sequence_range_and_by_exercise_time(store):
    await store.append("ex", [draft(i, ex_time=i * 10) for i in range(1, 21)])
    assert [e.seq for e in await store.read("ex", after=5, until=8)] == [6, 7, 8]
    assert [e.seq for e in await store.read("ex", after=18)] == [19, 20]
    assert [e.seq for e in await store.read_ex_time("ex", 50, 80)] == [5, 6, 7, 8]
    events = await store.read("ex")
    assert events[0].payload["text"] == "message 1" and events[0].actor == ev.SYSTEM


def test_sqlite_range_reads_walk_an_index_not_the_whole_exercise(tmp_path):
    """Cheap reads are a property of the query plan: each range query is a SEARCH on an index."""
    log = SqliteLog(tmp_path / "events.sqlite3")
    log.append("ex", [draft(i, ex_time=i * 10) for i in range(1, 201)])
    plans = {}
    for name, sql, args in (("seq", READ_BY_SEQ, ("ex", 5, 8)), ("ex_time", READ_BY_EX_TIME, ("ex", 50, 80))):
        plans[name] = " ".join(str(r[-1]) for r in log.db.execute("EXPLAIN QUERY PLAN " + sql, args))
    assert "PRIMARY KEY (exercise=? AND seq>? AND seq<?)" in plans["seq"], plans
    assert "events_by_ex_time (exercise=? AND ex_time>? AND ex_time<?)" in plans["ex_time"], plans
    assert "TEMP B-TREE" not in plans["ex_time"], plans
    assert [e.seq for e in log.read_ex_time("ex", 50, 80)] == [5, 6, 7, 8]
    log.close()


async def test_expected_head_refuses_a_stale_writer(store):
    await store.append("ex", [draft(1)])
    with pytest.raises(HeadMismatch):
        await store.append("ex", [draft(2)], expected_head=0)
    assert await store.head("ex") == 1


async def test_concurrent_writers_get_gap_free_numbers(store):
    """Several writers racing on one log: each append either lands whole or is told to retry."""
    import asyncio

    from exercise_server.store.base import HeadMismatch as Stale

    async def writer(n: int) -> int:
        done = 0
        while done < 10:
            head = await store.head("ex")
            try:
                await store.append("ex", [draft(n * 100 + done)], expected_head=head)
                done += 1
            except Stale:
                await asyncio.sleep(0)
        return done

    assert sum(await asyncio.gather(*(writer(n) for n in range(4)))) == 40
    assert [e.seq for e in await store.read("ex")] == list(range(1, 41))


async def test_the_scheduler_lease_has_one_holder_and_a_growing_fence(store):
    first = await store.lease("ex", "process-a", 30)
    assert first is not None
    assert await store.lease("ex", "process-a", 30) == first  # renewal keeps the token
    other = await store.lease("ex", "process-b", 30)
    if isinstance(store, RedisStore):
        assert other is None  # held by process-a
        await store.redis.delete(store.keys.lease("ex"))  # process-a's lease expires
        taken = await store.lease("ex", "process-b", 30)
        assert taken is not None and taken > first
        await store.append("ex", [draft(1)], fence=taken)
        from exercise_server.store.base import FenceLost
        with pytest.raises(FenceLost):
            await store.append("ex", [draft(2)], fence=first)  # the old holder is fenced off
        assert await store.head("ex") == 1
    else:
        assert other == first  # one process: it always holds the lease


async def test_a_reachable_store_says_it_would_take_an_append(store):
    await store.check()
    await store.append("ex", [draft(1)])
    await store.check()


def test_sqlite_says_it_would_not_while_another_program_holds_the_write_lock(tmp_path):
    import sqlite3

    from exercise_server.store.base import StoreUnavailable

    log = SqliteLog(tmp_path / "events.sqlite3")
    log.db.execute("PRAGMA busy_timeout=50")
    holder = sqlite3.connect(tmp_path / "events.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreUnavailable):
        log.check()
    with pytest.raises(StoreUnavailable):
        log.append("ex", [draft(1)])
    holder.execute("ROLLBACK")
    log.check()
    assert [e.seq for e in log.append("ex", [draft(1)])] == [1]
    holder.close(), log.close()


async def test_sqlite_log_survives_reopening(tmp_path):
    path = tmp_path / "events.sqlite3"
    s = SqliteStore(path)
    await s.append("ex", [draft(i) for i in range(1, 6)])
    await s.close()
    s = SqliteStore(path)
    assert [e.seq for e in await s.read("ex")] == [1, 2, 3, 4, 5]
    await s.close()


APPENDER = textwrap.dedent("""
    import sys
    from exercise_server.core import events as ev
    from exercise_server.store.sqlite import SqliteLog
    log = SqliteLog(sys.argv[1])
    i = 0
    while True:
        i += 1
        batch = [ev.Draft(ev.ROOM_MESSAGE_POSTED, {"room": "joint", "text": "x" * (i % 500), "as": None},
                          (ev.EVERYONE,), float(i), float(i), ev.SYSTEM) for _ in range(1 + i % 3)]
        events = log.append("ex", batch)
        print(events[-1].seq, flush=True)  # acknowledged: append returned
""")


def test_the_durable_store_survives_the_process_being_killed_mid_append(tmp_path):
    path = tmp_path / "events.sqlite3"
    rng = random.Random(7)
    acknowledged = 0
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", APPENDER, str(path)], stdout=subprocess.PIPE, text=True,
                                 cwd=Path(__file__).resolve().parents[1])
        target = rng.randint(50, 400)
        lines = 0
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged = max(acknowledged, int(line))
            lines += 1
            if lines >= target:
                break
        child.send_signal(signal.SIGKILL)  # mid-append: the child never stops appending
        child.wait()
        for line in child.stdout:  # what it acknowledged before dying
            if line.strip():
                acknowledged = max(acknowledged, int(line))
        log = SqliteLog(path)
        seqs = [e.seq for e in log.read("ex")]
        log.close()
        assert seqs == list(range(1, len(seqs) + 1)), "the log has a gap"
        assert len(seqs) >= acknowledged, "an acknowledged event was lost"


async def test_an_append_whose_reply_was_lost_and_cannot_be_checked_is_not_called_unstored(redis_url, redis_prefix,
                                                                                            monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from exercise_server.store.base import OutcomeUnknown

    store = RedisStore(redis_url, redis_prefix)
    await store.append("ex", [draft(1)])

    async def connection_lost(*args, **kwargs):
        raise RedisConnectionError("Connection closed by server.")

    async def replies_lost(calls):
        return [RedisConnectionError("Connection closed by server.")] * len(calls)

    monkeypatch.setattr(store, "_run_scripts", replies_lost)  # the script may have run; its reply is lost
    monkeypatch.setattr(store.redis, "xrange", connection_lost)  # and the look afterwards fails too
    with pytest.raises(OutcomeUnknown, match="unknown"):
        await store.append("ex", [draft(2)], expected_head=1)
    monkeypatch.undo()
    await store.close()
