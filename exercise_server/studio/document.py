"""A scenario document (the YAML file as JSON) and its text: problems at field paths, and writing
a changed document back so that what did not change keeps its bytes (comments, layout, order).

The checker is `exercise-server validate`'s (core/scenario_check.py); it reports problems at a
node and a key, and here each node is known by the path that leads to it from the root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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
            name = entry.get("file") if isinstance(entry, dict) else entry
            if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                continue  # the checker has said what is wrong with the name
            problem = attachment_problem(attachment_path(folder, name))
            if problem:
                line = line_of(files, j)
                out.append(FieldProblem(["msel", i, "attachments", j], line, f"inject {item.get('id')!r}: {problem}"))
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


# -- writing a document back ---------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode as it is, Markdown as literal blocks: how the bundled scenarios read."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(c in value for c in "\r\t") and not value.startswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump_yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)


_TRIVIA = re.compile(r"^\s*(#.*)?$")  # a blank or comment line


def _blocks(lines: list[str], starts: list[int]) -> tuple[list[str], list[list[str]], list[int]]:
    """Split `lines` at the 0-based `starts` (sorted); each block takes the comments and blank
    lines just above its start (they introduce it), not those below the previous one."""
    cuts: list[int] = []
    for start in starts:
        cut = start
        while cut > 0 and (not cuts or cut > cuts[-1]) and _TRIVIA.match(lines[cut - 1]) and lines[cut - 1].strip():
            cut -= 1
        cuts.append(cut)
    head = lines[: cuts[0]] if cuts else lines
    blocks = [lines[c : (cuts[k + 1] if k + 1 < len(cuts) else len(lines))] for k, c in enumerate(cuts)]
    return head, blocks, cuts


def _leading_comments(block: list[str]) -> list[str]:
    out = []
    for line in block:
        if line.strip().startswith("#"):
            out.append(line)
        else:
            break
    return out


def _trailing_blank(block: list[str]) -> list[str]:
    n = 0
    while n < len(block) and not block[len(block) - 1 - n].strip():
        n += 1
    return block[len(block) - n :] if n else []


def _list_items(old: LinedList, block: list[str], start: int, key_line: int, new: list[Any]) -> list[str] | None:
    """A block-style list (its block begins at 0-based line `start` of the file) written item by
    item: the unchanged items keep their text. None if its items do not each begin a line with
    `-` below the key (flow style), so the caller writes the list whole."""
    if not old or not new or len(old.item_lines) != len(old):
        return None
    starts = [n - 1 - start for n in old.item_lines]
    if starts[0] <= key_line - 1 - start or any(
        not 0 <= s < len(block) or not block[s].lstrip().startswith("-") for s in starts
    ):
        return None
    indent = block[starts[0]][: len(block[starts[0]]) - len(block[starts[0]].lstrip())]
    head, items, _ = _blocks(block, starts)
    tail = _trailing_blank(block)
    if tail:
        items[-1] = items[-1][: len(items[-1]) - len(tail)]
    out = list(head)
    olds = [plain(v) for v in old]
    for value in new:
        if value in olds:
            k = olds.index(value)
            out += items[k]
            olds[k] = object()  # each old item is used once
        else:
            text = dump_yaml([value])
            out += [indent + line if line else line for line in text.splitlines(keepends=True)]
    return out + tail


def write_document(doc: dict[str, Any], old_text: str | None) -> str:
    """The YAML text of `doc`. With the file's current text: unchanged, the text itself; changed,
    the top-level sections (and the items of block lists) that did not change keep their text."""
    if old_text is not None:
        try:
            old = load_lined(old_text)
        except YamlSyntaxError:
            old = None
        if isinstance(old, LinedDict) and old.key_lines:
            if plain(old) == doc:
                return old_text
            spliced = _splice(old, old_text, doc)
            if spliced is not None and _same(spliced, doc):
                return spliced
    text = dump_yaml(doc)
    if not _same(text, doc):
        raise ValueError("the document cannot be written as YAML that reads back the same")
    return text


def _same(text: str, doc: dict[str, Any]) -> bool:
    try:
        return bool(plain(load_lined(text)) == doc)
    except YamlSyntaxError:
        return False


def _splice(old: LinedDict, old_text: str, doc: dict[str, Any]) -> str | None:
    lines = old_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    keys = sorted(old.key_lines, key=lambda k: old.key_lines[k])
    head, blocks, cuts = _blocks(lines, [old.key_lines[k] - 1 for k in keys])
    by_key = dict(zip(keys, blocks, strict=True))
    block_start = dict(zip(keys, cuts, strict=True))
    out = list(head)
    for key, value in doc.items():
        block = by_key.get(key)
        if block is not None and key in old and plain(old[key]) == value:
            out += block
            continue
        if block is not None and isinstance(value, list) and isinstance(old.get(key), LinedList):
            items = _list_items(old[key], block, block_start[key], old.key_lines[key], value)
            if items is not None:
                out += items
                continue
        text = dump_yaml({key: value})
        comments = _leading_comments(block) if block else []
        blank = _trailing_blank(block) if block else (["\n"] if out and out[-1].strip() else [])
        out += comments + text.splitlines(keepends=True) + blank
    return "".join(out)


# -- what changed between two documents ------------------------------------------------

_ABSENT = object()


def changes(before: Any, now: Any, path: FieldPath | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The fields that differ, each with its path and both values (a side without the field has none)."""
    out: list[dict[str, Any]] = []

    def walk(a: Any, b: Any, at: FieldPath) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                walk(a.get(key, _ABSENT), b.get(key, _ABSENT), [*at, key])
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
