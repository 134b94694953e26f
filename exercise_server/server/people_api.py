"""HTTP for people by name: the roster (typed or CSV), the names a team code may pick from, moving
a trainee, the control cell's named members, attendance (CSV) and certificates of participation.

The control cell's endpoints answer anyone but a facilitator with the same 404 as a path that does
not exist (no oracle: a trainee or an evaluator learns nothing, not even that the endpoint is
there); the control cell's members are the lead's alone to manage.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..centre import CentreError, load_centre
from ..core import events as ev
from ..core.access import FACILITATOR, TRAINEE
from ..core.attendance import COLUMNS, attendance
from ..core.roster import parse_csv, team_roster
from ..store.base import StoreUnavailable
from .context import AppContext
from .errors import RequestError
from .exercise import ExerciseRuntime
from .http_api import LEAD, _address, _ctx, _exercise, _json_body, api, bearer_session
from .registry import normalise_code
from .tokens import Session

MAX_BODY = 256 * 1024  # a roster CSV of a few hundred names


class Unknown(Exception):
    """Answered as a path that does not exist."""


def not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)  # Starlette's own answer to an unknown path


def control(request: Request) -> Session:
    """The facilitator's session (the lead or a named controller), else Unknown."""
    try:
        session = bearer_session(request, "")
    except RequestError:
        raise Unknown from None
    if session.role != FACILITATOR:
        raise Unknown
    return session


def lead(request: Request) -> Session:
    session = control(request)
    if session.participant != LEAD:
        raise Unknown
    return session


