"""Typed access to a scenario document's fields; each problem is reported at the line it comes from.

The document is what `yamlsrc.load_lined` returns (or the plain copy stored in an exercise's
first event, which has no lines: its problems are all at line 1).
"""

from __future__ import annotations

import re
from typing import Any

from .geometry import geometry_problem
from .scenario import ALL, CONTROL, COURSE_MODULES, FEATURE_KINDS, Problem
from .yamlsrc import LinedDict, LinedList, plain

ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

Key = str | int | None  # a mapping's key or a sequence's index; None for the node itself


def line_of(node: Any, key: Key = None) -> int:
    if isinstance(node, LinedDict):
        if key is not None and key in node.key_lines:
            return node.key_lines[str(key)]
        return node.line
    if isinstance(node, LinedList):
        if isinstance(key, int) and 0 <= key < len(node.item_lines):
            return node.item_lines[key]
        return node.line
    return 1


class FieldChecks:
    """The problems found so far, and the typed readers every part of the check uses."""

    def __init__(self, default_id: str) -> None:
        self.default_id = default_id
        self.problems: list[Problem] = []

    def err(self, node: Any, key: Key, message: str) -> None:
        self.problems.append(Problem(line_of(node, key), message))

    def mapping(self, node: Any, key: Key, what: str, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.err(node, key, f"{what} must be a mapping")
            return None
        return value

    def optional_mapping(self, node: dict[str, Any], key: str, what: str) -> dict[str, Any] | None:
        """The mapping at `key`; None when it is absent or (reported) not a mapping."""
        raw = node.get(key)
        return None if raw is None else self.mapping(node, key, what, raw)

    def optional_list(self, node: dict[str, Any], key: str, message: str) -> list[Any]:
        """The non-empty list at `key`; [] when it is absent or (reported with `message`) not one."""
        raw = node.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            self.err(node, key, message)
            return []
        return raw

    def keys(self, value: dict[str, Any], what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> bool:
        """Report unknown and missing keys; False only if a required key is missing."""
        ok = True
        for key in value:
            if key not in required and key not in optional:
                self.err(value, key, f"{what}: unknown key {key!r}")
        for key in required:
            if key not in value:
                self.err(value, None, f"{what}: missing required key {key!r}")
                ok = False
        return ok

    def entry(
        self, node: Any, key: Key, value: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> tuple[dict[str, Any], str] | None:
        """A mapping with an `id` (a component, a team, a room, a feature): it and its id, or None (reported)."""
        item = self.mapping(node, key, what, value)
        if item is None or not self.keys(item, what, required, optional):
            return None
        ident = self.ident(item, "id", what, item["id"])
        return None if ident is None else (item, ident)

    def text(self, value: dict[str, Any], key: str, what: str, default: str | None = None) -> str:
        raw = value.get(key, default)
        if raw is None:
            return ""
        if not isinstance(raw, str) or (default is None and not raw.strip()):
            self.err(value, key, f"{what}: {key} must be non-empty text")
            return ""
        return raw

    def str_list(self, node: Any, key: str, what: str) -> list[str]:
        raw = node.get(key, []) if isinstance(node, dict) else node
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.err(node, key, f"{what}: {key} must be a list of ids")
            return []
        return list(raw)

    def ident(self, node: Any, key: Key, what: str, value: Any, pattern: re.Pattern[str] = ID) -> str | None:
        if not isinstance(value, str) or not pattern.match(value):
            self.err(
                node,
                key,
                f"{what}: id {value!r} must be lowercase letters, digits and '-'"
                if pattern is ID
                else f"{what}: id {value!r} is not a valid id",
            )
            return None
        return value

    def refs(self, node: Any, key: Key, what: str, names: list[str], scope: set[str], allow_all: bool = True) -> None:
        for name in names:
            if name == ALL and allow_all:
                continue
            if name not in scope:
                self.err(node, key, f"{what}: unknown team or component {name!r}")

    def modules(self, node: dict[str, Any], what: str) -> tuple[int, ...]:
        raw = node.get("modules", [])
        if not isinstance(raw, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= COURSE_MODULES for m in raw
        ):
            self.err(node, "modules", f"{what}: modules must be a list of course module numbers 1 to {COURSE_MODULES}")
            return ()
        return tuple(raw)

    # -- a COP feature: in the scenario's cop, or added by an inject -------------------

    def feature(self, node: Any, key: Key, item: Any, scope: set[str]) -> dict[str, Any] | None:
        found = self.entry(
            node, key, item, "COP feature", ("id", "kind", "name", "geometry"), ("properties", "visible_to", "owner")
        )
        if found is None:
            return None
        item, fid = found
        what = f"COP feature {fid!r}"
        if item["kind"] not in FEATURE_KINDS:
            self.err(item, "kind", f"{what}: kind must be one of {', '.join(FEATURE_KINDS)}")
        self.text(item, "name", what)
        self.geometry(item, what)
        props = item.get("properties", {})
        if not isinstance(props, dict):
            self.err(item, "properties", f"{what}: properties must be a mapping")
        visible = item.get("visible_to", ALL)
        if visible != ALL:
            visible = self.str_list(item, "visible_to", what)
            self.refs(item, "visible_to", what, visible, scope)
        owner = item.get("owner", CONTROL)
        if owner != CONTROL and owner not in scope:
            self.err(item, "owner", f"{what}: owner {owner!r} is not control, a component or a team")
        out: dict[str, Any] = plain(item)
        out.setdefault("properties", {})
        out["visible_to"] = visible
        out["owner"] = owner
        return out

    def geometry(self, item: dict[str, Any], what: str) -> None:
        geo = item.get("geometry")
        if not isinstance(geo, dict) or set(geo) != {"type", "coordinates"}:
            self.err(item, "geometry", f"{what}: geometry must be {{type, coordinates}}")
            return
        problem = geometry_problem(plain(geo))
        if problem:
            self.err(geo, None, f"{what}: {problem}")
