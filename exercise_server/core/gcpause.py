"""The cyclic garbage collector held off while one pass over a long log builds what it keeps, or
while a burst of connections comes and goes (server/gc_bursts.py).

A report of a 100,000-event exercise builds a few hundred thousand objects that all live until it
is done; each full collection the allocations set off walks all of them (and the log) again, to
find no garbage: a third of the report's time. Nothing the pass makes is a cycle to reclaim.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_passes = 0  # passes under way, in every thread (the server's reports run in worker threads)
_was_on = False  # whether the collector was on when the first of them began


def hold() -> None:
    """No cyclic collections from now until the matching `release` (reference counting frees as ever).
    Held several times or in several threads at once, the collector comes back when the last holder
    releases it, if it was on when the first took it."""
    global _passes, _was_on
    with _lock:
        if _passes == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _passes += 1


def release() -> None:
    global _passes
    with _lock:
        _passes -= 1
        if _passes == 0 and _was_on:
            gc.enable()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Within: no cyclic collections (see `hold`)."""
    hold()
    try:
        yield
    finally:
        release()
