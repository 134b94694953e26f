"""The WebSocket protocol's frames: decoding what clients send, building and encoding what we send.

Binary frames are msgpack maps; text frames are the same maps as JSON, for debugging
with ordinary tools. A connection answers in the format its hello came in.
The message types and fields are documented in docs/protocol.md and docs/asyncapi.yaml.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgpack

from ..core.access import ALL_COMMANDS, Principal
from ..core.errors import CommandError
from ..core.presence import PresenceEntry

PROTOCOL_VERSION = 1  # what a hello that names no version speaks: 1.0, as every client before 1.1
LATEST_VERSION = 1.1  # the newest this server speaks; a hello's `protocol` asks for it
IDEMPOTENT_IDS = 1.1  # from this version on, a command's id is its idempotency key (docs/protocol.md, 4)
HISTORY = "room.history"  # 1.1: a query, answered by a `history` frame; it stores nothing
CLIENT_TYPES = frozenset({"hello", "ping", HISTORY}) | ALL_COMMANDS
# What the server sends; tests/test_protocol_docs.py holds the code and both documents to this list.
SERVER_TYPES = frozenset(
    {"welcome", "snapshot", "caught_up", "event", "ack", "error", "pong", "history", "presence", "service"}
)
MSGPACK, JSON = "msgpack", "json"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def plain_value(value: Any, depth: int = 0) -> bool:
    """Whether `value` is what both formats can carry: maps with text keys, lists, text,
    finite numbers, booleans and null. Raw bytes, NaN, infinities and text that is not
    Unicode (a lone surrogate, which JSON's \\ud800 escape can make) are refused, so whatever
    one client stores every other client can read, in either format."""
    if depth > 32:
        return False
    kind = type(value)
    if kind is str:  # the usual cases first, by exact type (every frame's fields go through here)
        return value.isascii() or _is_unicode(value)
    if kind is dict:
        for k, v in value.items():
            if not isinstance(k, str) or not (k.isascii() or _is_unicode(k)):
                return False
            if type(v) is str:
                if not (v.isascii() or _is_unicode(v)) or depth == 32:
                    return False
            elif not plain_value(v, depth + 1):
                return False
        return True
    if isinstance(value, str):
        return _is_unicode(value)
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**53) <= value <= 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(plain_value(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_unicode(k) and plain_value(v, depth + 1) for k, v in value.items())
    return False


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode(data: bytes | str) -> tuple[dict[str, Any], str]:
    """A client frame as a map and the format it came in; CommandError('bad_frame') if neither."""
    try:
        if isinstance(data, bytes):
            message, fmt = msgpack.unpackb(data, raw=False, strict_map_key=True), MSGPACK
        else:
            message, fmt = json.loads(data, parse_constant=_no_constant), JSON
    except (
        ValueError,
        msgpack.exceptions.ExtraData,
        msgpack.exceptions.FormatError,
        msgpack.exceptions.StackError,
        TypeError,
        RecursionError,
    ) as exc:
        raise CommandError("bad_frame", f"cannot decode the frame: {type(exc).__name__}") from None
    if not isinstance(message, dict):
        raise CommandError("bad_frame", "a frame must be a map with a type")
    if not plain_value(message):
        raise CommandError(
            "bad_frame",
            "a frame may hold only maps with text keys, lists, Unicode text, finite numbers, booleans and null",
        )
    return message, fmt


def check_message(message: dict[str, Any]) -> tuple[str, Any]:
    """The message's type and client-chosen id, or CommandError if either is unusable (an id may be
    left out, never null)."""
    cid = message.get("id")
    if "id" in message and (
        not isinstance(cid, (str, int)) or isinstance(cid, bool) or (isinstance(cid, str) and len(cid) > 64)
    ):
        raise CommandError("invalid", "id must be a string of at most 64 characters or an integer")
    mtype = message.get("type")
    if not isinstance(mtype, str) or mtype not in CLIENT_TYPES:
        raise CommandError("unknown_type", f"unknown message type {mtype!r}")
    return mtype, cid


def client_id(message: dict[str, Any]) -> Any:
    """The client-chosen id of a message, if it is usable, to echo in an error."""
    cid = message.get("id")
    return cid if isinstance(cid, (str, int)) and not isinstance(cid, bool) and len(str(cid)) <= 64 else None


def encode(message: dict[str, Any], fmt: str) -> bytes | str:
    if fmt == MSGPACK:
        packed: bytes = msgpack.packb(message, use_bin_type=True)
        return packed
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


# -- the server's frames, one constructor each (SERVER_TYPES) ----------------------


def spoken(asked: Any) -> float:
    """The version a connection speaks: the newest this server has that the hello's `protocol`
    asks for. A hello without one (every 1.0 client) speaks 1.0, and its ids are only echoed."""
    if isinstance(asked, (int, float)) and not isinstance(asked, bool) and asked >= LATEST_VERSION:
        return LATEST_VERSION
    return PROTOCOL_VERSION


def welcome(
    exercise: str,
    mode: str,
    head: int,
    server_time: float,
    you: Principal,
    epoch: str = "",
    version: float = PROTOCOL_VERSION,
    language: str | None = None,
) -> dict[str, Any]:
    """The first frame of a connection: who it is, the version spoken, how it catches up (`mode`:
    resume or snapshot), and the log's `epoch`, which the client keeps with its last sequence number
    and sends back. `you.language`: the interface language the participant chose last (participant.language),
    or None."""
    return {
        "type": "welcome",
        "protocol": version,
        "exercise": exercise,
        "mode": mode,
        "head": head,
        "epoch": epoch,
        "server_time": server_time,
        "you": {
            "participant": you.participant,
            "name": you.name,
            "role": you.role,
            "team": you.team,
            "component": you.component,
            "language": language,
        },
    }


def snapshot(seq: int, state: dict[str, Any]) -> dict[str, Any]:
    return {"type": "snapshot", "seq": seq, "state": state}


def caught_up(seq: int) -> dict[str, Any]:
    return {"type": "caught_up", "seq": seq}


def event(body: dict[str, Any]) -> dict[str, Any]:
    """An event as one view may see it (access.event_for_view)."""
    return {"type": "event", "event": body}


def presence(online: list[PresenceEntry], rooms: dict[str, list[str]]) -> dict[str, Any]:
    return {"type": "presence", "online": online, "rooms": rooms}


def service(degraded: bool) -> dict[str, Any]:
    """The state of the event store, as the clients are told it (server/health.py)."""
    if degraded:
        return {
            "type": "service",
            "state": "degraded",
            "message": "the event store is unreachable: commands are refused until it is back",
        }
    return {"type": "service", "state": "ok", "message": "service restored"}


def reply(mtype: str, cid: Any = None, **fields: Any) -> dict[str, Any]:
    """A server frame answering a client message: carries the client's id when it had one."""
    out: dict[str, Any] = {"type": mtype, **fields}
    if cid is not None:
        out["id"] = cid
    return out


