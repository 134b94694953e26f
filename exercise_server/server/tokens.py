"""Signed session tokens (HMAC-SHA256, standard library): who the bearer is, for which exercise."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any

from ..core.access import ROLES, Principal

ANY_EXERCISE = "*"


class TokenError(ValueError):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True)
class Session:
    exercise: str  # ANY_EXERCISE for the facilitator
    participant: str
    role: str
    name: str
    team: str | None
    component: str | None
    code: str | None
    exp: float

    def principal(self) -> Principal:
        return Principal(self.role, self.name, self.participant, self.team, self.component)

    def for_exercise(self, exercise: str) -> bool:
        return self.exercise in (exercise, ANY_EXERCISE)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(session: Session, key: bytes) -> str:
    body = _b64(json.dumps(asdict(session), separators=(",", ":"), sort_keys=True).encode())
    mac = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}"


def verify(token: Any, key: bytes, now: float) -> Session:
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise TokenError("malformed token")
    body, mac = token.split(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        raise TokenError("bad signature")
    try:
        data = json.loads(_unb64(body))
        session = Session(**data)
    except (ValueError, TypeError) as exc:
        raise TokenError("malformed token") from exc
    if session.role not in ROLES:
        raise TokenError("unknown role")
    if session.exp < now:
        raise TokenError("token expired")
    return session
