"""Coordination workflows of issue 6: humanitarian notification (deconfliction), request
for assistance, protected information sharing, simulated media and decision logs.

Deciders only, in the style of commands.py: validate, authorise, answer with drafts.
Folding lives in projections.py. Expiry of notifications is *computed from the clock*:
a notification is active until exercise time reaches its window_end; no expiry event is
logged. The decider refuses acknowledgements of expired notifications and flags hazards
only near active ones; snapshots carry window_end so that clients show the status.
"""

from __future__ import annotations

import math
from typing import Any

from . import events as ev
from .access import FACILITATOR, TRAINEE
from .errors import CommandError
from .geometry import geometry_problem
from .timefmt import parse_offset

NOTIFICATION_KINDS = ("site", "movement")
RFA_ASSETS = ("escort", "airlift", "engineering", "medical")
RFA_DECISIONS = ("accept", "decline", "more_info")
MEDIA_KINDS = ("article", "radio", "social")
HAZARD_KINDS = ("incident", "checkpoint")
HAZARD_RADIUS_M = 2000.0
LAST_RESORT_MIN_CHARS = 20
MAX_OFFSET = 30 * 24 * 3600
TEXT_CHARS = 4000
SHORT_CHARS = 200
APPROVAL_REFUSAL = (
    "humanitarian notifications are acknowledged, never approved: "
    "humanitarian access is not subject to military approval"
)
# Commands that exist only to be refused with an explanation (checked before authorisation).
EXPLAINED_REFUSALS = {"notification.approve": APPROVAL_REFUSAL}


# -- helpers ------------------------------------------------------------------------


