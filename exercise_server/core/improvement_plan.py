"""The improvement plan as HSEEP writes it: findings consolidated per objective and capability (one
row for what the log shows about them, never one per unmet item), each with its root cause,
recommendation, owner, start and due dates and status; and, apart, the course's own lessons
("fix the scenario or the course").

Rows are written by `improvement.set` (through the HTTP API: the facilitator or the lead evaluator);
the rows the log suggests and nobody has written yet are listed as *proposed*.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from . import events as ev
from .access import EVALUATOR, FACILITATOR
from .context import Decider, Decision
from .errors import CommandError
from .metrics import Metrics
from .targets import MISSED

PARTICIPANTS, COURSE = "participants", "course"
SCOPES = (PARTICIPANTS, COURSE)
PROPOSED = "proposed"  # a row the log suggests, not written yet
STATUSES = ("open", "in_progress", "complete", "cancelled")
PREFIX = {PARTICIPANTS: "IP", COURSE: "CL"}
TEXT_CHARS, SHORT_CHARS = 2000, 120
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The fields a person edits, in the order a sheet shows them.
FIELDS = (
    "finding",
    "scope",
    "objective",
    "capability",
    "text",
    "root_cause",
    "recommendation",
    "owner",
    "start",
    "due",
    "status",
)


@dataclass(frozen=True)
class Finding:
    finding: str  # IP-<n>, CL-<n>; "" for a proposed row
    scope: str
    objective: str
    capability: str
    text: str
    root_cause: str = ""
    recommendation: str = ""
    owner: str = ""
    start: str = ""  # YYYY-MM-DD or ""
    due: str = ""
    status: str = PROPOSED
    evidence: str = ""  # what the log holds for it (proposed rows)

    def row(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if k in FIELDS}


def _short(command: dict[str, Any], key: str, limit: int, required: bool = False) -> str:
    value = command.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        need = "non-empty text" if required else "text"
        raise CommandError("invalid", f"{key} must be {need} of at most {limit} characters")
    return value.strip()


def _set(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """Write one row of the plan (a new one without `finding`)."""
    principal = decision.principal
    if principal.role != FACILITATOR and not (principal.role == EVALUATOR and principal.lead):
        raise CommandError("forbidden", "only the facilitator and the lead evaluator write the improvement plan")
    scope = command.get("scope")
    if scope not in SCOPES:
        raise CommandError("invalid", f"scope must be one of {', '.join(SCOPES)}")
    objective = _short(command, "objective", SHORT_CHARS)
    if objective and objective not in decision.scenario.objectives:
        raise CommandError("not_found", f"no objective {objective!r}")
    row = {
        "scope": scope,
        "objective": objective,
        "capability": _short(command, "capability", SHORT_CHARS),
        "text": _short(command, "text", TEXT_CHARS, required=True),
        "root_cause": _short(command, "root_cause", TEXT_CHARS),
        "recommendation": _short(command, "recommendation", TEXT_CHARS),
        "owner": _short(command, "owner", SHORT_CHARS),
        "start": _short(command, "start", 10),
        "due": _short(command, "due", 10),
        "status": command.get("status") or STATUSES[0],  # checked below (a list or a map is refused too)
    }
    for key in ("start", "due"):
        if row[key] and not _DATE.match(row[key]):
            raise CommandError("invalid", f"{key} must be a date written YYYY-MM-DD")
    if row["start"] and row["due"] and row["due"] < row["start"]:
        raise CommandError("invalid", "due comes before start")
    if row["status"] not in STATUSES:
        raise CommandError("invalid", f"status must be one of {', '.join(STATUSES)}")
    plan = decision.state.improvements
    finding = command.get("finding")
    if finding in (None, ""):
        finding = f"{PREFIX[scope]}-{sum(1 for r in plan.values() if r['scope'] == scope) + 1}"
    elif not isinstance(finding, str) or finding not in plan:
        raise CommandError("not_found", f"no finding {finding!r} in the improvement plan")
    elif plan[finding]["scope"] != scope:
        raise CommandError("invalid", f"{finding} is a {plan[finding]['scope']} finding")
    before = plan.get(finding)
    if before is not None and all(before[k] == v for k, v in row.items()):
        raise CommandError("conflict", f"{finding} is already so")
    return [decision.draft(ev.IMPROVEMENT_SET, {"finding": finding, **row}, ev.CONTROL_CELL)]


DECIDERS: dict[str, Decider] = {"improvement.set": _set}


def _proposals(metrics: Metrics) -> dict[tuple[str, str], list[str]]:
    """(objective, capability) -> what the log holds against it, counted: the areas for improvement."""
    state = metrics.state
    assert state.scenario is not None
    guide = state.scenario.evaluation
    found: dict[tuple[str, str], dict[str, int]] = {}

    def count(key: tuple[str, str], what: str) -> None:
        found.setdefault(key, {}).setdefault(what, 0)
        found[key][what] += 1

    for o in state.observations:
        if o["rating"] <= 2:
            count((o["objective"], ""), "observations rated 1-2")
    for item in metrics.expectations["items"]:
        if item["status"] == "not_met":  # under the objectives the action evidences (its own, else its inject's)
            for objective in item.get("objectives") or state.injects[item["inject_id"]].inject.objectives:
                count((objective, ""), "expected actions not met")
    for (pid, _team), tick in state.pitfall_ticks.items():
        pitfall = guide.pitfall(pid)
        if tick["ticked"] and pitfall:
            for objective in pitfall.objectives or ("",):
                count((objective, ""), "pitfalls seen")
    for result in metrics.targets:
        target = guide.target(result["target"])
        if result["status"] == MISSED and target:
            for objective in target.objectives or ("",):
                count((objective, target.capability), "targets missed")
    for (item, ident), rated in state.final_ratings.items():
        if rated["rating"] in ("M", "U"):
            target = guide.target(ident) if item == "target" else None
            for objective in (target.objectives if target else (ident,)) or ("",):
                count((objective, target.capability if target else ""), "final ratings M or U")
    return {key: [f"{n} {what}" for what, n in whats.items()] for key, whats in found.items()}


def plan(metrics: Metrics) -> list[Finding]:
    """The plan: every written row, then a proposed row for each objective and capability the log
    shows areas for improvement in and no participants' row covers yet."""
    state = metrics.state
    assert state.scenario is not None
    rows = [Finding(**{k: v for k, v in r.items() if k in FIELDS}) for r in state.improvements.values()]
    covered = {(r.objective, r.capability) for r in rows if r.scope == PARTICIPANTS}
    objectives = list(state.scenario.objectives)
    proposed = []
    for (objective, capability), evidence in _proposals(metrics).items():
        if (objective, capability) in covered:
            continue
        weak = [o for o in state.observations if o["objective"] == objective and o["rating"] <= 2 and not capability]
        recommendations = [o["recommendation"] for o in weak if o.get("recommendation")]
        text = "; ".join(o["text"] for o in weak) or state.scenario.objectives.get(objective, "")
        proposed.append(
            Finding(
                "",
                PARTICIPANTS,
                objective,
                capability,
                ": ".join(part for part in (capability, text) if part) or ", ".join(evidence),
                recommendation="; ".join(recommendations),
                evidence=", ".join(evidence),
            )
        )
    order = {o: i for i, o in enumerate(objectives)}
    proposed.sort(key=lambda f: (order.get(f.objective, len(order)), f.capability))
    participants = [r for r in rows if r.scope == PARTICIPANTS]
    return participants + proposed + [r for r in rows if r.scope == COURSE]
