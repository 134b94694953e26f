"""Room messages stored together (group commit), for one exercise.

A room message changes nothing a decision reads: its fold adds a row to `messages` (which no
decider reads), a command id and the exercise time (both carried here). So the runtime decides
room messages at once, against the state without the messages still being stored, and queues
them here. One task stores the queue: everything queued while an append is in flight goes in
the next append, one transaction (one fsync, or one Redis script call), which the runtime's
`_commit` folds, fans out and publishes as any other; only then is each message's command
answered. If that append fails, every message in it is refused with the same error and nothing
of it was folded or sent. Any other change waits until the queue is empty (`drain`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from ..core import events as ev

CommandKey = tuple[str, str | int]  # (participant, the client's id for the command)


class MessageQueue:
    def __init__(self, name: str, commit: Callable[[list[ev.Draft]], Awaitable[list[ev.Event]]]) -> None:
        self.name, self.commit = name, commit
        self._queue: list[tuple[list[ev.Draft], asyncio.Future[list[ev.Event]]]] = []
        self._storing: asyncio.Task[None] | None = None  # while anything is queued or being stored
        self._ids: set[CommandKey] = set()  # command ids queued or being stored
        self._ex_time = 0.0  # the latest exercise time queued: it never runs backwards

    @property
    def busy(self) -> bool:
        return self._storing is not None

    def holds(self, key: CommandKey) -> bool:
        """Whether the command with this id is queued or being stored (a resend must wait for it)."""
        return key in self._ids

    def add(self, drafts: list[ev.Draft]) -> asyncio.Future[list[ev.Event]]:
        """Queue decided room messages; the future is their stored events (or the store's refusal)."""
        if any(d.ex_time < self._ex_time for d in drafts):
            drafts = [replace(d, ex_time=max(d.ex_time, self._ex_time)) for d in drafts]
        self._ex_time = max(d.ex_time for d in drafts)
        self._ids.update((d.command.participant, d.command.id) for d in drafts if d.command is not None)
        stored: asyncio.Future[list[ev.Event]] = asyncio.get_running_loop().create_future()
        self._queue.append((drafts, stored))
        if self._storing is None:
            self._storing = asyncio.get_running_loop().create_task(self._store(), name=f"messages-{self.name}")
        return stored

    async def drain(self) -> None:
        """Wait until everything queued is stored or refused (the caller holds the exercise's lock,
        so nothing joins the queue meanwhile)."""
        if self._storing is not None:
            await asyncio.wait([self._storing])

    async def _store(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    events = await self.commit([d for drafts, _ in batch for d in drafts])
                except asyncio.CancelledError:
                    for _, stored in batch:
                        stored.cancel()
                    raise
                except Exception as exc:  # noqa: BLE001 - every message of the batch is refused with it
                    for _, stored in batch:
                        if not stored.done():
                            stored.set_exception(exc)
                else:
                    first = 0
                    for drafts, stored in batch:
                        if not stored.done():
                            stored.set_result(events[first : first + len(drafts)])
                        first += len(drafts)
                finally:
                    self._ids.difference_update(
                        (d.command.participant, d.command.id) for drafts, _ in batch for d in drafts if d.command
                    )
        finally:
            self._storing = None
            self._ex_time = 0.0
