"""Events stored by an earlier version of the server, read in today's form.

The log is never rewritten: an exercise run before a payload changed must still load after an
upgrade (a restart folds it from the store) and still import from its exported JSON Lines. Each
upgrade maps an older payload, recognised by its fields, to today's, keeping what was written and
leaving a criterion that was not asked then as "—" (not answered), never as an invented answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NOT_ASKED = "—"  # a criterion the form did not ask when the event was recorded
# rfa.submitted before 2026-12-07; a payload short of one of them is not upgraded (an import names what is wrong).
_REQUEST_BEFORE_THE_CRITERIA = frozenset("asset justification last_resort location rfa_id team time_limit".split())


def _request_before_the_criteria(p: dict[str, Any]) -> dict[str, Any]:
    """rfa.submitted before 2026-12-07: a justification and a last-resort text, no OCHA channel."""
    if "justification" not in p or not _REQUEST_BEFORE_THE_CRITERIA <= p.keys():
        return p
    asset = "air" if p["asset"] == "airlift" else p["asset"]
    return {
        "rfa_id": p["rfa_id"],
        "team": p["team"],
        "asset": asset,
        "need": p["justification"],
        "alternatives": [{"option": NOT_ASKED, "why_not": p["last_resort"]}],
        "unique_capability": NOT_ASKED,
        "support": NOT_ASKED,
        "hand_back_to": NOT_ASKED,
        "endorsement": NOT_ASKED,
        "perception_risk": NOT_ASKED,
        "escort": None,
        "time_limit": p["time_limit"],
        "until": None,  # when it was to be handed back was not asked
        "location": p["location"],
        "route": "direct",  # it went straight to the military: there was no channel through OCHA
        "to_military": True,
    }


def _response_before_conditions(p: dict[str, Any]) -> dict[str, Any]:
    """rfa.responded before 2026-12-07: an acceptance stated no conditions."""
    return p if "conditions" in p else {**p, "conditions": {}}


UPGRADES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "rfa.submitted": _request_before_the_criteria,
    "rfa.responded": _response_before_conditions,
}


def upgraded(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` in today's form (itself when it already is)."""
    upgrade = UPGRADES.get(event_type)
    return payload if upgrade is None else upgrade(payload)
