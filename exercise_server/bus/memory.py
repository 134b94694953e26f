"""In-process bus: the embedded default. Delivery is synchronous, so a subscriber sees
events in exactly the order they were stored, with nothing in between. Every subscriber
is handed each publication; the publisher's own skips what it has folded already."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.events import Event
from .base import Online, PresenceListener, Subscriber, notify


class MemoryBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscriber]] = {}

    def publish(self, exercise: str, events: Sequence[Event]) -> None:
        for subscriber in list(self._subscribers.get(exercise, ())):
            notify(subscriber, exercise, events)

    def subscribe(self, exercise: str, subscriber: Subscriber, after: int = 0) -> Callable[[], None]:
        subs = self._subscribers.setdefault(exercise, [])
        subs.append(subscriber)
        return lambda: subs.remove(subscriber) if subscriber in subs else None

    def share_presence(self, exercise: str, online: Online) -> None:
        pass  # one process: nobody else to tell

    def watch_presence(self, exercise: str, listener: PresenceListener) -> Callable[[], None]:
        return lambda: None  # and nobody connected elsewhere

    async def read_presence(self, exercise: str) -> Online:
        return {}

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass
