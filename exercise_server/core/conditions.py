"""Conditions on an exercise's log that release an inject (docs/scenario-format.md, "Branching"): what
teams did (a request accepted or declined, a notification covering a place or route, a sensitive
document opened, a decision recorded), what they did not do (no message in a room for N minutes),
and the course of other injects (released, acknowledged).

This module reads and checks a condition as a scenario writes it; `branches.py` evaluates it as
events fold. A condition travels as its plain form (`Condition.plain`), in the log and in the MSEL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .scenario_fields import FieldChecks, Key

# Each kind: the key naming it, what that key's value may be (None: an id checked against the
# scenario), and the other keys it takes.
KINDS: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = {
    "released": (None, ()),  # released: <inject>
    "acknowledged": (None, ("team",)),  # acknowledged: <inject>, by a team (any addressee if none)
    "request": (("accepted", "declined"), ("team", "inject")),  # a request (of a team, answering an inject)
    "notification": (None, ("team",)),  # notification: <COP feature> it covers
    "document": (("opened",), ("team",)),  # a sensitive document opened (by a team)
    "decision": (("recorded",), ("team",)),  # a decision logged (by a team)
    "silence": (None, ("minutes", "after")),  # silence: <room>, no message for `minutes` (after an inject)
}
COVER_M = 1000.0  # a notification covers a feature that comes within this distance of it
MAX_SILENCE_MINUTES = 24 * 60


@dataclass(frozen=True)
class Condition:
    """One condition. `subject` is the kind's value: an inject, an outcome, a feature or a room."""

    kind: str
    subject: str
    team: str | None = None  # the team (or component) that acts: requester, notifier, opener, recorder
    inject: str | None = None  # request: the inject it answered; silence: counted from its release
    minutes: float = 0.0  # silence: how long the room stays quiet

    def plain(self) -> dict[str, Any]:
        """The condition as a scenario writes it (and the log and the MSEL spreadsheet carry it)."""
        out: dict[str, Any] = {self.kind: self.subject}
        if self.team:
            out["team"] = self.team
        if self.kind == "silence":
            out["minutes"] = int(self.minutes) if self.minutes == int(self.minutes) else self.minutes
            if self.inject:
                out["after"] = self.inject
        elif self.inject:
            out["inject"] = self.inject
        return out

    def injects(self) -> tuple[str, ...]:
        """The injects this condition waits on (for the checks of unknown ids and cycles)."""
        if self.kind in ("released", "acknowledged"):
            return (self.subject,)
        return (self.inject,) if self.inject else ()


def read_condition(checks: FieldChecks, node: Any, key: Key, raw: Any, what: str) -> Condition | None:
    """A condition mapping (one kind key and its options), or None with the problem reported at `node[key]`.

    Inject and feature ids are checked with the whole MSEL (`reference_problems`); teams and rooms here."""
    kinds = [k for k in KINDS if isinstance(raw, dict) and k in raw]
    if not isinstance(raw, dict) or len(kinds) != 1:
        checks.err(node, key, f"{what}: a condition is a mapping with one of {', '.join(KINDS)}")
        return None
    kind = kinds[0]
    values, options = KINDS[kind]
    for extra in raw:
        if extra != kind and extra not in options:
            checks.err(
                raw, extra, f"{what}: unknown key {extra!r} in a {kind} condition (it takes {', '.join(options)})"
            )
            return None
    subject = raw[kind]
    if not isinstance(subject, str) or (values is not None and subject not in values):
        expected = " or ".join(values) if values else "an id"
        checks.err(raw, kind, f"{what}: {kind} must be {expected}")
        return None
    team = raw.get("team")
    if team is not None and not isinstance(team, str):
        checks.err(raw, "team", f"{what}: team must be a team or component id")
        return None
    inject = raw.get("after") if kind == "silence" else raw.get("inject")
    if inject is not None and not isinstance(inject, str):
        checks.err(raw, "after" if kind == "silence" else "inject", f"{what}: an inject id is expected")
        return None
    minutes = 0.0
    if kind == "silence":
        value = raw.get("minutes")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_SILENCE_MINUTES:
            checks.err(
                raw, "minutes" if "minutes" in raw else kind, f"{what}: minutes must be 1 to {MAX_SILENCE_MINUTES}"
            )
            return None
        minutes = float(value)
    return Condition(kind, subject, team, inject, minutes)


def reference_problems(
    condition: Condition, teams: set[str], rooms: set[str], features: set[str], injects: set[str]
) -> list[tuple[str, str]]:
    """The keys of `condition` that name something the scenario lacks, each with its problem."""
    out = []
    if condition.team is not None and condition.team not in teams:
        out.append(("team", f"unknown team or component {condition.team!r}"))
    if condition.kind in ("released", "acknowledged") and condition.subject not in injects:
        out.append((condition.kind, f"condition on missing inject {condition.subject!r}"))
    if condition.inject is not None and condition.inject not in injects:
        key = "after" if condition.kind == "silence" else "inject"
        out.append((key, f"condition on missing inject {condition.inject!r}"))
    if condition.kind == "notification" and condition.subject not in features:
        out.append(("notification", f"unknown COP feature {condition.subject!r}"))
    if condition.kind == "silence" and condition.subject not in rooms:
        out.append(("silence", f"unknown room {condition.subject!r}"))
    return out


def describe(condition: dict[str, Any], _: Callable[[str], str]) -> str:
    """A condition (its plain form) in words, in the language of `_` (the replay's and the report's)."""
    kind = next((k for k in KINDS if k in condition), "")
    subject = str(condition.get(kind, ""))
    words = {
        "released": lambda: _("%(inject)s released") % {"inject": subject},
        "acknowledged": lambda: _("%(inject)s acknowledged") % {"inject": subject},
        "request": lambda: _request_words(subject, condition.get("team"), _),
        "notification": lambda: _("a humanitarian notification covering %(feature)s") % {"feature": subject},
        "document": lambda: _("a sensitive document opened"),
        "decision": lambda: _("a decision recorded"),
        "silence": lambda: (
            _("no message in %(room)s for %(minutes)s min") % {"room": subject, "minutes": condition.get("minutes")}
        ),
    }
    parts = [words[kind]() if kind in words else str(condition)]
    if condition.get("team") and kind != "request":
        parts.append(_("by %(team)s") % {"team": condition["team"]})
    if condition.get("inject"):
        parts.append(_("answering %(inject)s") % {"inject": condition["inject"]})
    if condition.get("after"):
        parts.append(_("after %(inject)s") % {"inject": condition["after"]})
    return ", ".join(parts)


def _request_words(outcome: str, team: str | None, _: Callable[[str], str]) -> str:
    if team:
        if outcome == "accepted":
            return _("a request for assistance from %(team)s accepted") % {"team": team}
        return _("a request for assistance from %(team)s declined") % {"team": team}
    return _("a request for assistance accepted") if outcome == "accepted" else _("a request for assistance declined")


def describe_branch(payload: dict[str, Any], _: Callable[[str], str]) -> str:
    """An `inject.branched` in words: which inject goes (in place of which) and on which condition."""
    values = {
        "id": payload["inject_id"],
        "replaced": payload.get("instead_of"),
        "why": describe(payload["condition"], _),
    }
    if payload.get("instead_of"):
        return _("%(id)s goes instead of %(replaced)s: %(why)s") % values
    return _("%(id)s goes: %(why)s") % values
