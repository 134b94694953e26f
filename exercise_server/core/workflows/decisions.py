"""The decision log: a team records what it decided, why, and whom it consulted; only it and the
control cell see its log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..scenario import Scenario
from ..validate import SHORT_CHARS, text
from .common import Label, no_team_field, short, stamp, team_id, team_only, trainee, visible_rows

if TYPE_CHECKING:
    from ..projections import ExerciseState

MAX_CONSULTED = 50

EVENTS = {ev.DECISION_RECORDED: "consulted decision_id team what why"}


RESPONSES = {"decision.record": "decision recorded"}
ACTIONS = {ev.DECISION_RECORDED: "decision recorded"}
KNOWN_ITEMS: dict[str, tuple[str, str, str]] = {}
LABELS: dict[str, Label] = {
    ev.DECISION_RECORDED: lambda p, _: (
        _("%(id)s decision by %(team)s: %(what)s")
        % {"id": p["decision_id"], "team": p["team"], "what": short(p["what"])}
    ),
}


@dataclass
class LoggedDecision:
    decision_id: str
    team: str
    what: str
    why: str
    consulted: list[str]  # names of teams, components or actors
    seq: int
    ex_time: float
    wall_time: float
    author: str


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    """A team's log is its own and the control cell's, as its live events are."""
    return {"decisions": visible_rows(state.decisions.values(), lambda logged: team_only(logged, view))}


def _record(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, None, "record a decision")
    no_team_field(command, "records decisions")
    consulted = command.get("consulted", [])
    if (
        not isinstance(consulted, list)
        or not all(isinstance(c, str) and c.strip() for c in consulted)
        or len(consulted) > MAX_CONSULTED
    ):
        raise CommandError("invalid", "consulted must be a list of names (teams, components, actors)")
    payload = {
        "decision_id": team_id("DEC", (d.team for d in decision.state.decisions.values()), team),
        "team": team,
        "what": text(command.get("what"), "what"),
        "why": text(command.get("why"), "why"),
        "consulted": [c.strip()[:SHORT_CHARS] for c in consulted],
    }
    return [decision.draft(ev.DECISION_RECORDED, payload, decision.team_audience({team}))]


def _recorded(state: ExerciseState, e: ev.Event) -> None:
    state.decisions[e.payload["decision_id"]] = LoggedDecision(**e.payload, **stamp(e))


DECIDERS: dict[str, Decider] = {"decision.record": _record}
HANDLERS: dict[str, Handler] = {ev.DECISION_RECORDED: _recorded}
