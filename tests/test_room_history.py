"""A room's earlier messages (protocol 1.1, room.history), from outside on a real server: the server
keeps each room's latest LIVE_ROOM_MESSAGES in memory and in snapshots, and reads the rest from the
store for whoever may read the room, never for anyone else."""

from __future__ import annotations

import asyncio
import json

import pytest

from exercise_server.core.projections import LIVE_ROOM_MESSAGES
from exercise_server.core.views import HISTORY_MAX, HISTORY_PAGE

from .server_harness import Client, ServerProcess

POSTS = LIVE_ROOM_MESSAGES + 30  # to each team room: 30 beyond what the server keeps in memory


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """An exercise whose hum-1 and mil-1 team rooms each had POSTS messages, interleaved."""
    server = ServerProcess(
        tmp_path_factory.mktemp("history") / "data", "--commands-per-second", "1000", "--command-burst", "1000"
    ).start()
    exercise, codes, fac_token = server.open_exercise()
    tokens = {
        who: server.join(codes[code], f"{who} member")["token"]
        for who, code in (("hum", "hum-1"), ("mil", "mil-1"), ("pol", "pol-1"), ("eval", "evaluator"))
    }
    tokens["fac"] = fac_token
    yield server, exercise, tokens
    server.stop()


async def _post_the_day(server: ServerProcess, exercise: str, tokens: dict[str, str]) -> None:
    hum = await Client(server, exercise, tokens["hum"]).connect()
    mil = await Client(server, exercise, tokens["mil"]).connect()
    for i in range(POSTS):
        await hum.ok("room.post", room="team:hum-1", text=f"beneficiary list part {i}")
        await mil.ok("room.post", room="team:mil-1", text=f"patrol report {i}")
    await hum.close()
    await mil.close()


async def _history(client: Client, room: str, **fields) -> dict:
    await client.ws.send(client.encode({"type": "room.history", "id": "h1", "room": room, **fields}))
    return await client.until(lambda f: f["type"] in ("history", "error") and f.get("id") == "h1")


async def _read_back(client: Client, room: str) -> list[dict]:
    """Every message of `room` as the client reads it: the snapshot's, then Earlier messages until none are left."""
    assert client.snapshot is not None
    held = client.snapshot["rooms"][room]
    rows, earlier = list(held["messages"]), held["earlier"]
    while earlier:
        page = await _history(client, room, before=rows[0]["seq"])
        assert page["type"] == "history", page
        assert page["messages"] and len(page["messages"]) <= HISTORY_PAGE
        rows, earlier = page["messages"] + rows, page["earlier"]
    return rows


@pytest.fixture(scope="module")
def posted(day):
    server, exercise, tokens = day
    asyncio.run(_post_the_day(server, exercise, tokens))
    return day


async def test_a_team_reads_every_earlier_message_of_its_room_though_the_server_keeps_the_latest(posted):
    server, exercise, tokens = posted
    hum = await Client(server, exercise, tokens["hum"]).connect()
    held = hum.snapshot["rooms"]["team:hum-1"]
    assert len(held["messages"]) == LIVE_ROOM_MESSAGES and held["earlier"] == POSTS - LIVE_ROOM_MESSAGES
    assert hum.snapshot["room_window"] == LIVE_ROOM_MESSAGES
    rows = await _read_back(hum, "team:hum-1")
    assert [r["text"] for r in rows] == [f"beneficiary list part {i}" for i in range(POSTS)]
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert set(rows[0]) == set(held["messages"][0]), "a page's rows are the snapshot's rows"
    assert rows[-LIVE_ROOM_MESSAGES:] == held["messages"]
    await hum.close()


async def test_the_control_cell_and_an_evaluator_read_a_team_room_back_to_its_first_message(posted):
    server, exercise, tokens = posted
    for who in ("fac", "eval"):
        client = await Client(server, exercise, tokens[who]).connect()
        for room, text in (("team:hum-1", "beneficiary list part"), ("team:mil-1", "patrol report")):
            rows = await _read_back(client, room)
            assert [r["text"] for r in rows] == [f"{text} {i}" for i in range(POSTS)], (who, room)
        await client.close()


