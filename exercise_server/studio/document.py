"""A scenario document (the YAML file as JSON): its problems at field paths, and what changed
between two versions of it. (Its text: yamltext.py.)

The checker is `exercise-server validate`'s (core/scenario_check.py); it reports problems at a
node and a key, and here each node is known by the path that leads to it from the root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.scenario import Problem
from ..core.scenario_check import ScenarioChecks
from ..core.scenario_fields import Key, line_of
from ..core.yamlsrc import LinedDict, LinedList, YamlSyntaxError, load_lined, plain
from ..scenarios import attachment_path, attachment_problem, basemap_path, basemap_problem

PathPart = str | int
FieldPath = list[PathPart]

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class FieldProblem:
    """A problem of a document, at the field it concerns (and the line, when the document has a file)."""

    path: FieldPath
    line: int
    message: str
    severity: str = ERROR

    def json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message, "severity": self.severity}


class NotAScenario(ValueError):
    """Text that is not YAML, or YAML that is not a mapping: nothing the studio could edit."""


def parse_text(text: str) -> Any:
    """The document of a scenario file, with line numbers (NotAScenario if not YAML)."""
    try:
        return load_lined(text)
    except YamlSyntaxError as exc:
        raise NotAScenario(f"line {exc.line}: {exc.message}") from None


def node_paths(doc: Any) -> tuple[dict[int, FieldPath], dict[int, FieldPath]]:
    """Each mapping and list of `doc` by id() -> its path, and each source line -> the path that starts there."""
    by_node: dict[int, FieldPath] = {}
    by_line: dict[int, FieldPath] = {}

    def walk(node: Any, path: FieldPath) -> None:
        if isinstance(node, dict):
            by_node[id(node)] = path
            for key, value in node.items():
                line = line_of(node, key) if isinstance(node, LinedDict) else 0
                if line and line not in by_line:
                    by_line[line] = [*path, key]
                walk(value, [*path, key])
        elif isinstance(node, list):
            by_node[id(node)] = path
            for i, value in enumerate(node):
                line = line_of(node, i) if isinstance(node, LinedList) else 0
                if line and line not in by_line:
                    by_line[line] = [*path, i]
                walk(value, [*path, i])

    walk(doc, [])
    return by_node, by_line


class _PathChecks(ScenarioChecks):
    """The validate checker, remembering the path of each problem it reports."""

    def __init__(self, default_id: str, doc: Any) -> None:
        super().__init__(default_id)
        self.by_node, self.by_line = node_paths(doc)
        self.paths: list[FieldPath] = []
        self.warning_paths: list[FieldPath] = []

    def path(self, node: Any, key: Key) -> FieldPath:
        base = self.by_node.get(id(node))
        if base is None:
            return list(self.by_line.get(line_of(node, key), []))
        return base if key is None else [*base, key]

    def err(self, node: Any, key: Key, message: str) -> None:
        super().err(node, key, message)
        self.paths.append(self.path(node, key))

    def untranslated(self, node: Any, key: Key, what: str, name: str, present: set[str]) -> None:
        before = len(self.warnings)
        super().untranslated(node, key, what, name, present)
        if len(self.warnings) > before:
            self.warning_paths.append(self.path(node, key))


def check_document(doc: Any, folder: Path | None, default_id: str = "scenario") -> list[FieldProblem]:
    """Every problem of `doc` (errors first, then missing translations), as `validate` finds them,
    with the attachments and base map looked for in `folder` (skipped when None)."""
    checker = _PathChecks(default_id, doc)
    checker.run(doc)
    found = [FieldProblem(path, p.line, p.message) for p, path in zip(checker.problems, checker.paths, strict=True)]
    if isinstance(doc, dict) and folder is not None:
        found += _file_problems(doc, folder)
    found.sort(key=lambda p: p.line)
    warnings = [
        FieldProblem(path, p.line, p.message, WARNING)
        for p, path in zip(checker.warnings, checker.warning_paths, strict=True)
    ]
    return found + sorted(warnings, key=lambda p: p.line)


def _file_problems(doc: dict[str, Any], folder: Path) -> list[FieldProblem]:
    """The base map and the attachments the document names, as `scenarios.check_file` checks them."""
    out: list[FieldProblem] = []
    basemap = doc.get("basemap")
    if isinstance(basemap, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", basemap):
        problem = basemap_problem(basemap_path(folder / "x.yaml", basemap))
        if problem:
            out.append(FieldProblem(["basemap"], line_of(doc, "basemap"), problem))
    msel = doc.get("msel")
    for i, item in enumerate(msel if isinstance(msel, list) else []):
        files = item.get("attachments") if isinstance(item, dict) else None
        for j, entry in enumerate(files if isinstance(files, list) else []):
            raw = entry.get("file") if isinstance(entry, dict) else entry
            for language, name in raw.items() if isinstance(raw, dict) else [(None, raw)]:
                if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                    continue  # the checker has said what is wrong with the name
                problem = attachment_problem(attachment_path(folder, name))
                if problem:
                    path: FieldPath = ["msel", i, "attachments", j]
                    if language is not None:  # the language's file: msel › 3 › attachments › 0 › file › fr
                        path += ["file", language]
                    line = line_of(raw, language) if language is not None else line_of(files, j)
                    out.append(FieldProblem(path, line, f"inject {item.get('id')!r}: {problem}"))
    return out


def problems_of_text(text: str, folder: Path | None, default_id: str) -> list[FieldProblem]:
    try:
        doc = load_lined(text)
    except YamlSyntaxError as exc:
        return [FieldProblem([], exc.line, exc.message)]
    return check_document(doc, folder, default_id)


def errors(problems: list[FieldProblem]) -> list[FieldProblem]:
    return [p for p in problems if p.severity == ERROR]


def legacy_problem(problem: Problem) -> FieldProblem:
    return FieldProblem([], problem.line, problem.message)


# -- what changed between two documents ------------------------------------------------

_ABSENT = object()


def _ids(items: list[Any]) -> list[Any] | None:
    """The ids of a list of mappings that each have a different one (injects, teams), else None."""
    ids = [x.get("id") if isinstance(x, dict) else None for x in items]
    return ids if None not in ids and len(set(map(str, ids))) == len(ids) else None


def changes(before: Any, now: Any, path: FieldPath | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The fields that differ, each with its path and both values (a side without the field has
    none). Items with ids (injects, teams, personas) are matched by id: an inject added, removed or
    moved is one change at its index (in `now`, or in `before` when removed), not a shifted list."""
    out: list[dict[str, Any]] = []

    def walk(a: Any, b: Any, at: FieldPath) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                walk(a.get(key, _ABSENT), b.get(key, _ABSENT), [*at, key])
        elif isinstance(a, list) and isinstance(b, list) and (ids_a := _ids(a)) and (ids_b := _ids(b)):
            for j, y in enumerate(b):
                walk(a[ids_a.index(y["id"])] if y["id"] in ids_a else _ABSENT, y, [*at, j])
            for i, x in enumerate(a):
                if x["id"] not in ids_b:
                    walk(x, _ABSENT, [*at, i])
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, [*at, i])
        else:
            change: dict[str, Any] = {"path": at}
            if a is not _ABSENT:
                change["before"] = a
            if b is not _ABSENT:
                change["now"] = b
            out.append(change)

    walk(plain(before), plain(now), path or [])
    return out
