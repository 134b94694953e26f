"""The distributed bus: every process reads the exercises' Redis Streams.

The log is the bus. A process that appends delivers its events at once to its own
subscribers; one reader task per process follows every subscribed stream with
blocking XREADs from the last sequence number it delivered, so events caused on
another process arrive in order and with no gap, and a reader that lost Redis picks
up exactly where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Sequence

from redis.exceptions import RedisError

from ..core.events import Event
from ..store.redis import RedisKeys, close_client, connect, decode_entry
from .base import StatusListener, Subscriber, notify

log = logging.getLogger("exercise_server.bus.redis")


class RedisBus:
    def __init__(self, url: str, prefix: str = "exsrv:", block_ms: int = 1000) -> None:
        self.keys = RedisKeys(prefix)
        self.redis = connect(url)
        self.block_ms = block_ms
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._positions: dict[str, int] = {}  # exercise -> last sequence number delivered
        self._listeners: list[StatusListener] = []
        self._task: asyncio.Task | None = None
        self._healthy = True

    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        self._deliver(exercise, events)

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        subs = self._subscribers.setdefault(exercise, [])
        subs.append(subscriber)
        self._positions[exercise] = max(self._positions.get(exercise, after), after)
        return lambda: subs.remove(subscriber) if subscriber in subs else None

    def on_status(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def _deliver(self, exercise: str, events: Sequence[Event]) -> None:
        fresh = [e for e in events if e.seq > self._positions.get(exercise, 0)]
        if not fresh:
            return
        self._positions[exercise] = fresh[-1].seq
        for subscriber in list(self._subscribers.get(exercise, ())):
            notify(subscriber, exercise, fresh)

    def _status(self, healthy: bool) -> None:
        if healthy != self._healthy:
            self._healthy = healthy
            log.warning("Redis %s", "is back" if healthy else "is unreachable")
            for listener in self._listeners:
                listener(healthy)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name="redis-bus-reader")

    async def _follow(self) -> None:
        backoff = 0.2
        while True:
            streams = {self.keys.log(ex): f"{pos}-1" if pos else "0-0"
                       for ex, pos in self._positions.items() if self._subscribers.get(ex)}
            try:
                if streams:
                    replies = await self.redis.xread(streams, count=1000, block=self.block_ms)
                else:  # nothing to follow: still notice Redis going away (the health check reports it)
                    await self.redis.ping()
                    replies = None
            except RedisError as exc:
                log.debug("reading Redis failed: %s", exc)
                self._status(False)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            backoff = 0.2
            self._status(True)
            if not streams:
                await asyncio.sleep(0.2)
            for key, entries in replies or []:
                exercise = key.decode().removeprefix(f"{self.keys.prefix}ex:").removesuffix(":log")
                self._deliver(exercise, [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in entries])

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=2)
        await close_client(self.redis)
