"""The bus interface. One file per backend; a URL chooses it at start-up.

Subscribers must accept the same event twice (a process sees its own appends both
when it makes them and when the bus brings them round): they skip what they hold.

The bus also carries presence between processes: who is connected to an exercise
through each process. It is not part of the log (no sequence number, not kept).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..core.events import Event

log = logging.getLogger("exercise_server.bus")

Subscriber = Callable[[Sequence[Event]], None]
StatusListener = Callable[[bool], None]  # True: the bus works; False: it lost its backend
# The participants connected through the other processes: participant -> presence entry
# ({participant, name, role, team, connections}), their connections summed.
PresenceListener = Callable[[dict[str, dict[str, Any]]], None]


class Bus(Protocol):
    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        """Hand events this process stored to the local subscribers of `exercise`, in order."""
        ...

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        """Deliver every event of `exercise` after sequence number `after`, from any process.
        Returns the function that unsubscribes."""
        ...

    def on_status(self, listener: StatusListener) -> None: ...

    def share_presence(self, exercise: str, online: dict[str, dict[str, Any]]) -> None:
        """Tell the other processes who is connected to `exercise` through this one (participant ->
        presence entry; empty when nobody is). Returns at once: the bus sends it soon after."""
        ...

    def watch_presence(self, exercise: str, listener: PresenceListener) -> Callable[[], None]:
        """Call `listener` whenever the participants connected through the other processes change.
        Returns the function that stops watching."""
        ...

    async def read_presence(self, exercise: str) -> dict[str, dict[str, Any]]:
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


def open_bus(redis_url: str | None = None, redis_prefix: str = "exsrv:") -> Bus:
    if redis_url:
        from .redis import RedisBus

        return RedisBus(redis_url, redis_prefix)
    from .memory import MemoryBus

    return MemoryBus()
