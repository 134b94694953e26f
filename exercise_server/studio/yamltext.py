"""Writing a changed scenario document back over its YAML text so that what did not change keeps
its bytes: comments, quoting, flow lists, order. An author who keeps the scenarios in git sees
in a diff the fields the studio changed, not a reformatted file.

The text is rewritten where the document differs, as deep as the text allows: a mapping or a list
written in block style (one key or one item a line) is rewritten key by key or item by item; a
value written any other way (a flow mapping `{en: .., fr: ..}`, a scalar) is written anew whole.
What is written anew is written as an MSEL import writes a scenario (msel/files.py: Markdown as
`|`, times quoted, short lists on one line).
"""

from __future__ import annotations

import re
from typing import Any

from ..core.yamlsrc import LinedDict, LinedList, YamlSyntaxError, load_lined, plain
from ..msel.files import dump_yaml


def _item_text(value: Any) -> str:
    """One item of a block list, `- ...` at column 0, as dump_yaml writes it in a list."""
    text = dump_yaml({"_": [value]})
    first, _, rest = text.partition("\n")
    if first == "_:":
        return rest
    inner = first.removeprefix("_: ")
    return f"- {inner[1:-1]}\n{rest}" if inner.startswith("[") and inner.endswith("]") and not rest else text


def write_document(doc: dict[str, Any], old_text: str | None) -> str:
    """The YAML text of `doc`; given the file's current text, the least change to it."""
    if old_text is not None:
        try:
            old = load_lined(old_text)
        except YamlSyntaxError:
            old = None
        if isinstance(old, LinedDict) and plain(old) == doc:
            return old_text
        if isinstance(old, LinedDict) and old.key_lines:
            lines = old_text.splitlines(keepends=True)
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            spliced = _mapping(old, doc, lines, 0, len(lines))
            if spliced is not None and _reads_as("".join(spliced), doc):
                return "".join(spliced)
    text = dump_yaml(doc)
    if not _reads_as(text, doc):
        raise ValueError("the document cannot be written as YAML that reads back the same")
    return text


def _reads_as(text: str, doc: Any) -> bool:
    try:
        return bool(plain(load_lined(text)) == doc)
    except YamlSyntaxError:
        return False


_TRIVIA = re.compile(r"^\s*(#.*)?$")
_BLOCK_KEY_END = re.compile(r":\s*(#.*)?$")  # `key:` with its value on the lines below
_PREFIX = re.compile(r"^ *(?:- +)*")


def _cut(lines: list[str], start: int, end: int, starts: list[int]) -> list[tuple[int, int]]:
    """lines[start:end] split at `starts` (absolute, sorted): each part takes the comment lines just
    above its start (they introduce it); blank lines stay with the part above."""
    cuts: list[int] = []
    for s in starts:
        c = s
        while c > start and (not cuts or c > cuts[-1]) and lines[c - 1].strip().startswith("#"):
            c -= 1
        cuts.append(c)
    return [(c, cuts[k + 1] if k + 1 < len(cuts) else end) for k, c in enumerate(cuts)]


def _blank_tail(lines: list[str], start: int, end: int) -> int:
    """Where the blank lines at the end of lines[start:end] begin."""
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _indented(text: str, first: str, rest: str) -> list[str]:
    out = text.splitlines(keepends=True)
    return [(first if i == 0 else rest) + line if line.strip() else line for i, line in enumerate(out)]


def _value(old: Any, new: Any, lines: list[str], start: int, end: int) -> list[str] | None:
    """lines[start:end] (exactly the block that writes `old`) rewritten to write `new`, or None."""
    if isinstance(old, LinedDict) and isinstance(new, dict) and old:
        return _mapping(old, new, lines, start, end)
    if isinstance(old, LinedList) and isinstance(new, list) and old and new:
        return _sequence(old, new, lines, start, end)
    return None


def _mapping(old: LinedDict, new: dict[str, Any], lines: list[str], start: int, end: int) -> list[str] | None:
    keys = sorted(old.key_lines, key=lambda k: old.key_lines[k])
    starts = [old.key_lines[k] - 1 for k in keys]
    if len(set(starts)) != len(starts) or not all(start <= s < end for s in starts):
        return None  # a flow mapping, or keys on one line
    prefix = _PREFIX.match(lines[starts[0]])
    first_prefix = prefix.group(0) if prefix else ""
    indent = " " * len(first_prefix)
    for s in starts[1:]:
        line = lines[s]
        if not line.startswith(indent) or line[len(indent) : len(indent) + 1] in (" ", "-", "#", ""):
            return None
    if "-" in first_prefix and next(iter(new), None) != keys[0]:
        return None  # the first key carries the list's dash: it must stay first
    parts = dict(zip(keys, _cut(lines, start, end, starts), strict=True))
    out = lines[start : parts[keys[0]][0]]  # comments above the first key
    for n, (key, value) in enumerate(new.items()):
        lead = first_prefix if n == 0 else indent
        if key not in old:
            out += _indented(dump_yaml({key: value}), lead, indent)
            continue
        a, b = parts[key]
        if plain(old[key]) == value:
            out += lines[a:b]
            continue
        key_at = old.key_lines[key] - 1
        body_end = _blank_tail(lines, key_at + 1, b)
        inner = None
        if _BLOCK_KEY_END.search(lines[key_at]):
            inner = _value(old[key], value, lines, key_at + 1, body_end)
        if inner is not None:
            out += lines[a : key_at + 1] + inner + lines[body_end:b]
        else:
            out += lines[a:key_at] + _indented(dump_yaml({key: value}), lead, indent) + lines[body_end:b]
    return out


def _sequence(old: LinedList, new: list[Any], lines: list[str], start: int, end: int) -> list[str] | None:
    starts = [n - 1 for n in old.item_lines]
    if len(starts) != len(old) or len(set(starts)) != len(starts) or not all(start <= s < end for s in starts):
        return None
    dash = lines[starts[0]][: len(lines[starts[0]]) - len(lines[starts[0]].lstrip())]
    if any(not lines[s].startswith(dash + "-") for s in starts):
        return None  # a flow list
    parts = _cut(lines, start, end, starts)
    spaced = len(parts) > 1 and not lines[parts[0][1] - 1].strip()  # items apart by a blank line
    olds = [plain(v) for v in old]
    used = [False] * len(old)
    out = lines[start : parts[0][0]]

    for i, value in enumerate(new):
        k = next((k for k, v in enumerate(olds) if not used[k] and v == value), None)
        if k is not None:
            used[k] = True
            out += lines[parts[k][0] : parts[k][1]]
            continue
        ident = value.get("id") if isinstance(value, dict) else None
        k = next(
            (
                k
                for k, v in enumerate(olds)
                if not used[k] and ident is not None and isinstance(v, dict) and v.get("id") == ident
            ),
            None,
        )
        if k is None and len(new) == len(old) and not used[i]:
            k = i
        if k is not None:
            used[k] = True
            a, b = parts[k]
            item_at = starts[k]
            body_end = _blank_tail(lines, item_at, b)
            inner = _value(old[k], value, lines, item_at, body_end)
            if inner is not None:
                out += lines[a:item_at] + inner + lines[body_end:b]
                continue
        out += _indented(_item_text(value), dash, dash) + (["\n"] if spaced else [])
    return out
