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
from typing import Any, cast

from redis.exceptions import NoScriptError, RedisError

from ..core.events import Draft, Event
from ..redis_keys import RedisKeys, close_client, connect, decode_entry, encode_body, entries, entry_seq
from .base import FenceLost, HeadMismatch, OutcomeUnknown, Segment, StoreUnavailable, new_epoch

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


class RedisStore:
    def __init__(self, url: str, prefix: str = "exsrv:") -> None:
        self.keys = RedisKeys(prefix)
        self.redis = connect(url)
        self._append = self.redis.register_script(_APPEND)
        self._waiting: list[tuple[list[Any], asyncio.Future[Any]]] = []  # appends for the next round trip
        self._sending: asyncio.Task[None] | None = None
        self._lease = self.redis.register_script(_LEASE)

    async def append(
        self, exercise: str, drafts: Sequence[Draft], expected_head: int | None = None, fence: int | None = None
    ) -> list[Event]:
        bodies = [encode_body(Event.from_draft(exercise, 0, d)) for d in drafts]
        keys = [self.keys.log(exercise), self.keys.exercises, self.keys.fence(exercise)]
        args = [exercise, -1 if expected_head is None else expected_head, -1 if fence is None else fence, *bodies]
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(([*keys, *args], reply))
        if self._sending is None:
            self._sending = asyncio.get_running_loop().create_task(self._send_waiting(), name="redis-appends")
        outcome = await reply  # a caller cancelled meanwhile cancels only its own wait
        if isinstance(outcome, RedisError):
            # The script may have run before the connection failed: look before saying no.
            if (landed := await self._landed(exercise, expected_head, bodies)) is not None:
                return landed
            raise StoreUnavailable(f"Redis: {outcome}; nothing was stored") from outcome
        first, last = outcome
        if first == -1:
            # A retried script whose first run did land finds its own events at the head.
            if (landed := await self._landed(exercise, expected_head, bodies)) is not None:
                return landed
            raise HeadMismatch(f"head is {last}, not {expected_head}")
        if first == -2:
            raise FenceLost(f"fencing token {fence} is stale (now {last})")
        return [Event.from_draft(exercise, first + i, d) for i, d in enumerate(drafts)]

    async def _send_waiting(self) -> None:
        """Pipelining: the appends that arrive while a round trip is in flight go in the next one,
        each its own script (atomic, head-checked, answered alone), all in one round trip."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    replies = await self._round_trip([arguments for arguments, _ in batch])
                except BaseException as exc:  # whatever it is, no append is left waiting for an answer
                    for _, reply in batch:
                        if reply.done():
                            continue
                        if isinstance(exc, asyncio.CancelledError):
                            reply.cancel()
                        else:
                            reply.set_exception(exc)
                    raise
                for (_, reply), outcome in zip(batch, replies, strict=True):
                    if not reply.done():
                        reply.set_result(outcome)
        finally:
            self._sending = None

    async def _round_trip(self, calls: list[list[Any]]) -> list[Any]:
        """One round trip: each call's reply, or the RedisError it met (a Redis that lost its
        script cache gets the script again, and the calls a second round trip)."""
        replies = await self._run_scripts(calls)
        if any(isinstance(r, NoScriptError) for r in replies):
            try:
                await self.redis.script_load(_APPEND)
            except RedisError as exc:
                return [exc] * len(calls)
            replies = await self._run_scripts(calls)
        return replies

    async def _run_scripts(self, calls: list[list[Any]]) -> list[Any]:
        try:
            pipe = self.redis.pipeline(transaction=False)
            for arguments in calls:
                pipe.evalsha(self._append.sha, 3, *arguments)
            return list(await pipe.execute(raise_on_error=False))
        except RedisError as exc:
            return [exc] * len(calls)

    async def _landed(self, exercise: str, expected_head: int | None, bodies: list[bytes]) -> list[Event] | None:
        """Our batch, if it is stored right after `expected_head` (an append whose reply was lost)."""
        if expected_head is None:
            return None
        try:
            found = entries(
                await self.redis.xrange(
                    self.keys.log(exercise), min=str(expected_head + 1), max=str(expected_head + len(bodies))
                )
            )
        except RedisError as exc:
            raise OutcomeUnknown(f"Redis: {exc}; whether the append landed is unknown") from exc
        if [fields[b"e"] for _, fields in found] != bodies:
            return None
        return [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in found]

    async def read(self, exercise: str, after: int = 0, until: int | None = None) -> list[Event]:
        try:
            found = entries(
                await self.redis.xrange(
                    self.keys.log(exercise), min=str(after + 1), max="+" if until is None else str(until)
                )
            )
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return [decode_entry(entry_id, fields[b"e"]) for entry_id, fields in found]

    async def read_ex_time(self, exercise: str, start: float, end: float) -> list[Event]:
        """A scan of the stream: replay reads by sequence number; this serves rare range queries."""
        return [e for e in await self.read(exercise) if start <= e.ex_time <= end]

    async def head(self, exercise: str) -> int:
        try:
            last = entries(await self.redis.xrevrange(self.keys.log(exercise), count=1))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        return entry_seq(last[0][0]) if last else 0

    async def begin_epoch(self, exercise: str) -> list[Segment]:
        """One epoch per stream, made by the first process to serve it, kept beside it: several
        processes append to one stream at once, so a segment per process start would interleave.
        A stream lost with its epoch (a Redis restarted without its files, a flushed database) and
        rebuilt gets a new one. Not detected: a history cut back with its epoch kept (a failover to
        a replica that missed the last appends, an older RDB file restored); docs/deployment.md."""
        key = self.keys.epoch(exercise)
        try:
            await self.redis.set(key, new_epoch(), nx=True)
            epoch = await self.redis.get(key)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc
        assert isinstance(epoch, bytes)
        return [Segment(epoch.decode(), 1)]

    async def exercises(self) -> list[str]:
        try:
            members = cast("set[bytes]", await self.redis.smembers(self.keys.exercises))
            return sorted(m.decode() for m in members)
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
        secret = await self.redis.get(key)
        assert isinstance(secret, bytes)
        return secret.decode()

    async def check(self) -> None:
        try:
            await self.redis.ping()
        except RedisError as exc:
            raise StoreUnavailable(f"Redis: {exc}") from exc

    async def close(self) -> None:
        await close_client(self.redis)
