"""The coordination workflows, one module each: its event payloads (EVENTS), its deciders (DECIDERS),
its fold (HANDLERS) and one visibility rule, which addresses its live events and filters its
snapshot rows alike; also how the replay timeline (LABELS) and the metrics (RESPONSES, ACTIONS,
KNOWN_ITEMS) name its steps. events, commands, projections, replay and metrics merge the tables here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .. import events as ev
from ..context import Decider, Handler
from ..scenario import Scenario
from . import assistance, casevac, decisions, documents, media, notification, tasking
from .common import Label

if TYPE_CHECKING:
    from ..projections import ExerciseState


class Workflow(Protocol):
    EVENTS: dict[str, str]  # event type -> its payload fields, space-separated
    DECIDERS: dict[str, Decider]
    HANDLERS: dict[str, Handler]
    LABELS: dict[str, Label]
    RESPONSES: dict[str, str]  # command type -> the action, when it answers an inject (responds_to)
    ACTIONS: dict[str, str]  # event type -> a team's action, as metrics name it
    KNOWN_ITEMS: dict[str, tuple[str, str, str]]  # event type -> kind, id field, name field of the item it shares

    def snapshot(self, state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
        """The rows of this workflow that `view` may see, under their snapshot keys."""
        ...


WORKFLOWS: tuple[Workflow, ...] = (notification, assistance, tasking, casevac, documents, media, decisions)
EVENTS = {etype: fields for w in WORKFLOWS for etype, fields in w.EVENTS.items()}
DECIDERS = {ctype: decider for w in WORKFLOWS for ctype, decider in w.DECIDERS.items()}
HANDLERS = {etype: handler for w in WORKFLOWS for etype, handler in w.HANDLERS.items()}
LABELS = {etype: label for w in WORKFLOWS for etype, label in w.LABELS.items()}
RESPONSES = {ctype: action for w in WORKFLOWS for ctype, action in w.RESPONSES.items()}
ACTIONS = {etype: action for w in WORKFLOWS for etype, action in w.ACTIONS.items()}
KNOWN_ITEMS = {etype: item for w in WORKFLOWS for etype, item in w.KNOWN_ITEMS.items()}


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    """Every workflow's rows that `view` may see (the control cell sees all of them)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for w in WORKFLOWS:
        out.update(w.snapshot(state, scenario, view))
    return out
