"""The distributed bus: every process reads the exercises' Redis Streams.

The log is the bus (redis_keys.py: one design with the store). A process that appends
folds and fans out its events itself, and publishing them only moves its reader past
them; one reader task per process follows every subscribed stream with blocking XREADs
from the last sequence number it delivered, so events caused on another process arrive
in order and with no gap, and a reader that lost Redis picks up exactly where it stopped
(and tells the process's health meanwhile).

Presence goes the same way, without a log: each process keeps the participants it
serves in a hash per exercise (one field per process, stamped with Redis's clock and
refreshed every second), announces a change on a small notices stream that the same
XREAD follows, and merges the other processes' fields. A field not refreshed for
PRESENCE_TTL seconds (a killed process) is dropped by the next reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence

import msgpack
from redis.exceptions import RedisError
from redis.typing import KeyT, StreamIdT

from ..core.events import Event
from ..redis_keys import Entry, RedisKeys, close_client, connect, decode_entry, entries, streams
from .base import HealthSink, Online, PresenceListener, Subscriber, notify

log = logging.getLogger("exercise_server.bus.redis")

# KEYS[1]: the exercise's presence hash; KEYS[2]: the presence notices stream.
# ARGV[1]: this process; ARGV[2]: its entries (msgpack; '' for none; '-' to only read);
# ARGV[3]: the time to live of a field, ms; ARGV[4]: the exercise; ARGV[5]: '1' to announce the change.
# Returns the entries of the other processes whose fields are alive.
_PRESENCE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
if ARGV[2] ~= '-' then
  if ARGV[2] == '' then
    redis.call('HDEL', KEYS[1], ARGV[1])
  else
    redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f', now) .. ' ' .. ARGV[2])
    redis.call('PEXPIRE', KEYS[1], ttl * 10)
  end
  if ARGV[5] == '1' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000', '*', 'x', ARGV[4], 'p', ARGV[1])
  end
end
local others = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local value = fields[i + 1]
  local space = string.find(value, ' ', 1, true)
  local stamp = space and tonumber(string.sub(value, 1, space - 1))
  if not stamp or now - stamp > ttl then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif fields[i] ~= ARGV[1] then
    others[#others + 1] = string.sub(value, space + 1)
  end
end
return others
"""


