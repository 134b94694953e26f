"""Who takes part: join codes (issued, revoked, replaced), participants removed by the facilitator,
and the language each participant reads the interface in.

Built beside `code.revoke` (commands.py). A removal is the person's, not the code's: their tokens
stop working (hello closes 4410, the HTTP API refuses them) and their teammates stay in. A
replacement is the code's: the new code joins the same team and the old one takes nobody new,
while those who joined with it stay in; so removing someone and replacing their team's code keeps
them out without disturbing the rest of the team. `code.revoke` still shuts out everyone who
joined with a code. The server draws the new code (`replacement`): the core takes no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import events as ev
from .access import TRAINEE
from .context import Decider, Decision, Handler
from .errors import CommandError
from .validate import field

if TYPE_CHECKING:
    from .projections import ExerciseState


@dataclass(frozen=True)
class JoinCode:
    """What a join code lets its holder join as. A revoked code lets nobody in, not even those who
    joined with it; a replaced one keeps those who joined with it but takes nobody new."""

    role: str
    team: str | None
    revoked: bool = False
    replaced_by: str | None = None

    @property
    def takes_newcomers(self) -> bool:
        return not self.revoked and self.replaced_by is None


def remove_participant(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    pid = field(command, "participant", str)
    state = decision.state
    if pid in state.removed:
        raise CommandError("conflict", "this participant was removed already")
    person = state.participants.get(pid)
    if person is None:
        raise CommandError("not_found", f"no participant {pid!r}")
    payload = {"participant": pid, "name": person.name, "role": person.role, "team": person.team}
    return [decision.draft(ev.PARTICIPANT_REMOVED, payload, removal_audience(person.role, person.team))]


def removal_audience(role: str, team: str | None) -> tuple[str, ...]:
    """The control cell, and a trainee's own team: their teammates' lists of who is in lose them."""
    return (*ev.CONTROL_CELL, ev.team_key(team)) if role == TRAINEE and team else ev.CONTROL_CELL


def replace_code(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    code, new = field(command, "code", str), field(command, "replacement", str)
    info = decision.state.codes.get(code)
    if info is None:
        raise CommandError("not_found", "unknown join code")
    if info.replaced_by is not None:
        raise CommandError("conflict", f"this code was replaced already, by {info.replaced_by}")
    if not new or new in decision.state.codes:
        raise CommandError("conflict", "the new code is taken; try again")
    payload = {"code": code, "replacement": new, "role": info.role, "team": info.team}
    return [decision.draft(ev.CODE_REPLACED, payload, (ev.FACILITATOR,))]


def _code_issued(state: ExerciseState, event: ev.Event) -> None:
    state.codes[event.payload["code"]] = JoinCode(event.payload["role"], event.payload.get("team"))


def _code_revoked(state: ExerciseState, event: ev.Event) -> None:
    state.codes[event.payload["code"]] = replace(state.codes[event.payload["code"]], revoked=True)


def _removed(state: ExerciseState, event: ev.Event) -> None:
    pid = event.payload["participant"]
    state.removed[pid] = state.participants.pop(pid)


def _code_replaced(state: ExerciseState, event: ev.Event) -> None:
    p = event.payload
    state.codes[p["code"]] = replace(state.codes[p["code"]], replaced_by=p["replacement"])
    state.codes[p["replacement"]] = JoinCode(p["role"], p["team"])


def set_language(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """A seat's interface language, remembered for the participant: their other tabs and devices follow it.
    The control cell hears of it, and a trainee's own team (where their other tabs are)."""
    language = field(command, "language", str)
    if language not in decision.limits.languages:
        raise CommandError("invalid", f"language must be one of {', '.join(decision.limits.languages)}")
    who = decision.principal
    audience = ev.CONTROL_CELL if who.team is None else (*ev.CONTROL_CELL, ev.team_key(who.team))
    return [
        decision.draft(ev.PARTICIPANT_LANGUAGE_SET, {"participant": who.participant, "language": language}, audience)
    ]


def _language_set(state: ExerciseState, event: ev.Event) -> None:
    state.languages[event.payload["participant"]] = event.payload["language"]


DECIDERS: dict[str, Decider] = {
    "participant.remove": remove_participant,
    "code.replace": replace_code,
    "participant.language": set_language,
}
HANDLERS: dict[str, Handler] = {
    ev.CODE_ISSUED: _code_issued,
    ev.CODE_REVOKED: _code_revoked,
    ev.CODE_REPLACED: _code_replaced,
    ev.PARTICIPANT_REMOVED: _removed,
    ev.PARTICIPANT_LANGUAGE_SET: _language_set,
}
