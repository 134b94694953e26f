"""A branch in the Scenario Time cell, both ways (docs/scenario-format.md, "MSEL spreadsheets"):
`when request declined by hum-1 +0:05` for `at: {when: ..., delay: ...}`, and
`instead of I-07 when notification covers road-msr1` for an alternate. The words follow the
condition's keys (core/conditions.py), so that a planner reads the cell as the scenario means it."""

from __future__ import annotations

import re
from typing import Any

from ..core.timefmt import format_offset

_DELAY = r"(?:\s*\+\s*(\d{1,3}:[0-5]\d(?::[0-5]\d)?))?"
WHEN = re.compile(rf"^when\s+(.+?){_DELAY}$", re.IGNORECASE)
INSTEAD = re.compile(r"^instead\s+of\s+(\S+)\s+when\s+(.+)$", re.IGNORECASE)
# Each kind's opening words -> the condition's first key and value; the rest are options.
_HEADS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"^request\s+(accepted|declined)\b", re.I), lambda m: {"request": m[1].lower()}),
    (re.compile(r"^notification\s+(?:covers|covering)\s+(\S+)", re.I), lambda m: {"notification": m[1]}),
    (re.compile(r"^document\s+opened\b", re.I), lambda m: {"document": "opened"}),
    (re.compile(r"^decision\s+recorded\b", re.I), lambda m: {"decision": "recorded"}),
    (
        re.compile(r"^silence\s+in\s+(\S+)\s+for\s+(\d{1,4})\s*min(?:utes)?\b", re.I),
        lambda m: {"silence": m[1], "minutes": int(m[2])},
    ),
    (re.compile(r"^(\S+)\s+(released|acknowledged)\b", re.I), lambda m: {m[2].lower(): m[1]}),
)
_OPTION = re.compile(r"\s+(by|answering|after)\s+(\S+)", re.IGNORECASE)
_OPTION_KEYS = {"by": "team", "answering": "inject", "after": "after"}
GRAMMAR = (
    "when <condition> [+0:05], or instead of <inject> when <condition>; a condition is request accepted|declined, "
    "notification covers <feature>, document opened, decision recorded, silence in <room> for <N> min, "
    "<inject> released|acknowledged; then optionally by <team>, answering <inject>, after <inject>"
)


def parse_branch(text: str) -> dict[str, Any] | None:
    """A branch cell -> `{when, delay?}` (the `at` of a conditional inject) or `{instead_of, when}` (an
    alternate's keys); None if the text is not a branch; ValueError if it starts as one but is wrong."""
    alternate = INSTEAD.match(text)
    if alternate:
        return {"instead_of": alternate[1], "when": parse_condition(alternate[2])}
    when = WHEN.match(text)
    if when is None:
        return None
    at: dict[str, Any] = {"when": parse_condition(when[1])}
    if when[2]:
        h, m, *s = (int(x) for x in when[2].split(":"))
        at["delay"] = format_offset(h * 3600 + m * 60 + (s[0] if s else 0))
    return at


def parse_condition(text: str) -> dict[str, Any]:
    for head, build in _HEADS:
        m = head.match(text.strip())
        if m is None:
            continue
        condition: dict[str, Any] = build(m)
        rest = text.strip()[m.end() :]
        while rest.strip():
            option = _OPTION.match(rest)
            if option is None:
                raise ValueError(f"{rest.strip()!r} in a branch: write {GRAMMAR}")
            condition[_OPTION_KEYS[option[1].lower()]] = option[2]
            rest = rest[option.end() :]
        return condition
    raise ValueError(f"{text.strip()!r} is not a condition: write {GRAMMAR}")


def format_condition(condition: dict[str, Any]) -> str:
    kind = next(
        k
        for k in ("request", "notification", "document", "decision", "silence", "released", "acknowledged")
        if k in condition
    )
    subject = condition[kind]
    head = {
        "request": f"request {subject}",
        "notification": f"notification covers {subject}",
        "document": "document opened",
        "decision": "decision recorded",
        "silence": f"silence in {subject} for {condition.get('minutes')} min",
        "released": f"{subject} released",
        "acknowledged": f"{subject} acknowledged",
    }[kind]
    words = [head]
    for word, key in _OPTION_KEYS.items():
        if condition.get(key):
            words.append(f"{word} {condition[key]}")
    return " ".join(words)
