"""A scenario's civil-military coordination settings: which guidelines govern the use of military
assets in its setting (`guideline`) and which humanitarian team coordinates (`ocha_team`), checked
as the rest of the file is (docs/scenario-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .scenario import GUIDELINES, Team
from .scenario_fields import FieldChecks

KEYS = ("guideline", "ocha_team", "hazard_flags")
HAZARD_FLAGS = ("at_once", "off")


@dataclass(frozen=True)
class CoordinationSettings:
    guideline: str = ""
    ocha_team: str | None = None
    hazard_flags: bool = True


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
    if flags not in HAZARD_FLAGS:
        checks.err(doc, "hazard_flags", "hazard_flags must be at_once (the default) or off")
        flags = "at_once"
    return CoordinationSettings(guideline, ocha, flags == "at_once")
