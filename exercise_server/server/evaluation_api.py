"""HTTP for the evaluators' work after the exercise guide: assigning evaluators to this syndicate's
teams (the facilitator), the lead evaluator's final ratings, and the evaluation as one JSON document
(the guide, the targets' results, the ratings with their evidence) for the evaluation page.

Both changes are commands of the core (core/lead_evaluation.py) that only this module submits
(access.HTTP_ONLY_COMMANDS): it first reads the control cell's list (staff.py), whether the assigned
member is an evaluator and whether the rater is the lead evaluator, at this request.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..core.access import EVALUATOR, FACILITATOR
from ..core.lead_evaluation import OBJECTIVE, TARGET, evidence
from ..core.metrics import Metrics, compute
from .errors import RequestError
from .http_api import _ctx, _exercise, _json_body, api, bearer_session
from .replay import _authorised, _json_keys

MAX_BODY = 64 * 1024


@api
async def assign_evaluator(request: Request) -> JSONResponse:
    """POST {evaluator: a named evaluator's id, teams: [team ids]}: whom they evaluate here ([] ends it)."""
    session = bearer_session(request, "sign in as the facilitator first")
    if session.role != FACILITATOR:
        raise RequestError("forbidden", "only the facilitator assigns evaluators")
    runtime = await _exercise(request)
    data = await _json_body(request, MAX_BODY)
    given = data.get("evaluator")
    member = _ctx(request).staff.member(given) if isinstance(given, str) else None
    if member is None or member.role != EVALUATOR:
        raise RequestError("invalid", "evaluator must be the id of a named evaluator of the control cell")
    command = {"type": "evaluator.assign", "evaluator": member.id, "name": member.name, "teams": data.get("teams")}
    events = await runtime.submit(session.principal(), command)
    return JSONResponse({"assigned": events[-1].payload, "seq": events[-1].seq})


@api
async def set_final_rating(request: Request) -> JSONResponse:
    """POST {item: objective | target, item_id, rating: P | S | M | U, rationale}: the lead evaluator's only."""
    session = bearer_session(request, "sign in as the lead evaluator first")
    if not session.for_exercise(request.path_params["exercise"]):
        raise RequestError("forbidden", "session token is for another exercise")
    runtime = await _exercise(request)
    data = await _json_body(request, MAX_BODY)
    member = _ctx(request).staff.member(session.participant)
    lead = member is not None and member.role == EVALUATOR and member.lead
    command = {"type": "rating.final", **{k: data.get(k) for k in ("item", "item_id", "rating", "rationale")}}
    events = await runtime.submit(replace(session.principal(), lead=lead), command)
    return JSONResponse({"rated": events[-1].payload, "seq": events[-1].seq})


def evaluation_document(metrics: Metrics) -> dict[str, Any]:
    """The evaluation of one exercise: the guide, assignments, target results, and each objective
    and target with its final rating (or None) and its evidence."""
    state = metrics.state
    assert state.scenario is not None
    guide = state.scenario.evaluation
    items = [(OBJECTIVE, oid, text) for oid, text in state.scenario.objectives.items()]
    items += [(TARGET, t.id, t.text) for t in guide.targets]
    return {
        "exercise": state.exercise,
        "title": state.title,
        "guide": asdict(guide),
        "evaluators": list(state.evaluators.values()),
        "targets": metrics.targets,
        "items": [
            {
                "item": kind,
                "id": ident,
                "text": text,
                "rating": state.final_ratings.get((kind, ident)),
                "evidence": evidence(metrics, kind, ident),
            }
            for kind, ident, text in items
        ],
    }


@api
async def evaluation(request: Request) -> JSONResponse:
    """GET: the evaluation document, for the facilitator and this exercise's evaluators."""
    _, entry = await _authorised(request)
    metrics = await run_in_threadpool(compute, list(entry.replay.events))
    return JSONResponse(_json_keys(evaluation_document(metrics)))


ROUTES = [
    Route("/api/exercises/{exercise}/evaluation", evaluation),
    Route("/api/exercises/{exercise}/evaluators", assign_evaluator, methods=["POST"]),
    Route("/api/exercises/{exercise}/final-ratings", set_final_rating, methods=["POST"]),
]
