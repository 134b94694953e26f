"""What the after-action report shows of the evaluation guide's layer: the capability targets and
their results per team, the critical tasks, the lead evaluator's final ratings with their evidence,
and the improvement plan. Its sections are partial templates (web/templates/_report_*.html)."""

from __future__ import annotations

from typing import Any

from .core import events as ev
from .core.improvement_plan import COURSE, plan
from .core.lead_evaluation import OBJECTIVE, TARGET, evidence
from .core.metrics import Metrics


def evaluation_context(metrics: Metrics) -> dict[str, Any]:
    state = metrics.state
    assert state.scenario is not None
    guide = state.scenario.evaluation
    results: dict[str, list[dict[str, Any]]] = {}
    for row in metrics.targets:
        results.setdefault(row["target"], []).append(row)
    items = [(OBJECTIVE, oid, text) for oid, text in state.scenario.objectives.items()]
    items += [(TARGET, t.id, t.text) for t in guide.targets]
    findings = plan(metrics)
    return {
        "guide": guide,
        "target_results": results,
        "final_ratings": [
            {
                "item": kind,
                "id": ident,
                "text": text,
                "rating": state.final_ratings.get((kind, ident)),
                "evidence": evidence(metrics, kind, ident),
            }
            for kind, ident, text in items
        ],
        "rated_any": bool(state.final_ratings),
        "final_names": ev.FINAL_RATINGS,
        "plan_rows": [f for f in findings if f.scope != COURSE],
        "course_lessons": [f for f in findings if f.scope == COURSE],
    }
