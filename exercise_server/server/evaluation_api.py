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
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.access import EVALUATOR, FACILITATOR, Principal
from ..core.commands import decide
from ..core.errors import CommandError
from ..core.improvement_plan import FIELDS, PROPOSED, plan
from ..core.lead_evaluation import OBJECTIVE, TARGET, evidence
from ..core.metrics import Metrics, compute
from ..core.views import expected_actions
from ..improvement_files import PlanFileError, plan_csv, plan_xlsx, read_plan
from .errors import RequestError
from .http_api import _ctx, _exercise, _json_body, api, bearer_session
from .replay import _authorised, _json_keys
from .tokens import Session

MAX_BODY = 64 * 1024
MAX_SHEET = 2 * 1024 * 1024  # an improvement plan's workbook


def _principal(request: Request, session: Session) -> Principal:
    """The session's principal, flagged the lead evaluator when the control cell's list says so now."""
    member = _ctx(request).staff.member(session.participant)
    return replace(session.principal(), lead=member is not None and member.role == EVALUATOR and member.lead)


def _writer(request: Request) -> Session:
    session = bearer_session(request, "sign in as the facilitator or the lead evaluator first")
    if not session.for_exercise(request.path_params["exercise"]):
        raise RequestError("forbidden", "session token is for another exercise")
    return session


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
    session = _writer(request)
    runtime = await _exercise(request)
    data = await _json_body(request, MAX_BODY)
    command = {"type": "rating.final", **{k: data.get(k) for k in ("item", "item_id", "rating", "rationale")}}
    events = await runtime.submit(_principal(request, session), command)
    return JSONResponse({"rated": events[-1].payload, "seq": events[-1].seq})


def evaluation_document(metrics: Metrics) -> dict[str, Any]:
    """The evaluation of one exercise: the guide, assignments, target results, and each objective
    and target with its final rating (or None) and its evidence."""
    state = metrics.state
    assert state.scenario is not None
    guide = state.scenario.evaluation
    items = [(OBJECTIVE, oid, text) for oid, text in state.scenario.objectives.items()]
    items += [(TARGET, t.id, t.text) for t in guide.targets]
    scenario = state.scenario
    return {
        "exercise": state.exercise,
        "title": state.title,
        "objectives": scenario.objectives,
        "teams": [{"id": t.id, "name": t.name, "component": t.component} for t in scenario.teams],
        # what each team is expected to do after each inject: the printable guide's checklist
        "injects": [
            {
                "id": i.id,
                "at": i.offset,
                "title": i.title,
                "objectives": list(i.objectives),
                "expected": {team: expected_actions(scenario, i, team) for team in sorted(scenario.audience(i.to))},
            }
            for i in scenario.injects
        ],
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


async def _plan(request: Request) -> tuple[Metrics, list[dict[str, Any]]]:
    _, entry = await _authorised(request)
    metrics = await run_in_threadpool(compute, list(entry.replay.events))
    return metrics, [asdict(f) for f in plan(metrics)]


@api
async def improvement_plan(request: Request) -> Response:
    """GET the plan as JSON, .xlsx or .csv (`{format}`): the control cell of this exercise."""
    metrics, rows = await _plan(request)
    fmt = request.path_params.get("format", "json")
    findings = plan(metrics)
    name = f"improvement-plan-{metrics.state.exercise}"
    if fmt == "xlsx":
        data = await run_in_threadpool(plan_xlsx, findings, metrics.state.title)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        data, media = plan_csv(findings), "text/csv; charset=utf-8"
    elif fmt == "json":
        return JSONResponse({"exercise": metrics.state.exercise, "findings": rows})
    else:
        raise RequestError("not_found", "the plan is served as .xlsx, .csv or JSON")
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@api
async def write_finding(request: Request) -> JSONResponse:
    """POST one row {finding?, scope, objective, capability, text, root_cause, recommendation, owner,
    start, due, status}: the facilitator or the lead evaluator."""
    session = _writer(request)
    runtime = await _exercise(request)
    data = await _json_body(request, MAX_BODY)
    command = {"type": "improvement.set", **{k: data.get(k) for k in FIELDS}}
    events = await runtime.submit(_principal(request, session), command)
    return JSONResponse({"finding": events[-1].payload, "seq": events[-1].seq})


@api
async def import_plan(request: Request) -> JSONResponse:
    """POST a plan edited in a spreadsheet (the .xlsx or .csv this module serves, `?name=` its file
    name): each row that differs from the plan is written; proposed rows nobody adopted are skipped."""
    session = _writer(request)
    runtime = await _exercise(request)
    body = await request.body()
    if len(body) > MAX_SHEET:
        raise RequestError("invalid", f"the workbook is larger than {MAX_SHEET // (1024 * 1024)} MB")
    try:
        rows = read_plan(request.query_params.get("name", "plan.xlsx"), body)
    except PlanFileError as exc:
        raise RequestError("invalid", str(exc)) from None
    principal = _principal(request, session)
    stored = runtime.state.improvements
    changed, problems = [], []
    for number, row in enumerate(rows, 2):  # row 1 is the header
        before = stored.get(row.get("finding", ""))
        if row.get("status") == PROPOSED or (before and all(str(before[k]) == row.get(k, "") for k in FIELDS)):
            continue
        command = {"type": "improvement.set", **row}
        try:  # every row checked before any is written: a bad sheet changes nothing
            decide(runtime.state, principal, command, runtime.clock.now())
        except CommandError as exc:
            if exc.code == "forbidden":
                raise
            problems.append(f"row {number}: {exc.message}")
        changed.append(command)
    if problems:
        raise RequestError("invalid", "; ".join(problems))
    for command in changed:
        await runtime.submit(principal, command)
    return JSONResponse({"written": len(changed)})


async def page(request: Request) -> Response:
    """The lead's evaluation page and the printable guide per team: their data needs a control-cell token."""
    pages = request.app.state.pages
    exercise = request.path_params["exercise"]
    if not await _ctx(request).store.head(exercise):
        return pages.render(request, "not_found.html", what="exercise")  # type: ignore[no-any-return]
    template = "evaluation_guide.html" if request.url.path.endswith("/guide") else "evaluation.html"
    return pages.render(request, template, exercise=exercise)  # type: ignore[no-any-return]


ROUTES = [
    Route("/evaluation/{exercise}", page),
    Route("/evaluation/{exercise}/guide", page),
    Route("/api/exercises/{exercise}/improvement-plan", improvement_plan),
    Route("/api/exercises/{exercise}/improvement-plan", write_finding, methods=["POST"]),
    Route("/api/exercises/{exercise}/improvement-plan.{format}", improvement_plan),
    Route("/api/exercises/{exercise}/improvement-plan.xlsx", import_plan, methods=["POST"]),
    Route("/api/exercises/{exercise}/evaluation", evaluation),
    Route("/api/exercises/{exercise}/evaluators", assign_evaluator, methods=["POST"]),
    Route("/api/exercises/{exercise}/final-ratings", set_final_rating, methods=["POST"]),
]
