"""Request for military or civil defence assets: a humanitarian team asks for an asset as the last
resort, answering each criterion (last_resort.py); the request goes through the scenario's
humanitarian coordination team (OCHA, `ocha_team`) to the military, or is flagged as not channelled
through OCHA/HC when sent around it; the military accepts with its conditions, declines or asks for
more information. The civilian component sees every request."""

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
from .last_resort import conditions, criteria

if TYPE_CHECKING:
    from ..projections import ExerciseState

DECISIONS = ("accept", "decline", "more_info")
STATUS = {"accept": "accepted", "decline": "declined", "more_info": "more_info_requested"}
# OCHA's decision on a request sent through it: forwarded to the military, or returned to the requester.
COORDINATION = ("forward", "return")
ROUTES = ("ocha", "direct")  # through the coordination team, or around it (flagged)
WITH_OCHA = "with_ocha"

EVENTS = {
    ev.RFA_SUBMITTED: (
        "alternatives asset endorsement escort hand_back_to location need perception_risk rfa_id route"
        " support team time_limit to_military unique_capability until"
    ),
    ev.RFA_COORDINATED: "decision note rfa_id team request?",  # request: the row, for the teams new to it
    ev.RFA_RESPONDED: "conditions decision reason rfa_id team",
    ev.RFA_CLARIFIED: "rfa_id team text",
}