class RedisBus:
    PRESENCE_TTL = 3.0  # seconds: a process's presence not refreshed for this long is gone (killed)
    PRESENCE_HEARTBEAT = 1.0  # seconds between refreshes of this process's presence, and reads of the others'
    PRESENCE_DELAY = 0.1  # seconds: changes within it share one write (and one read)

    def __init__(
        self, url: str, prefix: str = "exsrv:", block_ms: int = 1000, health: HealthSink | None = None
    ) -> None:
        self.keys = RedisKeys(prefix)
        self.redis = connect(url)
        self.block_ms = block_ms
        self.health = health or _Unwatched()
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._positions: dict[str, int] = {}  # exercise -> last sequence number delivered (or published)
        self._tasks: list[asyncio.Task[None]] = []
        self._presence = self.redis.register_script(_PRESENCE)
        self._mine: dict[str, bytes] = {}  # exercise -> this process's entries, packed (b"": none, not yet written)
        self._watchers: dict[str, PresenceListener] = {}
        self._remote: dict[str, Online] = {}  # exercise -> the other processes' entries, merged
        self._to_write: set[str] = set()
        self._to_read: set[str] = set()
        self._wake = asyncio.Event()
        self._notices_from: str | None = None  # the id of the last presence notice read

    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        """The other processes read them from the stream: this one's reader only moves past them."""
        if events and events[-1].seq > self._positions.get(exercise, 0):
            self._positions[exercise] = events[-1].seq

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        subs = self._subscribers.setdefault(exercise, [])
        subs.append(subscriber)
        self._positions[exercise] = max(self._positions.get(exercise, after), after)
        return lambda: subs.remove(subscriber) if subscriber in subs else None

    def _deliver(self, exercise: str, events: Sequence[Event]) -> None:
        position = self._positions.get(exercise, 0)
        fresh = [e for e in events if e.seq > position]
        if not fresh:
            return
        if fresh[0].seq != position + 1:  # entries ids are consecutive: the stream lost some (XTRIM, XDEL)
            log.error(
                "exercise %s: its Redis stream skipped from %d to %d behind this reader (trimmed?); "
                "its subscribers catch up from the store, or hold where they are",
                exercise,
                position,
                fresh[0].seq,
            )
        self._positions[exercise] = fresh[-1].seq
        for subscriber in list(self._subscribers.get(exercise, ())):
            notify(subscriber, exercise, fresh)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._follow(), name="redis-bus-reader"),
            asyncio.create_task(self._share_presence(), name="redis-presence"),
        ]

    async def _follow(self) -> None:
        backoff = 0.2
        notices = self.keys.presence_notices
        while True:
            following: dict[KeyT, StreamIdT] = {
                self.keys.log(ex): f"{pos}-1" if pos else "0-0"
                for ex, pos in self._positions.items()
                if self._subscribers.get(ex)
            }
            try:
                if self._notices_from is None:  # from now on: earlier notices are settled by the first read
                    last = entries(await self.redis.xrevrange(notices, count=1))
                    self._notices_from = last[0][0].decode() if last else "0-0"
                following[notices] = self._notices_from  # always followed: a lost Redis is noticed even when idle
                replies = streams(await self.redis.xread(following, count=1000, block=self.block_ms))
            except RedisError as exc:
                log.debug("reading Redis failed: %s", exc)
                self.health.failed("bus", f"Redis: {exc}")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            backoff = 0.2
            self.health.works("bus")
            for key, new in replies:
                name = key.decode()
                if name == notices:
                    self._noticed(new)
                    continue
                exercise = self.keys.exercise_of_log(name)
                self._deliver(exercise, [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in new])

    # -- presence -----------------------------------------------------------------

    def share_presence(self, exercise: str, online: Online) -> None:
        self._mine[exercise] = msgpack.packb(list(online.values())) if online else b""
        self._to_write.add(exercise)
        self._wake.set()

    def watch_presence(self, exercise: str, listener: PresenceListener) -> Callable[[], None]:
        self._watchers[exercise] = listener
        self._to_read.add(exercise)
        self._wake.set()

        def unwatch() -> None:
            if self._watchers.get(exercise) is listener:
                del self._watchers[exercise]
                self._remote.pop(exercise, None)

        return unwatch

    def _noticed(self, notices: list[Entry]) -> None:
        """Another process's presence changed: read that exercise's soon."""
        self._notices_from = notices[-1][0].decode()
        for _, fields in notices:
            exercise = fields[b"x"].decode()
            if fields[b"p"].decode() != self.process and exercise in self._watchers:
                self._to_read.add(exercise)
                self._wake.set()

    async def _share_presence(self) -> None:
        """Write this process's changed presence, refresh it every heartbeat, and read the
        others' when told of a change (and every heartbeat, which drops a dead process's)."""
        loop = asyncio.get_running_loop()
        beat = loop.time()
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, beat - loop.time()))
            except TimeoutError:
                pass
            self._wake.clear()
            writes, self._to_write = self._to_write, set()
            reads, self._to_read = self._to_read, set()
            refresh: set[str] = set()
            if loop.time() >= beat:
                beat = loop.time() + self.PRESENCE_HEARTBEAT
                refresh, reads = set(self._mine), reads | set(self._watchers)
            try:
                for exercise in sorted(writes | refresh | reads):
                    await self._exchange(
                        exercise, announce=exercise in writes, write=exercise in writes or exercise in refresh
                    )
            except RedisError as exc:  # the reader reports the outage; retried on the next heartbeat
                log.debug("sharing presence failed: %s", exc)
                self._to_write |= writes
            except Exception:  # noqa: BLE001 - presence must not stop for good over one bad entry
                log.exception("sharing presence failed")
            await asyncio.sleep(self.PRESENCE_DELAY)

    async def read_presence(self, exercise: str) -> Online:
        try:
            return _merged(
                await self._presence(
                    keys=[self.keys.presence(exercise), self.keys.presence_notices],
                    args=[self.process, "-", int(self.PRESENCE_TTL * 1000), exercise, "0"],
                )
            )
        except (RedisError, OSError) as exc:  # the reader reports the outage; meanwhile only this process counts
            log.debug("reading presence failed: %s", exc)
            return {}

    async def _exchange(self, exercise: str, announce: bool, write: bool) -> None:
        entries = self._mine.get(exercise) if write else None
        others = await self._presence(
            keys=[self.keys.presence(exercise), self.keys.presence_notices],
            args=[
                self.process,
                "-" if entries is None else entries,
                int(self.PRESENCE_TTL * 1000),
                exercise,
                "1" if announce else "0",
            ],
        )
        if entries == b"" and self._mine.get(exercise) == b"":
            del self._mine[exercise]  # gone from Redis: nothing left to refresh
        remote = _merged(others)
        listener = self._watchers.get(exercise)
        if listener is not None and remote != self._remote.get(exercise, {}):
            self._remote[exercise] = remote
            listener(remote)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)
        # Leave at once rather than after PRESENCE_TTL: the others drop this process's entries now.
        try:
            async with asyncio.timeout(2):
                for exercise in [ex for ex, entries in self._mine.items() if entries or ex in self._to_write]:
                    self._mine[exercise] = b""
                    await self._exchange(exercise, announce=True, write=True)
        except (TimeoutError, RedisError, OSError):
            pass
        await close_client(self.redis)


def _merged(others: list[bytes]) -> Online:
    """The other processes' presence fields as one map: participant -> entry, connections summed."""
    remote: Online = {}
    for packed in others:
        for entry in msgpack.unpackb(packed, raw=False):
            known = remote.get(entry["participant"])
            if known is None:
                remote[entry["participant"]] = entry
            else:
                known["connections"] += entry["connections"]
    return remote


class _Unwatched:
    """No one to tell (a bus made without a Health, as in some tests): failures are only logged."""

    def failed(self, source: str, reason: str) -> None:
        log.debug("%s: %s", source, reason)

    def works(self, source: str) -> None:
        pass
