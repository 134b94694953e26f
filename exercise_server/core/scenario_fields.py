"""Typed access to a scenario document's fields; each problem is reported at the line it comes from.

The document is what `yamlsrc.load_lined` returns (or the plain copy stored in an exercise's
first event, which has no lines: its problems are all at line 1).
"""

from __future__ import annotations

import re
from typing import Any

from .geometry import geometry_problem
from .scenario import ALL, CONTROL, COURSE_MODULES, FEATURE_KINDS, Problem
from .translations import DEFAULT_LANGUAGE, LANGUAGE, Text
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

    def __init__(
        self,
        default_id: str,
        languages: tuple[str, ...] = (DEFAULT_LANGUAGE,),
        default_language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.default_id = default_id
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # missing translations: listed, never refused
        self.languages = languages
        self.default_language = default_language

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
        if isinstance(raw, dict):
            self.err(value, key, f"{what}: {key} is not translatable: write it once, as text")
            return ""
        if not isinstance(raw, str) or (default is None and not raw.strip()):
            self.err(value, key, f"{what}: {key} must be non-empty text")
            return ""
        return raw

    def scenario_languages(self, doc: dict[str, Any]) -> None:
        """Read `languages` and `default_language` first: every translatable field is checked against them."""
        default = doc.get("default_language", DEFAULT_LANGUAGE)
        if not isinstance(default, str) or not LANGUAGE.match(default):
            self.err(doc, "default_language", "default_language must be a language code such as en or fr")
            default = DEFAULT_LANGUAGE
        raw = doc.get("languages", [default])
        if (
            not isinstance(raw, list)
            or not raw
            or not all(isinstance(x, str) and LANGUAGE.match(x) for x in raw)
            or len(set(raw)) != len(raw)
        ):
            self.err(doc, "languages", "languages must be a list of different language codes, such as [en, fr]")
            raw = [default]
        if default not in raw:
            self.err(doc, "languages", f"languages must include the default language {default!r}")
            raw = [default, *raw]
        self.languages, self.default_language = tuple(raw), default

    def translatable(
        self, node: Any, key: Key, raw: Any, what: str, message: str | None = None, empty: bool = False
    ) -> Text | None:
        """A translatable field: plain text in the default language, or a mapping from language to text.

        Refuses a language the scenario does not declare, a mapping without the default language and
        an empty translation; warns of each declared language the field lacks. None when refused.
        """
        name = key if isinstance(key, str) else f"item {(key or 0) + 1}"
        refusal = message or f"{what}: {name} must be non-empty text"
        if isinstance(raw, str):
            if not raw.strip() and not empty:
                self.err(node, key, refusal)
                return None
            if raw.strip():
                self.untranslated(node, key, what, name, {self.default_language})
            return Text(raw, self.default_language)
        if not isinstance(raw, dict) or not raw:
            self.err(node, key, refusal)
            return None
        ok = True
        for lang, text in raw.items():
            if lang not in self.languages:
                declared = ", ".join(self.languages)
                self.err(
                    raw, lang, f"{what}: {name} in {lang!r}, a language the scenario does not declare ({declared})"
                )
                ok = False
            elif not isinstance(text, str) or not text.strip():
                self.err(raw, lang, f"{what}: {name} in {lang!r} is empty (leave the language out to use the default)")
                ok = False
        if self.default_language not in raw:
            self.err(node, key, f"{what}: {name} has no text in the default language {self.default_language!r}")
            ok = False
        if not ok:
            return None
        self.untranslated(node, key, what, name, set(raw))
        others = tuple((lang, text) for lang, text in raw.items() if lang != self.default_language)
        return Text(raw[self.default_language], self.default_language, others)

    def untranslated(self, node: Any, key: Key, what: str, name: str, present: set[str]) -> None:
        missing = [lang for lang in self.languages if lang not in present]
        if missing:
            self.warnings.append(
                Problem(line_of(node, key), f"{what}: {name} has no translation in {', '.join(missing)}")
            )

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
        name = self.translatable(item, "name", item["name"], what)
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
        if name is not None:  # the name in the default language, its translations beside it
            out["name"] = name.default
            if name.others:
                out["translations"] = {lang: {"name": text} for lang, text in name.others}
        return out

    def geometry(self, item: dict[str, Any], what: str) -> None:
        geo = item.get("geometry")
        if not isinstance(geo, dict) or set(geo) != {"type", "coordinates"}:
            self.err(item, "geometry", f"{what}: geometry must be {{type, coordinates}}")
            return
        problem = geometry_problem(plain(geo))
        if problem:
            self.err(geo, None, f"{what}: {problem}")
