"""The log's epoch: a client resumes only onto the history it saw (protocol 1.1). Restoring an older
copy of the data directory gives the events after it new contents under sequence numbers a
client already saw; that client gets a snapshot. A restart on the same files keeps resumes exact."""

from __future__ import annotations

import shutil

import msgpack
import pytest
import redis

from exercise_server.store.base import Segment, resumable
from exercise_server.store.redis import RedisStore
from exercise_server.store.sqlite import SqliteStore

from .server_harness import Client, ServerProcess
from .test_refusals import first_frame_closes_with


def texts(client: Client) -> list[str]:
    return [e["payload"]["text"] for e in client.events if e["type"] == "room.message_posted"]


def snapshot_texts(client: Client) -> list[str]:
    assert client.snapshot is not None
    return [m["text"] for m in client.snapshot["rooms"]["joint"]["messages"]]


async def test_a_client_that_saw_events_an_older_copy_lacks_gets_a_snapshot_after_the_copy_is_restored(
    tmp_path, servers
):
    data, backup = tmp_path / "data", tmp_path / "backup"
    server = ServerProcess(data).start()
    servers.append(server)
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
    mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
    await fac.ok("room.post", room="joint", text="in the copy")
    await hum.event("room.message_posted")
    await mil.event("room.message_posted")
    for c in (fac, hum, mil):
        await c.close()
    server.stop()
    shutil.copytree(data, backup)  # the administrator's backup, taken while the server was down

    server.start()
    await fac.connect()
    await hum.connect()
    assert hum.welcome["mode"] == "resume"
    await fac.ok("room.post", room="joint", text="lost 1")
    await fac.ok("room.post", room="joint", text="lost 2")
    await hum.until(lambda f: f["type"] == "event" and f["event"]["payload"].get("text") == "lost 2")
    seen_by_hum = hum.last_seq
    for c in (fac, hum):
        await c.close()
    server.stop()

    shutil.rmtree(data)
    shutil.copytree(backup, data)  # the disk failed: the backup comes back
    server.start()
    await fac.connect()
    for i in range(4):  # the restored log grows past what the humanitarian saw, with other events
        await fac.ok("room.post", room="joint", text=f"after the restore {i}")
    assert fac.last_seq >= seen_by_hum

    await hum.connect()  # its epoch and last_seq name a history this log does not hold
    assert hum.welcome["mode"] == "snapshot"
    assert snapshot_texts(hum) == ["in the copy"] + [f"after the restore {i}" for i in range(4)]
    # The military team saw only what the copy holds: its resume is still exact.
    await mil.connect()
    assert mil.welcome["mode"] == "resume"
    assert texts(mil) == ["in the copy"] + [f"after the restore {i}" for i in range(4)]
    for c in (fac, hum, mil):
        await c.close()


async def test_a_client_resumes_exactly_across_kill_9_and_restarts(tmp_path, servers):
    server = ServerProcess(tmp_path / "data").start()
    servers.append(server)
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
    await fac.ok("room.post", room="joint", text="before")
    await hum.event("room.message_posted")
    first_epoch = hum.epoch
    await hum.close()
    for round_ in range(2):  # two restarts: the humanitarian's epoch is two segments back
        server.kill()
        server.start()
        await fac.connect()
        await fac.ok("room.post", room="joint", text=f"after restart {round_}")
        await fac.close()
    hum.epoch = first_epoch
    await hum.connect()
    assert hum.welcome["mode"] == "resume"
    assert hum.welcome["epoch"] != first_epoch  # each process start begins a segment
    assert texts(hum) == ["before", "after restart 0", "after restart 1"]
    await hum.close()


@pytest.mark.parametrize("epoch", [42, "x" * 65, ["a"]])
async def test_a_hello_with_an_epoch_that_is_not_a_welcomes_is_closed_4400(server, epoch):
    exercise, _, token = server.open_exercise()
    frame = msgpack.packb({"type": "hello", "token": token, "last_seq": 0, "epoch": epoch})
    code, reason = await first_frame_closes_with(server, exercise, frame)
    assert code == 4400 and "epoch" in reason


def test_resumable_only_within_what_the_log_holds_of_a_segment():
    log = [Segment("a", 1), Segment("b", 11), Segment("c", 11), Segment("d", 20)]
    assert resumable(log, None, 15)  # a 1.0 client is taken at its word
    assert resumable(log, "a", 10) and not resumable(log, "a", 11)
    assert resumable(log, "b", 10) and not resumable(log, "b", 11)  # "b" wrote nothing the log holds
    assert resumable(log, "c", 19) and not resumable(log, "c", 20)
    assert resumable(log, "d", 25)
    assert not resumable(log, "lost", 3)


async def test_sqlite_begins_a_segment_per_opening_at_the_head(tmp_path):
    from .test_bus import draft

    store = SqliteStore(tmp_path / "events.sqlite3")
    first = await store.begin_epoch("ex-1")
    await store.append("ex-1", [draft(1), draft(2)])
    await store.close()
    store = SqliteStore(tmp_path / "events.sqlite3")
    again = await store.begin_epoch("ex-1")
    await store.close()
    assert [s.first_seq for s in first] == [1]
    assert again[0] == first[0] and again[1].first_seq == 3 and again[1].epoch != first[0].epoch


async def test_redis_keeps_one_epoch_per_stream_and_a_rebuilt_stream_gets_a_new_one(redis_url, redis_prefix):
    from .test_bus import draft

    a, b = RedisStore(redis_url, redis_prefix), RedisStore(redis_url, redis_prefix)
    await a.append("ex-1", [draft(1)])
    epoch = await a.begin_epoch("ex-1")
    assert await b.begin_epoch("ex-1") == epoch  # several processes, one history
    redis.Redis.from_url(redis_url).delete(f"{redis_prefix}ex:ex-1:log", f"{redis_prefix}ex:ex-1:epoch")
    await b.append("ex-1", [draft(1)])
    assert (await b.begin_epoch("ex-1"))[0].epoch != epoch[0].epoch
    await a.close()
    await b.close()
