"""Request for assistance: a civilian or humanitarian team asks the military for an asset, as the
last resort (the Oslo Guidelines); the military accepts, declines or asks for more information."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..events import N_
from ..scenario import Scenario
from ..validate import choice, geometry, offset, text
from ..validate import field as required
from .common import Label, is_control, short, stamp, team_id, trainee, visible_rows, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

ASSETS = ("escort", "airlift", "engineering", "medical")
DECISIONS = ("accept", "decline", "more_info")
STATUS = {"accept": "accepted", "decline": "declined", "more_info": "more_info_requested"}
LAST_RESORT_MIN_CHARS = 20

EVENTS = {
    ev.RFA_SUBMITTED: "asset justification last_resort location rfa_id team time_limit",
    ev.RFA_RESPONDED: "decision reason rfa_id team",
    ev.RFA_CLARIFIED: "rfa_id team text",
}


RESPONSES = {"rfa.submit": "request for assistance", "rfa.respond": "response to a request for assistance"}
ACTIONS = {
    ev.RFA_SUBMITTED: "request for assistance",
    ev.RFA_RESPONDED: "response to a request for assistance",
    ev.RFA_CLARIFIED: "request for assistance clarified",
}
KNOWN_ITEMS = {ev.RFA_SUBMITTED: ("request", "rfa_id", "asset")}
STATUS_WORDS = {
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "more_info_requested": N_("more info requested"),
}
LABELS: dict[str, Label] = {
    ev.RFA_SUBMITTED: lambda p, _: (
        _("%(id)s %(asset)s requested by %(team)s") % {"id": p["rfa_id"], "asset": _(p["asset"]), "team": p["team"]}
    ),
    ev.RFA_RESPONDED: lambda p, _: (
        _("%(id)s %(status)s by %(team)s")
        % {"id": p["rfa_id"], "status": _(STATUS_WORDS[STATUS[p["decision"]]]), "team": p["team"]}
        + (f": {short(p['reason'])}" if p["reason"] else "")
    ),
    ev.RFA_CLARIFIED: lambda p, _: (
        _("%(id)s clarified by %(team)s: %(text)s") % {"id": p["rfa_id"], "team": p["team"], "text": short(p["text"])}
    ),
}


@dataclass
class Request:
    rfa_id: str
    team: str
    asset: str
    justification: str
    last_resort: str
    time_limit: float
    location: dict[str, Any]
    seq: int
    ex_time: float
    wall_time: float
    author: str
    status: str = "submitted"
    history: list[dict[str, Any]] = field(default_factory=list)  # {status, team, reason, seq, ex_time}


# -- who sees a request: its live events and its snapshot row alike -------------------


def teams(scenario: Scenario, team: str) -> frozenset[str]:
    """The requesting team and every military team."""
    return frozenset({team} | {t.id for t in scenario.teams if t.component == "military"})


def audience(decision: Decision, team: str) -> tuple[str, ...]:
    return decision.team_audience(teams(decision.scenario, team))


def visible(scenario: Scenario, rfa: Request, view: ev.View) -> dict[str, Any] | None:
    if is_control(view) or (view.team is not None and view.team in teams(scenario, rfa.team)):
        return wire(rfa)
    return None


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"rfas": visible_rows(state.rfas.values(), lambda rfa: visible(scenario, rfa, view))}


# -- deciders ----------------------------------------------------------------------


def _submit(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("civilian", "humanitarian"), "request military assistance")
    asset = choice(command, "asset", ASSETS)
    justification = text(command.get("justification"), "justification")
    raw = command.get("last_resort")
    if not isinstance(raw, str) or len(raw.strip()) < LAST_RESORT_MIN_CHARS:
        raise CommandError(
            "invalid",
            "last_resort must explain, in at least "
            f"{LAST_RESORT_MIN_CHARS} characters, why no comparable civilian alternative exists "
            "(the Oslo Guidelines' last-resort test)",
        )
    last_resort = text(raw, "last_resort")  # its length limit
    time_limit = offset(command.get("time_limit"), "time_limit")
    if time_limit < decision.ex:
        raise CommandError("invalid", "time_limit has already passed: give a time still ahead in the exercise")
    location = geometry(command.get("location"), ("Point", "LineString", "Polygon"), "location")
    payload = {
        "rfa_id": team_id("RFA", (r.team for r in decision.state.rfas.values()), team),
        "team": team,
        "asset": asset,
        "justification": justification,
        "last_resort": last_resort,
        "time_limit": time_limit,
        "location": location,
    }
    return [decision.draft(ev.RFA_SUBMITTED, payload, audience(decision, team))]


def _respond(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("military",), "respond to a request for assistance")
    rid = required(command, "rfa_id", str)
    rfa = decision.state.rfas.get(rid)
    if rfa is None:
        raise CommandError("not_found", f"no request for assistance {rid!r}")
    answer = choice(command, "decision", DECISIONS)
    reason = text(command.get("reason"), "reason", required=answer != "accept")
    if rfa.status in ("accepted", "declined"):
        raise CommandError("wrong_state", f"request {rid!r} was already {rfa.status}")
    payload = {"rfa_id": rid, "team": team, "decision": answer, "reason": reason}
    return [decision.draft(ev.RFA_RESPONDED, payload, audience(decision, rfa.team))]


def _clarify(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The requesting team answers a request for more information; the request is open again."""
    decision.not_ended()
    team, _ = trainee(decision, ("civilian", "humanitarian"), "clarify a request for assistance")
    rid = required(command, "rfa_id", str)
    rfa = decision.state.rfas.get(rid)
    if rfa is None or rfa.team != team:
        raise CommandError("not_found", f"no request for assistance {rid!r} of your team")
    if rfa.status != "more_info_requested":
        raise CommandError("wrong_state", f"request {rid!r} is {rfa.status}: nobody asked for more information")
    payload = {"rfa_id": rid, "team": team, "text": text(command.get("text"), "text")}
    return [decision.draft(ev.RFA_CLARIFIED, payload, audience(decision, rfa.team))]


# -- fold --------------------------------------------------------------------------


def _history(e: ev.Event, status: str, reason: str) -> dict[str, Any]:
    return {"status": status, "team": e.payload["team"], "reason": reason, "seq": e.seq, "ex_time": e.ex_time}


def _submitted(state: ExerciseState, e: ev.Event) -> None:
    rfa = Request(**e.payload, **stamp(e))
    rfa.history.append(_history(e, "submitted", ""))
    state.rfas[rfa.rfa_id] = rfa


def _responded(state: ExerciseState, e: ev.Event) -> None:
    rfa = state.rfas[e.payload["rfa_id"]]
    rfa.status = STATUS[e.payload["decision"]]
    rfa.history.append(_history(e, rfa.status, e.payload["reason"]))


def _clarified(state: ExerciseState, e: ev.Event) -> None:
    rfa = state.rfas[e.payload["rfa_id"]]
    rfa.status = "submitted"  # open again for the military's response
    rfa.history.append(_history(e, "clarified", e.payload["text"]))


DECIDERS: dict[str, Decider] = {"rfa.submit": _submit, "rfa.respond": _respond, "rfa.clarify": _clarify}
HANDLERS: dict[str, Handler] = {
    ev.RFA_SUBMITTED: _submitted,
    ev.RFA_RESPONDED: _responded,
    ev.RFA_CLARIFIED: _clarified,
}
