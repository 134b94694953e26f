"""Presence under churn: broadcasts spaced by the number of connections told, and the last one true."""

from __future__ import annotations

import asyncio

import msgpack

from exercise_server.core.access import TRAINEE, Principal
from exercise_server.server.connection import Connection
from exercise_server.server.exercise import ExerciseRuntime
from exercise_server.server.presence import Presence

from .test_runtime_faults import runtime


def live(rt: ExerciseRuntime, n: int, frames: list[list[dict]], first: int = 0) -> list[Connection]:
    """`n` trainees of team hum-1 attached and live, each recording the presence frames it is sent."""
    conns = []
    for i in range(first, first + n):
        seen: list[dict] = []
        frames.append(seen)
        conn = Connection(Principal(TRAINEE, f"Trainee {i}", f"p-{i}", "hum-1", "humanitarian"), None, "msgpack", 100)

        def send_now(frame: bytes | str, seen: list[dict] = seen) -> bool:
            decoded = msgpack.unpackb(frame)
            if decoded.get("type") == "presence":
                seen.append(decoded)
            return True

        rt.attach(conn, 0, 10**6)
        conn.go_live(send=None, send_now=send_now)  # type: ignore[arg-type]
        conns.append(conn)
    return conns


def names(frame: dict) -> set[str]:
    return {entry["name"] for entry in frame["online"]}


async def test_a_storm_of_reconnects_shares_a_broadcast_or_two_and_the_last_tells_the_truth(monkeypatch):
    # 40 connections at 10 ms each: broadcasts at least 0.4 s apart (0.1 s between them otherwise).
    monkeypatch.setattr(Presence, "SPACING_PER_CONNECTION", 0.01)
    rt = runtime()
    frames: list[list[dict]] = []
    conns = live(rt, 40, frames)
    await asyncio.sleep(0.6)  # the arrivals' broadcast is told
    watcher = frames[0]
    before = len(watcher)
    assert before >= 1 and names(watcher[-1]) == {f"Trainee {i}" for i in range(40)}

    # A storm: half of them drop, one by one over 0.4 s, and come back; one more drops for good.
    for conn in conns[20:]:
        rt.detach(conn)
        await asyncio.sleep(0.02)
    again: list[list[dict]] = []
    live(rt, 20, again, first=20)  # the same twenty people, on new connections
    rt.detach(conns[1])
    await asyncio.sleep(1.0)

    told = watcher[before:]
    # Without the spacing, one broadcast per 0.1 s of churn: five or more here.
    assert 1 <= len(told) <= 3, f"{len(told)} presence broadcasts for one storm"
    assert names(told[-1]) == {f"Trainee {i}" for i in range(40)} - {"Trainee 1"}
    assert names(again[5][-1]) == names(told[-1])  # a returning connection ends with the same truth
    rt.close()


async def test_few_connections_are_told_within_the_usual_delay(monkeypatch):
    rt = runtime()
    frames: list[list[dict]] = []
    conns = live(rt, 3, frames)
    await asyncio.sleep(0.2)
    before = len(frames[0])
    rt.detach(conns[2])
    await asyncio.sleep(Presence.DELAY + 0.05)  # 3 connections: spaced by 1.5 ms, so DELAY decides
    assert len(frames[0]) == before + 1 and names(frames[0][-1]) == {"Trainee 0", "Trainee 1"}
    rt.close()
