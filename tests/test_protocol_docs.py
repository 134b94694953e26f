"""The protocol documents describe every command the server accepts, every event it logs
and every message it sends.

docs/protocol.md (prose) and docs/asyncapi.yaml (machine-readable) are written by hand;
these tests catch a command, event, server message or close code added to the code but not to both documents.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

from exercise_server.core import events as ev
from exercise_server.core.access import ALL_COMMANDS
from exercise_server.core.errors import CLOSE_CODES
from exercise_server.server import protocol

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PROTOCOL = (DOCS / "protocol.md").read_text(encoding="utf-8")
ASYNCAPI = yaml.safe_load((DOCS / "asyncapi.yaml").read_text(encoding="utf-8"))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = ASYNCAPI
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref}: no {part!r}"
        node = node[part]
    return node


def _in_table(doc: str, name: str) -> bool:
    """Whether protocol.md has a table row for `name` (alone or in a list, as in `clock.paused`, `clock.resumed`)."""
    return re.search(rf"^\|[^|\n]*`{re.escape(name)}`[^|\n]*\|", doc, re.MULTILINE) is not None


def _received_commands() -> set[str]:
    """The command messages of the receiveCommand operation, each also a message of the channel."""
    channel = ASYNCAPI["channels"]["exercise"]["messages"]
    names = set()
    for m in ASYNCAPI["operations"]["receiveCommand"]["messages"]:
        prefix, _, name = m["$ref"].rpartition("/")
        assert prefix == "#/channels/exercise/messages" and name in channel, m["$ref"]
        names.add(name)
    return names


def test_every_ref_in_asyncapi_points_to_an_existing_node():
    refs = _refs(ASYNCAPI)
    assert refs
    for ref in refs:
        _resolve(ref)


def test_every_command_the_server_accepts_is_in_the_protocol_and_the_asyncapi_document():
    missing_md = sorted(c for c in ALL_COMMANDS if not _in_table(PROTOCOL, c))
    assert not missing_md, f"commands missing from the tables of docs/protocol.md: {missing_md}"
    messages = ASYNCAPI["components"]["messages"]
    for c in ALL_COMMANDS:
        assert messages.get(c, {}).get("name") == c, f"no message {c} in docs/asyncapi.yaml"
        assert _resolve(messages[c]["payload"]["$ref"])["properties"]["type"]["const"] == c
    assert _received_commands() == set(ALL_COMMANDS)


def test_every_event_type_is_in_the_protocol_and_the_asyncapi_document():
    missing_md = sorted(t for t in ev.EVENT_TYPES if not _in_table(PROTOCOL, t))
    assert not missing_md, f"events missing from the tables of docs/protocol.md: {missing_md}"
    event = ASYNCAPI["components"]["schemas"]["Event"]
    assert set(ASYNCAPI["components"]["schemas"]["EventType"]["enum"]) == ev.EVENT_TYPES
    described: set[str] = set()
    for alternative in event["oneOf"]:
        t = alternative["properties"]["type"]
        described |= {t["const"]} if "const" in t else set(t["enum"])
    assert described == ev.EVENT_TYPES


def _types_in_server_code() -> dict[str, str]:
    """Every frame type the server package writes: the `type` of each dict literal (other than
    the commands it submits itself) and the first argument of each `reply(...)` call, with where."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "exercise_server" / "server").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[ast.expr] = []
            if isinstance(node, ast.Dict):
                names = [v for k, v in zip(node.keys, node.values)
                         if isinstance(k, ast.Constant) and k.value == "type"]
            elif isinstance(node, ast.Call) and node.args and getattr(node.func, "attr",
                                                                        getattr(node.func, "id", None)) == "reply":
                names = [node.args[0]]
            for name in names:
                if isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value not in ALL_COMMANDS:
                    found.setdefault(name.value, f"{path.name}:{name.lineno}")
    return found


def _sent_messages() -> set[str]:
    """The messages of the send operations and of the replies to receive operations."""
    names = set()
    for operation in ASYNCAPI["operations"].values():
        refs = operation["messages"] if operation["action"] == "send" else operation.get("reply", {}).get("messages", [])
        for m in refs:
            prefix, _, name = m["$ref"].rpartition("/")
            assert prefix == "#/channels/exercise/messages", m["$ref"]
            names.add(name)
    return names


