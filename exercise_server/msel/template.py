"""The course template: what an MSEL imported with `--template` is set in (the five course
objectives, the four components, one syndicate)."""

from __future__ import annotations

from typing import Any

from ..core.scenario_check import parse_scenario
from .importer import Base

COURSE_OBJECTIVES = {
    "O1": "Define Civil-Military Coordination (CIMIC) in the context of peacekeeping operations.",
    "O2": "Understand the distinct mandates, roles, and cultures of military, police, and civilian components.",
    "O3": "Identify the key principles and guidelines governing civil-military interaction in UN missions.",
    "O4": "Analyze common challenges and best practices for effective CIMIC in various operational scenarios.",
    "O5": "Develop practical skills for communication, negotiation, and coordination with diverse actors in a "
    "peacekeeping environment.",
}
TEMPLATE_TEAMS = (
    ("mil-1", "Syndicate 1: military component", "military"),
    ("pol-1", "Syndicate 1: UN Police", "police"),
    ("hum-1", "Syndicate 1: humanitarian community", "humanitarian"),
    ("civ-1", "Syndicate 1: mission civilian component", "civilian"),
)


def template_doc(title: str) -> dict[str, Any]:
    """The course template: the five course objectives, the four components, one syndicate."""
    return {
        "format": 1,
        "title": title,
        "setting": "Imported from a planner's MSEL. Replace this text with the setting: the country, what has "
        "happened, and the situation at the start.\n",
        "start": "D+0 08:00",
        "duration": "1:00",
        "objectives": dict(COURSE_OBJECTIVES),
        "teams": [{"id": tid, "name": name, "component": comp} for tid, name, comp in TEMPLATE_TEAMS],
        "briefings": {
            comp: "## Your situation\nTo be written by the exercise planners.\n" for _, _, comp in TEMPLATE_TEAMS
        },
    }


def template_base(title: str = "Imported MSEL") -> Base:
    doc = template_doc(title)
    placeholder = [
        {
            "id": "placeholder",
            "at": "manual",
            "from": "control",
            "to": {"rooms": ["plenary"]},
            "channel": "email",
            "title": "placeholder",
            "body": "placeholder",
        }
    ]
    scenario, problems = parse_scenario({**doc, "msel": placeholder}, "template")
    assert scenario is not None, problems
    return Base(doc, scenario, "the course template")
