"""A scenario's civil-military coordination settings: which guidelines govern the use of military
assets in its setting (`guideline`) and which humanitarian team coordinates (`ocha_team`), checked
as the rest of the file is (docs/scenario-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .geometry import geometry_problem
from .scenario import CONTROL, GUIDELINES, Team
from .scenario_fields import FieldChecks
from .timefmt import parse_offset

KEYS = ("guideline", "ocha_team", "hazard_flags", "notifications")
NOTIFICATION_KINDS = ("site", "movement")
ACKNOWLEDGING = ("military", "police")
HAZARD_FLAGS = ("at_once", "off")  # or an offset ("+0:10"): flagged that long after the hazard arose


@dataclass(frozen=True)
class CoordinationSettings:
    guideline: str = ""
    ocha_team: str | None = None
    hazard_flags: bool = True
    hazard_delay: float = 0.0  # exercise seconds between a hazard arising near a notification and its flag
    notifications: tuple[dict[str, Any], ...] = ()  # on record when the exercise opens


def coordination_settings(checks: FieldChecks, doc: dict[str, Any], teams: list[Team]) -> CoordinationSettings:
    """The settings of `doc`, each problem reported at its line."""
    guideline = doc.get("guideline", "")
    if guideline not in ("", *GUIDELINES):
        checks.err(
            doc,
            "guideline",
            "guideline must be oslo (the Oslo Guidelines: disasters in peacetime) "
            "or mcda (the MCDA Guidelines: complex emergencies)",
        )
        guideline = ""
    ocha = doc.get("ocha_team")
    if ocha is not None and not any(t.id == ocha and t.component == "humanitarian" for t in teams):
        checks.err(doc, "ocha_team", f"ocha_team {ocha!r} must be the id of a humanitarian team")
        ocha = None
    flags = doc.get("hazard_flags", "at_once")
    flags = {False: "off", True: "at_once"}.get(flags, flags) if isinstance(flags, bool) else flags  # YAML's off
    delay = 0.0
    if isinstance(flags, str) and flags.startswith("+"):
        try:
            delay = parse_offset(flags)
        except ValueError:
            delay = -1.0
        if delay <= 0:
            checks.err(doc, "hazard_flags", f'hazard_flags {flags!r}: a delay is an offset such as "+0:10"')
        flags = "at_once"
    elif flags not in HAZARD_FLAGS:
        checks.err(doc, "hazard_flags", 'hazard_flags must be at_once (the default), off, or a delay such as "+0:10"')
        flags = "at_once"
    notifications = notifications_on_record(checks, doc, teams)
    return CoordinationSettings(guideline, ocha, flags == "at_once", max(delay, 0.0), notifications)


def notifications_on_record(checks: FieldChecks, doc: dict[str, Any], teams: list[Team]) -> tuple[dict[str, Any], ...]:
    """`notifications`: humanitarian notifications the story says were sent before the exercise,
    each {team, kind, name, geometry, window_start, window_end, share_with, acknowledged_by}."""
    raw = doc.get("notifications")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        checks.err(doc, "notifications", "notifications must be a list of humanitarian notifications on record")
        return ()
    by_id = {t.id: t for t in teams}
    components, parties = _components(doc)
    out = []
    for i, item in enumerate(raw):
        required = ("team", "kind", "name", "geometry", "window_start", "window_end", "share_with")
        if not isinstance(item, dict):
            checks.err(raw, i, "a notification on record is a mapping")
            continue
        if not checks.keys(item, "notification on record", required, ("acknowledged_by",)):
            continue
        what = f"notification on record {i + 1}"
        team = by_id.get(item["team"])
        problem = None
        if team is None or team.component != "humanitarian":
            problem = ("team", f"{what}: team {item['team']!r} must be a humanitarian team")
        elif item["kind"] not in NOTIFICATION_KINDS:
            problem = ("kind", f"{what}: kind must be site or movement")
        elif not isinstance(item["name"], str) or not item["name"].strip():
            problem = ("name", f"{what}: name must be non-empty text")
        elif not isinstance(item["geometry"], dict) or item["geometry"].get("type") not in ("Point", "LineString"):
            problem = ("geometry", f"{what}: geometry must be a GeoJSON Point or LineString")
        elif geometry_problem(item["geometry"]):
            problem = ("geometry", f"{what}: {geometry_problem(item['geometry'])}")
        if problem:
            checks.err(item, *problem)
            continue
        window = [_offset(item.get(k)) for k in ("window_start", "window_end")]
        share = item["share_with"]
        acks = item.get("acknowledged_by") or []
        if None in window or window[1] <= window[0]:  # type: ignore[operator]
            checks.err(
                item, "window_end", f'{what}: a window of offsets such as "+0:00" to "+2:00", its end after its start'
            )
        elif not isinstance(share, list) or not share or any(c not in components for c in share):
            checks.err(item, "share_with", f"{what}: share_with must list the scenario's component ids")
        elif not isinstance(acks, list) or any(_acknowledger(a, share, by_id, parties) is None for a in acks):
            checks.err(
                item, "acknowledged_by", f"{what}: acknowledged_by lists notified military or police teams or parties"
            )
        else:
            out.append(
                {
                    **item,
                    "window_start": window[0],
                    "window_end": window[1],
                    "share_with": sorted(set(share)),
                    "acknowledged_by": list(dict.fromkeys(acks)),
                }
            )
    return tuple(out)


def _components(doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The scenario's component ids, and those of the parties the control cell plays."""
    raw = doc.get("components")
    if not isinstance(raw, list):
        return {"military", "police", "humanitarian", "civilian"}, set()
    items = [c for c in raw if isinstance(c, dict) and isinstance(c.get("id"), str)]
    return {c["id"] for c in items}, {c["id"] for c in items if c.get("played_by") == CONTROL}


def _offset(raw: Any) -> float | None:
    try:
        return parse_offset(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _acknowledger(who: Any, share: list[str], teams: dict[str, Team], parties: set[str]) -> str | None:
    """The component of a team or party that may acknowledge a notification shared with `share`."""
    team = teams.get(who) if isinstance(who, str) else None
    if team is not None:
        return team.component if team.component in ACKNOWLEDGING and team.component in share else None
    return who if isinstance(who, str) and who in share and who in parties else None
