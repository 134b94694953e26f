"""Humanitarian notification (deconfliction): a humanitarian team notifies a site or movement to
the mission's components and to the parties (components the control cell plays: the national army,
an armed group), military and police teams acknowledge it, the facilitator acknowledges for the
parties, and COP hazards near it are flagged unless the scenario turns flagging off
(`hazard_flags`, so that it does not pre-empt whether the military warns the humanitarians unasked).
A notification informs; it is not an authorisation and no guarantee of safety.

A notification is active until exercise time reaches its window_end; no expiry event is logged.
Acknowledgements of expired notifications are refused and hazards are flagged only near active ones;
snapshots carry window_end so that clients show the status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..access import FACILITATOR, feature_teams, hazard_for_team
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..geometry import distance_m, points
from ..scenario import Scenario
from ..validate import SHORT_CHARS, choice, components, geometry, offset, text
from ..validate import field as required
from .common import Label, is_control, short, stamp, team_id, trainee, visible_rows, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

KINDS = ("site", "movement")
HAZARD_KINDS = ("incident", "checkpoint")
HAZARD_RADIUS_M = 2000.0
RECORD_FIELDS = ("kind", "name", "geometry", "window_start", "window_end", "share_with")  # a notification on record

EVENTS = {
    ev.NOTIFICATION_SUBMITTED: "geometry kind name notification_id share_with team window_end window_start",
    ev.NOTIFICATION_ACKNOWLEDGED: "component notification_id team party?",  # party: for a control-played party
    ev.NOTIFICATION_HAZARD_FLAGGED: (
        "distance_m feature_id feature_kind feature_name geometry notification_id sees_feature"
    ),
}


# A team's action that may answer an inject (`responds_to`), and what metrics call it.
RESPONSES = {"notification.submit": "humanitarian notification"}
# What a team did, as metrics name its first action after an inject.
ACTIONS = {
    ev.NOTIFICATION_SUBMITTED: "humanitarian notification",
    ev.NOTIFICATION_ACKNOWLEDGED: "notification acknowledged",
}
# Items in "who knew what, when": event type -> kind, id field, name field.
KNOWN_ITEMS = {ev.NOTIFICATION_SUBMITTED: ("notification", "notification_id", "name")}
LABELS: dict[str, Label] = {
    ev.NOTIFICATION_SUBMITTED: lambda p, _: (
        _("%(id)s %(kind)s notified by %(team)s: %(name)s")
        % {"id": p["notification_id"], "kind": _(p["kind"]), "team": p["team"], "name": short(p["name"])}
    ),
    ev.NOTIFICATION_ACKNOWLEDGED: lambda p, _: (
        _("%(id)s acknowledged by %(team)s") % {"id": p["notification_id"], "team": p["team"]}
    ),
    ev.NOTIFICATION_HAZARD_FLAGGED: lambda p, _: (
        (
            _("%(id)s: hazard (%(kind)s) %(distance)s m away")
            if "distance_m" in p
            else _("%(id)s: hazard (%(kind)s) within 2 km")
        )
        % {"id": p["notification_id"], "kind": _(p["feature_kind"]), "distance": p.get("distance_m")}
    ),
}


@dataclass
class Notification:
    notification_id: str
    team: str
    kind: str
    name: str
    geometry: dict[str, Any]
    window_start: float
    window_end: float
    share_with: list[str]  # component ids
    seq: int
    ex_time: float
    wall_time: float
    author: str
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # team -> its acknowledgement, stamped
    hazards: list[dict[str, Any]] = field(default_factory=list)  # hazard flags, as their payloads plus seq, ex_time


# -- who sees a notification: its live events and its snapshot row alike ------------


def teams(scenario: Scenario, team: str, share_with: list[str]) -> frozenset[str]:
    """The notifying team and the teams of the components it is shared with."""
    return frozenset({team}) | scenario.teams_of(share_with)


def audience(decision: Decision, team: str, share_with: list[str]) -> tuple[str, ...]:
    return decision.team_audience(teams(decision.scenario, team, share_with))


def visible(scenario: Scenario, n: Notification, view: ev.View) -> dict[str, Any] | None:
    """The snapshot row `view` holds of `n`, or None."""
    if is_control(view):
        return wire(n)
    if view.team is None or view.team not in teams(scenario, n.team, n.share_with):
        return None
    return {**wire(n), "hazards": [hazard_for_team(view.team, h) for h in n.hazards]}


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"notifications": visible_rows(state.notifications.values(), lambda n: visible(scenario, n, view))}


# -- deciders ----------------------------------------------------------------------


def _notify(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, ("humanitarian",), "notify a humanitarian site or movement")
    kind = choice(command, "kind", KINDS)
    name = text(command.get("name"), "name", SHORT_CHARS)
    where = geometry(command.get("geometry"), ("Point", "LineString"), "geometry")
    start, end = offset(command.get("window_start"), "window_start"), offset(command.get("window_end"), "window_end")
    if end <= start:
        raise CommandError("invalid", "window_end must come after window_start")
    if end <= decision.ex:
        raise CommandError("invalid", "window_end has already passed: notify a window still ahead")
    share = components(decision.scenario, command, "share_with")
    nid = team_id("N", (n.team for n in decision.state.notifications.values()), team)
    payload = {
        "notification_id": nid,
        "team": team,
        "kind": kind,
        "name": name,
        "geometry": where,
        "window_start": start,
        "window_end": end,
        "share_with": share,
    }
    addressed = audience(decision, team, share)
    hazards = [
        _hazard(decision, nid, addressed, f, d)
        for f in decision.state.cop.values()  # flagged at once
        if _at_once(decision) and (d := _near(f, where)) is not None
    ]
    return [decision.draft(ev.NOTIFICATION_SUBMITTED, payload, addressed), *hazards]


def _acknowledge_for_party(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """The facilitator acknowledges for a party the control cell plays (its id stands for the team)."""
    party = required(command, "party", str)
    nid = required(command, "notification_id", str)
    n = decision.state.notifications.get(nid)
    played = {c.id for c in decision.scenario.components if c.played_by_control}
    if n is None or party not in played or party not in n.share_with:
        raise CommandError("not_found", f"no notification {nid!r} addressed to a party {party!r} played by control")
    if decision.ex >= n.window_end:
        raise CommandError("wrong_state", f"notification {nid!r} expired at the end of its window")
    if party in n.acks:
        raise CommandError("conflict", f"{party!r} already acknowledged {nid!r}")
    payload = {"notification_id": nid, "team": party, "component": party, "party": True}
    return [decision.draft(ev.NOTIFICATION_ACKNOWLEDGED, payload, audience(decision, n.team, n.share_with))]


def _acknowledge(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    if decision.principal.role == FACILITATOR:
        return _acknowledge_for_party(decision, command)
    team, component = trainee(decision, ("military", "police"), "acknowledge a humanitarian notification")
    if "party" in command:
        raise CommandError("forbidden", "only the facilitator acknowledges for a party it plays")
    nid = required(command, "notification_id", str)
    n = decision.state.notifications.get(nid)
    if n is None or component not in n.share_with:
        raise CommandError("not_found", f"no notification {nid!r} addressed to your component")
    if decision.ex >= n.window_end:
        raise CommandError("wrong_state", f"notification {nid!r} expired at the end of its window")
    if team in n.acks:
        raise CommandError("conflict", f"your team already acknowledged {nid!r}")
    payload = {"notification_id": nid, "team": team, "component": component}
    return [decision.draft(ev.NOTIFICATION_ACKNOWLEDGED, payload, audience(decision, n.team, n.share_with))]


# -- hazard flags ------------------------------------------------------------------


def _near(feature: dict[str, Any], notified: dict[str, Any]) -> float | None:
    """Metres from a hazard (incident or checkpoint) to a notified site or route, if within 2 km."""
    if feature.get("kind") not in HAZARD_KINDS:
        return None
    dist = min((distance_m(p, notified) for p in points(feature["geometry"])), default=math.inf)
    return dist if dist <= HAZARD_RADIUS_M else None


def _hazard(
    decision: Decision, notification_id: str, addressed: tuple[str, ...], feature: dict[str, Any], distance: float
) -> ev.Draft:
    """A hazard flag, addressed as its notification is."""
    payload = {
        "notification_id": notification_id,
        "feature_id": feature["id"],
        "feature_kind": feature["kind"],
        "feature_name": feature.get("name", ""),
        "geometry": feature["geometry"],
        "distance_m": round(distance),
        "sees_feature": sorted(feature_teams(decision.scenario, feature)),
    }
    return decision.draft(ev.NOTIFICATION_HAZARD_FLAGGED, payload, addressed, ev.SYSTEM)


def hazard_drafts(decision: Decision, drafts: list[ev.Draft]) -> list[ev.Draft]:
    """Flag COP incidents and checkpoints added or moved within 2 km of an active notification."""
    out: list[ev.Draft] = []
    if not _at_once(decision):
        return out  # the scenario leaves it to the teams to warn each other, or flags later (due_hazards)
    for d in drafts:
        moved = d.type == ev.COP_FEATURE_CHANGED and "geometry" in d.payload["set"]
        if d.type != ev.COP_FEATURE_ADDED and not moved:
            continue
        feature = d.payload["feature"]
        active = (n for n in decision.state.notifications.values() if decision.ex < n.window_end)
        out += [
            _hazard(decision, n.notification_id, audience(decision, n.team, n.share_with), feature, dist)
            for n in active
            if (dist := _near(feature, n.geometry)) is not None
        ]
    return out


def _at_once(decision: Decision) -> bool:
    return decision.scenario.hazard_flags and not decision.scenario.hazard_delay


def due_hazards(decision: Decision) -> list[ev.Draft]:
    """With `hazard_flags` a delay: the scheduler's flags of hazards that have stood within 2 km of an
    active notification for that long (since the later of the notification and the hazard's placing)
    and are not flagged yet; a hazard moved away meanwhile is not flagged."""
    scenario, state = decision.scenario, decision.state
    if not scenario.hazard_flags or not scenario.hazard_delay:
        return []
    out: list[ev.Draft] = []
    for n in state.notifications.values():
        if decision.ex >= n.window_end:
            continue
        flagged = {h["feature_id"] for h in n.hazards}
        addressed = audience(decision, n.team, n.share_with)
        for fid, feature in state.cop.items():
            if fid in flagged or (dist := _near(feature, n.geometry)) is None:
                continue
            if decision.ex >= max(n.ex_time, state.cop_placed.get(fid, 0.0)) + scenario.hazard_delay:
                out.append(_hazard(decision, n.notification_id, addressed, feature, dist))
    return out


# -- fold --------------------------------------------------------------------------


def on_record(scenario: Scenario, opened: ev.Event) -> dict[str, Notification]:
    """The notifications the scenario says were sent before the exercise, as the opening leaves them
    (as the initial COP is): numbered as their team's first, stamped with the opening."""
    out: dict[str, Notification] = {}
    teams = {t.id: t for t in scenario.teams}
    for item in scenario.notifications:
        team = item["team"]
        nid = team_id("N", (n.team for n in out.values()), team)
        fields: dict[str, Any] = {k: item[k] for k in RECORD_FIELDS}
        stamped: dict[str, Any] = {"seq": opened.seq, "ex_time": 0.0, "wall_time": opened.wall_time, "author": ""}
        n = Notification(notification_id=nid, team=team, **fields, **stamped)
        for who in item["acknowledged_by"]:
            party = who not in teams
            ack = {"notification_id": nid, "team": who, "component": who if party else teams[who].component}
            n.acks[who] = {**ack, **({"party": True} if party else {}), **stamped}
        out[nid] = n
    return out


def _submitted(state: ExerciseState, e: ev.Event) -> None:
    state.notifications[e.payload["notification_id"]] = Notification(**e.payload, **stamp(e))


def _acknowledged(state: ExerciseState, e: ev.Event) -> None:
    state.notifications[e.payload["notification_id"]].acks[e.payload["team"]] = {**e.payload, **stamp(e)}


def _flagged(state: ExerciseState, e: ev.Event) -> None:
    hazard = {**e.payload, "seq": e.seq, "ex_time": e.ex_time}
    state.notifications[e.payload["notification_id"]].hazards.append(hazard)


DECIDERS: dict[str, Decider] = {
    "notification.submit": _notify,
    "notification.acknowledge": _acknowledge,
}
HANDLERS: dict[str, Handler] = {
    ev.NOTIFICATION_SUBMITTED: _submitted,
    ev.NOTIFICATION_ACKNOWLEDGED: _acknowledged,
    ev.NOTIFICATION_HAZARD_FLAGGED: _flagged,
}
