"""Checking a scenario's `evaluation:` section (the exercise evaluation guide) against the rest of
the scenario: objectives, teams and injects it names, measures and thresholds. Each problem names
its field path (`evaluation.targets[0].within_minutes`) and is reported at its line."""

from __future__ import annotations

from typing import Any

from .evaluation_guide import ADDRESSED_MEASURES, MEASURES, CriticalTask, EvaluationGuide, Pitfall, Target
from .scenario import Scenario
from .scenario_fields import FieldChecks
from .translations import Text, Translations, put

SECTIONS = ("targets", "critical_tasks", "pitfalls")
TARGET_KEYS = ("id", "text", "measure", "inject", "teams", "within_minutes")
TARGET_OPTIONAL = ("capability", "objectives")
TASK_KEYS = ("id", "text", "source")
TASK_OPTIONAL = ("capability", "objectives", "teams")
PITFALL_KEYS = ("id", "text")
PITFALL_OPTIONAL = ("objectives", "teams", "injects")
SOURCE_CHARS = 300
MAX_MINUTES = 24 * 60


class EvaluationChecks(FieldChecks):
    """The `evaluation:` part of a scenario check; `ScenarioChecks` runs it once the MSEL is read."""

    def evaluation(self, doc: dict[str, Any], draft: Scenario) -> EvaluationGuide:
        value = self.optional_mapping(doc, "evaluation", "evaluation")
        if value is None or not self.keys(value, "evaluation", (), SECTIONS):
            return EvaluationGuide()
        seen: set[str] = set()
        targets = [self._target(item, f"evaluation.targets[{i}]", draft) for i, item in self._items(value, "targets")]
        tasks = [
            self._task(item, f"evaluation.critical_tasks[{i}]", draft)
            for i, item in self._items(value, "critical_tasks")
        ]
        pitfalls = [
            self._pitfall(item, f"evaluation.pitfalls[{i}]", draft) for i, item in self._items(value, "pitfalls")
        ]
        for item in (*targets, *tasks, *pitfalls):
            if item is None:
                continue
            if item.id in seen:
                self.err(value, None, f"evaluation: duplicate id {item.id!r} (targets, tasks and pitfalls share ids)")
            seen.add(item.id)
        return EvaluationGuide(
            tuple(t for t in targets if t), tuple(c for c in tasks if c), tuple(p for p in pitfalls if p)
        )

    def _items(self, value: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
        raw = value.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.err(value, key, f"evaluation.{key} must be a list")
            return []
        out = []
        for i, item in enumerate(raw):
            if self.mapping(raw, i, f"evaluation.{key}[{i}]", item) is not None:
                out.append((i, item))
        return out

    def _common(
        self, item: dict[str, Any], where: str, draft: Scenario, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> tuple[str, Text, tuple[str, ...], Translations] | None:
        """The id, text, objectives and translations every kind of item has; None if unusable (reported)."""
        if not self.keys(item, where, required, optional):
            return None
        ident = self.ident(item, "id", where, item["id"])
        text = self.translatable(item, "text", item["text"], f"{where}.text")
        objectives = self.str_list(item, "objectives", where)
        for objective in objectives:
            if objective not in draft.objectives:
                self.err(item, "objectives", f"{where}.objectives: unknown objective {objective!r}")
        if ident is None or text is None:
            return None
        translations: Translations = {}
        put(translations, "text", text)
        return ident, text, tuple(objectives), translations

    def _teams(self, item: dict[str, Any], where: str, draft: Scenario, required: bool) -> tuple[str, ...]:
        names = self.str_list(item, "teams", where)
        scope = {c.id for c in draft.components} | {t.id for t in draft.teams}
        self.refs(item, "teams", f"{where}.teams", names, scope)
        teams = draft.teams_of(names) if names else frozenset()
        if required and not teams:
            self.err(item, "teams", f"{where}.teams: name at least one team (a team, a component or 'all')")
        if not names and not required:
            return tuple(t.id for t in draft.teams)
        return tuple(t.id for t in draft.teams if t.id in teams)

    def _capability(self, item: dict[str, Any], where: str, translations: Translations) -> str:
        if "capability" not in item:
            return ""
        text = self.translatable(item, "capability", item["capability"], f"{where}.capability")
        if text is None:
            return ""
        put(translations, "capability", text)
        return text.default

    def _target(self, item: dict[str, Any], where: str, draft: Scenario) -> Target | None:
        common = self._common(item, where, draft, TARGET_KEYS, TARGET_OPTIONAL)
        if common is None:
            return None
        ident, text, objectives, translations = common
        capability = self._capability(item, where, translations)
        measure = item["measure"]
        if measure not in MEASURES:
            self.err(item, "measure", f"{where}.measure: {measure!r} is not one of {', '.join(MEASURES)}")
        inject = draft.inject(item["inject"]) if isinstance(item["inject"], str) else None
        if inject is None:
            self.err(item, "inject", f"{where}.inject: no inject {item['inject']!r} in the MSEL")
        minutes = item["within_minutes"]
        if not isinstance(minutes, int | float) or isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
            self.err(item, "within_minutes", f"{where}.within_minutes: a number of minutes from 1 to {MAX_MINUTES}")
            minutes = 0
        teams = self._teams(item, where, draft, required=True)
        if inject is not None and measure in MEASURES:
            addressed = draft.audience(inject.to)
            if measure in ADDRESSED_MEASURES:
                outside = [t for t in teams if t not in addressed]
                if outside:
                    self.err(
                        item, "teams", f"{where}.teams: {', '.join(outside)} do not receive {inject.id} ({measure})"
                    )
            elif any(t in addressed for t in teams):
                inside = [t for t in teams if t in addressed]
                self.err(
                    item,
                    "teams",
                    f"{where}.teams: {', '.join(inside)} receive {inject.id} themselves: "
                    "'informed' measures how the news reaches a team it was not addressed to",
                )
        return Target(
            ident,
            text.default,
            capability,
            objectives,
            str(measure),
            inject.id if inject else "",
            teams,
            float(minutes) * 60,
            translations,
        )

    def _task(self, item: dict[str, Any], where: str, draft: Scenario) -> CriticalTask | None:
        common = self._common(item, where, draft, TASK_KEYS, TASK_OPTIONAL)
        if common is None:
            return None
        ident, text, objectives, translations = common
        source = self.text(item, "source", f"{where}.source")
        if len(source) > SOURCE_CHARS or "\n" in source.strip():
            self.err(item, "source", f"{where}.source: one line of at most {SOURCE_CHARS} characters")
        capability = self._capability(item, where, translations)
        teams = self._teams(item, where, draft, required=False)
        return CriticalTask(ident, text.default, source.strip(), capability, objectives, teams, translations)

    def _pitfall(self, item: dict[str, Any], where: str, draft: Scenario) -> Pitfall | None:
        common = self._common(item, where, draft, PITFALL_KEYS, PITFALL_OPTIONAL)
        if common is None:
            return None
        ident, text, objectives, translations = common
        teams = self._teams(item, where, draft, required=False)
        injects = self.str_list(item, "injects", where)
        for iid in injects:
            if draft.inject(iid) is None:
                self.err(item, "injects", f"{where}.injects: no inject {iid!r} in the MSEL")
        return Pitfall(ident, text.default, objectives, teams, tuple(injects), translations)