RESPONSES = {
    "rfa.submit": "request for assistance",
    "rfa.coordinate": "request for assistance coordinated",
    "rfa.respond": "response to a request for assistance",
}
ACTIONS = {
    ev.RFA_SUBMITTED: "request for assistance",
    ev.RFA_COORDINATED: "request for assistance coordinated",
    ev.RFA_RESPONDED: "response to a request for assistance",
    ev.RFA_CLARIFIED: "request for assistance clarified",
}
KNOWN_ITEMS = {ev.RFA_SUBMITTED: ("request", "rfa_id", "asset")}
STATUS_WORDS = {
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "more_info_requested": N_("more info requested"),
}
COORDINATION_WORDS = {"forward": N_("forwarded to the military"), "return": N_("returned to the requester")}
LABELS: dict[str, Label] = {
    ev.RFA_SUBMITTED: lambda p, _: (
        _("%(id)s %(asset)s requested by %(team)s") % {"id": p["rfa_id"], "asset": _(p["asset"]), "team": p["team"]}
        + (" · " + _("not channelled through OCHA/HC") if p["route"] == "direct" else "")
    ),
    ev.RFA_COORDINATED: lambda p, _: (
        _("%(id)s %(decision)s by %(team)s: %(note)s")
        % {
            "id": p["rfa_id"],
            "decision": _(COORDINATION_WORDS[p["decision"]]),
            "team": p["team"],
            "note": short(p["note"]),
        }
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
    need: str
    alternatives: list[dict[str, str]]  # {option, why_not}
    unique_capability: str
    support: str  # indirect | infrastructure | direct
    time_limit: float  # needed by
    until: float | None  # handed back by (None: not asked, in a request recorded before the criteria)
    hand_back_to: str
    endorsement: str
    perception_risk: str
    escort: dict[str, str] | None  # the IASC escort criteria, for an escort request
    location: dict[str, Any]
    route: str  # ocha | direct ("not channelled through OCHA/HC")
    to_military: bool  # False while it waits for OCHA, or once OCHA returned it
    seq: int
    ex_time: float
    wall_time: float
    author: str
    status: str = "submitted"
    conditions: dict[str, str] = field(default_factory=dict)  # the military's, once it accepts
    history: list[dict[str, Any]] = field(default_factory=list)  # {status, team, reason, seq, ex_time}


# -- who sees a request: its live events and its snapshot row alike -------------------


def teams(scenario: Scenario, team: str, to_military: bool) -> frozenset[str]:
    """The requesting team, the coordination team, the civilian component; the military once it is sent to it."""
    seen = {team} | {t.id for t in scenario.teams if t.component == "civilian"}
    if scenario.ocha_team:
        seen.add(scenario.ocha_team)
    if to_military:
        seen |= {t.id for t in scenario.teams if t.component == "military"}
    return frozenset(seen)


def audience(decision: Decision, team: str, to_military: bool) -> tuple[str, ...]:
    return decision.team_audience(teams(decision.scenario, team, to_military))


def visible(scenario: Scenario, rfa: Request, view: ev.View) -> dict[str, Any] | None:
    if is_control(view) or (view.team is not None and view.team in teams(scenario, rfa.team, rfa.to_military)):
        return wire(rfa)
    return None


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"rfas": visible_rows(state.rfas.values(), lambda rfa: visible(scenario, rfa, view))}


def _seen(decision: Decision, rid: str) -> Request:
    """The request `rid` if the deciding team may see it (else not_found: nothing of it leaks)."""
    rfa = decision.state.rfas.get(rid)
    team = decision.principal.team
    if rfa is None or team not in teams(decision.scenario, rfa.team, rfa.to_military):
        raise CommandError("not_found", f"no request for assistance {rid!r}")
    return rfa


# -- deciders ----------------------------------------------------------------------


def _route(decision: Decision, team: str, command: dict[str, Any]) -> str:
    route = command.get("route", "ocha")
    if route not in ROUTES:
        raise CommandError("invalid", "route must be ocha (through the coordination team) or direct (around it)")
    ocha = decision.scenario.ocha_team
    if team == ocha:
        return "ocha"  # the coordination team's own request is channelled
    return route if ocha else "direct"  # no coordination team in the scenario: nothing channels it


def _submit(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("humanitarian",), "request military or civil defence assets")
    answers = criteria(command)
    time_limit = offset(command.get("time_limit"), "time_limit")
    if time_limit < decision.ex:
        raise CommandError("invalid", "time_limit has already passed: give a time still ahead in the exercise")
    until = offset(command.get("until"), "until")
    if until <= time_limit:
        raise CommandError("invalid", "until (when the asset is handed back) must come after time_limit")
    location = geometry(command.get("location"), ("Point", "LineString", "Polygon"), "location")
    route = _route(decision, team, command)
    to_military = route == "direct" or team == decision.scenario.ocha_team
    payload = {
        "rfa_id": team_id("RFA", (r.team for r in decision.state.rfas.values()), team),
        "team": team,
        **answers,
        "escort": answers.get("escort"),
        "time_limit": time_limit,
        "until": until,
        "location": location,
        "route": route,
        "to_military": to_military,
    }
    return [decision.draft(ev.RFA_SUBMITTED, payload, audience(decision, team, to_military))]


def _coordinate(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The coordination team forwards a request to the military with its note, or returns it."""
    decision.not_ended()
    team, _ = trainee(decision, ("humanitarian",), "coordinate a request for assistance")
    if team != decision.scenario.ocha_team:
        raise CommandError("forbidden", "only the humanitarian coordination team (OCHA) coordinates requests")
    rfa = _seen(decision, required(command, "rfa_id", str))
    answer = choice(command, "decision", COORDINATION)
    note = text(command.get("note"), "note")
    if rfa.status != WITH_OCHA:
        raise CommandError("wrong_state", f"request {rfa.rfa_id!r} is not waiting for coordination ({rfa.status})")
    payload: dict[str, Any] = {"rfa_id": rfa.rfa_id, "team": team, "decision": answer, "note": note}
    forward = answer == "forward"
    if forward:
        row = wire(rfa)
        payload["request"] = {**row, "history": [dict(h) for h in rfa.history]}
    return [decision.draft(ev.RFA_COORDINATED, payload, audience(decision, rfa.team, forward))]


def _respond(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("military",), "respond to a request for assistance")
    rfa = _seen(decision, required(command, "rfa_id", str))
    answer = choice(command, "decision", DECISIONS)
    reason = text(command.get("reason"), "reason", required=answer != "accept")
    stated = conditions(command.get("conditions")) if answer == "accept" else {}
    if answer != "accept" and command.get("conditions") is not None:
        raise CommandError("invalid", "conditions belong to an acceptance only")
    if rfa.status in ("accepted", "declined"):
        raise CommandError("wrong_state", f"request {rfa.rfa_id!r} was already {rfa.status}")
    payload = {"rfa_id": rfa.rfa_id, "team": team, "decision": answer, "reason": reason, "conditions": stated}
    return [decision.draft(ev.RFA_RESPONDED, payload, audience(decision, rfa.team, True))]


def _clarify(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The requesting team answers a request for more information; the request is open again."""
    decision.not_ended()
    team, _ = trainee(decision, ("humanitarian",), "clarify a request for assistance")
    rid = required(command, "rfa_id", str)
    rfa = decision.state.rfas.get(rid)
    if rfa is None or rfa.team != team:
        raise CommandError("not_found", f"no request for assistance {rid!r} of your team")
    if rfa.status != "more_info_requested":
        raise CommandError("wrong_state", f"request {rid!r} is {rfa.status}: nobody asked for more information")
    payload = {"rfa_id": rid, "team": team, "text": text(command.get("text"), "text")}
    return [decision.draft(ev.RFA_CLARIFIED, payload, audience(decision, rfa.team, True))]


# -- fold --------------------------------------------------------------------------


def _history(e: ev.Event, status: str, reason: str) -> dict[str, Any]:
    return {"status": status, "team": e.payload["team"], "reason": reason, "seq": e.seq, "ex_time": e.ex_time}


def _submitted(state: ExerciseState, e: ev.Event) -> None:
    rfa = Request(**e.payload, **stamp(e))
    rfa.status = "submitted" if rfa.to_military else WITH_OCHA
    rfa.history.append(_history(e, "submitted", ""))
    state.rfas[rfa.rfa_id] = rfa


def _coordinated(state: ExerciseState, e: ev.Event) -> None:
    rfa = state.rfas[e.payload["rfa_id"]]
    forward = e.payload["decision"] == "forward"
    rfa.status = "submitted" if forward else "returned"
    rfa.to_military = forward
    rfa.history.append(_history(e, "forwarded" if forward else "returned", e.payload["note"]))


def _responded(state: ExerciseState, e: ev.Event) -> None:
    rfa = state.rfas[e.payload["rfa_id"]]
    rfa.status = STATUS[e.payload["decision"]]
    if e.payload["conditions"]:
        rfa.conditions = dict(e.payload["conditions"])
    rfa.history.append(_history(e, rfa.status, e.payload["reason"]))


def _clarified(state: ExerciseState, e: ev.Event) -> None:
    rfa = state.rfas[e.payload["rfa_id"]]
    rfa.status = "submitted"  # open again for the military's response
    rfa.history.append(_history(e, "clarified", e.payload["text"]))


DECIDERS: dict[str, Decider] = {
    "rfa.submit": _submit,
    "rfa.coordinate": _coordinate,
    "rfa.respond": _respond,
    "rfa.clarify": _clarify,
}
HANDLERS: dict[str, Handler] = {
    ev.RFA_SUBMITTED: _submitted,
    ev.RFA_COORDINATED: _coordinated,
    ev.RFA_RESPONDED: _responded,
    ev.RFA_CLARIFIED: _clarified,
}
