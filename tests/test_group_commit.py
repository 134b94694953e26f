"""Room messages stored together (group commit): many at once land in order, gap-free, in fewer
appends than messages, each answered only once it is durable; a failed append refuses every
message of it and changes nothing; any other command waits for the queued messages."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import msgpack
import pytest
import websockets

from exercise_server.bus.memory import MemoryBus
from exercise_server.core import events as ev
from exercise_server.core.access import Principal
from exercise_server.core.clock import ManualClock
from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.server.connection import Connection
from exercise_server.server.exercise import ExerciseRuntime
from exercise_server.server.registry import Exercises
from exercise_server.store.base import EventStore, HeadMismatch
from exercise_server.store.memory import MemoryStore
from exercise_server.store.redis import RedisStore
from exercise_server.store.sqlite import SqliteLog, SqliteStore

from .core_harness import FAC, HUM, MINI, CoreRun
from .server_harness import Client, ServerProcess

MESSAGES = 200


class Counted(SqliteStore):
    """The SQLite store, counting the drafts of each append it is asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.appends: list[int] = []

    async def append(self, exercise, drafts, expected_head=None, fence=None):  # type: ignore[no-untyped-def]
        self.appends.append(len(drafts))
        return await super().append(exercise, drafts, expected_head, fence)


async def opened(store: EventStore) -> tuple[Exercises, ExerciseRuntime]:
    scenario = load_scenario_file(MINI)
    exercises = Exercises(store, MemoryBus(), ManualClock(), {scenario.id: scenario})
    return exercises, await exercises.open(scenario.id)


def stored_seqs(path: Path, exercise: str) -> set[int]:
    """What another reader of the file sees: only committed transactions."""
    with sqlite3.connect(path) as db:
        return {seq for (seq,) in db.execute("SELECT seq FROM events WHERE exercise = ?", (exercise,))}


def events_in(frames: list[bytes | str]) -> list[int]:
    """The seqs of the event frames a connection was sent (not its presence or service frames)."""
    decoded = [msgpack.unpackb(frame) for frame in frames]
    return [f["event"]["seq"] for f in decoded if f["type"] == "event"]


async def test_many_messages_at_once_land_in_order_in_fewer_appends_each_answered_once_durable(tmp_path):
    path = tmp_path / "events.sqlite3"
    store = Counted(path)
    _, rt = await opened(store)
    head, before = rt.state.head, len(store.appends)
    durable_when_answered: list[bool] = []

    def answered(task: asyncio.Task[tuple[int, int]]) -> None:
        first, last = task.result()
        durable_when_answered.append(set(range(first, last + 1)) <= stored_seqs(path, rt.id))

    tasks = []
    for i in range(MESSAGES):
        task = asyncio.create_task(rt.submit_once(FAC, {"type": "room.post", "room": "plenary", "text": f"m{i}"}, i))
        task.add_done_callback(answered)
        tasks.append(task)
    seqs = await asyncio.gather(*tasks)

    assert [first for first, _ in seqs] == list(range(head + 1, head + MESSAGES + 1))  # in order, gap-free
    assert durable_when_answered == [True] * MESSAGES
    appends = store.appends[before:]
    assert sum(appends) == MESSAGES and len(appends) < MESSAGES
    log = await store.read(rt.id, after=head)
    assert [e.payload["text"] for e in log] == [f"m{i}" for i in range(MESSAGES)]
    window = rt.state.room_window or MESSAGES  # the live state keeps each room's latest messages
    assert [m["text"] for m in rt.state.messages["plenary"]] == [f"m{i}" for i in range(MESSAGES)][-window:]
    assert rt.state.head == head + MESSAGES
    ex_times = [e.ex_time for e in log]
    assert ex_times == sorted(ex_times)
    # a resend of a recent one (the ids remembered per participant: docs/protocol.md) is answered
    # from the log, not stored again
    last = MESSAGES - 1
    assert await rt.submit_once(FAC, {"type": "room.post", "room": "plenary", "text": f"m{last}"}, last) == seqs[last]
    assert await store.head(rt.id) == head + MESSAGES
    rt.close()
    await store.close()


async def test_a_resend_while_the_first_is_queued_is_stored_once(tmp_path):
    store = SqliteStore(tmp_path / "events.sqlite3")
    _, rt = await opened(store)
    head = rt.state.head
    post = {"type": "room.post", "room": "plenary", "text": "once"}
    answers = await asyncio.gather(*(rt.submit_once(FAC, post, "same-id") for _ in range(5)))
    assert answers == [(head + 1, head + 1)] * 5
    assert await store.head(rt.id) == head + 1
    rt.close()
    await store.close()