def _field(command: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = command.get(name)
    if value is None:
        raise CommandError("invalid", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise CommandError("invalid", f"field {name!r} has the wrong type")
    return value


def _text(command: dict[str, Any], name: str, max_chars: int = TEXT_CHARS, required: bool = True) -> str:
    value = command.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CommandError("invalid", f"{name} must be non-empty text")
    if len(value) > max_chars:
        raise CommandError("invalid", f"{name} is longer than {max_chars} characters")
    return value.strip()


def _trainee(ctx: Any, components: tuple[str, ...] | None, what: str) -> str:
    """The issuing team's component, refusing other roles and components."""
    p = ctx.p
    if p.role != TRAINEE or not p.team:
        raise CommandError("forbidden", f"only a team may {what}")
    comp = ctx.sc.team(p.team).component if ctx.sc.team(p.team) else None
    if components is not None and comp not in components:
        raise CommandError("forbidden", f"only a {' or '.join(components)} team may {what}")
    return comp


def _no_team_field(command: dict[str, Any], what: str) -> None:
    for key in ("team", "owner"):
        if key in command:
            raise CommandError("forbidden", f"a team {what} only for itself; {key} cannot be set")


def _components(ctx: Any, command: dict[str, Any], name: str) -> list[str]:
    raw = _field(command, name, list)
    known = {c.id for c in ctx.sc.components}
    if not raw or not all(isinstance(c, str) for c in raw):
        raise CommandError("invalid", f"{name} must list at least one component id")
    unknown = [c for c in raw if c not in known]
    if unknown:
        raise CommandError("not_found", f"no component {unknown[0]!r}")
    return sorted(set(raw))


def _offset(value: Any, name: str) -> float:
    seconds: Any = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        try:
            seconds = parse_offset(value)
        except ValueError:
            pass
    if seconds is None:
        raise CommandError("invalid", f'{name} must be an offset such as "+1:30" or a number of seconds')
    if not 0 <= seconds <= MAX_OFFSET:  # also refuses NaN
        raise CommandError("invalid", f"{name} must be between 0 and {MAX_OFFSET} seconds")
    return float(seconds)


def _geometry(ctx: Any, value: Any, types: tuple[str, ...], name: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in types:
        raise CommandError("invalid", f"{name} must be a GeoJSON {' or '.join(types)}")
    problem = geometry_problem(value)
    if problem:
        raise CommandError("invalid", f"{name}: {problem}")
    return value


def _next_id(prefix: str, existing: dict[str, Any]) -> str:
    return f"{prefix}-{len(existing) + 1}"


def _team_id(prefix: str, existing: dict[str, Any], team: str) -> str:
    """Numbered per team (N-hum-1-2: hum-1's second), so that an id tells nothing of other teams' activity."""
    n = sum(1 for item in existing.values() if item.get("team", item.get("owner")) == team)
    return f"{prefix}-{team}-{n + 1}"


def _audience(ctx: Any, teams: set[str] | frozenset[str]) -> tuple[str, ...]:
    return ctx.team_audience(set(teams))


def _military_teams(ctx: Any) -> set[str]:
    return {t.id for t in ctx.sc.teams if t.component == "military"}


# -- a. humanitarian notification ---------------------------------------------------


def _notify(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, ("humanitarian",), "notify a humanitarian site or movement")
    kind = command.get("kind")
    if kind not in NOTIFICATION_KINDS:
        raise CommandError("invalid", f"kind must be one of {', '.join(NOTIFICATION_KINDS)}")
    name = _text(command, "name", SHORT_CHARS)
    geometry = _geometry(ctx, command.get("geometry"), ("Point", "LineString"), "geometry")
    start, end = _offset(command.get("window_start"), "window_start"), _offset(command.get("window_end"), "window_end")
    if end <= start:
        raise CommandError("invalid", "window_end must come after window_start")
    if end <= ctx.ex:
        raise CommandError("invalid", "window_end has already passed: notify a window still ahead")
    share = _components(ctx, command, "share_with")
    nid = _team_id("N", ctx.state.notifications, ctx.p.team)
    payload = {
        "notification_id": nid,
        "team": ctx.p.team,
        "kind": kind,
        "name": name,
        "geometry": geometry,
        "window_start": start,
        "window_end": end,
        "share_with": share,
    }
    hazards = [
        _hazard(ctx, payload, f, d)
        for f in ctx.state.cop.values()  # flagged at once
        if (d := _near(f, payload)) is not None
    ]
    return [ctx.draft(ev.NOTIFICATION_SUBMITTED, payload, notification_audience(ctx, payload)), *hazards]


def notification_audience(ctx: Any, n: dict[str, Any]) -> tuple[str, ...]:
    return _audience(ctx, {n["team"]} | ctx.sc.teams_of(n["share_with"]))


def _acknowledge(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    comp = _trainee(ctx, ("military", "police"), "acknowledge a humanitarian notification")
    nid = _field(command, "notification_id", str)
    n = ctx.state.notifications.get(nid)
    if n is None or comp not in n["share_with"]:
        raise CommandError("not_found", f"no notification {nid!r} addressed to your component")
    if ctx.ex >= n["window_end"]:
        raise CommandError("wrong_state", f"notification {nid!r} expired at the end of its window")
    if ctx.p.team in n["acks"]:
        raise CommandError("conflict", f"your team already acknowledged {nid!r}")
    payload = {"notification_id": nid, "team": ctx.p.team, "component": comp}
    return [ctx.draft(ev.NOTIFICATION_ACKNOWLEDGED, payload, notification_audience(ctx, n))]


def _points(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    t, c = geometry.get("type"), geometry.get("coordinates")
    if t == "Point":
        return [tuple(c[:2])]
    if t == "LineString":
        return [tuple(p[:2]) for p in c]
    if t == "Polygon":
        return [tuple(p[:2]) for ring in c for p in ring]
    return []


def _metres(a: tuple[float, float], b: tuple[float, float], lat0: float) -> tuple[float, float]:
    k = 111_320.0
    return ((b[0] - a[0]) * k * math.cos(math.radians(lat0)), (b[1] - a[1]) * k)


def distance_m(point: tuple[float, float], geometry: dict[str, Any]) -> float:
    """Distance in metres from a lon/lat point to a Point or LineString (equirectangular; fine at 2 km)."""
    pts = _points(geometry)
    if not pts:
        return math.inf
    if len(pts) == 1 or geometry.get("type") == "Point":
        dx, dy = _metres(pts[0], point, point[1])
        return math.hypot(dx, dy)
    best = math.inf
    for a, b in zip(pts, pts[1:]):
        bx, by = _metres(a, b, point[1])
        px, py = _metres(a, point, point[1])
        seg = bx * bx + by * by
        t = 0.0 if seg == 0 else max(0.0, min(1.0, (px * bx + py * by) / seg))
        best = min(best, math.hypot(px - t * bx, py - t * by))
    return best


def _near(feature: dict[str, Any], n: dict[str, Any]) -> float | None:
    """Metres from a hazard (incident or checkpoint) to a notified site or route, if within 2 km."""
    if feature.get("kind") not in HAZARD_KINDS:
        return None
    dist = min((distance_m(p, n["geometry"]) for p in _points(feature["geometry"])), default=math.inf)
    return dist if dist <= HAZARD_RADIUS_M else None


def _hazard(ctx: Any, n: dict[str, Any], feature: dict[str, Any], distance: float) -> ev.Draft:
    payload = {
        "notification_id": n["notification_id"],
        "feature_id": feature["id"],
        "feature_kind": feature["kind"],
        "feature_name": feature.get("name", ""),
        "geometry": feature["geometry"],
        "distance_m": round(distance),
        "sees_feature": sorted(ctx.sc.teams_of(feature["visible_to"])),
    }
    return ctx.draft(ev.NOTIFICATION_HAZARD_FLAGGED, payload, notification_audience(ctx, n), ev.SYSTEM)


def hazard_drafts(ctx: Any, drafts: list[ev.Draft]) -> list[ev.Draft]:
    """Flag COP incidents and checkpoints added or moved within 2 km of an active notification."""
    out: list[ev.Draft] = []
    for d in drafts:
        moved = d.type == ev.COP_FEATURE_CHANGED and "geometry" in d.payload["set"]
        if d.type != ev.COP_FEATURE_ADDED and not moved:
            continue
        feature = d.payload["feature"]
        active = (n for n in ctx.state.notifications.values() if ctx.ex < n["window_end"])
        out += [_hazard(ctx, n, feature, d) for n in active if (d := _near(feature, n)) is not None]
    return out


# -- b. request for assistance ------------------------------------------------------


def _rfa_submit(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, ("civilian", "humanitarian"), "request military assistance")
    asset = command.get("asset")
    if asset not in RFA_ASSETS:
        raise CommandError("invalid", f"asset must be one of {', '.join(RFA_ASSETS)}")
    justification = _text(command, "justification")
    raw = command.get("last_resort")
    if not isinstance(raw, str) or len(raw.strip()) < LAST_RESORT_MIN_CHARS:
        raise CommandError(
            "invalid",
            "last_resort must explain, in at least "
            f"{LAST_RESORT_MIN_CHARS} characters, why no comparable civilian alternative exists "
            "(the Oslo Guidelines' last-resort test)",
        )
    last_resort = _text(command, "last_resort")  # its length limit
    time_limit = _offset(command.get("time_limit"), "time_limit")
    if time_limit < ctx.ex:
        raise CommandError("invalid", "time_limit has already passed: give a time still ahead in the exercise")
    location = _geometry(ctx, command.get("location"), ("Point", "LineString", "Polygon"), "location")
    rid = _team_id("RFA", ctx.state.rfas, ctx.p.team)
    payload = {
        "rfa_id": rid,
        "team": ctx.p.team,
        "asset": asset,
        "justification": justification,
        "last_resort": last_resort,
        "time_limit": time_limit,
        "location": location,
    }
    return [ctx.draft(ev.RFA_SUBMITTED, payload, rfa_audience(ctx, payload))]


def rfa_audience(ctx: Any, rfa: dict[str, Any]) -> tuple[str, ...]:
    return _audience(ctx, {rfa["team"]} | _military_teams(ctx))


def _rfa_respond(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, ("military",), "respond to a request for assistance")
    rid = _field(command, "rfa_id", str)
    rfa = ctx.state.rfas.get(rid)
    if rfa is None:
        raise CommandError("not_found", f"no request for assistance {rid!r}")
    decision = command.get("decision")
    if decision not in RFA_DECISIONS:
        raise CommandError("invalid", f"decision must be one of {', '.join(RFA_DECISIONS)}")
    reason = _text(command, "reason", required=decision != "accept")
    if rfa["status"] in ("accepted", "declined"):
        raise CommandError("wrong_state", f"request {rid!r} was already {rfa['status']}")
    payload = {"rfa_id": rid, "team": ctx.p.team, "decision": decision, "reason": reason}
    return [ctx.draft(ev.RFA_RESPONDED, payload, rfa_audience(ctx, rfa))]


def _rfa_clarify(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    """The requesting team answers a request for more information; the request is open again."""
    ctx.not_ended()
    _trainee(ctx, ("civilian", "humanitarian"), "clarify a request for assistance")
    rid = _field(command, "rfa_id", str)
    rfa = ctx.state.rfas.get(rid)
    if rfa is None or rfa["team"] != ctx.p.team:
        raise CommandError("not_found", f"no request for assistance {rid!r} of your team")
    if rfa["status"] != "more_info_requested":
        raise CommandError("wrong_state", f"request {rid!r} is {rfa['status']}: nobody asked for more information")
    payload = {"rfa_id": rid, "team": ctx.p.team, "text": _text(command, "text")}
    return [ctx.draft(ev.RFA_CLARIFIED, payload, rfa_audience(ctx, rfa))]


# -- c. information sharing with protection ----------------------------------------


def document_audience(ctx: Any, doc: dict[str, Any], recipients: list[str]) -> tuple[str, ...]:
    return _audience(ctx, {doc["owner"]} | ctx.sc.teams_of(recipients))


def _share(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, None, "share a document")
    _no_team_field(command, "shares documents")
    title = _text(command, "title", SHORT_CHARS)
    body = _text(command, "body")
    share = _components(ctx, command, "share_with")
    sensitive = command.get("sensitive", False)
    if not isinstance(sensitive, bool):
        raise CommandError("invalid", "sensitive must be true or false")
    location = command.get("location")
    if location is not None:
        location = _geometry(ctx, location, ("Point", "LineString", "Polygon"), "location")
    did = _team_id("D", ctx.state.documents, ctx.p.team)
    payload = {
        "document_id": did,
        "owner": ctx.p.team,
        "title": title,
        "body": body,
        "share_with": share,
        "sensitive": sensitive,
        "location": location,
    }
    return [ctx.draft(ev.DOCUMENT_SHARED, payload, document_audience(ctx, payload, share))]


def _visible_document(ctx: Any, command: dict[str, Any]) -> dict[str, Any]:
    did = _field(command, "document_id", str)
    doc = ctx.state.documents.get(did)
    if doc is None or ctx.p.team not in {doc["owner"]} | ctx.sc.teams_of(doc["recipients"]):
        raise CommandError("not_found", f"no document {did!r} shared with you")
    return doc


def _forward(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, None, "forward a document")
    doc = _visible_document(ctx, command)
    if doc["sensitive"] and doc["owner"] != ctx.p.team:
        raise CommandError("forbidden", "sensitive items cannot be forwarded (only their owner may share them)")
    to = _components(ctx, command, "to")
    if set(to) <= set(doc["recipients"]):
        raise CommandError("conflict", f"{', '.join(to)} already received {doc['document_id']!r}")
    recipients = sorted(set(doc["recipients"]) | set(to))
    payload = {
        "document_id": doc["document_id"],
        "owner": doc["owner"],
        "title": doc["title"],
        "body": doc["body"],
        "location": doc.get("location"),
        "sensitive": doc["sensitive"],
        "to": to,
        "by": ctx.p.team,
        "share_with": doc["share_with"],
        "recipients": recipients,
        "shared_seq": doc["seq"],
        "shared_ex_time": doc["ex_time"],
        "shared_by": doc["author"],
    }
    # Every holder learns the new recipients; a sensitive document stays sealed for all but its owner.
    return [ctx.draft(ev.DOCUMENT_FORWARDED, payload, document_audience(ctx, doc, recipients))]


def _open(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, None, "open a document")
    doc = _visible_document(ctx, command)
    if not doc["sensitive"]:
        raise CommandError("invalid", "only sensitive documents are sealed and record who opened them")
    if doc["owner"] == ctx.p.team:
        raise CommandError("invalid", "the owner's own reading is not recorded")
    # The content travels with the record of the access: a recipient cannot read it unlogged.
    payload = {
        "document_id": doc["document_id"],
        "team": ctx.p.team,
        "participant": ctx.p.participant,
        "name": ctx.p.name,
        "body": doc["body"],
        "location": doc.get("location"),
    }
    return [ctx.draft(ev.DOCUMENT_ACCESSED, payload, _audience(ctx, {doc["owner"], ctx.p.team}))]


# -- d. simulated media, e. decisions -----------------------------------------------


def _publish(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    if ctx.p.role != FACILITATOR:
        raise CommandError("forbidden", "only the facilitator publishes simulated media")
    kind = command.get("kind")
    if kind not in MEDIA_KINDS:
        raise CommandError("invalid", f"kind must be one of {', '.join(MEDIA_KINDS)}")
    reply = command.get("in_reply_to")
    if reply is not None and not isinstance(reply, str):
        raise CommandError("invalid", "in_reply_to must be a statement or media id")
    if reply is not None and reply not in ctx.state.statements and reply not in ctx.state.media:
        raise CommandError("not_found", f"no statement or media item {reply!r}")
    mid = _next_id("M", ctx.state.media)
    payload = {
        "media_id": mid,
        "outlet": _text(command, "outlet", SHORT_CHARS),
        "kind": kind,
        "headline": _text(command, "headline", SHORT_CHARS),
        "body": _text(command, "body"),
        "in_reply_to": reply,
    }
    return [ctx.draft(ev.MEDIA_PUBLISHED, payload, (ev.EVERYONE,))]


def _statement(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, None, "issue a statement")
    _no_team_field(command, "issues statements")
    sid = _team_id("S", ctx.state.statements, ctx.p.team)
    payload = {"statement_id": sid, "team": ctx.p.team, "text": _text(command, "text")}
    return [ctx.draft(ev.STATEMENT_ISSUED, payload, _audience(ctx, {ctx.p.team}))]


def _decision(ctx: Any, command: dict[str, Any]) -> list[ev.Draft]:
    ctx.not_ended()
    _trainee(ctx, None, "record a decision")
    _no_team_field(command, "records decisions")
    consulted = command.get("consulted", [])
    if (
        not isinstance(consulted, list)
        or not all(isinstance(c, str) and c.strip() for c in consulted)
        or len(consulted) > 50
    ):
        raise CommandError("invalid", "consulted must be a list of names (teams, components, actors)")
    did = _team_id("DEC", ctx.state.decisions, ctx.p.team)
    payload = {
        "decision_id": did,
        "team": ctx.p.team,
        "what": _text(command, "what"),
        "why": _text(command, "why"),
        "consulted": [c.strip()[:SHORT_CHARS] for c in consulted],
    }
    return [ctx.draft(ev.DECISION_RECORDED, payload, _audience(ctx, {ctx.p.team}))]


DECIDERS = {
    "notification.submit": _notify,
    "notification.acknowledge": _acknowledge,
    "rfa.submit": _rfa_submit,
    "rfa.respond": _rfa_respond,
    "rfa.clarify": _rfa_clarify,
    "document.share": _share,
    "document.forward": _forward,
    "document.open": _open,
    "media.publish": _publish,
    "statement.issue": _statement,
    "decision.record": _decision,
}
