"""The exercises a process runs: found in the store once, however many clients ask at once."""

from __future__ import annotations

import asyncio

from exercise_server.bus.memory import MemoryBus
from exercise_server.core.clock import ManualClock
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.server.registry import Exercises
from exercise_server.store.memory import MemoryStore

from .core_harness import MINI


class SlowStore(MemoryStore):
    """A store whose reads take a moment, as Redis's and SQLite's do."""

    async def read(self, exercise: str, after: int = 0, until: int | None = None):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.05)
        return await super().read(exercise, after, until)


async def test_a_class_arriving_at_once_on_another_process_shares_one_runtime_of_the_exercise():
    store = SlowStore()
    scenario = load_scenario_file(MINI)
    opener = Exercises(store, MemoryBus(), ManualClock(), {scenario.id: scenario})  # process A opens it
    exercise = (await opener.open(scenario.id)).id
    bus = MemoryBus()
    here = Exercises(store, bus, ManualClock(), {scenario.id: scenario})  # process B has not seen it yet
    found = await asyncio.gather(*(here.find(exercise) for _ in range(10)))
    assert found[0] is not None and all(r is found[0] for r in found)
    assert list(here.runtimes) == [exercise]
    assert len(bus._subscribers[exercise]) == 1  # one runtime follows the exercise, not ten
    codes = list(found[0].state.codes)
    assert all(r is found[0] for r in await asyncio.gather(*(here.by_code(c) for c in codes)))
    await here.stop(), await opener.stop()
