"""Signed session tokens: who the bearer is, for which exercise, until when.

A token is `<claims>.<signature>`: the claims as URL-safe base64 JSON, signed by
itsdangerous's `Signer` (HMAC-SHA256 with the server secret, compared in constant time).
The expiry is a claim checked against the clock the server is given, not the library's
own timestamp, and the key is used as it is (no derivation), so tokens issued before
itsdangerous signed them stay valid.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from itsdangerous import BadSignature, Signer

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


def _signer(key: bytes) -> Signer:
    return Signer(key, key_derivation="none", digest_method=hashlib.sha256)


def sign(session: Session, key: bytes) -> str:
    claims = json.dumps(asdict(session), separators=(",", ":"), sort_keys=True).encode()
    return _signer(key).sign(base64.urlsafe_b64encode(claims).rstrip(b"=")).decode()


def verify(token: Any, key: bytes, now: float) -> Session:
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        raise TokenError("malformed token")
    try:
        body = _signer(key).unsign(token)
    except BadSignature:
        raise TokenError("bad signature") from None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        session = Session(**data)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise TokenError("malformed token") from exc
    if session.role not in ROLES:
        raise TokenError("unknown role")
    if session.exp < now:
        raise TokenError("token expired")
    return session
