"""A scenario's exercise evaluation guide (HSEEP's EEG): capability targets with a measurable
threshold, critical tasks each citing its doctrine source, and pitfalls evaluators tick.

The model only; `evaluation_check.py` reads it from a scenario's `evaluation:` section and
`targets.py` checks the targets against an exercise's log. Format: docs/scenario-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .translations import Translations

# What a target measures, from the inject's release (exercise time: the clock stops while paused).
ACKNOWLEDGE, ANSWER, FIRST_ACTION, INFORMED = "acknowledge", "answer", "first_action", "informed"
MEASURES = (ACKNOWLEDGE, ANSWER, FIRST_ACTION, INFORMED)
# The measures that need the team among the inject's addressees; `informed` needs it outside them.
ADDRESSED_MEASURES = (ACKNOWLEDGE, ANSWER, FIRST_ACTION)


@dataclass(frozen=True)
class Target:
    """ "The Kilo 22 roadblock reaches the humanitarian team within 10 minutes": `measure` after
    `inject` for each of `teams`, met when it happens at most `within` exercise seconds after the release."""

    id: str
    text: str
    capability: str
    objectives: tuple[str, ...]
    measure: str
    inject: str
    teams: tuple[str, ...]  # team ids (components and `all` resolved)
    within: float  # exercise seconds
    translations: Translations = field(default_factory=dict)  # {language: {"text": ..., "capability": ...}}


@dataclass(frozen=True)
class CriticalTask:
    """A task that must be performed for the capability, and the doctrine that says so."""

    id: str
    text: str
    source: str
    capability: str
    objectives: tuple[str, ...]
    teams: tuple[str, ...]
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class Pitfall:
    """An error to watch for: evaluators tick it when a team makes it."""

    id: str
    text: str
    objectives: tuple[str, ...]
    teams: tuple[str, ...]
    injects: tuple[str, ...] = ()
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationGuide:
    targets: tuple[Target, ...] = ()
    critical_tasks: tuple[CriticalTask, ...] = ()
    pitfalls: tuple[Pitfall, ...] = ()

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def pitfall(self, pitfall_id: str) -> Pitfall | None:
        return next((p for p in self.pitfalls if p.id == pitfall_id), None)

    def capabilities(self) -> list[str]:
        """The capabilities the guide names, in the order it first names them."""
        seen: dict[str, None] = {}
        for capability in [t.capability for t in self.targets] + [c.capability for c in self.critical_tasks]:
            if capability:
                seen.setdefault(capability)
        return list(seen)

    def for_team(self, team: str) -> EvaluationGuide:
        """What an evaluator of `team` prepares: the items that concern it."""
        return EvaluationGuide(
            tuple(t for t in self.targets if team in t.teams),
            tuple(c for c in self.critical_tasks if team in c.teams),
            tuple(p for p in self.pitfalls if team in p.teams),
        )
