"""Knowledge checks and the hot wash (Kirkpatrick levels 1 and 2): a scenario's `learning:` section,
what a trainee's view may see of it (never the answers), how an answer is scored, and the results
the report prints per team, per objective and per participant (docs/scenario-format.md, "Learning").
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .translations import Text, Translations

FORMS = ("pre", "post", "feedback")  # the knowledge check before and after, and the feedback form
MAX_QUESTIONS = 30
MAX_CHOICES = 8
MAX_SCALE = 10
ANSWER_CHARS = 1000


@dataclass(frozen=True)
class Question:
    """One question: multiple choice (`choices`, `answer`), short answer (`accept`), a rating
    (`scale`, feedback only) or free text (feedback only)."""

    id: str
    question: str
    objective: str | None = None
    choices: tuple[str, ...] = ()
    answer: int | None = None  # the right choice, from 0
    accept: tuple[str, ...] = ()  # a short answer is right when it contains one of these (any case)
    scale: int | None = None  # a rating from 1 to scale
    translations: Translations = field(default_factory=dict)  # {language: {"question": ..., "choices": [...]}}

    @property
    def kind(self) -> str:
        if self.choices:
            return "choice"
        if self.accept:
            return "short"
        return "scale" if self.scale else "text"

    def public(self) -> dict[str, Any]:
        """What a trainee's view holds of the question: never its answer."""
        return {
            "id": self.id,
            "kind": self.kind,
            "question": self.question,
            "objective": self.objective,
            "choices": list(self.choices),
            "scale": self.scale,
            "translations": self.translations,
        }

    def control(self) -> dict[str, Any]:
        return {**self.public(), "answer": self.answer, "accept": list(self.accept)}

    def correct(self, value: Any) -> bool:
        """Whether an answer of the knowledge check is right (an unanswered question is not)."""
        if self.kind == "choice":
            return bool(value == self.answer)
        if self.kind == "short" and isinstance(value, str):
            given = value.casefold()
            return any(word.casefold() in given for word in self.accept)
        return False


@dataclass(frozen=True)
class Learning:
    check: tuple[Question, ...] = ()  # answered twice: before (pre) and after (post) the exercise
    feedback: tuple[Question, ...] = ()  # the participant feedback form (the hot wash)

    def questions(self, form: str) -> tuple[Question, ...]:
        return self.feedback if form == "feedback" else self.check

    def view(self, control: bool) -> dict[str, Any]:
        """The section as a view's snapshot carries it: the control cell's with the answers."""

        def shown(q: Question) -> dict[str, Any]:
            return q.control() if control else q.public()

        return {"check": [shown(q) for q in self.check], "feedback": [shown(q) for q in self.feedback]}


# -- checking the scenario's section ------------------------------------------------------


