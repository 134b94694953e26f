"""The protocol documents describe every command the server accepts and every event it logs.

docs/protocol.md (prose) and docs/asyncapi.yaml (machine-readable) are written by hand;
these tests catch a command or event added to the code but not to both documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from exercise_server.core import events as ev
from exercise_server.core.access import ALL_COMMANDS

DOCS = Path(__file__).resolve().parent.parent / "docs"
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
