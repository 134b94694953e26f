"""A decision in progress: the state, who decides, when, and the drafts' common parts. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import events as ev
from .access import Principal
from .clock import ENDED
from .errors import CommandError
from .scenario import Scenario

if TYPE_CHECKING:
    from .commands import Limits
    from .projections import ExerciseState


# A command's decider: its drafts, or CommandError. A fold handler: the state after one event.
Decider = Callable[["Decision", dict[str, Any]], list[ev.Draft]]
Handler = Callable[["ExerciseState", ev.Event], None]


@dataclass
class Decision:
    """One command (or one scheduler tick) being decided by `principal` at wall time `now`.

    The scheduler decides as `access.SYSTEM`. `ex` is the exercise time the drafts carry."""

    state: ExerciseState
    scenario: Scenario
    principal: Principal
    now: float
    ex: float
    limits: Limits
    _cop: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    def working_cop(self) -> dict[str, dict[str, Any]]:
        """The COP as the drafts decided so far leave it (several releases in one tick)."""
        if self._cop is None:
            self._cop = dict(self.state.cop)
        return self._cop

    def draft(
        self,
        etype: str,
        payload: dict[str, Any],
        audience: tuple[str, ...],
        actor: ev.Actor | None = None,
        ex: float | None = None,
    ) -> ev.Draft:
        actor = actor or self.principal.actor()
        return ev.Draft(etype, payload, audience, self.now, self.ex if ex is None else ex, actor)

    def team_audience(self, teams: Iterable[str]) -> tuple[str, ...]:
        """The control cell and these teams."""
        return (*ev.CONTROL_CELL, *sorted(ev.team_key(t) for t in set(teams)))

    def not_ended(self) -> None:
        if self.state.clock.status == ENDED:
            raise CommandError("wrong_state", "the exercise has ended")
