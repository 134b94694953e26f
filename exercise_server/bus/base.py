"""The bus interface. One file per backend; a URL chooses it at start-up.

A process folds and fans out its own appends itself, then publishes them for the other
processes; the bus brings each subscriber the events the other processes stored, in order.
Subscribers must still accept an event they hold (the in-process bus hands a publication
to every subscriber, and a reader may meet an append before its writer publishes it):
they skip what they hold.

The bus also carries presence between processes: who is connected to an exercise
through each process. It is not part of the log (no sequence number, not kept).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from ..core.events import Event
from ..core.presence import PresenceEntry

log = logging.getLogger("exercise_server.bus")

Subscriber = Callable[[Sequence[Event]], None]
# The participants connected through the other processes: participant -> presence entry,
# their connections summed.
Online = dict[str, PresenceEntry]
PresenceListener = Callable[[Online], None]


class HealthSink(Protocol):
    """Where a bus that can lose its backend says so (server/health.py's Health)."""

    def failed(self, source: str, reason: str) -> None: ...

    def works(self, source: str) -> None: ...


class Bus(Protocol):
    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        """Tell the other processes' subscribers of `exercise` about events this process stored
        (and has folded and fanned out itself), in order."""
        ...

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        """Deliver the events of `exercise` after sequence number `after` that other processes
        store, in order. Returns the function that unsubscribes."""
        ...

    def share_presence(self, exercise: str, online: Online) -> None:
        """Tell the other processes who is connected to `exercise` through this one (participant ->
        presence entry; empty when nobody is). Returns at once: the bus sends it soon after."""
        ...

    def watch_presence(self, exercise: str, listener: PresenceListener) -> Callable[[], None]:
        """Call `listener` whenever the participants connected through the other processes change.
        Returns the function that stops watching."""
        ...

    async def read_presence(self, exercise: str) -> Online:
        """The participants connected to `exercise` through the other processes, read now (for an
        exercise this process does not watch)."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def notify(subscriber: Subscriber, exercise: str, events: Sequence[Event]) -> None:
    """Hand events to one subscriber; its failure is logged and does not stop the others."""
    try:
        subscriber(events)
    except Exception:  # noqa: BLE001 - one subscriber's fault must not end delivery (nor the bus's reader)
        log.exception("a subscriber of %s failed on events %d..%d", exercise, events[0].seq, events[-1].seq)


def open_bus(redis_url: str | None = None, redis_prefix: str = "exsrv:", health: HealthSink | None = None) -> Bus:
    """Redis when a URL is given (it reports losing Redis to `health`), else the in-process bus."""
    if redis_url:
        from .redis import RedisBus

        return RedisBus(redis_url, redis_prefix, health=health)
    from .memory import MemoryBus

    return MemoryBus()
