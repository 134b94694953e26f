"""The distributed event store: one Redis Stream per exercise.

Stream entry ids are `<seq>-1`, so reads by sequence range are plain XRANGE calls.
Appends run as one Lua script, so sequence numbers stay gap-free with several writers:
the script checks the head the writer decided on (and the scheduler's fencing token)
and adds the whole batch, or nothing. Durability is Redis's: run it with
`appendonly yes` and `appendfsync always` (docs/deployment.md) so that an append that
returned is on disk.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence

import msgpack
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..core.events import Draft, Event
from .base import FenceLost, HeadMismatch, OutcomeUnknown, StoreUnavailable

_APPEND = """
local head = 0
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then head = tonumber(string.match(last[1][1], '^(%d+)')) end
local expected = tonumber(ARGV[2])
if expected >= 0 and expected ~= head then return {-1, head} end
local fence = tonumber(ARGV[3])
if fence >= 0 then
  local current = tonumber(redis.call('GET', KEYS[3]) or '0')
  if current ~= fence then return {-2, current} end
end
for i = 4, #ARGV do
  redis.call('XADD', KEYS[1], (head + i - 3) .. '-1', 'e', ARGV[i])
end
redis.call('SADD', KEYS[2], ARGV[1])
return {head + 1, head + #ARGV - 3}
"""

_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return redis.call('INCR', KEYS[2])
end
return -1
"""


class RedisKeys:
    """Every key this server writes, under one prefix (so tests and tenants can share a Redis)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def log(self, exercise: str) -> str:
        return f"{self.prefix}ex:{exercise}:log"

    def lease(self, exercise: str) -> str:
        return f"{self.prefix}ex:{exercise}:scheduler"

    def fence(self, exercise: str) -> str:
        return f"{self.prefix}ex:{exercise}:fence"

    def presence(self, exercise: str) -> str:
        return f"{self.prefix}ex:{exercise}:presence"

    @property
    def presence_notices(self) -> str:
        return f"{self.prefix}presence"

    @property
    def exercises(self) -> str:
        return f"{self.prefix}exercises"

    def secret(self, name: str) -> str:
        return f"{self.prefix}secret:{name}"


def encode_body(event: Event) -> bytes:
    """The stored form of an event: everything but its sequence number, which is the entry id."""
    d = event.to_dict()
    d.pop("seq")
    return msgpack.packb(d, use_bin_type=True)


def decode_entry(entry_id: bytes | str, body: bytes) -> Event:
    d = msgpack.unpackb(body, raw=False)
    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    d["seq"] = int(entry.split("-", 1)[0])
    return Event.from_dict(d)


MAX_CONNECTIONS = 32  # per client: beyond it, commands wait for a free connection


def connect(url: str) -> aioredis.Redis:
    """A client that reconnects once by itself when a pooled connection turns out dead
    (a Redis that restarted). Retrying an append is safe: the script's head check
    refuses a second run, and `append` recognises its own batch (see `_landed`).

    The pool is bounded and callers queue for it: a burst of concurrent commands on a
    busy event loop would otherwise open as many connections at once, and their connects
    time out (the 2 s below) instead of waiting their turn."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=10,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=1,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    return aioredis.Redis.from_pool(pool)


async def close_client(client: aioredis.Redis) -> None:
    """Close a client without waiting forever on a connection a cancelled command left busy."""
    try:
        await asyncio.wait_for(client.aclose(), 2)
    except (TimeoutError, RedisError, OSError):
        pass


class RedisStore:
    def __init__(self, url: str, prefix: str = "exsrv:") -> None:
        self.keys = RedisKeys(prefix)
        self.redis = connect(url)
        self._append = self.redis.register_script(_APPEND)
        self._lease = self.redis.register_script(_LEASE)

    async def append(
        self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None, fence: int | None = None
    ) -> list[Event]:
        bodies = [encode_body(Event.from_draft(exercise, 0, d)) for d in drafts]
        try:
            first, last = await self._append(
                keys=[self.keys.log(exercise), self.keys.exercises, self.keys.fence(exercise)],
                args=[
                    exercise,
                    -1 if expected_head is None else expected_head,
                    -1 if fence is None else fence,
                    *bodies,
                ],
            )
        except RedisError as exc:
            # The script may have run before the connection failed: look before saying no.
            if (landed := await self._landed(exercise, expected_head, bodies)) is not None:
                return landed
            raise StoreUnavailable(f"Redis: {exc}; nothing was stored") from exc
        if first == -1:
            # A retried script whose first run did land finds its own events at the head.
            if (landed := await self._landed(exercise, expected_head, bodies)) is not None:
                return landed
            raise HeadMismatch(f"head is {last}, not {expected_head}")
        if first == -2:
            raise FenceLost(f"fencing token {fence} is stale (now {last})")
        return [Event.from_draft(exercise, first + i, d) for i, d in enumerate(drafts)]

    async def _landed(self, exercise: str, expected_head: int | None, bodies: list[bytes]) -> list[Event] | None:
        """Our batch, if it is stored right after `expected_head` (an append whose reply was lost)."""
        if expected_head is None:
            return None
        try:
            entries = await self.redis.xrange(
                self.keys.log(exercise), min=str(expected_head + 1), max=str(expected_head + len(bodies))
            )
        except RedisError as exc:
            raise OutcomeUnknown(f"Redis: {exc}; whether the append landed is unknown") from exc
        if [fields[b"e"] for _, fields in entries] != bodies:
            return None
        return [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in entries]

    async def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        try:
            entries = await self.redis.xrange(
                self.keys.log(exercise), min=str(after + 1), max="+" if until is None else str(until)
            )
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in entries]

    async def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        """A scan of the stream: replay reads by sequence number; this serves rare range queries."""
        return [e for e in await self.read(exercise) if start <= e.ex_time <= end]

    async def head(self, exercise: str) -> int:
        try:
            last = await self.redis.xrevrange(self.keys.log(exercise), count=1)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return int(last[0][0].decode().split("-", 1)[0]) if last else 0

    async def exercises(self) -> list[str]:
        try:
            return sorted(m.decode() for m in await self.redis.smembers(self.keys.exercises))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc

    async def lease(self, exercise: str, owner: str, ttl: float) -> int | None:
        """Take or keep the exercise's scheduler lease; its fencing token, or None if another holds it."""
        try:
            fence = await self._lease(
                keys=[self.keys.lease(exercise), self.keys.fence(exercise)], args=[owner, int(ttl * 1000)]
            )
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return None if fence == -1 else int(fence)

    async def shared_secret(self, name: str) -> str:
        """A secret every server process on this Redis agrees on (created by the first)."""
        key = self.keys.secret(name)
        await self.redis.set(key, secrets.token_urlsafe(24), nx=True)
        return (await self.redis.get(key)).decode()

    async def close(self) -> None:
        await close_client(self.redis)
