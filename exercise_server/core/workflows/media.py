"""Simulated media and public statements: the facilitator publishes media items that everyone
reads; a team issues public statements, which everyone reads too (the media may answer them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..access import FACILITATOR
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..scenario import Scenario
from ..validate import SHORT_CHARS, choice, text
from .common import Label, no_team_field, short, stamp, team_id, trainee, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

KINDS = ("article", "radio", "social")

EVENTS = {
    ev.MEDIA_PUBLISHED: "body headline in_reply_to kind media_id outlet",
    ev.STATEMENT_ISSUED: "statement_id team text",
}

RESPONSES = {"statement.issue": "public statement"}
ACTIONS = {ev.STATEMENT_ISSUED: "public statement"}
KNOWN_ITEMS = {ev.MEDIA_PUBLISHED: ("media", "media_id", "headline")}
LABELS: dict[str, Label] = {
    ev.MEDIA_PUBLISHED: lambda p, _: (
        f"{p['media_id']} {_(p['kind'])}, {short(p['outlet'], 40)}: {short(p['headline'])}"
    ),
    ev.STATEMENT_ISSUED: lambda p, _: (
        _("%(id)s public statement by %(team)s: %(text)s")
        % {"id": p["statement_id"], "team": p["team"], "text": short(p["text"])}
    ),
}


@dataclass
class MediaItem:
    media_id: str
    outlet: str
    kind: str
    headline: str
    body: str
    in_reply_to: str | None  # a statement or media id
    seq: int
    ex_time: float
    wall_time: float
    author: str


@dataclass
class Statement:
    statement_id: str
    team: str
    text: str
    seq: int
    ex_time: float
    wall_time: float
    author: str


# -- who sees them: everyone, media and statements alike (live events and snapshot rows)


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {
        "media": [wire(item) for item in state.media.values()],
        "statements": [wire(statement) for statement in state.statements.values()],
    }


# -- deciders ----------------------------------------------------------------------


def _publish(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    if decision.principal.role != FACILITATOR:
        raise CommandError("forbidden", "only the facilitator publishes simulated media")
    kind = choice(command, "kind", KINDS)
    reply = command.get("in_reply_to")
    if reply is not None and not isinstance(reply, str):
        raise CommandError("invalid", "in_reply_to must be a statement or media id")
    if reply is not None and reply not in decision.state.statements and reply not in decision.state.media:
        raise CommandError("not_found", f"no statement or media item {reply!r}")
    payload = {
        "media_id": f"M-{len(decision.state.media) + 1}",
        "outlet": text(command.get("outlet"), "outlet", SHORT_CHARS),
        "kind": kind,
        "headline": text(command.get("headline"), "headline", SHORT_CHARS),
        "body": text(command.get("body"), "body"),
        "in_reply_to": reply,
    }
    return [decision.draft(ev.MEDIA_PUBLISHED, payload, (ev.EVERYONE,))]


def _statement(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, None, "issue a statement")
    no_team_field(command, "issues statements")
    sid = team_id("S", (s.team for s in decision.state.statements.values()), team)
    payload = {"statement_id": sid, "team": team, "text": text(command.get("text"), "text")}
    return [decision.draft(ev.STATEMENT_ISSUED, payload, (ev.EVERYONE,))]


# -- fold --------------------------------------------------------------------------


def _published(state: ExerciseState, e: ev.Event) -> None:
    state.media[e.payload["media_id"]] = MediaItem(**e.payload, **stamp(e))


def _issued(state: ExerciseState, e: ev.Event) -> None:
    state.statements[e.payload["statement_id"]] = Statement(**e.payload, **stamp(e))


DECIDERS: dict[str, Decider] = {"media.publish": _publish, "statement.issue": _statement}
HANDLERS: dict[str, Handler] = {ev.MEDIA_PUBLISHED: _published, ev.STATEMENT_ISSUED: _issued}
