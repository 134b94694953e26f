"""Syndicates: a class plays one scenario in N parallel exercises, one per syndicate.

A class is not a thing of its own in the log: each syndicate's exercise records, in its
`exercise.opened`, the class it belongs to, its number and how many syndicates the class has.
Everything else (teams, rooms, COP, workflows, media, decisions, join codes, clock) is that
exercise's own, so the isolation between syndicates is the isolation between exercises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import CommandError

MAX_SYNDICATES = 8
CLASS_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


@dataclass(frozen=True)
class Syndicate:
    """Which class an exercise belongs to, and which of its syndicates it is (1-based)."""

    class_id: str
    number: int
    of: int

    def payload(self) -> dict[str, Any]:
        return {"class": self.class_id, "number": self.number, "of": self.of}

    @classmethod
    def from_payload(cls, value: Any) -> Syndicate | None:
        """The syndicate an `exercise.opened` names, or None (an exercise of no class, an older log)."""
        if not isinstance(value, dict):
            return None
        class_id, number, of = value.get("class"), value.get("number"), value.get("of")
        if not isinstance(class_id, str) or not isinstance(number, int) or not isinstance(of, int):
            return None
        return cls(class_id, number, of)


def syndicate_count(value: Any) -> int:
    """How many syndicates a facilitator asked for, or CommandError `invalid`."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SYNDICATES:
        raise CommandError("invalid", f"syndicates must be a whole number from 1 to {MAX_SYNDICATES}")
    return value


def syndicate_scope(value: Any, of: int) -> list[int]:
    """The syndicates a class command is for: "all", or a list of syndicate numbers of the class."""
    if value == "all" or value is None:
        return list(range(1, of + 1))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= of for n in value)
    ):
        raise CommandError("invalid", f'syndicates must be "all" or a list of syndicate numbers from 1 to {of}')
    return sorted(set(value))


@dataclass(frozen=True)
class Answer:
    """One team of one syndicate on one inject: when it acknowledged and first answered, in exercise
    seconds after the release (None: not yet, or the inject was not released to it there)."""

    status: str
    ack_after: float | None
    answer_after: float | None
    ack_by: str | None


def _after(row: dict[str, Any] | None, released: float | None) -> float | None:
    if row is None or released is None:
        return None
    return max(0.0, float(row["ex_time"]) - released)


def comparison(states: dict[int, Any]) -> list[dict[str, Any]]:
    """The class's injects side by side: per scripted inject and addressed team, each syndicate's
    answer (the class report). `states` maps syndicate numbers to their ExerciseState. Ad-hoc
    injects are left out: each syndicate's are its own."""
    rows: list[dict[str, Any]] = []
    first = next(iter(states.values()), None)
    if first is None or first.scenario is None:
        return rows
    for inject in first.scenario.injects:
        teams: list[str] = []
        for state in states.values():
            st = state.injects.get(inject.id)
            if st is not None and state.scenario is not None:
                teams += [t for t in sorted(state.scenario.audience(st.inject.to)) if t not in teams]
        for team in teams:
            cells: dict[str, Any] = {}
            for number, state in states.items():
                st = state.injects.get(inject.id)
                if st is None:
                    continue
                released = st.released_ex
                ack, answer = st.acks.get(team), st.responses.get(team)
                cells[str(number)] = Answer(
                    st.status, _after(ack, released), _after(answer, released), ack.get("name") if ack else None
                ).__dict__
            rows.append(
                {"inject": inject.id, "title": inject.title, "offset": inject.offset, "team": team, "cells": cells}
            )
    return rows
