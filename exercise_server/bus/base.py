"""The bus interface. One file per backend; a URL chooses it at start-up.

Subscribers must accept the same event twice (a process sees its own appends both
when it makes them and when the bus brings them round): they skip what they hold.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

from ..core.events import Event

Subscriber = Callable[[Sequence[Event]], None]
StatusListener = Callable[[bool], None]  # True: the bus works; False: it lost its backend


class Bus(Protocol):
    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        """Hand events this process stored to the local subscribers of `exercise`, in order."""
        ...

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        """Deliver every event of `exercise` after sequence number `after`, from any process.
        Returns the function that unsubscribes."""
        ...

    def on_status(self, listener: StatusListener) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


def open_bus(redis_url: str | None = None, redis_prefix: str = "exsrv:") -> Bus:
    if redis_url:
        from .redis import RedisBus
        return RedisBus(redis_url, redis_prefix)
    from .memory import MemoryBus
    return MemoryBus()
