"""Idempotent commands (protocol 1.1): which command ids each participant has used, and how they ended.

A client's command `id` is its idempotency key: a command resent with an id already stored
for that participant is answered with the original `ack` and stores nothing. What is stored
comes from the log (`CommandIds`, folded with the rest of ExerciseState from each event's
`command`), so it holds after a crash, a restart or a Redis failover, and on every process.
A refusal stores nothing, so only the process that refused remembers it (`Refusals`).

Both remember the latest PER_PARTICIPANT ids of each participant: an older id resent is
decided anew. What a client resends is what it had sent and not seen answered when its
connection dropped (the browser client: the commands of the last round trip, one per click;
it refuses new ones while offline), so 64 covers that and the participant's other tabs meanwhile,
while a day of commands costs a bounded 64 x about 250 bytes per participant, not a growing log
(docs/protocol.md, section 4). No I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from . import events as ev
from .errors import CommandError

PER_PARTICIPANT = 64
# Refusals that say nothing about the command itself: a resend is decided again.
TRANSIENT = frozenset({"unavailable", "rate_limited", "internal"})


def digest(command: dict[str, Any]) -> str:
    """A short fingerprint of a command's body (without its id): tells a resend from another
    command that reuses the id. Key order does not matter; the body is a plain value (protocol.decode)."""
    body = json.dumps(command, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(body.encode(), digest_size=8).hexdigest()


def reused(cid: str | int) -> CommandError:
    return CommandError("id_reused", f"command id {cid!r} was used for another command; choose a new id")


@dataclass(frozen=True, slots=True)
class Stored:
    """A command in the log: its events are first_seq..last_seq."""

    first_seq: int
    last_seq: int
    digest: str


@dataclass
class CommandIds:
    """participant -> {id: Stored}, oldest first, the latest PER_PARTICIPANT ids each."""

    by_participant: dict[str, dict[str | int, Stored]] = field(default_factory=dict)

    def record(self, event: ev.Event) -> None:
        ref = event.command
        if ref is None:
            return
        ids = self.by_participant.setdefault(ref.participant, {})
        known = ids.get(ref.id)
        if known is not None and known.last_seq == event.seq - 1 and known.digest == ref.digest:
            ids[ref.id] = Stored(known.first_seq, event.seq, ref.digest)  # the same command's next event
            return
        ids.pop(ref.id, None)
        ids[ref.id] = Stored(event.seq, event.seq, ref.digest)
        if len(ids) > PER_PARTICIPANT:
            del ids[next(iter(ids))]

    def stored(self, participant: str, cid: str | int) -> Stored | None:
        return self.by_participant.get(participant, {}).get(cid)


class Refusals:
    """The commands this process refused, by participant and id: a resend gets the same error.

    In memory only (nothing was stored): after a restart, or on another process, a resend is
    decided anew, which is safe since the refused attempt changed nothing."""

    def __init__(self) -> None:
        self._by_participant: dict[str, dict[str | int, tuple[str, str, str]]] = {}

    def remember(self, participant: str, cid: str | int, body_digest: str, refusal: CommandError) -> None:
        if refusal.code in TRANSIENT:
            return
        ids = self._by_participant.setdefault(participant, {})
        ids.pop(cid, None)
        ids[cid] = (body_digest, refusal.code, refusal.message)
        if len(ids) > PER_PARTICIPANT:
            del ids[next(iter(ids))]

    def answer(self, participant: str, cid: str | int, body_digest: str) -> CommandError | None:
        """The refusal to answer a resend with (the same one, or id_reused for another body), or None."""
        known = self._by_participant.get(participant, {}).get(cid)
        if known is None:
            return None
        return CommandError(known[1], known[2]) if known[0] == body_digest else reused(cid)
