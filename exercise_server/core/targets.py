"""Capability targets checked against an exercise's log: met, missed or still open, per team.

Every time is exercise time (what the exercise clock showed): the clock stops while the exercise
is paused, so what a team does during a pause takes no time here, and a threshold of 10 minutes
means 10 minutes of the exercise, however long control paused it. `metrics.compute` feeds the
log to a `TargetTracker` in its one pass; the definitions are docs/evaluation.md's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import events as ev
from . import workflows
from .access import TRAINEE
from .evaluation_guide import ACKNOWLEDGE, ANSWER, FIRST_ACTION, INFORMED, Target
from .scenario import Scenario

MET, MISSED, OPEN, NOT_RELEASED = "met", "missed", "open", "not_released"
TARGET_STATUSES = (MET, MISSED, OPEN, NOT_RELEASED)
_SHARING = frozenset({ev.ROOM_MESSAGE_POSTED, ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED, *workflows.KNOWN_ITEMS})
# The column of metrics.responses each measure reads.
_RESPONSE_COLUMN = {ACKNOWLEDGE: "ack_after", ANSWER: "answer_after", FIRST_ACTION: "first_action_after"}


@dataclass(frozen=True)
class TargetResult:
    target: str
    team: str
    status: str
    released_ex: float | None  # the inject's release
    after: float | None  # exercise seconds from the release to what the target measures
    within: float
    by: str | None = None  # for `informed`: the team whose action reached the team first

    def json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "team": self.team,
            "status": self.status,
            "released_ex": self.released_ex,
            "after": self.after,
            "within": self.within,
            "by": self.by,
        }


def _receivers(event: ev.Event) -> set[str]:
    """The teams that could read what `event` carries (a sealed document: its owner only)."""
    teams = {view.team for key in event.audience if (view := ev.View.parse(key)) and view.team is not None}
    p = event.payload
    if event.type in (ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED):
        teams -= set(p.get("hidden_from", ()))
    if event.type in (ev.DOCUMENT_SHARED, ev.DOCUMENT_FORWARDED) and p.get("sensitive"):
        teams &= {p.get("owner")}
    return teams


class TargetTracker:
    """Follows a log once and remembers, for each `informed` target, when another team's message,
    COP change or coordination item first reached the team after the inject's release."""

    def __init__(self) -> None:
        self.scenario: Scenario | None = None
        self.waiting: dict[tuple[str, str], float] = {}  # (target, team) -> the release's exercise time
        self.reached: dict[tuple[str, str], tuple[float, str]] = {}  # (target, team) -> (ex_time, by team)

    def see(self, event: ev.Event, scenario: Scenario | None) -> None:
        if scenario is None or not scenario.evaluation.targets:
            return
        self.scenario = scenario
        if event.type == ev.INJECT_RELEASED:
            iid = event.payload["inject"]["id"]
            for target in scenario.evaluation.targets:
                if target.measure == INFORMED and target.inject == iid:
                    for team in target.teams:
                        self.waiting.setdefault((target.id, team), event.ex_time)
            return
        if not self.waiting or event.type not in _SHARING or event.actor.role != TRAINEE:
            return
        author = event.actor.team
        receivers = _receivers(event)
        for key, released in list(self.waiting.items()):
            if key[1] != author and key[1] in receivers:
                self.reached[key] = (event.ex_time - released, author or "")
                del self.waiting[key]

    def results(
        self, responses: Iterable[dict[str, Any]], releases: dict[str, float], now: float, ended: bool
    ) -> list[TargetResult]:
        """Every target's result per team. `responses`: metrics' rows per inject and team; `releases`:
        inject -> release exercise time; `now`: the exercise time the log reaches."""
        if self.scenario is None:
            return []
        rows = {(r["inject_id"], r["team"]): r for r in responses}
        out = []
        for target in self.scenario.evaluation.targets:
            for team in target.teams:
                out.append(self._result(target, team, rows, releases, now, ended))
        return out

    def _result(
        self,
        target: Target,
        team: str,
        rows: dict[tuple[str, str], dict[str, Any]],
        releases: dict[str, float],
        now: float,
        ended: bool,
    ) -> TargetResult:
        released = releases.get(target.inject)
        if released is None:
            return TargetResult(target.id, team, NOT_RELEASED, None, None, target.within)
        by = None
        if target.measure == INFORMED:
            reached = self.reached.get((target.id, team))
            after, by = reached if reached else (None, None)
        else:
            row = rows.get((target.inject, team))
            after = row.get(_RESPONSE_COLUMN[target.measure]) if row else None
        if after is not None and after <= target.within:
            status = MET
        elif after is not None or ended or now - released > target.within:
            status = MISSED
        else:
            status = OPEN
        return TargetResult(target.id, team, status, released, after, target.within, by)
