"""The coordination workflows, one module each: its event payloads (EVENTS), its deciders (DECIDERS),
its fold (HANDLERS) and one visibility rule, which addresses its live events and filters its
snapshot rows alike. events.py, commands.py and projections.py merge the tables here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .. import events as ev
from ..context import Decider, Handler
from . import assistance, decisions, documents, media, notification

if TYPE_CHECKING:
    from ..projections import ExerciseState


class Workflow(Protocol):
    EVENTS: dict[str, str]  # event type -> its payload fields, space-separated
    DECIDERS: dict[str, Decider]
    HANDLERS: dict[str, Handler]

    def snapshot(self, state: ExerciseState, view: ev.View) -> dict[str, list[dict[str, Any]]]:
        """The rows of this workflow that `view` may see, under their snapshot keys."""
        ...


WORKFLOWS: tuple[Workflow, ...] = (notification, assistance, documents, media, decisions)
EVENTS = {etype: fields for w in WORKFLOWS for etype, fields in w.EVENTS.items()}
DECIDERS = {ctype: decider for w in WORKFLOWS for ctype, decider in w.DECIDERS.items()}
HANDLERS = {etype: handler for w in WORKFLOWS for etype, handler in w.HANDLERS.items()}


def snapshot(state: ExerciseState, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    """Every workflow's rows that `view` may see (the control cell sees all of them)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for w in WORKFLOWS:
        out.update(w.snapshot(state, view))
    return out
