"""Who is connected to one exercise: this process's connections merged with the other processes'
(through the bus), told to every connection as its view may see it, in batches."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..bus.base import Bus
from ..core.access import Principal
from ..core.presence import PresenceEntry, presence_view
from ..core.projections import ExerciseState
from . import protocol
from .connection import Connection
from .fanout import Fanout


class Presence:
    DELAY = 0.1  # seconds: the attaches and detaches within it share one presence broadcast
    # A broadcast writes to every connection (about 25 us each), so under churn they are spaced by
    # this much per connection told: presence then costs at most about 5% of a CPU, and a storm of
    # reconnects (each one an attach) shares a broadcast or two instead of one every DELAY.
    SPACING_PER_CONNECTION = 0.0005  # seconds
    LONGEST_SPACING = 2.0  # seconds: how late presence may be told at 4,000 connections and more

    def __init__(self, exercise: str, state: ExerciseState, bus: Bus, fanout: Fanout) -> None:
        self.exercise, self.state, self.bus, self.fanout = exercise, state, bus, fanout
        # Kept as connections come and go rather than counted by walking them all: a storm of
        # N reconnects would otherwise cost N walks of every connection.
        self.online: dict[str, PresenceEntry] = {}  # participant -> its entry, through this process
        # The same for the connections other server processes hold (on Redis), merged: the bus keeps it current.
        self.remote: dict[str, PresenceEntry] = {}
        self._changed = False  # since it was last shared with the other processes
        self._due: asyncio.TimerHandle | None = None
        self._told_at = -float("inf")  # loop time of the last broadcast
        # Other processes' presence is followed while this process serves the exercise to someone:
        # a process that merely knows of an exercise (every one ever stored) does not read it each second.
        self._unwatch: Callable[[], None] | None = None

    def arrived(self, conn: Connection) -> None:
        """`conn` is attached: count it, tell it at once who is there, and everyone else soon."""
        if self._unwatch is None:
            self._unwatch = self.bus.watch_presence(self.exercise, self._remote_changed)
        p = conn.principal
        self.online.setdefault(
            p.participant,
            {"participant": p.participant, "name": p.name, "role": p.role, "team": p.team, "connections": 0},
        )["connections"] += 1
        conn.offer(protocol.encode(self.frame_for(p), conn.fmt))  # its own arrival, at once
        self._changed = True
        self._soon()

    def left(self, conn: Connection) -> None:
        participant = conn.principal.participant
        entry = self.online.get(participant)
        if entry is not None:
            entry["connections"] -= 1
            if not entry["connections"]:
                del self.online[participant]
        self._changed = True
        self._soon()
        if not self.online and self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
            self.remote = {}

    def everyone(self) -> dict[str, PresenceEntry]:
        """Who is connected to the exercise, through this process or any other: participant -> entry."""
        if not self.remote:
            return dict(self.online)
        merged = dict(self.remote)
        for pid, entry in self.online.items():
            there = merged.get(pid)
            merged[pid] = (
                entry if there is None else {**entry, "connections": entry["connections"] + there["connections"]}
            )
        return merged

    async def connection_count(self) -> int:
        """The exercise's open WebSockets, on every process."""
        remote = self.remote if self._unwatch is not None else await self.bus.read_presence(self.exercise)
        return len(self.fanout.connections) + sum(entry["connections"] for entry in remote.values())

    def frame_for(self, principal: Principal, everyone: dict[str, PresenceEntry] | None = None) -> dict[str, Any]:
        """The presence frame `principal` may see. Encode it at once: its entries are the live ones."""
        assert self.state.scenario is not None
        online, rooms = presence_view(self.state.scenario, principal, self.everyone() if everyone is None else everyone)
        return protocol.presence(online, rooms)

    def _soon(self) -> None:
        """Presence for everyone a moment later: a join storm of N clients then costs a few
        broadcasts instead of N broadcasts of N frames each."""
        if self._due is None:
            loop = asyncio.get_running_loop()
            spacing = min(self.LONGEST_SPACING, self.SPACING_PER_CONNECTION * len(self.fanout.connections))
            at = max(loop.time() + self.DELAY, self._told_at + spacing)
            self._due = loop.call_at(at, self._broadcast)

    def _broadcast(self) -> None:
        self._due = None
        self._told_at = asyncio.get_running_loop().time()
        if self._changed:
            self._changed = False
            self.bus.share_presence(self.exercise, self.online)
        everyone = self.everyone()
        for (_, fmt), conns in list(self.fanout.views.items()):  # presence depends on the view only
            members = list(conns)
            frame = protocol.encode(self.frame_for(members[0].principal, everyone), fmt)
            for conn in members:
                conn.offer(frame)

    def _remote_changed(self, remote: dict[str, PresenceEntry]) -> None:
        """Who is connected through the other processes changed: tell this process's connections (batched)."""
        self.remote = remote
        self._soon()

    def close(self) -> None:
        if self._due is not None:
            self._due.cancel()
        if self._unwatch is not None:
            self._unwatch()
