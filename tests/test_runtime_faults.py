"""Faults inside one process's fan-out: one broken socket or subscriber must not hurt the others."""

from __future__ import annotations

import asyncio
import logging

import pytest

from exercise_server.bus.memory import MemoryBus
from exercise_server.core.clock import ManualClock
from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.server.connection import Connection
from exercise_server.server.exercise import ExerciseRuntime
from exercise_server.server.registry import Exercises
from exercise_server.store.base import OutcomeUnknown, StoreUnavailable
from exercise_server.store.memory import MemoryStore

from .core_harness import FAC, HUM, MIL, MINI, CoreRun


def runtime() -> ExerciseRuntime:
    run = CoreRun()
    return ExerciseRuntime(run.exercise, ExerciseState.fold(run.log), MemoryStore(), MemoryBus(), ManualClock())


async def test_a_socket_that_fails_on_a_direct_send_ends_its_connection_only():
    def broken(frame: bytes | str) -> bool:
        raise RuntimeError("transport gone")

    sent: list[bytes | str] = []
    bad, good = Connection(HUM, None, "msgpack", 10), Connection(MIL, None, "msgpack", 10)
    bad.go_live(send=None, send_now=broken)  # type: ignore[arg-type]
    good.go_live(send=None, send_now=lambda frame: sent.append(frame) is None)  # type: ignore[arg-type]
    bad.task = asyncio.get_running_loop().create_task(asyncio.sleep(10))
    for conn in (bad, good):
        conn.offer(b"frame")  # no exception reaches the fan-out loop
    assert bad.interrupted and sent == [b"frame"]
    await asyncio.gather(bad.task, return_exceptions=True)


def test_a_failing_subscriber_does_not_stop_the_others():
    bus, seen = MemoryBus(), []
    run = CoreRun()
    bus.subscribe("ex-1", lambda events: 1 / 0)
    bus.subscribe("ex-1", seen.extend)
    bus.publish("ex-1", run.log)
    assert seen == run.log


async def test_a_connection_that_fails_to_attach_leaves_no_trace_in_presence_or_code_counts(monkeypatch):
    rt = runtime()
    conn = Connection(HUM, "CODE-hum-1", "msgpack", 10)

    def fail(*args: object) -> bytes:
        raise RuntimeError("snapshot failed")

    monkeypatch.setattr(rt.fanout, "snapshot_frame", fail)
    with pytest.raises(RuntimeError):
        rt.attach(conn, 0, 5000)
    assert conn not in rt.fanout.connections and not rt.presence.online and not rt.fanout.per_code
    assert not rt.fanout.views


async def test_a_kick_while_a_command_is_being_stored_lets_it_finish():
    conn = Connection(HUM, None, "msgpack", 10)
    conn.task = asyncio.get_running_loop().create_task(asyncio.sleep(0.05))
    conn.submitting = True
    conn.kick(4403, "join code revoked")
    assert conn.interrupted and conn.close_code == 4403
    await conn.task  # not cancelled: the handler stops reading once the command is stored
    idle = Connection(MIL, None, "msgpack", 10)
    idle.task = asyncio.get_running_loop().create_task(asyncio.sleep(10))
    idle.kick(4403, "join code revoked")
    with pytest.raises(asyncio.CancelledError):
        await idle.task  # waiting for a frame: cancelled at once


class BrokenStore(MemoryStore):
    """A store that can be switched off, or that loses Redis in the middle of an append."""

    def __init__(self) -> None:
        super().__init__()
        self.down: type[StoreUnavailable] | None = None

    async def append(self, exercise, drafts, expected_head=None, fence=None):  # type: ignore[no-untyped-def]
        if self.down:
            raise self.down("Redis: Connection closed by server.")
        return await super().append(exercise, drafts, expected_head, fence)

    async def lease(self, exercise: str, owner: str, ttl: float) -> int | None:
        if self.down:
            raise self.down("Redis: Connection refused")
        return await super().lease(exercise, owner, ttl)

    async def exercises(self) -> list[str]:
        if self.down:
            raise self.down("Redis: Connection refused")
        return await super().exercises()


async def test_a_command_whose_storing_may_have_landed_is_not_refused_as_unstored():
    run = CoreRun()
    store = BrokenStore()
    rt = ExerciseRuntime(run.exercise, ExerciseState.fold(run.log), store, MemoryBus(), ManualClock())
    store.down = OutcomeUnknown
    with pytest.raises(CommandError) as refused:
        await rt.submit(FAC, {"type": "room.post", "room": "plenary", "text": "did it land?"})
    assert refused.value.code == "unavailable"
    assert "may or may not have been stored" in refused.value.message and "nothing" not in refused.value.message
    store.down = StoreUnavailable
    with pytest.raises(CommandError) as refused:
        await rt.submit(FAC, {"type": "room.post", "room": "plenary", "text": "not this one"})
    assert "nothing was stored" in refused.value.message
    rt.close()


async def scheduler_log(caplog, phases: list[tuple[type[Exception] | None, float]]) -> list[str]:
    """What the scheduler logs about one exercise while its store is in each state for so long."""
    scenario = load_scenario_file(MINI)
    store = BrokenStore()
    exercises = Exercises(store, MemoryBus(), ManualClock(), {scenario.id: scenario}, tick_interval=0.01)
    exercise = (await exercises.open(scenario.id)).id
    caplog.set_level(logging.INFO, logger="exercise_server.registry")
    store.down = phases[0][0]
    await exercises.start()
    for down, seconds in phases:
        store.down = down
        await asyncio.sleep(seconds)
    await exercises.stop()
    return [r.getMessage() for r in caplog.records if exercise in r.getMessage()]


async def test_a_store_outage_is_logged_by_the_scheduler_when_it_starts_and_ends_not_every_tick(caplog):
    lines = await scheduler_log(caplog, [(StoreUnavailable, 0.3), (None, 0.1)])  # about 30 refused ticks
    assert len(lines) == 2, lines
    assert "scheduler: Redis: Connection refused" in lines[0] and lines[1].endswith("scheduler works again")


async def test_a_fault_that_starts_during_an_outage_is_logged_too(caplog):
    # a real fault, while the outage is being reported
    lines = await scheduler_log(caplog, [(StoreUnavailable, 0.2), (RuntimeError, 0.2), (None, 0.1)])
    assert len(lines) == 3, lines
    assert "Connection refused" in lines[0] and "scheduler fault" in lines[1] and lines[2].endswith("works again")