def test_every_message_the_server_sends_is_in_the_protocol_and_the_asyncapi_document():
    in_code = _types_in_server_code()
    undeclared = {t: where for t, where in in_code.items() if t not in protocol.SERVER_TYPES}
    assert not undeclared, f"frames sent but missing from protocol.SERVER_TYPES: {undeclared}"
    assert protocol.SERVER_TYPES <= set(in_code) | {"error"}  # error frames are made by protocol.error()
    assert _sent_messages() == protocol.SERVER_TYPES, "docs/asyncapi.yaml's send operations and replies"
    messages = ASYNCAPI["components"]["messages"]
    channel = ASYNCAPI["channels"]["exercise"]["messages"]
    for t in protocol.SERVER_TYPES:
        assert t in channel and messages.get(t, {}).get("name") == t, f"no message {t} in docs/asyncapi.yaml"
        assert _resolve(messages[t]["payload"]["$ref"])["properties"]["type"]["const"] == t
        assert f'{{"type":"{t}"' in PROTOCOL, f"docs/protocol.md shows no {t} frame"


# The close codes sent by uvicorn or the websockets library rather than by a call in the server
# package, each provoked from outside where it is named (the keepalive's 1011 takes 40 s: a client
# that never answers a ping was closed 1011 "keepalive ping timeout" after 40.0 s, once, by hand).
SENT_BY_THE_WEBSOCKET_LAYER = {
    1000: "tests/test_close_codes.py: the answer to the client's own close",
    1002: "tests/test_close_codes.py: a frame that breaks RFC 6455",
    1007: "tests/test_close_codes.py: a text frame that is not UTF-8",
    1009: "tests/test_server_edges.py: a frame over --max-frame-bytes",
    1011: "uvicorn's keepalive: no pong within 20 s of a ping; the websockets library's internal error",
}


def _close_table(doc: str) -> list[int]:
    """The codes of protocol.md's close-code table (the one headed `| close code | meaning |`), in order."""
    lines = doc[doc.index("| close code | meaning |"):].splitlines()[2:]
    codes = []
    for line in lines:
        if not line.startswith("|"):
            break
        codes.append(int(line.split("|")[1]))
    return codes


def _close_codes_in_server_code() -> dict[int, str]:
    """Every close code the server package sends: the integer arguments (1000-4999) of each call to
    `kick`, `close` or `Refused` (positional or `code=`), with where."""
    found: dict[int, str] = {}
    for path in sorted((ROOT / "exercise_server" / "server").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
                    in ("kick", "close", "Refused")):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "code")]:
                if isinstance(arg, ast.Constant) and type(arg.value) is int and 1000 <= arg.value <= 4999:
                    found.setdefault(arg.value, f"{path.name}:{arg.lineno}")
    return found


def test_every_close_code_is_in_the_protocol_and_the_asyncapi_document():
    table = _close_table(PROTOCOL)
    assert table == sorted(CLOSE_CODES), "docs/protocol.md's close-code table and core/errors.py CLOSE_CODES"
    close_code = ASYNCAPI["components"]["schemas"]["CloseCode"]["oneOf"]
    assert [alt["const"] for alt in close_code] == sorted(CLOSE_CODES), "docs/asyncapi.yaml's CloseCode"


def test_every_close_code_the_server_sends_is_in_the_tables_and_every_one_listed_is_sent():
    in_code = _close_codes_in_server_code()
    undeclared = {code: where for code, where in in_code.items() if code not in CLOSE_CODES}
    assert not undeclared, f"close codes sent but missing from core/errors.py CLOSE_CODES: {undeclared}"
    assert {1008, 1012, 1013, 4400, 4401, 4403, 4404, 4408, 4409, 4413, 4429} <= set(in_code)  # the scan sees them
    never_sent = set(CLOSE_CODES) - set(in_code) - set(SENT_BY_THE_WEBSOCKET_LAYER)
    assert not never_sent, f"close codes listed that nothing sends: {sorted(never_sent)}"
