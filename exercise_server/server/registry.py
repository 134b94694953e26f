"""The exercises this server runs: rebuilt from the store at start, opened from scenarios, and
their scheduler (one loop for all of them)."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import secrets
import socket
from typing import Any

from ..bus.base import Bus
from ..core.access import EVALUATOR, FACILITATOR, TRAINEE, Principal
from ..core.clock import WallClock
from ..core.commands import Limits, decide_open
from ..core.errors import CommandError
from ..core.projections import LIVE_ROOM_MESSAGES, ExerciseState
from ..core.scenario import Scenario
from ..core.syndicates import Syndicate, syndicate_count
from ..store.base import EventStore, Segment, StoreUnavailable
from .codes import new_code
from .exercise import ExerciseRuntime
from .health import STORE, Health

log = logging.getLogger("exercise_server.registry")

FACILITATOR_PRINCIPAL = Principal(FACILITATOR, "Facilitator", "facilitator")


def normalise_code(code: Any) -> str:
    """Codes are typed by hand: accept any case, spaces and dashes."""
    if not isinstance(code, str) or len(code) > 40:
        return ""
    raw = re.sub(r"[\s-]", "", code.upper())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else raw


class Exercises:
    LEASE_TTL = 3.0  # seconds: how soon another process takes over the scheduler of a dead one
    DISCOVERY_INTERVAL = 1.0  # seconds between looks for exercises opened by other processes
    LIVE_CHECK_INTERVAL = 1.0  # seconds between comparisons of each exercise's stored head with its folded one

    def __init__(
        self,
        store: EventStore,
        bus: Bus,
        clock: WallClock,
        library: dict[str, Scenario],
        limits: Limits | None = None,
        tick_interval: float = 0.2,
        health: Health | None = None,
    ) -> None:
        self.store, self.bus, self.clock, self.library = store, bus, clock, library
        self.limits = limits or Limits()
        self.tick_interval = tick_interval
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.health = health or Health()
        self.health.listen(self._health_changed)
        self.runtimes: dict[str, ExerciseRuntime] = {}
        self.codes: dict[str, str] = {}  # join code -> exercise
        self.classes: dict[str, dict[int, str]] = {}  # class -> syndicate number -> exercise (core/syndicates.py)
        # Exercises being read from the store: concurrent lookups share one read and one
        # runtime (a second runtime would stay subscribed to the bus for good).
        self._loading: dict[str, asyncio.Task[None]] = {}
        self._ticker: asyncio.Task[None] | None = None
        # Exercises whose last tick failed, and how ("store" or the fault's type): a failure is
        # logged when it starts, changes or ends, not every tick.
        self._failing: dict[str, str] = {}

    async def load(self) -> None:
        """Fold every stored exercise back into memory: the restart path (and discovery of
        exercises other processes opened)."""
        for exercise in await self.store.exercises():
            if exercise in self.runtimes:
                continue
            task = self._loading.get(exercise)
            if task is None:
                task = self._loading[exercise] = asyncio.create_task(self._load_one(exercise))
                task.add_done_callback(functools.partial(self._loaded, exercise))
            await asyncio.shield(task)  # a caller that gives up does not cancel the others' load

    async def _load_one(self, exercise: str) -> None:
        state = ExerciseState.fold(await self.store.read(exercise), LIVE_ROOM_MESSAGES)
        if not state.is_open or exercise in self.runtimes:
            return  # its first events are still being written (or it was opened here meanwhile)
        segments = await self.store.begin_epoch(exercise)
        if exercise in self.runtimes:
            return
        self._add(exercise, state, segments)
        log.info("exercise %s: %d events, clock %s", exercise, state.head, state.clock.status)

    def _loaded(self, exercise: str, task: asyncio.Task[None]) -> None:
        del self._loading[exercise]
        if not task.cancelled():
            task.exception()  # retrieved here too: every waiter may have given up

    async def discover(self) -> None:
        try:
            await self.load()
        except StoreUnavailable:
            pass

    def _health_changed(self) -> None:
        """The event store went away or came back: every connection is told now (newcomers at attach)."""
        notice = self.health.notice()
        for runtime in self.runtimes.values():
            runtime.fanout.broadcast(notice)

    def _add(self, exercise: str, state: ExerciseState, segments: list[Segment]) -> ExerciseRuntime:
        runtime = ExerciseRuntime(exercise, state, self.store, self.bus, self.clock, self.limits, self.health, segments)
        self.runtimes[exercise] = runtime
        for code in state.codes:
            self.codes[code] = exercise
        self._index_class(runtime)
        return runtime

    def _index_class(self, runtime: ExerciseRuntime) -> None:
        """Its class learns of a syndicate's exercise: at open, at restart and when another process opened it."""
        syndicate = runtime.state.syndicate
        if syndicate is not None:
            self.classes.setdefault(syndicate.class_id, {})[syndicate.number] = runtime.id

    def _new_id(self, scenario: Scenario) -> str:
        """A fresh id for an exercise or a class of `scenario` (the two never share one)."""
        while True:
            new = f"{scenario.id}-{secrets.token_hex(3)}"
            if new not in self.runtimes and new not in self.classes:
                return new

    async def open(
        self, scenario_id: str, syndicate: Syndicate | None = None, exercise: str | None = None
    ) -> ExerciseRuntime:
        scenario = self.library.get(scenario_id)
        if scenario is None:
            raise CommandError("not_found", f"no scenario {scenario_id!r}")
        exercise = exercise or self._new_id(scenario)
        codes: dict[str, dict[str, Any]] = {new_code(): {"role": TRAINEE, "team": t.id} for t in scenario.teams}
        codes[new_code()] = {"role": EVALUATOR, "team": None}
        drafts = decide_open(exercise, scenario.doc, codes, self.clock.now(), FACILITATOR_PRINCIPAL.actor(), syndicate)
        state = ExerciseState(room_window=LIVE_ROOM_MESSAGES)
        runtime = self._add(exercise, state, await self.store.begin_epoch(exercise))
        await runtime.commit_system(drafts)
        for code in codes:
            self.codes[code] = exercise
        if syndicate is not None:  # the first event is stored: its state knows the class now
            self._index_class(runtime)
        log.info("exercise %s opened from scenario %s", exercise, scenario.id)
        return runtime

    async def open_class(self, scenario_id: str, syndicates: int) -> tuple[str, list[ExerciseRuntime]]:
        """Open `syndicates` exercises of one scenario, syndicates 1..N of a new class (core/syndicates.py);
        exercise ids are the class id and `-s<number>`."""
        scenario = self.library.get(scenario_id)
        if scenario is None:
            raise CommandError("not_found", f"no scenario {scenario_id!r}")
        count = syndicate_count(syndicates)
        class_id = self._new_id(scenario)
        self.classes[class_id] = {}  # taken, while its exercises are being opened
        opened = []
        for number in range(1, count + 1):
            syndicate = Syndicate(class_id, number, count)
            opened.append(await self.open(scenario_id, syndicate, f"{class_id}-s{number}"))
        log.info("class %s opened from scenario %s: %d syndicates", class_id, scenario.id, count)
        return class_id, opened

    def class_runtimes(self, class_id: str) -> dict[int, ExerciseRuntime]:
        """The syndicates of a class this process knows, by number (empty for an unknown class)."""
        numbers = self.classes.get(class_id, {})
        return {n: self.runtimes[x] for n, x in sorted(numbers.items()) if x in self.runtimes}

    async def find_class(self, class_id: str) -> dict[int, ExerciseRuntime]:
        """`class_runtimes`, looking in the store first if this process does not know the class."""
        if class_id not in self.classes:
            await self.discover()
        return self.class_runtimes(class_id)

    async def by_code(self, code: Any) -> ExerciseRuntime | None:
        code = normalise_code(code)
        if code not in self.codes:
            await self.discover()
        if code not in self.codes:  # issued later, as a replacement (here or on another process)
            for runtime in list(self.runtimes.values()):
                if code in runtime.state.codes or code in runtime.state.personal_codes:  # core/roster.py
                    self.codes[code] = runtime.id
        exercise = self.codes.get(code)
        return self.runtimes.get(exercise) if exercise else None

    async def find(self, exercise: str) -> ExerciseRuntime | None:
        """The runtime of `exercise`, looking in the store if another process opened it."""
        if exercise not in self.runtimes:
            await self.discover()
        return self.runtimes.get(exercise)

    def get(self, exercise: str) -> ExerciseRuntime | None:
        return self.runtimes.get(exercise)

    async def summaries(self) -> list[dict[str, Any]]:
        out = []
        for runtime in list(self.runtimes.values()):
            s = runtime.state
            out.append(
                {
                    "id": runtime.id,
                    "title": s.title,
                    "scenario": s.scenario.id if s.scenario else None,
                    "clock": s.clock_view(),
                    "seq": s.head,
                    "connections": await runtime.connection_count(),
                    "participants": len(s.participants),
                    "class": s.syndicate.class_id if s.syndicate else None,
                    "syndicate": s.syndicate.number if s.syndicate else None,
                }
            )
        return sorted(out, key=lambda x: x["id"])

    # -- the scheduler --------------------------------------------------------------

    async def start(self) -> None:
        await self.bus.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="msel-scheduler")

    async def _tick_forever(self) -> None:
        last_discovery = last_check = 0.0
        loop = asyncio.get_running_loop()
        while True:
            if loop.time() - last_discovery > self.DISCOVERY_INTERVAL:
                last_discovery = loop.time()
                await self.discover()
            if loop.time() - last_check > self.LIVE_CHECK_INTERVAL:
                last_check = loop.time()
                await self._check_live()
            if self.health.failing(STORE):
                await self._probe_store()
            for runtime in list(self.runtimes.values()):
                failing = self._failing.get(runtime.id)
                try:
                    await runtime.tick(self.owner, self.LEASE_TTL)
                except StoreUnavailable as exc:  # retried on the next tick
                    if failing != "store":
                        log.warning("exercise %s: scheduler: %s", runtime.id, exc)
                    self._failing[runtime.id] = "store"
                except Exception as exc:  # noqa: BLE001 - one broken exercise must not stop the others
                    if failing != type(exc).__name__:
                        log.exception("exercise %s: scheduler fault", runtime.id)
                    self._failing[runtime.id] = type(exc).__name__
                else:
                    if failing:
                        log.info("exercise %s: scheduler works again", runtime.id)
                        del self._failing[runtime.id]
            await asyncio.sleep(self.tick_interval)

    async def _check_live(self) -> None:
        """Catch a live delivery that lost an event (runtime.check_live) within two intervals, for the
        exercises someone here is connected to (a hole matters to them; a command meets it anyway)."""
        for runtime in list(self.runtimes.values()):
            if not runtime.fanout.connections:
                continue
            try:
                await runtime.check_live()
            except StoreUnavailable:
                pass  # the scheduler's tick reports it
            except Exception:  # noqa: BLE001 - one broken exercise must not stop the others
                log.exception("exercise %s: live check fault", runtime.id)

    async def _probe_store(self) -> None:
        """While the store is failing, ask it each tick whether it would take an append again:
        the degraded state ends without waiting for a command to succeed."""
        try:
            await self.store.check()
        except StoreUnavailable:
            return
        self.health.works(STORE)

    async def stop(self) -> None:
        if self._ticker:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
        for task in list(self._loading.values()):
            task.cancel()
        for runtime in self.runtimes.values():
            for conn in list(runtime.fanout.connections):
                conn.kick(1012, "server restarting; reconnect and resume")
            runtime.close()
        await self.bus.close()