def error(code: str, message: str, cid: Any = None, changed: dict[str, Any] | None = None) -> dict[str, Any]:
    """A refusal; `changed` (a stale edit's `conflict`: what changed since its version) when there is one."""
    if changed is None:
        return reply("error", cid, code=code, message=message)
    return reply("error", cid, code=code, message=message, changed=changed)


def ack(cid: Any, first_seq: int, seq: int) -> dict[str, Any]:
    """A command stored: the sequence numbers of its first and last events."""
    return reply("ack", cid, seq=seq, first_seq=first_seq)


def pong(cid: Any, server_time: float) -> dict[str, Any]:
    return reply("pong", cid, server_time=server_time)


def history(cid: Any, room: str, before: int, messages: list[dict[str, Any]], earlier: int) -> dict[str, Any]:
    """A page of a room's messages before `before`, oldest first; `earlier` more came before them."""
    return reply("history", cid, room=room, before=before, messages=messages, earlier=earlier)


CLOSE_REASON_BYTES = 123  # what a WebSocket close frame can hold after its code (RFC 6455, 5.5)


def close_reason(reason: str) -> str:
    """`reason` cut to fit a close frame (whole UTF-8 characters, an ellipsis where cut): a close
    whose reason does not fit is never sent, and the client would see the connection drop (1006)."""
    data = reason.encode()
    if len(data) <= CLOSE_REASON_BYTES:
        return reason
    return data[: CLOSE_REASON_BYTES - 3].decode(errors="ignore") + "…"
