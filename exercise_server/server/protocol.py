"""The WebSocket protocol's frames: decoding what clients send, encoding what we send.

Binary frames are msgpack maps; text frames are the same maps as JSON, for debugging
with ordinary tools. A connection answers in the format its hello came in.
The message types and fields are documented in docs/protocol.md and docs/asyncapi.yaml.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack

from ..core.access import ALL_COMMANDS
from ..core.errors import CommandError

PROTOCOL_VERSION = 1
CLIENT_TYPES = frozenset({"hello", "ping"}) | ALL_COMMANDS
MSGPACK, JSON = "msgpack", "json"


def decode(data: bytes | str) -> tuple[dict[str, Any], str]:
    """A client frame as a map and the format it came in; CommandError('bad_frame') if neither."""
    try:
        if isinstance(data, bytes):
            message, fmt = msgpack.unpackb(data, raw=False, strict_map_key=True), MSGPACK
        else:
            message, fmt = json.loads(data), JSON
    except (ValueError, msgpack.exceptions.ExtraData, msgpack.exceptions.FormatError,
            msgpack.exceptions.StackError, TypeError) as exc:
        raise CommandError("bad_frame", f"cannot decode the frame: {type(exc).__name__}") from None
    if not isinstance(message, dict):
        raise CommandError("bad_frame", "a frame must be a map with a type")
    return message, fmt


def check_message(message: dict[str, Any]) -> tuple[str, Any]:
    """The message's type and client-chosen id, or CommandError if either is unusable."""
    mtype = message.get("type")
    if not isinstance(mtype, str) or mtype not in CLIENT_TYPES:
        raise CommandError("unknown_type", f"unknown message type {mtype!r}")
    cid = message.get("id")
    if cid is not None and (not isinstance(cid, (str, int)) or isinstance(cid, bool)
                            or (isinstance(cid, str) and len(cid) > 64)):
        raise CommandError("invalid", "id must be a string of at most 64 characters or an integer")
    return mtype, cid


def encode(message: dict[str, Any], fmt: str) -> bytes | str:
    if fmt == MSGPACK:
        return msgpack.packb(message, use_bin_type=True)
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def error(code: str, message: str, cid: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if cid is not None:
        out["id"] = cid
    return out
