"""The control cell by name: controllers and evaluators the lead facilitator adds, each with a
personal sign-in secret shown once.

The lead is whoever holds the facilitator secret (`make run` prints it); the others sign in with
their own secret on the same form. A secret is kept as its SHA-256 (a random 128-bit secret needs
no slow hash), in `staff.json` in the data directory: it lasts across restarts, and every process
that shares the data directory shares it. An evaluator may be flagged the **lead evaluator**
(HSEEP's): only a lead evaluator sets the final ratings (core/lead_evaluation.py), as this list says
at each request. A member's token names them (every control action they take carries their name in
the log) and is checked against this list at each use: once the lead
removes them, their tokens are refused at hello and by the HTTP API, and their open connections
on this process close with 4410.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..core.access import EVALUATOR, FACILITATOR
from .errors import RequestError
from .tokens import Session

STAFF_PREFIX = "staff-"
ROLES = (FACILITATOR, EVALUATOR)
NAME_CHARS = 60
MAX_MEMBERS = 50


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role: str
    digest: str
    added: float
    lead: bool = False  # the lead evaluator (evaluators only)

    def public(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role, "added": self.added, "lead": self.lead}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Staff:
    """The named members of the control cell, kept in `path` (None: in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: float | None = None
        self.members: dict[str, Member] = {}
        self._reload()

    def _reload(self) -> None:
        """Read the file again if another process (or an earlier run) changed it."""
        if self.path is None or not self.path.exists():
            return
        stamp = self.path.stat().st_mtime
        if stamp == self._stamp:
            return
        rows = json.loads(self.path.read_text(encoding="utf-8"))
        self.members = {row["id"]: Member(**row) for row in rows}
        self._stamp = stamp

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(m) for m in self.members.values()], indent=1), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        self._stamp = self.path.stat().st_mtime

    def listed(self) -> list[Member]:
        self._reload()
        return sorted(self.members.values(), key=lambda m: (m.role, m.name.casefold()))

    def add(self, name: object, role: object) -> tuple[Member, str]:
        """A new member and their secret (shown once, never stored). Raises RequestError invalid."""
        self._reload()
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_CHARS:
            raise RequestError("invalid", f"name must be non-empty text of at most {NAME_CHARS} characters")
        if role not in ROLES:
            raise RequestError("invalid", f"role must be one of {', '.join(ROLES)}")
        if len(self.members) >= MAX_MEMBERS:
            raise RequestError("invalid", f"the control cell holds at most {MAX_MEMBERS} named members")
        if any(m.name.casefold() == name.strip().casefold() for m in self.members.values()):
            raise RequestError("conflict", f"{name.strip()} is in the control cell already")
        secret = secrets.token_urlsafe(16)
        member = Member(f"{STAFF_PREFIX}{secrets.token_hex(4)}", name.strip(), str(role), _digest(secret), time.time())
        self.members[member.id] = member
        self._save()
        return member, secret

    def remove(self, member_id: str) -> Member:
        self._reload()
        member = self.members.pop(member_id, None)
        if member is None:
            raise RequestError("not_found", "no such member of the control cell")
        self._save()
        return member

    def set_lead(self, member_id: str, lead: object) -> Member:
        """Make an evaluator the lead evaluator (or no longer). Raises RequestError not_found, invalid."""
        self._reload()
        member = self.members.get(member_id)
        if member is None:
            raise RequestError("not_found", "no such member of the control cell")
        if not isinstance(lead, bool):
            raise RequestError("invalid", "lead must be true or false")
        if lead and member.role != EVALUATOR:
            raise RequestError("invalid", f"{member.name} is a {member.role}: only an evaluator leads the evaluators")
        self.members[member_id] = replace(member, lead=lead)
        self._save()
        return self.members[member_id]

    def member(self, participant: str) -> Member | None:
        """The named member a session's participant id is, if any."""
        self._reload()
        return self.members.get(participant)

    def by_secret(self, secret: str) -> Member | None:
        self._reload()
        digest = _digest(secret)
        for member in self.members.values():
            if hmac.compare_digest(member.digest, digest):
                return member
        return None

    def signed_in(self, session: Session) -> bool:
        """Whether the session's bearer may act: anyone but a named member the lead removed."""
        if not session.participant.startswith(STAFF_PREFIX):
            return True
        self._reload()
        return session.participant in self.members
