"""The cyclic GC waits out a burst of connections and comes back after it, or after LONGEST at most."""

from __future__ import annotations

import asyncio
import gc

from exercise_server.core.gcpause import cyclic_gc_paused
from exercise_server.server.gc_bursts import BurstPause


async def test_the_collector_waits_while_connections_come_and_go_and_runs_once_quiet():
    pause = BurstPause()
    pause.QUIET, pause.LONGEST = 0.1, 10.0
    assert gc.isenabled()
    for _ in range(6):  # a burst: an arrival or a departure every 50 ms, 0.3 s in all
        pause.touch()
        assert not gc.isenabled()
        await asyncio.sleep(0.05)
    assert not gc.isenabled()  # 50 ms since the last: the burst is not over
    await asyncio.sleep(0.15)
    assert gc.isenabled() and not pause.holding


async def test_a_burst_that_never_ends_gets_its_collections_after_longest():
    pause = BurstPause()
    pause.QUIET, pause.LONGEST = 60.0, 0.3  # only LONGEST can end this burst
    loop = asyncio.get_running_loop()
    began = loop.time()
    pause.touch()
    while loop.time() - began < 5:
        await asyncio.sleep(0.05)
        if not pause.holding:
            break
        pause.touch()  # arrivals keep coming
    pause.close()
    assert gc.isenabled() and 0.3 <= loop.time() - began < 5


async def test_a_report_that_pauses_the_collector_too_keeps_it_paused_until_it_ends():
    pause = BurstPause()
    pause.QUIET = 0.05
    with cyclic_gc_paused():
        pause.touch()
        await asyncio.sleep(0.1)
        assert not pause.holding and not gc.isenabled()  # the burst is over, the report is not
    assert gc.isenabled()


def test_a_burst_whose_loop_ended_before_its_check_is_ended_by_the_next_loops_first_arrival():
    pause = BurstPause()

    async def arrive() -> None:
        pause.touch()

    asyncio.run(arrive())  # the loop ends with the burst's check still to come (an in-process server stopped)
    assert not gc.isenabled()
    asyncio.run(arrive())  # a new loop: the stale burst ends, a new one begins
    assert pause.holding and not gc.isenabled()
    pause.close()
    assert gc.isenabled() and not pause.holding