async def test_another_teams_token_never_reads_a_room_it_may_not_see(posted):
    server, exercise, tokens = posted
    for who in ("mil", "pol"):
        client = await Client(server, exercise, tokens[who]).connect()
        assert "team:hum-1" not in client.snapshot["rooms"]
        hidden = await _history(client, "team:hum-1", before=10**6)
        missing = await _history(client, "team:nobody", before=10**6)
        assert hidden["type"] == missing["type"] == "error"
        assert hidden["code"] == missing["code"] == "not_found"  # hidden and missing look alike
        # The joint room it may read holds none of them either: a page is only the room's messages.
        joint = await _history(client, "joint", before=10**6, limit=HISTORY_MAX)
        assert joint["type"] == "history" and joint["messages"] == []
        assert "beneficiary list" not in json.dumps(client.frames)
        await client.close()


async def test_a_bad_history_query_is_refused_and_stores_nothing(posted):
    server, exercise, tokens = posted
    hum = await Client(server, exercise, tokens["hum"]).connect()
    head = hum.snapshot["seq"]
    for fields in ({}, {"before": 0}, {"before": "10"}, {"before": True}, {"before": 5, "limit": 0},
                   {"before": 5, "limit": HISTORY_MAX + 1}, {"before": 5, "limit": 2.5}):
        answer = await _history(hum, "team:hum-1", **fields)
        assert answer["type"] == "error" and answer["code"] == "invalid", (fields, answer)
    answer = await _history(hum, "team:hum-1", before=1)
    assert answer["type"] == "history" and answer["messages"] == [] and answer["earlier"] == 0
    await hum.close()
    again = await Client(server, exercise, tokens["hum"]).connect()
    assert again.snapshot["seq"] == head, "a query stores nothing"
    await again.close()


async def test_after_a_restart_the_room_keeps_its_latest_and_reads_the_rest_from_the_store(posted):
    server, exercise, tokens = posted
    server.stop()
    server.start()
    hum = await Client(server, exercise, tokens["hum"]).connect()
    assert hum.snapshot["rooms"]["team:hum-1"]["earlier"] == POSTS - LIVE_ROOM_MESSAGES
    rows = await _read_back(hum, "team:hum-1")
    assert [r["text"] for r in rows] == [f"beneficiary list part {i}" for i in range(POSTS)]
    await hum.close()


async def test_on_redis_a_second_process_serves_the_earlier_messages_the_first_one_stored(
    tmp_path, redis_url, redis_prefix
):
    args = ("--redis-url", redis_url, "--redis-prefix", redis_prefix, "--commands-per-second", "1000",
            "--command-burst", "1000")
    first = ServerProcess(tmp_path / "a", *args).start()
    second = ServerProcess(tmp_path / "b", *args).start()
    try:
        exercise, codes, _ = first.open_exercise()
        token = first.join(codes["hum-1"], "hum member")["token"]
        poster = await Client(first, exercise, token).connect()
        for i in range(POSTS):
            last = (await poster.ok("room.post", room="team:hum-1", text=f"stream message {i}"))["seq"]
        await poster.close()
        for _ in range(100):  # until the second process has folded what the bus brings
            reader = await Client(second, exercise, token).connect()
            if reader.snapshot["seq"] >= last:
                break
            await reader.close()
            await asyncio.sleep(0.05)
        assert reader.snapshot["rooms"]["team:hum-1"]["earlier"] == POSTS - LIVE_ROOM_MESSAGES
        rows = await _read_back(reader, "team:hum-1")
        assert [r["text"] for r in rows] == [f"stream message {i}" for i in range(POSTS)]
        await reader.close()
    finally:
        first.stop()
        second.stop()
