"""The cyclic garbage collector held off while one pass over a long log builds what it keeps.

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


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Within: no cyclic collections (reference counting frees as ever). Nested or in several threads
    at once, the collector comes back when the last pass ends, if it was on when the first began."""
    global _passes, _was_on
    with _lock:
        if _passes == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _passes += 1
    try:
        yield
    finally:
        with _lock:
            _passes -= 1
            if _passes == 0 and _was_on:
                gc.enable()
