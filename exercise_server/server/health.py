"""Whether this process can store events now: the one place that knows it is degraded.

Fed by whoever meets the event store: the runtime's appends and reads, the scheduler's
lease and its probe, and the Redis bus's reader. Read by `/healthz`, the registry (which
tells every connection when the state changes) and each newcomer's catch-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from . import protocol

log = logging.getLogger("exercise_server.health")

# The sources of failures: the event store, the bus that follows it, and a log found to lack events
# (a trimmed Redis stream: it stays degraded until the process restarts on a whole log).
STORE, BUS, LOG = "store", "bus", "log"


class Health:
    """Degraded while any source fails; ok again once each has worked since it failed."""

    def __init__(self) -> None:
        self._failing: dict[str, str] = {}  # source -> what failed, while it fails
        self._listeners: list[Callable[[], None]] = []

    @property
    def ok(self) -> bool:
        return not self._failing

    def failing(self, source: str) -> bool:
        return source in self._failing

    def failed(self, source: str, reason: str) -> None:
        """`source` met the event store unreachable."""
        was_ok = self.ok
        if source not in self._failing:
            log.warning("the event store is unreachable (%s): %s", source, reason)
        self._failing[source] = reason
        if was_ok:
            self._changed()

    def works(self, source: str) -> None:
        """`source` reached the event store (cheap when nothing failed: called on every append)."""
        if self._failing and self._failing.pop(source, None) is not None:
            log.warning("the event store answers again (%s)", source)
            if self.ok:
                self._changed()

    def notice(self) -> dict[str, Any]:
        """The `service` frame for the current state."""
        return protocol.service(degraded=not self.ok)

    def listen(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever the state turns degraded or ok."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