def hidden(handler: Any) -> Any:
    """`api`, with Unknown answered as an unknown path."""

    @api
    async def wrapped(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except Unknown:
            return not_found()
        return response

    return wrapped


async def _runtime(request: Request) -> ExerciseRuntime:
    runtime = await _exercise(request)
    if runtime.state.scenario is None:
        raise RequestError("not_found", "no such exercise")
    return runtime


# -- joining by name ---------------------------------------------------------------------


@api
async def join_names(request: Request) -> JSONResponse:
    """The names on the roster of a team code's team, to pick one at join ([] without a roster).
    A wrong code spends a try as a wrong join does (sign_ins.py)."""
    ctx = _ctx(request)
    data = await _json_body(request, MAX_BODY)
    await ctx.wrong_sign_ins.pace(_address(request))
    code = normalise_code(data.get("code"))
    runtime = await ctx.exercises.by_code(code)
    state = runtime.state if runtime else None
    if state is None or state.scenario is None:
        ctx.wrong_sign_ins.wrong(_address(request))
        raise RequestError("not_found", "unknown join code")
    person = state.personal_codes.get(code)
    if person is not None:  # a personal code names its holder
        entry = state.roster[person]
        return JSONResponse({"personal": True, "team": entry.team, "names": [{"person": person, "name": entry.name}]})
    info = state.codes.get(code)
    if info is None or not info.takes_newcomers or info.role != TRAINEE:
        return JSONResponse({"personal": False, "team": info.team if info else None, "names": []})
    return JSONResponse({"personal": False, "team": info.team, "names": team_roster(state, info.team)})


# -- the roster ----------------------------------------------------------------------------


def _roster(runtime: ExerciseRuntime) -> list[dict[str, Any]]:
    state = runtime.state
    sc = state.scenario
    assert sc is not None
    joined: dict[str, list[str]] = {}
    for participant, person in state.person_of.items():
        if participant in state.participants:
            joined.setdefault(person, []).append(participant)
    return [
        {
            "person": e.id,
            "name": e.name,
            "team": e.team,
            "team_name": team.name if (team := sc.team(e.team)) else e.team,
            "email": e.email,
            "code": e.code,
            "participants": joined.get(e.id, []),
        }
        for e in state.roster.values()
        if not e.removed
    ]


@hidden
async def roster(request: Request) -> JSONResponse:
    control(request)
    runtime = await _runtime(request)
    return JSONResponse({"exercise": runtime.id, "roster": _roster(runtime)})


@hidden
async def add_to_roster(request: Request) -> JSONResponse:
    """Names typed (`people`: name, team, email) or a CSV (`csv`): all of them, or, at any problem,
    none, with every problem listed."""
    session = control(request)
    runtime = await _runtime(request)
    data = await _json_body(request, MAX_BODY)
    people: Any = data.get("people")
    if isinstance(data.get("csv"), str):
        assert runtime.state.scenario is not None
        people, problems = parse_csv(data["csv"], runtime.state.scenario)
        if problems:
            return JSONResponse(
                {
                    "error": {"code": "invalid", "message": f"{len(problems)} problems; nothing was added"},
                    "problems": problems,
                },
                status_code=400,
            )
    events = await runtime.submit(session.principal(), {"type": "roster.add", "people": people})
    return JSONResponse({"added": [e.payload["person"] for e in events], "roster": _roster(runtime)}, status_code=201)


@hidden
async def remove_from_roster(request: Request) -> JSONResponse:
    session = control(request)
    runtime = await _runtime(request)
    await runtime.submit(session.principal(), {"type": "roster.remove", "person": request.path_params["person"]})
    return JSONResponse({"roster": _roster(runtime)})


@hidden
async def move_participant(request: Request) -> JSONResponse:
    session = control(request)
    runtime = await _runtime(request)
    data = await _json_body(request, MAX_BODY)
    command = {"type": "participant.move", "participant": request.path_params["participant"], "team": data.get("team")}
    events = await runtime.submit(session.principal(), command)
    return JSONResponse({"moved": events[-1].payload, "seq": events[-1].seq})


# -- the control cell ------------------------------------------------------------------------


@hidden
async def staff_list(request: Request) -> JSONResponse:
    lead(request)
    return JSONResponse({"members": [m.public() for m in _ctx(request).staff.listed()]})


@hidden
async def staff_add(request: Request) -> JSONResponse:
    """A named controller or evaluator, and their personal secret: shown in this answer only."""
    lead(request)
    data = await _json_body(request, MAX_BODY)
    member, secret = _ctx(request).staff.add(data.get("name"), data.get("role"))
    link = f"{request.base_url}#staff={secret}"
    return JSONResponse({"member": member.public(), "secret": secret, "link": link}, status_code=201)


@hidden
async def staff_remove(request: Request) -> JSONResponse:
    """The member's tokens stop working; their open connections here close now (4410)."""
    lead(request)
    ctx = _ctx(request)
    member = ctx.staff.remove(request.path_params["member"])
    for runtime in list(ctx.exercises.runtimes.values()):
        for conn in list(runtime.fanout.connections):
            if conn.principal.participant == member.id:
                conn.kick(4410, "signed out: the lead facilitator removed you from the control cell")
    return JSONResponse({"removed": member.public()})


@hidden
async def staff_lead(request: Request) -> JSONResponse:
    """POST {lead: true | false}: make a named evaluator the lead evaluator (final ratings), or no longer."""
    lead(request)
    data = await _json_body(request, MAX_BODY)
    member = _ctx(request).staff.set_lead(request.path_params["member"], data.get("lead"))
    return JSONResponse({"member": member.public()})


# -- attendance and certificates -----------------------------------------------------------


async def _events(ctx: AppContext, exercise: str) -> list[ev.Event]:
    try:
        return await ctx.store.read(exercise)
    except StoreUnavailable:
        raise RequestError("unavailable", "the event store is unreachable; retry") from None


async def _attendance(request: Request, exercises: list[str]) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    rows: list[dict[str, Any]] = []
    for exercise in exercises:
        rows += attendance(await _events(ctx, exercise))
    return rows


def _chosen(request: Request) -> list[str]:
    """The exercises a request names (`?exercise=` repeated; the path's), else every one."""
    if "exercise" in request.path_params:
        return [request.path_params["exercise"]]
    named = request.query_params.getlist("exercise")
    return named or sorted(_ctx(request).exercises.runtimes)


def _iso(when: float | None) -> str:
    return "" if when is None else datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@hidden
async def attendance_csv(request: Request) -> Response:
    control(request)
    exercises = _chosen(request)
    for exercise in exercises:
        if await _ctx(request).exercises.find(exercise) is None:
            raise RequestError("not_found", f"no exercise {exercise!r}")
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in await _attendance(request, exercises):
        writer.writerow({**row, **{k: _iso(row[k]) for k in ("from", "to", "last_active")}})
    name = f"attendance-{exercises[0]}.csv" if len(exercises) == 1 else "attendance.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@hidden
async def certificates(request: Request) -> JSONResponse:
    """One certificate per trainee who attended the exercises asked for: their name, the modules
    (the centre's, else the exercises they attended) and the days, with the centre's details."""
    control(request)
    ctx = _ctx(request)
    try:
        centre = load_centre(ctx.settings.centre_path())
    except CentreError as exc:
        raise RequestError("invalid", f"the centre file cannot be read: {exc}") from None
    people: dict[str, dict[str, Any]] = {}
    exercises = _chosen(request)
    for exercise in exercises:
        if await ctx.exercises.find(exercise) is None:
            raise RequestError("not_found", f"no exercise {exercise!r}")
    for row in await _attendance(request, exercises):
        if row["role"] != TRAINEE:
            continue
        key = (row["email"] or row["name"]).casefold()
        person = people.setdefault(key, {"name": row["name"], "exercises": [], "first": row["from"], "last": row["to"]})
        if row["title"] not in person["exercises"]:
            person["exercises"].append(row["title"])
        person["first"] = min(person["first"], row["from"])
        person["last"] = max(person["last"] or row["from"], row["to"] or row["from"])
    rows = [
        {
            "name": p["name"],
            "modules": centre.modules or p["exercises"],
            "from": _iso(p["first"])[:10],
            "to": _iso(p["last"])[:10],
        }
        for p in sorted(people.values(), key=lambda p: p["name"].casefold())
    ]
    return JSONResponse({"centre": centre.public(), "people": rows, "exercises": exercises})


async def page(request: Request) -> Response:
    """The certificates page and the control cell's page: their data needs a facilitator's token."""
    pages = request.app.state.pages
    if request.url.path == "/control/cell":
        return pages.render(request, "control_cell.html")  # type: ignore[no-any-return]
    exercise = request.path_params["exercise"]
    if await _ctx(request).exercises.find(exercise) is None:
        return pages.render(request, "not_found.html", what="exercise")  # type: ignore[no-any-return]
    return pages.render(request, "certificates.html", exercise=exercise)  # type: ignore[no-any-return]


ROUTES = [
    Route("/api/join/names", join_names, methods=["POST"]),
    Route("/api/staff", staff_list),
    Route("/api/staff", staff_add, methods=["POST"]),
    Route("/api/staff/{member}/remove", staff_remove, methods=["POST"]),
    Route("/api/staff/{member}/lead", staff_lead, methods=["POST"]),
    Route("/api/exercises/{exercise}/roster", roster),
    Route("/api/exercises/{exercise}/roster", add_to_roster, methods=["POST"]),
    Route("/api/exercises/{exercise}/roster/{person}/remove", remove_from_roster, methods=["POST"]),
    Route("/api/exercises/{exercise}/participants/{participant}/move", move_participant, methods=["POST"]),
    Route("/api/exercises/{exercise}/attendance.csv", attendance_csv),
    Route("/api/attendance.csv", attendance_csv),
    Route("/api/exercises/{exercise}/certificates", certificates),
    Route("/api/certificates", certificates),
    Route("/control/cell", page),
    Route("/control/{exercise}/certificates", page),
]
