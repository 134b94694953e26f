"""Room messages per second through one exercise's write path, without the network:
`--at-once` writers post to one room, each its next message once the last is acknowledged
(decide, durable append, fold and fan-out, as `ExerciseRuntime.submit` does for a client).

    python -m bench.write_path sqlite --at-once 40 --posts 3000
    python -m bench.write_path redis --server-src ../other-checkout   # A/B: that tree's server code

Reports messages per second, the process's CPU time per message (the SQLite thread
included), and how many appends the store was asked for. Redis keys go under a fresh
`bench-<random>:` prefix on 127.0.0.1:6379 and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from .targets import REDIS_URL, ROOT, remove

SCENARIO = ROOT / "tests" / "fixtures" / "mini.yaml"


async def run(backend: str, at_once: int, posts: int) -> dict[str, Any]:
    # Imported here: after --server-src has chosen which tree's server code runs.
    from exercise_server.bus.memory import MemoryBus
    from exercise_server.core.access import FACILITATOR, Principal
    from exercise_server.core.clock import ManualClock
    from exercise_server.core.scenario_check import load_scenario_file
    from exercise_server.server.registry import Exercises
    from exercise_server.store.redis import RedisStore
    from exercise_server.store.sqlite import SqliteStore

    writer_principal = Principal(FACILITATOR, "Facilitator", "p-fac")
    work = Path(tempfile.mkdtemp(prefix="exercise-write-path-"))
    prefix = f"bench-{uuid.uuid4().hex[:10]}:"
    store = SqliteStore(work / "events.sqlite3") if backend == "sqlite" else RedisStore(REDIS_URL, prefix)
    appends: list[int] = []
    append = store.append

    async def counted(exercise: str, drafts: Any, expected_head: Any = None, fence: Any = None) -> Any:
        appends.append(len(drafts))
        return await append(exercise, drafts, expected_head, fence)

    store.append = counted  # type: ignore[method-assign]
    scenario = load_scenario_file(SCENARIO)
    runtime = await Exercises(store, MemoryBus(), ManualClock(), {scenario.id: scenario}).open(scenario.id)
    sent = 0

    async def writer() -> None:
        nonlocal sent
        while sent < posts:
            sent += 1
            await runtime.submit(writer_principal, {"type": "room.post", "room": "plenary", "text": f"message {sent}"})

    before = len(appends)
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(writer() for _ in range(at_once)))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    stored = appends[before:]
    runtime.close()
    if isinstance(store, RedisStore):
        keys = [k async for k in store.redis.scan_iter(f"{prefix}*")]
        if keys:
            await store.redis.delete(*keys)
    await store.close()
    remove(work)
    return {
        "messages_per_s": posts / seconds,
        "cpu_us_per_message": cpu / posts * 1e6,
        "appends": len(stored),
        "messages_per_append": sum(stored) / len(stored),
    }


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.write_path", description=__doc__)
    p.add_argument("backend", choices=("sqlite", "redis"))
    p.add_argument("--at-once", type=int, default=40, help="writers posting at once (default 40, a room)")
    p.add_argument("--posts", type=int, default=3000, help="messages in all (default 3000)")
    p.add_argument("--server-src", type=Path, default=ROOT, help="run the server code of another checkout")
    a = p.parse_args()
    sys.path.insert(0, str(a.server_src.resolve()))
    r = asyncio.run(run(a.backend, a.at_once, a.posts))
    print(
        f"{a.backend}, {a.at_once} at once: {r['messages_per_s']:,.0f} messages/s, "
        f"{r['cpu_us_per_message']:.0f} µs CPU per message, {r['appends']} appends "
        f"({r['messages_per_append']:.1f} messages each)"
    )


if __name__ == "__main__":
    main()