class Checker(Protocol):
    """The parts of the scenario checker (core/scenario_fields.FieldChecks) this section uses."""

    def err(self, node: Any, key: Any, message: str) -> None: ...

    def keys(self, value: dict[str, Any], what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> bool: ...

    def entry(
        self, node: Any, key: Any, value: Any, what: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> tuple[dict[str, Any], str] | None: ...

    def translatable(
        self, node: Any, key: Any, raw: Any, what: str, message: str | None = None, empty: bool = False
    ) -> Text | None: ...


def check_learning(checks: Checker, doc: dict[str, Any], objectives: dict[str, str]) -> Learning | None:
    """The `learning:` section read, its problems reported through `checks`; None without one."""
    raw = doc.get("learning")
    if raw is None:
        return None
    if not isinstance(raw, dict) or not checks.keys(raw, "learning", (), ("knowledge_check", "feedback")):
        if not isinstance(raw, dict):
            checks.err(doc, "learning", "learning must be a mapping with knowledge_check and/or feedback")
        return None
    parts: dict[str, tuple[Question, ...]] = {}
    for key in ("knowledge_check", "feedback"):
        items = raw.get(key, [])
        if not isinstance(items, list) or len(items) > MAX_QUESTIONS:
            checks.err(raw, key, f"learning: {key} must be a list of at most {MAX_QUESTIONS} questions")
            continue
        questions: list[Question] = []
        for i, item in enumerate(items):
            q = _question(checks, items, i, item, key, objectives)
            if q is not None and any(other.id == q.id for other in questions):
                checks.err(item, "id", f"learning: duplicate question id {q.id!r} in {key}")
            elif q is not None:
                questions.append(q)
        parts[key] = tuple(questions)
    return Learning(parts.get("knowledge_check", ()), parts.get("feedback", ()))


def _question(
    checks: Checker, items: list[Any], i: int, item: Any, key: str, objectives: dict[str, str]
) -> Question | None:
    optional = ("objective", "choices", "answer", "accept") if key == "knowledge_check" else ("scale",)
    found = checks.entry(items, i, item, "question", ("id", "question"), optional)
    if found is None:
        return None
    item, qid = found
    what = f"learning question {qid!r}"
    text = checks.translatable(item, "question", item["question"], what)
    translations: Translations = {}
    for lang, other in text.others if text else ():
        translations.setdefault(lang, {})["question"] = other
    objective = item.get("objective")
    if key == "knowledge_check" and objective not in objectives:
        checks.err(item, "objective", f"{what}: objective must be one of the scenario's ({', '.join(objectives)})")
    if key == "feedback":
        scale = item.get("scale")
        if scale is not None and (not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= MAX_SCALE):
            checks.err(item, "scale", f"{what}: scale must be a whole number from 2 to {MAX_SCALE}")
            return None
        return Question(qid, text.default if text else "", scale=scale, translations=translations)
    if ("choices" in item) == ("accept" in item):
        checks.err(item, "question", f"{what}: give either choices (multiple choice) or accept (short answer)")
        return None
    if "accept" in item:
        accept = item["accept"]
        if not isinstance(accept, list) or not accept or not all(isinstance(a, str) and a.strip() for a in accept):
            checks.err(item, "accept", f"{what}: accept must list the words a right short answer contains")
            return None
        if "answer" in item:
            checks.err(item, "answer", f"{what}: a short answer is scored by accept, not answer")
        return Question(qid, text.default if text else "", objective, accept=tuple(accept), translations=translations)
    choices = item["choices"]
    if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
        checks.err(item, "choices", f"{what}: choices must list 2 to {MAX_CHOICES} answers")
        return None
    read = [checks.translatable(choices, n, c, what) for n, c in enumerate(choices)]
    for n, choice in enumerate(read):
        for lang, other in choice.others if choice else ():
            translations.setdefault(lang, {}).setdefault("choices", [None] * len(choices))[n] = other
    answer = item.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= len(choices):
        checks.err(
            item,
            "answer" if "answer" in item else "choices",
            f"{what}: answer must be the number of the right choice, 1 to {len(choices)}",
        )
        return None
    return Question(
        qid,
        text.default if text else "",
        objective,
        choices=tuple(c.default if c else "" for c in read),
        answer=answer - 1,
        translations=translations,
    )


# -- results ---------------------------------------------------------------------------------


def score(questions: Iterable[Question], answers: dict[str, Any]) -> tuple[int, int]:
    """Right answers and questions."""
    qs = list(questions)
    return sum(1 for q in qs if q.correct(answers.get(q.id))), len(qs)


def _percent(right: int, total: int) -> float | None:
    return 100.0 * right / total if total else None


def results(learning: Learning, rows: Iterable[dict[str, Any]], objectives: dict[str, str]) -> dict[str, Any]:
    """The knowledge check per participant, per team and per objective (pre against post), and the
    feedback form's answers per question. `rows`: learning.answered rows (state.learning_answers)."""
    rows = list(rows)
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        person = people.setdefault(
            row["participant"], {"name": row["name"], "team": row["team"], "pre": None, "post": None}
        )
        if row["form"] in ("pre", "post"):
            right, total = score(learning.check, row["answers"])
            person[row["form"]] = _percent(right, total)
    teams: dict[str, dict[str, Any]] = {}
    for person in people.values():
        scores = teams.setdefault(person["team"], {"pre": [], "post": []})
        for form in ("pre", "post"):
            if person.get(form) is not None:
                scores[form].append(person[form])
    per_objective = []
    for oid in objectives:
        qs = [q for q in learning.check if q.objective == oid]
        if not qs:
            continue
        out: dict[str, Any] = {"objective": oid, "questions": len(qs)}
        for form in ("pre", "post"):
            answered = [r for r in rows if r["form"] == form]
            right = sum(1 for r in answered for q in qs if q.correct(r["answers"].get(q.id)))
            out[form] = _percent(right, len(qs) * len(answered))
            out[f"{form}_answered"] = len(answered)
        per_objective.append(out)
    feedback = []
    for q in learning.feedback:
        given = [r["answers"][q.id] for r in rows if r["form"] == "feedback" and q.id in r["answers"]]
        feedback.append(
            {
                "id": q.id,
                "question": q.question,
                "scale": q.scale,
                "count": len(given),
                "mean": statistics.fmean(given) if q.scale and given else None,
                "texts": [] if q.scale else given,
            }
        )
    return {
        "participants": sorted(people.values(), key=lambda p: (p["team"], p["name"])),
        "teams": {
            team: {form: (statistics.fmean(v) if v else None) for form, v in scores.items()}
            | {f"{form}_answered": len(v) for form, v in scores.items()}
            for team, scores in sorted(teams.items())
        },
        "objectives": per_objective,
        "feedback": feedback,
        "forms": {form: sum(1 for r in rows if r["form"] == form) for form in FORMS},
    }
