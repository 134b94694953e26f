"""Errors are values with codes, listed once here and documented in docs/protocol.md.

Refusal                 a code from ERROR_CODES and a message for humans
+-- CommandError        a command refused (decide, the runtime); nothing changed
+-- ReplayError         a replay seek to a moment or a point of view that does not exist
+-- server.errors.RequestError   an HTTP request the API refuses (its body, its parameters)
"""

from __future__ import annotations

from typing import Any

# Error codes carried by `error` frames (the command is refused; nothing changed).
ERROR_CODES: dict[str, str] = {
    "bad_frame": "the frame is not valid msgpack (binary) or JSON (text), or not a map",
    "unknown_type": "the message type is not one the protocol defines",
    "invalid": "a field is missing, of the wrong type, too long, or out of range",
    "forbidden": "your role may not do this, or not to this room or feature",
    "not_found": "no such inject, room, feature or code that you may see",
    "wrong_state": "not possible in the exercise's current state (for example pausing a paused clock)",
    "conflict": "already done (an inject already released or acknowledged, a code already revoked or replaced),"
    " or an edit"
    " made on an older version of what it edits (the error's `changed` says what changed since)",
    "id_reused": "the command id was used for another command of yours (protocol 1.1); choose a new id",
    "rate_limited": "too many messages per second from this connection; slow down",
    "unavailable": "the event store is unreachable; nothing was stored; retry",
    "internal": "an unexpected server fault; nothing was stored",
}

# WebSocket close codes (4000-4999 are the application's own). 1000, 1002, 1007, 1009 and the
# keepalive's 1011 are sent by the WebSocket layer (uvicorn and the websockets library) before the
# endpoint sees the frame; tests/test_close_codes.py provokes each from outside.
CLOSE_CODES: dict[int, str] = {
    1000: "normal closure: the answer to a close the client sent (the server echoes the client's own code)",
    1002: "protocol error: a frame that breaks RFC 6455 (unmasked, reserved bits or opcode, bad control frame)",
    1007: "invalid frame payload data: a text frame, or a close reason, that is not UTF-8",
    1008: "policy violation (Origin not allowed; sent as HTTP 403 at the handshake)",
    1009: "frame larger than the server's limit",
    1011: "server fault, or no answer to the server's keepalive ping within 20 s",
    1012: "server restarting; reconnect and resume",
    1013: "try again later: the event store could not be read for the catch-up; reconnect and resume",
    4400: "the first frame was not a valid hello",
    4401: "session token invalid, forged, expired, or for another exercise",
    4403: "join code revoked",
    4404: "no such exercise",
    4408: "no hello within the time limit",
    4410: "removed from the exercise by the facilitator; this token no longer works",
    4412: "moved to another team by the facilitator: reconnect with last_seq 0 for the new team's snapshot",
    4409: "too slow: the send queue overflowed; reconnect and resume from your last sequence number",
    4413: "too many connections with this join code at once (close a tab, or ask for another code)",
    4429: "flooding: far beyond the command rate limit",
}


class Refusal(Exception):
    """Something asked for is refused: a code from ERROR_CODES and a message for humans."""

    def __init__(self, code: str, message: str) -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message


class CommandError(Refusal):
    """A refused command (or a frame that is not one): nothing changed.

    `changed`: for a `conflict` over a stale edit, what changed since its version (core/versions.py),
    sent as the error frame's `changed` field."""

    def __init__(self, code: str, message: str, changed: dict[str, Any] | None = None) -> None:
        super().__init__(code, message)
        self.changed = changed


class ReplayError(Refusal):
    """A replay asked for a moment or a point of view the exercise does not have."""
