"""The live library: the scenarios folder looked at about once a second, the server's library
reloaded in place when a file changed, and a change counter the browser can wait on.

A look is a few `stat` calls (the scenario files, `basemaps/`, `attachments/`); the library is
reloaded only when what they say changed. The library is updated in place, so the registry (which
holds `library.scenarios`) and the pages see the new scenarios at once. Running exercises keep
the scenario they were opened with (it is in their first event); their attachments keep being
found in the folder their scenario came from, also once the scenario is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from ..scenarios import CheckedFile, Library, check_file, load_library, scenario_files
from .shelf import FileKey, file_key

log = logging.getLogger("exercise_server.studio")

Signature = tuple[tuple[str, int, int], ...]


def folder_signature(paths: Sequence[Path]) -> Signature:
    """Name, size and modification time of every file the library reads."""
    seen: list[tuple[str, int, int]] = []
    folders = {p.parent for p in scenario_files(paths)} | {p for p in paths if p.is_dir()}
    candidates = list(scenario_files(paths))
    for folder in sorted(folders):
        for sub in ("basemaps", "attachments"):
            with contextlib.suppress(OSError):
                candidates += sorted((folder / sub).iterdir())
    for path in candidates:
        try:
            st = path.stat()
        except OSError:
            continue
        seen.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(seen)


class CachedChecks:
    """`scenarios.check_file`, remembered per file while the file and the folder's base maps and
    attachments (which the check reads too) stay the same: a save re-checks one file, not all."""

    def __init__(self) -> None:
        self.files: dict[Path, tuple[FileKey, CheckedFile]] = {}
        self.others: Signature = ()

    def forget_unless(self, others: Signature) -> None:
        if others != self.others:
            self.files.clear()
            self.others = others

    def __call__(self, path: Path) -> CheckedFile:
        key = file_key(path)
        cached = self.files.get(path)
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        checked = check_file(path)
        if key is not None:
            self.files[path] = (key, checked)
        return checked


def _others(signature: Signature) -> Signature:
    return tuple(s for s in signature if Path(s[0]).parent.name in ("basemaps", "attachments"))


class LibraryWatch:
    """Reloads `library` when the files change; `changes` counts the reloads."""

    INTERVAL = 1.0
    LONG_POLL = 25.0

    def __init__(self, paths: Sequence[str | Path], library: Library) -> None:
        self.paths = [Path(p) for p in paths]
        self.library = library
        self.changes = 0
        self._signature = folder_signature(self.paths)
        self._checks = CachedChecks()
        self._checks.forget_unless(_others(self._signature))
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def poll(self) -> bool:
        """Look now; reload and wake the waiters if something changed."""
        signature = folder_signature(self.paths)
        if signature == self._signature:
            return False
        self._signature = signature
        self._checks.forget_unless(_others(signature))
        self.reload(load_library(self.paths, self._checks))
        return True

    def reload(self, fresh: Library | None = None) -> None:
        fresh = fresh or load_library(self.paths)
        lib = self.library
        added = set(fresh.scenarios) - set(lib.scenarios)
        removed = set(lib.scenarios) - set(fresh.scenarios)
        lib.scenarios.clear()
        lib.scenarios.update(fresh.scenarios)
        lib.failed[:] = fresh.failed
        lib.basemaps.update(fresh.basemaps)  # a running exercise may still draw on a base map no scenario names
        lib.folders.update(fresh.folders)  # and read the attachments of a scenario since deleted
        self.changes += 1
        for f in fresh.failed:
            for p in f.problems:
                log.warning("scenario not loaded: %s:%d: %s", f.path, p.line, p.message)
        log.info(
            "scenarios reloaded: %d loaded%s%s",
            len(fresh.scenarios),
            f", added {', '.join(sorted(added))}" if added else "",
            f", removed {', '.join(sorted(removed))}" if removed else "",
        )
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, since: int, timeout: float | None = None) -> int:
        """The change counter, once it is past `since`, after `timeout` seconds, or at shutdown."""
        if self.changes == since and not self.closing:
            self.waiting += 1
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), self.LONG_POLL if timeout is None else timeout)
            finally:
                self.waiting -= 1
        return self.changes

    closing = False
    waiting = 0  # long polls waiting now

    def close_waiters(self) -> None:
        """The server is stopping: every long poll answers now (uvicorn waits for open requests
        before it stops, and a long poll would hold it for its whole window)."""
        self.closing = True
        self._changed.set()

    def end_polls_on_signals(self) -> None:
        """Chain SIGINT and SIGTERM (uvicorn's handlers, which start its shutdown) with
        `close_waiters`. Outside the main thread (a test client) there is nothing to chain."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if not callable(previous):
                continue

            def handler(signum: int, frame: FrameType | None, previous: Callable[..., Any] = previous) -> None:
                loop.call_soon_threadsafe(self.close_waiters)
                previous(signum, frame)

            signal.signal(sig, handler)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scenario-library-watch")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.INTERVAL)
            try:
                await self._look()
            except Exception:  # noqa: BLE001 - a broken look must not stop the next one
                log.exception("looking at the scenarios folder failed")

    async def _look(self) -> None:
        """The stat calls and the parsing off the event loop; the swap (shared state) on it."""
        signature = await asyncio.to_thread(folder_signature, self.paths)
        if signature == self._signature:
            return
        self._checks.forget_unless(_others(signature))
        fresh = await asyncio.to_thread(load_library, self.paths, self._checks)
        self._signature = signature
        self.reload(fresh)

    async def stop(self) -> None:
        self.close_waiters()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
