"""The one Redis design the event store and the bus share: the key layout, the stored form
of an event, and the client. The log is the bus: the bus reads the streams the store appends to."""

from __future__ import annotations

import asyncio
from typing import cast

import msgpack
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .core.events import Event


class RedisKeys:
    """Every key this server writes, under one prefix (so tests and tenants can share a Redis)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def log(self, exercise: str) -> str:
        return f"{self.prefix}ex:{exercise}:log"

    def exercise_of_log(self, key: str) -> str:
        """The exercise whose log is `key` (the inverse of `log`)."""
        return key.removeprefix(f"{self.prefix}ex:").removesuffix(":log")

    def epoch(self, exercise: str) -> str:
        """The id of the log's history (store/redis.py begin_epoch)."""
        return f"{self.prefix}ex:{exercise}:epoch"

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


# A stream entry as the client returns it (it never decodes replies): its id and its fields.
Entry = tuple[bytes, dict[bytes, bytes]]


def entries(reply: object) -> list[Entry]:
    """An XRANGE/XREVRANGE reply, typed as this client gives it (redis-py types replies for every
    decoding mode at once)."""
    return cast("list[Entry]", reply or [])


def streams(reply: object) -> list[tuple[bytes, list[Entry]]]:
    """An XREAD reply: each stream's key and its new entries."""
    return cast("list[tuple[bytes, list[Entry]]]", reply or [])


def entry_seq(entry_id: bytes | str) -> int:
    """The sequence number an entry id `<seq>-1` stands for."""
    entry = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(entry.split("-", 1)[0])


def encode_body(event: Event) -> bytes:
    """The stored form of an event: everything but its sequence number, which is the entry id."""
    d = event.to_dict()
    d.pop("seq")
    packed: bytes = msgpack.packb(d, use_bin_type=True)
    return packed


def decode_entry(entry_id: bytes | str, body: bytes) -> Event:
    d = msgpack.unpackb(body, raw=False)
    d["seq"] = entry_seq(entry_id)
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
