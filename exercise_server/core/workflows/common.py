"""What the workflow modules share: who may act as a team, ids numbered per team, a row's stamp,
and how rows reach a view's snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from .. import events as ev
from ..access import TRAINEE
from ..context import Decision
from ..errors import CommandError

# A language's gettext (exercise_server/i18n/): the core is handed one, it reads no catalogue itself.
Gettext = Callable[[str], str]
# The replay timeline's line for an event, from its payload as the view receives it, in a language.
Label = Callable[[dict[str, Any], Gettext], str]


def short(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def trainee(decision: Decision, components: tuple[str, ...] | None, what: str) -> tuple[str, str | None]:
    """The issuing team and its component, refusing other roles and (given `components`) other components."""
    principal = decision.principal
    if principal.role != TRAINEE or not principal.team:
        raise CommandError("forbidden", f"only a team may {what}")
    team = decision.scenario.team(principal.team)
    component = team.component if team else None
    if components is not None and component not in components:
        raise CommandError("forbidden", f"only a {' or '.join(components)} team may {what}")
    return principal.team, component


def no_team_field(command: dict[str, Any], what: str) -> None:
    for key in ("team", "owner"):
        if key in command:
            raise CommandError("forbidden", f"a team {what} only for itself; {key} cannot be set")


def team_id(prefix: str, teams: Iterable[str], team: str) -> str:
    """Numbered per team (N-hum-1-2: hum-1's second), so that an id tells nothing of other teams' activity.

    `teams` holds the team of each existing row."""
    return f"{prefix}-{team}-{sum(1 for t in teams if t == team) + 1}"


def is_control(view: ev.View) -> bool:
    return view.key in ev.CONTROL_CELL


def wire(row: object) -> dict[str, Any]:
    """A workflow row as snapshots carry it: its fields in order, shared (views.snapshot copies the whole)."""
    return dict(vars(row))


class TeamRow(Protocol):
    team: str


def team_only(row: TeamRow, view: ev.View) -> dict[str, Any] | None:
    """A row that only its team and the control cell see, as its live event is addressed."""
    return wire(row) if is_control(view) or view.team == row.team else None


Row = TypeVar("Row")


def visible_rows(rows: Iterable[Row], visible: Callable[[Row], dict[str, Any] | None]) -> list[dict[str, Any]]:
    """The snapshot rows a view holds: each row as `visible` shows it, those it hides left out."""
    return [shown for row in rows if (shown := visible(row)) is not None]


def stamp(e: ev.Event) -> dict[str, Any]:
    """When a row was made and by whom: the fields every workflow row adds to its event's payload."""
    return {"seq": e.seq, "ex_time": e.ex_time, "wall_time": e.wall_time, "author": e.actor.name}
