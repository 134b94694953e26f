"""The cyclic GC waits while connections come and go in a burst, and runs once it is over.

A connection holds a few hundred objects the cyclic GC tracks. In a reconnect storm of 1,000 those
objects set off the generation-1 collection, which walks every one of them in a single pause of
0.1-0.2 s (measured on this project's 2-CPU machines), in the middle of the storm: every client
still waiting for its catch-up waits that long more. Nothing a storm makes needs the cyclic GC
soon (reference counting frees what a closed connection leaves, see Connection.release), so the
collections wait until the burst has been quiet for a moment; a burst that never ends gets them
anyway after LONGEST seconds."""

from __future__ import annotations

import asyncio

from ..core import gcpause


class BurstPause:
    QUIET = 0.5  # seconds without an arrival or departure that end a burst
    LONGEST = 5.0  # seconds: the longest the collector waits

    def __init__(self) -> None:
        self._began: float | None = None  # loop time the burst began, None outside one
        self._last = 0.0  # loop time of the burst's last arrival or departure
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the burst under way

    @property
    def holding(self) -> bool:
        return self._began is not None

    def touch(self) -> None:
        """A connection arrived or left."""
        loop = asyncio.get_running_loop()
        if self._began is not None and loop is not self._loop:  # a burst of a loop that ended unchecked
            self.close()
        self._last = now = loop.time()
        if self._began is None:
            self._began, self._loop = now, loop
            gcpause.hold()
            self._timer = loop.call_at(now + min(self.QUIET, self.LONGEST), self._check)

    def _check(self) -> None:
        assert self._began is not None
        loop = asyncio.get_running_loop()
        end = min(self._last + self.QUIET, self._began + self.LONGEST)
        if loop.time() < end:
            self._timer = loop.call_at(end, self._check)
            return
        self._began = self._timer = None
        gcpause.release()

    def close(self) -> None:
        """The collector back, whatever the burst: the server is stopping (its loop would not run
        the check that ends the burst)."""
        if self._timer is not None:
            self._timer.cancel()
        if self._began is not None:
            self._began = self._timer = None
            gcpause.release()


BURSTS = BurstPause()  # the process's: the collector is the process's
