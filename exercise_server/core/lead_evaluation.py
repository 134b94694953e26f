"""The lead evaluator's work: evaluators assigned to this syndicate's teams, and the final rating of
each objective and capability target (HSEEP's P, S, M, U) with its rationale and the evidence beside it.

Both commands come only through the HTTP API (access.HTTP_ONLY_COMMANDS), which first reads the
control cell's list: whether the assigned member is an evaluator, whether the rater leads them
(`Principal.lead`). The decisions here hold whatever the transport: a rater without the lead flag
is refused, and nothing is recorded.
"""

from __future__ import annotations

from typing import Any

from . import events as ev
from .access import EVALUATOR
from .context import Decider, Decision
from .errors import CommandError
from .metrics import Metrics
from .validate import field, text

OBJECTIVE, TARGET = "objective", "target"
RATED_ITEMS = (OBJECTIVE, TARGET)
RATIONALE_CHARS = 4000
NAME_CHARS = 60


def _assign(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """Evaluator `evaluator` (a control-cell member the server has checked) watches `teams` of this
    syndicate; no teams ends the assignment."""
    evaluator = field(command, "evaluator", str)
    name = text(command.get("name"), "name", NAME_CHARS)
    teams = command.get("teams")
    if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
        raise CommandError("invalid", "teams must be a list of team ids")
    unknown = [t for t in teams if decision.scenario.team(t) is None]
    if unknown:
        raise CommandError("not_found", f"no team {unknown[0]!r}")
    ordered = [t.id for t in decision.scenario.teams if t.id in teams]
    before = decision.state.evaluators.get(evaluator)
    if (before["teams"] if before else []) == ordered:
        raise CommandError("conflict", f"{name} is already assigned so")
    payload = {"evaluator": evaluator, "name": name, "teams": ordered}
    return [decision.draft(ev.EVALUATOR_ASSIGNED, payload, ev.CONTROL_CELL)]


def _rate(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The lead evaluator's final rating of one objective or capability target; a later one replaces it."""
    principal = decision.principal
    if principal.role != EVALUATOR or not principal.lead:
        raise CommandError("forbidden", "only the lead evaluator sets final ratings")
    item = command.get("item")
    if item not in RATED_ITEMS:
        raise CommandError("invalid", f"item must be one of {', '.join(RATED_ITEMS)}")
    ident = field(command, "item_id", str)
    scenario = decision.scenario
    if item == OBJECTIVE and ident not in scenario.objectives:
        raise CommandError("not_found", f"no objective {ident!r} (the scenario's: {', '.join(scenario.objectives)})")
    if item == TARGET and scenario.evaluation.target(ident) is None:
        raise CommandError("not_found", f"no capability target {ident!r} in the evaluation guide")
    rating = command.get("rating")
    if not isinstance(rating, str) or rating not in ev.FINAL_RATINGS:
        raise CommandError("invalid", f"rating must be one of {', '.join(ev.FINAL_RATINGS)}")
    rationale = text(command.get("rationale"), "rationale", RATIONALE_CHARS)
    before = decision.state.final_ratings.get((item, ident))
    if before is not None and (before["rating"], before["rationale"]) == (rating, rationale):
        raise CommandError("conflict", "this rating is already recorded so")
    payload = {"item": item, "item_id": ident, "rating": rating, "rationale": rationale}
    return [decision.draft(ev.FINAL_RATING_SET, payload, ev.CONTROL_CELL)]


DECIDERS: dict[str, Decider] = {"evaluator.assign": _assign, "rating.final": _rate}


def evidence(metrics: Metrics, item: str, ident: str) -> list[dict[str, Any]]:
    """What the log holds for one objective or target, listed beside its final rating: the target
    results, observations, expected-action marks, pitfalls ticked and response times it rests on.
    Each row: kind, team, text, ex_time (None when it is a figure), seq (a moment of the log, or None)."""
    state = metrics.state
    scenario = state.scenario
    assert scenario is not None
    guide = scenario.evaluation
    if item == TARGET:
        target = guide.target(ident)
        if target is None:
            return []
        objectives, injects = set(target.objectives), {target.inject}
        targets = [r for r in metrics.targets if r["target"] == ident]
    else:
        objectives = {ident}
        injects = {iid for iid, st in state.injects.items() if ident in st.inject.objectives}
        ours = {t.id for t in guide.targets if ident in t.objectives}
        targets = [r for r in metrics.targets if r["target"] in ours]
    rows: list[dict[str, Any]] = [
        {
            "kind": "target",
            "team": r["team"],
            "text": r["target"],
            "status": r["status"],
            "after": r["after"],
            "within": r["within"],
            "ex_time": r["released_ex"],
            "seq": None,
        }
        for r in targets
    ]
    for o in state.observations:
        if o["objective"] in objectives and (item == OBJECTIVE or o.get("inject_id") in injects):
            rows.append(
                {
                    "kind": "observation",
                    "team": o.get("team"),
                    "text": o["text"],
                    "status": o["rating"],
                    "ex_time": o["ex_time"],
                    "seq": o["seq"],
                }
            )
    for mark in state.expectation_marks.values():
        if mark["inject_id"] in injects:
            rows.append(
                {
                    "kind": "mark",
                    "team": mark["team"],
                    "text": f"{mark['inject_id']}: {mark['text']}",
                    "status": mark["status"],
                    "ex_time": mark["ex_time"],
                    "seq": mark["seq"],
                }
            )
    for (pid, team), tick in state.pitfall_ticks.items():
        pitfall = guide.pitfall(pid)
        if tick["ticked"] and pitfall and (set(pitfall.objectives) & objectives or set(pitfall.injects) & injects):
            rows.append(
                {
                    "kind": "pitfall",
                    "team": team,
                    "text": pitfall.text,
                    "status": tick.get("note"),
                    "ex_time": tick["ex_time"],
                    "seq": tick["seq"],
                }
            )
    for r in metrics.responses:
        if r["inject_id"] in injects and item == TARGET:
            rows.append(
                {
                    "kind": "response",
                    "team": r["team"],
                    "text": r["inject_id"],
                    "status": r["answer"],
                    "after": r["answer_after"],
                    "ex_time": r["released_ex"],
                    "seq": None,
                }
            )
    return rows
