"""Evaluation commands: observations, expectation marks and pitfalls ticked. They write only to the
control cell's own record, and are allowed after the end too, when evaluators finish their notes.
The lead evaluator's work (assignments, final ratings) is lead_evaluation.py."""

from __future__ import annotations

from typing import Any

from . import events as ev
from .context import Decider, Decision
from .errors import CommandError
from .inject_commands import inject_state
from .projections import RELEASED
from .validate import choice, field, optional, text
from .views import expected_actions


def _observe(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    limits, scenario = decision.limits, decision.scenario
    observed = text(command.get("text"), "text", limits.observation_chars)
    rating = command.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or rating not in ev.RATING_SCALE:
        raise CommandError(
            "invalid", f"rating must be a whole number from {min(ev.RATING_SCALE)} to {max(ev.RATING_SCALE)}"
        )
    objective = field(command, "objective", str)
    if objective not in scenario.objectives:
        raise CommandError(
            "invalid", f"unknown objective {objective!r} (the scenario's: {', '.join(scenario.objectives)})"
        )
    inject_id = optional(command, "inject_id", str)
    if inject_id is not None:
        inject = decision.state.injects.get(inject_id)
        if inject is None:
            raise CommandError("not_found", f"no inject {inject_id!r}")
        if inject.status != RELEASED:
            raise CommandError("wrong_state", f"inject {inject_id!r} is {inject.status}; observe released injects")
    team = optional(command, "team", str)
    if team is not None and scenario.team(team) is None:
        raise CommandError("not_found", f"no team {team!r}")
    recommendation = optional(command, "recommendation", str)
    if recommendation is not None:
        recommendation = (
            text(recommendation, "recommendation", limits.observation_chars) if recommendation.strip() else None
        )
    negotiation = _negotiation(command.get("negotiation"), limits.observation_chars)
    payload = {
        "observation": f"OBS-{len(decision.state.observations) + 1}",
        "text": observed,
        "rating": rating,
        "objective": objective,
        "inject_id": inject_id,
        "team": team,
        "recommendation": recommendation,
        **({"negotiation": negotiation} if negotiation else {}),
    }
    return [decision.draft(ev.OBSERVATION_RECORDED, payload, ev.CONTROL_CELL)]


def _negotiation(value: Any, max_chars: int) -> dict[str, Any] | None:
    """A structured negotiation observation: the parties' interests, the options put forward and the
    red lines (texts, each optional), and how it left the relationship and what came of it (required)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CommandError("invalid", "negotiation must be a map")
    known = {*ev.NEGOTIATION_TEXTS, "relationship", "outcome"}
    unknown = sorted(set(value) - known)
    if unknown:
        raise CommandError("invalid", f"negotiation: unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})")
    out: dict[str, Any] = {}
    for name in ev.NEGOTIATION_TEXTS:
        typed = optional(value, name, str)
        out[name] = text(typed, f"negotiation.{name}", max_chars) if typed and typed.strip() else None
    out["relationship"] = choice(value, "relationship", tuple(ev.NEGOTIATION_RELATIONSHIPS))
    out["outcome"] = choice(value, "outcome", tuple(ev.NEGOTIATION_OUTCOMES))
    return out


def _mark(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    scenario = decision.scenario
    inject = inject_state(decision, command)
    iid = inject.inject.id
    if inject.status != RELEASED:
        raise CommandError("wrong_state", f"inject {iid!r} is {inject.status}; marks follow a release")
    team = field(command, "team", str)
    if scenario.team(team) is None:
        raise CommandError("not_found", f"no team {team!r}")
    if team not in scenario.audience(inject.inject.to):
        raise CommandError("invalid", f"inject {iid!r} was not addressed to {team!r}")
    actions = expected_actions(scenario, inject.inject, team)
    action = command.get("action")
    if not isinstance(action, int) or isinstance(action, bool) or not 0 <= action < len(actions):
        raise CommandError(
            "invalid",
            f"action must be the index of one of the {len(actions)} actions expected of {team!r} after {iid!r}",
        )
    status = command.get("status")
    if status not in ev.EXPECTATION_STATUSES:
        raise CommandError("invalid", f"status must be one of {', '.join(ev.EXPECTATION_STATUSES)}")
    note = optional(command, "note", str)
    if note is not None:
        note = text(note, "note", decision.limits.note_chars) if note.strip() else None
    before = decision.state.expectation_marks.get((iid, team, action))
    if before is not None and before["status"] == status and before.get("note") == note:
        raise CommandError("conflict", "this action is already marked so")
    payload = {
        "inject_id": iid,
        "team": team,
        "action": action,
        "text": actions[action],
        "status": status,
        "note": note,
    }
    return [decision.draft(ev.EXPECTATION_MARKED, payload, ev.CONTROL_CELL)]


def _tick(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """A pitfall of the scenario's evaluation guide seen in a team (or, `ticked` false, taken back)."""
    guide = decision.scenario.evaluation
    pitfall = guide.pitfall(field(command, "pitfall", str))
    if pitfall is None:
        known = ", ".join(p.id for p in guide.pitfalls) or "none"
        raise CommandError("not_found", f"no pitfall {command['pitfall']!r} in the evaluation guide (its: {known})")
    team = field(command, "team", str)
    if decision.scenario.team(team) is None:
        raise CommandError("not_found", f"no team {team!r}")
    if team not in pitfall.teams:
        raise CommandError("invalid", f"pitfall {pitfall.id!r} is not one to watch for in {team!r}")
    ticked = command.get("ticked", True)
    if not isinstance(ticked, bool):
        raise CommandError("invalid", "ticked must be true or false")
    inject_id = optional(command, "inject_id", str)
    if inject_id is not None and inject_id not in decision.state.injects:
        raise CommandError("not_found", f"no inject {inject_id!r}")
    note = optional(command, "note", str)
    if note is not None:
        note = text(note, "note", decision.limits.note_chars) if note.strip() else None
    before = decision.state.pitfall_ticks.get((pitfall.id, team))
    if (before is None and not ticked) or (before is not None and (before["ticked"], before["note"]) == (ticked, note)):
        raise CommandError("conflict", "this pitfall is already so for this team")
    payload = {"pitfall": pitfall.id, "team": team, "ticked": ticked, "inject_id": inject_id, "note": note}
    return [decision.draft(ev.PITFALL_TICKED, payload, ev.CONTROL_CELL)]


DECIDERS: dict[str, Decider] = {"observation.record": _observe, "expectation.mark": _mark, "pitfall.tick": _tick}
