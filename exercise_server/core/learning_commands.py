"""A trainee answers the knowledge check (before and after) or the feedback form: once each, recorded
for the control cell only, so that nobody else (not even the trainee's own team) sees the answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import events as ev
from .access import TRAINEE
from .context import Decider, Decision, Handler
from .errors import CommandError
from .learning import ANSWER_CHARS, FORMS, Question
from .validate import choice, field

if TYPE_CHECKING:
    from .projections import ExerciseState


def _answer(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    principal = decision.principal
    if principal.role != TRAINEE or not principal.team or not principal.participant:
        raise CommandError("forbidden", "only a trainee answers the knowledge check and the feedback form")
    form = choice(command, "form", FORMS)
    learning = decision.scenario.learning
    questions = learning.questions(form) if learning else ()
    if not questions:
        raise CommandError(
            "not_found", f"this scenario has no {'feedback form' if form == 'feedback' else 'knowledge check'}"
        )
    if (principal.participant, form) in decision.state.learning_answers:
        raise CommandError("conflict", f"you have already answered the {form} form")
    raw = field(command, "answers", dict)
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(raw) - set(by_id))
    if unknown:
        raise CommandError("invalid", f"answers: no question {unknown[0]!r} in the {form} form")
    answers = {qid: value for qid, q in by_id.items() if qid in raw and (value := _value(q, raw[qid])) is not None}
    if not answers:
        raise CommandError("invalid", "answers: answer at least one question")
    payload = {
        "form": form,
        "participant": principal.participant,
        "name": principal.name,
        "team": principal.team,
        "answers": answers,
    }
    return [decision.draft(ev.LEARNING_ANSWERED, payload, ev.CONTROL_CELL)]


def _value(q: Question, value: Any) -> Any:
    """An answer checked against its question's kind; None for one left blank."""
    if value is None:
        return None
    if q.kind == "choice":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(q.choices):
            raise CommandError("invalid", f"answers.{q.id}: the index of a choice, 0 to {len(q.choices) - 1}")
        return value
    if q.kind == "scale":
        assert q.scale is not None
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= q.scale:
            raise CommandError("invalid", f"answers.{q.id}: a whole number from 1 to {q.scale}")
        return value
    if not isinstance(value, str) or len(value) > ANSWER_CHARS:
        raise CommandError("invalid", f"answers.{q.id}: text of at most {ANSWER_CHARS} characters")
    return value.strip() or None


def _answered(state: ExerciseState, e: ev.Event) -> None:
    p = e.payload
    state.learning_answers[(p["participant"], p["form"])] = {**p, "seq": e.seq, "ex_time": e.ex_time}


DECIDERS: dict[str, Decider] = {"learning.answer": _answer}
HANDLERS: dict[str, Handler] = {ev.LEARNING_ANSWERED: _answered}