async def test_a_failed_append_refuses_every_message_of_it_and_changes_nothing(tmp_path):
    path = tmp_path / "events.sqlite3"
    store = SqliteStore(path)
    _, rt = await opened(store)
    store._log.db.execute("PRAGMA busy_timeout=100")  # fail fast while another writer holds the file
    seen: list[bytes | str] = []
    watcher = Connection(HUM, None, "msgpack", 1000)
    watcher.go_live(send=None, send_now=lambda frame: seen.append(frame) is None)  # type: ignore[arg-type]
    rt.attach(watcher, rt.state.head, 5000)
    head, messages = rt.state.head, {room: list(rows) for room, rows in rt.state.messages.items()}
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a real writer holding the lock: every append fails
    seen.clear()
    results = await asyncio.gather(
        *(rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": f"m{i}"}) for i in range(20)),
        return_exceptions=True,
    )
    assert all(isinstance(r, CommandError) and r.code == "unavailable" for r in results), results
    assert all("nothing was stored" in r.message for r in results if isinstance(r, CommandError))
    assert rt.state.head == head and rt.state.messages == messages and not events_in(seen)
    recent = rt.fanout.recent
    assert recent.first + len(recent.events) - 1 == head  # the resume window holds nothing refused
    other.execute("ROLLBACK")
    other.close()
    events = await rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": "after"})
    assert [e.seq for e in events] == [head + 1] == events_in(seen)  # no gap where the refused ones were
    assert await store.head(rt.id) == head + 1
    rt.close()
    await store.close()


async def test_any_other_command_waits_for_the_queued_messages_and_sees_them(tmp_path):
    store = SqliteStore(tmp_path / "events.sqlite3")
    _, rt = await opened(store)
    await rt.submit(FAC, {"type": "clock.start"})
    head = rt.state.head

    def post(i: int) -> asyncio.Task[list[ev.Event]]:
        return asyncio.create_task(rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": f"m{i}"}))

    before = [post(i) for i in range(30)]
    end = asyncio.create_task(rt.submit(FAC, {"type": "exercise.end"}))
    after = [post(i) for i in range(30, 40)]
    results = await asyncio.gather(*before, end, *after, return_exceptions=True)
    assert [r[0].seq for r in results[:30]] == list(range(head + 1, head + 31))  # type: ignore[index]
    assert results[30][0].type == ev.EXERCISE_ENDED and results[30][0].seq == head + 31  # type: ignore[index]
    refused = results[31:]
    assert all(isinstance(r, CommandError) and r.code == "wrong_state" for r in refused), refused
    assert rt.state.head == await store.head(rt.id) == head + 31
    rt.close()
    await store.close()


async def test_on_redis_many_messages_go_in_one_round_trip_each_and_land_in_order(redis_url, redis_prefix):
    store = RedisStore(redis_url, redis_prefix)
    _, rt = await opened(store)
    head = rt.state.head
    results = await asyncio.gather(
        *(rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": f"m{i}"}) for i in range(MESSAGES))
    )
    assert [r[0].seq for r in results] == list(range(head + 1, head + MESSAGES + 1))
    log = await store.read(rt.id, after=head)
    assert [e.payload["text"] for e in log] == [f"m{i}" for i in range(MESSAGES)]
    rt.close()
    await store.close()


@pytest.mark.parametrize("messages", [1, 3])
async def test_a_lone_message_is_stored_at_once(tmp_path, messages):
    store = Counted(tmp_path / "events.sqlite3")
    _, rt = await opened(store)
    before = len(store.appends)
    for i in range(messages):  # one after the other: each its own append, nothing waits for company
        await rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": f"m{i}"})
    assert store.appends[before:] == [1] * messages
    rt.close()
    await store.close()


def draft(text: str) -> ev.Draft:
    return ev.Draft(ev.ROOM_MESSAGE_POSTED, {"room": "plenary", "text": text, "as": None}, ev.CONTROL_CELL, 0.0, 0.0)


async def batches_across_exercises(store, batches: list[int]) -> None:  # type: ignore[no-untyped-def]
    """30 exercises' appends at once land whole and in fewer batches (`batches` counts each one's
    appends); in one batch, a stale head refuses that append alone."""
    exercises = [f"ex-{i}" for i in range(30)]
    results = await asyncio.gather(*(store.append(x, [draft(x), draft(x + " again")]) for x in exercises))
    assert [[e.seq for e in events] for events in results] == [[1, 2]] * 30
    assert sum(batches) == 30 and len(batches) < 30
    batches.clear()
    outcome = await asyncio.gather(
        store.append("ex-0", [draft("fresh")], expected_head=2),
        store.append("ex-1", [draft("stale")], expected_head=1),
        store.append("ex-2", [draft("any head")]),
        return_exceptions=True,
    )
    assert [e.seq for e in outcome[0]] == [3] and [e.seq for e in outcome[2]] == [3]
    assert isinstance(outcome[1], HeadMismatch)


async def test_the_sqlite_store_commits_the_appends_that_arrive_during_a_commit_together(tmp_path):
    store = SqliteStore(tmp_path / "events.sqlite3")
    transactions: list[int] = []
    together = store._log.append_together

    def counted(appends):  # type: ignore[no-untyped-def]
        transactions.append(len(appends))
        return together(appends)

    store._log.append_together = counted  # type: ignore[method-assign]
    await batches_across_exercises(store, transactions)
    assert await store.head("ex-1") == 2
    await store.close()


async def test_the_redis_store_pipelines_the_appends_that_arrive_during_a_round_trip(redis_url, redis_prefix):
    store = RedisStore(redis_url, redis_prefix)
    trips: list[int] = []
    run_scripts = store._run_scripts

    async def counted(calls):  # type: ignore[no-untyped-def]
        trips.append(len(calls))
        return await run_scripts(calls)

    store._run_scripts = counted  # type: ignore[method-assign]
    await batches_across_exercises(store, trips)
    assert [e.payload["text"] for e in await store.read("ex-1")] == ["ex-1", "ex-1 again"]
    await store.close()


async def test_sigkill_while_many_messages_are_stored_together_loses_nothing_acknowledged(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    exercise, codes, _ = server.open_exercise()
    tokens = [server.join(codes[team], f"player {team}")["token"] for team in ("mil-1", "pol-1", "hum-1", "civ-1")]
    clients = [await Client(server, exercise, tokens[i % 4]).connect() for i in range(40)]
    acked: dict[int, str] = {}

    async def post(i: int, c: Client) -> None:
        for n in range(10_000):
            try:
                answer = await c.command("room.post", room="plenary", text=f"{i}-{n}")
            except (websockets.ConnectionClosed, TimeoutError, OSError):
                return
            if answer["type"] == "ack":
                acked[answer["seq"]] = f"{i}-{n}"

    work = asyncio.gather(*(post(i, c) for i, c in enumerate(clients)))
    await asyncio.sleep(1.5)
    server.kill()
    await work
    log = SqliteLog(data / "events.sqlite3")
    try:
        stored = log.read(exercise)
    finally:
        log.close()
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1)), "the log has a gap"
    texts = {e.seq: e.payload.get("text") for e in stored}
    assert [seq for seq, text in acked.items() if texts.get(seq) != text] == []
    assert len(acked) > 40, "the clients did real work before the kill"


async def test_the_messages_stored_together_reach_each_reader_in_one_write_each_time(tmp_path):
    store = Counted(tmp_path / "events.sqlite3")
    _, rt = await opened(store)
    writes: list[list[bytes | str]] = []  # what each write to the reader's socket carried
    reader = Connection(HUM, None, "msgpack", 1000)
    reader.go_live(send=None, send_now=lambda frame: writes.append([frame]) is None)  # type: ignore[arg-type]
    reader.send_burst = lambda burst: writes.append(list(burst.messages)) is None
    rt.attach(reader, rt.state.head, 5000)
    head = rt.state.head
    writes.clear()
    store.appends.clear()
    await asyncio.gather(*(rt.submit(HUM, {"type": "room.post", "room": "plenary", "text": f"m{i}"}) for i in range(40)))
    event_writes = [w for w in writes if events_in(w)]
    assert [seq for w in event_writes for seq in events_in(w)] == list(range(head + 1, head + 41))  # once, in order
    assert len(event_writes) == len(store.appends) < 40  # one write per append, not one per message
    rt.close()
    await store.close()


async def test_a_trainee_removed_by_an_event_gets_nothing_after_it_from_the_same_round():
    run = CoreRun()
    run.join("CODE-hum-1", "Amina", "p-amina")
    run.join("CODE-hum-1", "Bea", "p-bea")
    rt = ExerciseRuntime(run.exercise, ExerciseState.fold(run.log), MemoryStore(), MemoryBus(), ManualClock())
    amina = run.state.participants["p-amina"]
    got: list[bytes | str] = []
    reader = Connection(Principal(amina.role, amina.name, amina.id, amina.team, "humanitarian"), None, "msgpack", 100)
    reader.go_live(send=None, send_now=lambda frame: got.append(frame) is None)  # type: ignore[arg-type]
    reader.send_burst = lambda burst: got.extend(burst.messages) is None
    reader.task = asyncio.get_running_loop().create_task(asyncio.sleep(10))
    rt.attach(reader, rt.state.head, 5000)
    got.clear()
    bea = Principal("trainee", "Bea", "p-bea", "hum-1", "humanitarian")
    before = run.cmd(bea, "room.post", room="team:hum-1", text="before")
    removed = run.cmd(FAC, "participant.remove", participant="p-amina")
    after = run.cmd(bea, "room.post", room="team:hum-1", text="after")
    rt.fanout.deliver([*before, *removed, *after])  # one round, as the bus brings another process's events
    assert events_in(got) == [before[0].seq, removed[0].seq]  # nothing after the removal reaches her
    assert reader.close_code == 4410
    await asyncio.gather(reader.task, return_exceptions=True)
    rt.close()
