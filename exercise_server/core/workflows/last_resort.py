"""The criteria a request for military or civil defence assets must answer before it is recorded
(OCHA's "What is last resort?", the Oslo and MCDA Guidelines; for armed escorts the IASC
Non-Binding Guidelines of 2013), and the conditions the military states when it accepts.

Each criterion is a field of `rfa.submit`; one that is missing is refused with its name and what it
asks, so a request reaches nobody until every criterion is answered (docs/coordination.md)."""

from __future__ import annotations

from typing import Any

from ..errors import CommandError
from ..validate import SHORT_CHARS, choice, text

# Assets: no default, the form opens on "choose".
ASSETS = ("transport", "water", "logistics", "medical", "engineering", "air", "escort")
# The type of support, least direct first: the guidelines prefer indirect assistance and
# infrastructure support over direct assistance (handing out aid).
SUPPORT = ("indirect", "infrastructure", "direct")
MAX_ALTERNATIVES = 10

# field -> what it asks (the refusal names both)
CRITERIA = {
    "need": "the critical or life-saving need",
    "unique_capability": "the unique capability or timeliness no civilian asset offers",
    "hand_back_to": "to whom the task is handed back",
    "endorsement": "the endorsement of the Humanitarian Coordinator / OCHA",
    "perception_risk": "the risk to the perception of neutrality and to humanitarian access",
}
# The four IASC criteria for the exceptional use of armed escorts, and the security risk assessment.
ESCORT_CRITERIA = {
    "programme_criticality": "humanitarian need and programme criticality",
    "responsible_authorities": "why the responsible authorities cannot provide security",
    "safety_security": "how the escort reduces, not raises, the risk to the convoy",
    "sustainability": "how the escort does not compromise the capacity to operate later",
    "srm_reference": "the reference of the security risk assessment (SRM)",
}
# What the military states when it accepts (`rfa.respond`, decision accept).
CONDITIONS = {
    "scope": "what the military will do, and what it will not",
    "duration": "how long the support lasts",
    "visibility": "how visible the military's part is (markings, uniforms, presence at the site)",
}


def _answered(raw: Any, name: str, meaning: str, limit: int | None = None) -> str:
    try:
        return text(raw, name) if limit is None else text(raw, name, limit)
    except CommandError as exc:
        raise CommandError("invalid", f"{exc.message}: {name} is {meaning}") from None


def criteria(command: dict[str, Any]) -> dict[str, Any]:
    """The request's answers to the criteria, checked: each missing one refused by its name."""
    asset = choice(command, "asset", ASSETS)
    out: dict[str, Any] = {"asset": asset}
    out["need"] = _answered(command.get("need"), "need", CRITERIA["need"])
    out["alternatives"] = alternatives(command.get("alternatives"))
    out["unique_capability"] = _answered(
        command.get("unique_capability"), "unique_capability", CRITERIA["unique_capability"]
    )
    support = command.get("support")
    if support not in SUPPORT:
        raise CommandError(
            "invalid",
            f"support must be one of {', '.join(SUPPORT)}: the type of support, the least direct preferred",
        )
    out["support"] = support
    for name in ("hand_back_to", "endorsement", "perception_risk"):
        limit = SHORT_CHARS if name == "hand_back_to" else None
        out[name] = _answered(command.get(name), name, CRITERIA[name], limit)
    escort = command.get("escort")
    if asset == "escort":
        out["escort"] = escort_criteria(escort)
    elif escort is not None:
        raise CommandError("invalid", "escort: the IASC escort criteria belong to an escort request only")
    return out


def alternatives(raw: Any) -> list[dict[str, str]]:
    """The civilian alternatives considered, each with why it fails: at least one."""
    if not isinstance(raw, list) or not raw or len(raw) > MAX_ALTERNATIVES:
        raise CommandError(
            "invalid",
            f"alternatives must list 1 to {MAX_ALTERNATIVES} civilian alternatives considered, "
            "each {option, why_not}: the last-resort test",
        )
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"option", "why_not"}:
            raise CommandError("invalid", f"alternatives[{i}] must be {{option, why_not}}")
        out.append(
            {
                "option": _answered(item["option"], f"alternatives[{i}].option", "a civilian alternative", SHORT_CHARS),
                "why_not": _answered(item["why_not"], f"alternatives[{i}].why_not", "why that alternative fails"),
            }
        )
    return out


def escort_criteria(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise CommandError(
            "invalid",
            "escort must answer the four IASC criteria for armed escorts and give the security risk assessment: "
            + ", ".join(ESCORT_CRITERIA),
        )
    unknown = set(raw) - set(ESCORT_CRITERIA)
    if unknown:
        raise CommandError("invalid", f"escort: unknown field {sorted(unknown)[0]!r}")
    return {
        name: _answered(raw.get(name), f"escort.{name}", meaning, SHORT_CHARS if name == "srm_reference" else None)
        for name, meaning in ESCORT_CRITERIA.items()
    }


def conditions(raw: Any) -> dict[str, str]:
    """The conditions of an acceptance: scope, duration and visibility, each stated."""
    if not isinstance(raw, dict):
        raise CommandError("invalid", "conditions must state the acceptance's " + ", ".join(CONDITIONS))
    unknown = set(raw) - set(CONDITIONS)
    if unknown:
        raise CommandError("invalid", f"conditions: unknown field {sorted(unknown)[0]!r}")
    return {name: _answered(raw.get(name), f"conditions.{name}", meaning) for name, meaning in CONDITIONS.items()}
