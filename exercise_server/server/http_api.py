"""The JSON HTTP API: sign in, join with a code, open exercises, list, revoke and replace codes."""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..core import events as ev
from ..core import role_cards
from ..core.access import EVALUATOR, FACILITATOR, PLENARY
from ..core.errors import Refusal
from ..core.roster import seated
from ..core.scenario import ATTACHMENT_TYPES, attachment_file
from ..scenarios import summary
from .addresses import lan_urls
from .context import AppContext
from .errors import HTTP_STATUS, RequestError
from .exercise import ExerciseRuntime
from .protocol import plain_value
from .registry import FACILITATOR_PRINCIPAL, normalise_code
from .tokens import ANY_EXERCISE, Session, TokenError, sign, verify

log = logging.getLogger("exercise_server.http")

R = TypeVar("R", bound=Response)
PLENARY_PARTICIPANT = "plenary-screen"
LEAD = FACILITATOR_PRINCIPAL.participant  # the lead facilitator's participant id (the secret from `make run`)


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def error_response(exc: Refusal) -> JSONResponse:
    """A refusal (of the request, of the command it carried, of a replay seek) as the API's JSON error."""
    retry_after = exc.retry_after if isinstance(exc, RequestError) else None
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=HTTP_STATUS.get(exc.code, 400),
        headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
    )


async def _json_body(request: Request, limit: int = 16_384) -> dict[str, Any]:
    body = await request.body()
    if len(body) > limit:
        raise RequestError("invalid", f"request body larger than {limit // 1024} KiB")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise RequestError("invalid", "the body must be JSON") from None
    if not isinstance(data, dict):
        raise RequestError("invalid", "the body must be a JSON object")
    if not plain_value(data):
        raise RequestError("invalid", "the body holds a value no client could read back (such as a lone surrogate)")
    return data


def bearer_session(request: Request, missing: str) -> Session:
    """The verified session of the request's `Authorization: Bearer` token (`missing`: what to say without one)."""
    ctx = _ctx(request)
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise RequestError("forbidden", missing)
    try:
        session = verify(auth.removeprefix("Bearer "), ctx.secret_key, ctx.clock.now())
    except TokenError:
        raise RequestError("forbidden", "session token refused") from None
    if not ctx.staff.signed_in(session):  # a named member the lead removed (staff.py)
        raise RequestError("forbidden", "signed out: the lead facilitator removed you from the control cell")
    return session


def _facilitator(request: Request) -> Session:
    session = bearer_session(request, "sign in as the facilitator first")
    if session.role != FACILITATOR:
        raise RequestError("forbidden", "only the facilitator may do this")
    return session


def api(handler: Callable[[Request], Awaitable[R]]) -> Callable[[Request], Awaitable[R | JSONResponse]]:
    """Map a refusal to a JSON error response with the matching HTTP status."""

    async def wrapped(request: Request) -> R | JSONResponse:
        try:
            return await handler(request)
        except Refusal as exc:
            return error_response(exc)
        except Exception:  # noqa: BLE001 - the client gets the documented body, the log the trace
            log.exception("%s %s failed", request.method, request.url.path)
            return error_response(RequestError("internal", "an unexpected server fault"))

    return wrapped


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@api
async def facilitator_session(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    data = await _json_body(request)
    await ctx.wrong_sign_ins.pace(_address(request))
    given = data.get("secret")
    lead = isinstance(given, str) and hmac.compare_digest(given.encode(), ctx.facilitator_secret.encode())
    member = ctx.staff.by_secret(given) if isinstance(given, str) and not lead else None
    if not lead and member is None:
        ctx.wrong_sign_ins.wrong(_address(request))
        raise RequestError("forbidden", "wrong facilitator secret")
    # The lead, or a named controller or evaluator of the control cell (staff.py), for every exercise.
    participant, role, name = (member.id, member.role, member.name) if member else (LEAD, FACILITATOR, "Facilitator")
    exp = ctx.clock.now() + ctx.settings.token_ttl
    session = Session(ANY_EXERCISE, participant, role, name, None, None, None, exp)
    return JSONResponse({"token": sign(session, ctx.secret_key), "role": role, "name": name, "lead": lead})


@api
async def join(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    data = await _json_body(request)
    await ctx.wrong_sign_ins.pace(_address(request))
    code = normalise_code(data.get("code"))
    runtime = await ctx.exercises.by_code(code)
    if runtime is None:
        ctx.wrong_sign_ins.wrong(_address(request))
        raise RequestError("not_found", "unknown join code")
    participant = f"p-{secrets.token_hex(6)}"
    principal = await runtime.join(code, data.get("name"), participant, data.get("person"))
    personal = code in runtime.state.personal_codes  # a roster entry's own code (core/roster.py): no code limits
    session = Session(
        runtime.id,
        participant,
        principal.role,
        principal.name,
        principal.team,
        principal.component,
        None if personal else code,
        ctx.clock.now() + ctx.settings.token_ttl,
    )
    return JSONResponse(
        {
            "token": sign(session, ctx.secret_key),
            "exercise": runtime.id,
            "role": principal.role,
            "team": principal.team,
            "component": principal.component,
            "participant": participant,
            "websocket": f"/ws/{runtime.id}",
        }
    )


@api
async def plenary_session(request: Request) -> JSONResponse:
    """A token for the plenary screen of one exercise, asked by the facilitator: it reads what every
    team sees of that exercise and may do nothing (core/access.py)."""
    ctx = _ctx(request)
    _facilitator(request)
    runtime = await _exercise(request)
    session = Session(
        runtime.id,
        PLENARY_PARTICIPANT,
        PLENARY,
        "Plenary screen",
        None,
        None,
        None,
        ctx.clock.now() + ctx.settings.token_ttl,
    )
    return JSONResponse({"token": sign(session, ctx.secret_key), "role": PLENARY, "exercise": runtime.id})


@api
async def addresses(request: Request) -> JSONResponse:
    """Where the class opens the server: its LAN addresses (none while it listens on loopback only)."""
    ctx = _ctx(request)
    _facilitator(request)
    settings = ctx.settings
    return JSONResponse({"addresses": lan_urls(settings.host, settings.port), "host": settings.host})


@api
async def list_scenarios(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    _facilitator(request)
    scenarios = [
        {
            "id": sc.id,
            "title": sc.title,
            "start": sc.start_label,
            "duration": sc.duration,
            "teams": len(sc.teams),
            "injects": len(sc.injects),
            "summary": summary(sc),
        }
        for sc in ctx.exercises.library.values()
    ]
    failed = [
        {"file": str(f.path), "problems": [f"{p.line}: {p.message}" for p in f.problems]} for f in ctx.library.failed
    ]
    return JSONResponse({"scenarios": scenarios, "failed": failed})


@api
async def list_exercises(request: Request) -> JSONResponse:
    session = bearer_session(request, "sign in as the facilitator first")
    if session.role != FACILITATOR and not (session.role == EVALUATOR and session.exercise == ANY_EXERCISE):
        raise RequestError("forbidden", "only the control cell may do this")  # a named evaluator observes any
    return JSONResponse({"exercises": await _ctx(request).exercises.summaries()})


@api
async def open_exercise(request: Request) -> JSONResponse:
    _facilitator(request)
    data = await _json_body(request)
    runtime = await _ctx(request).exercises.open(str(data.get("scenario", "")))
    return JSONResponse({"exercise": runtime.id, "codes": _codes(runtime)}, status_code=201)


def _codes(runtime: ExerciseRuntime) -> list[dict[str, Any]]:
    sc = runtime.state.scenario
    assert sc is not None
    out = []
    for code, info in runtime.state.codes.items():
        team = sc.team(info.team) if info.team else None
        out.append(
            {
                "code": code,
                "role": info.role,
                "team": info.team,
                "team_name": team.name if team else None,
                "revoked": info.revoked,
                "replaced_by": info.replaced_by,
            }
        )
    return out


async def _exercise(request: Request) -> ExerciseRuntime:
    """The exercise named in the path, wherever it was opened, or RequestError not_found."""
    runtime = await _ctx(request).exercises.find(request.path_params["exercise"])
    if runtime is None:
        raise RequestError("not_found", "no such exercise")
    return runtime


@api
async def exercise_role_cards(request: Request) -> JSONResponse:
    """Every role card whole, hidden agendas included, for the control cell to print and hand out."""
    _facilitator(request)
    runtime = await _exercise(request)
    scenario = runtime.state.scenario
    if scenario is None:
        raise RequestError("not_found", "no such exercise")
    return JSONResponse(
        {
            "exercise": runtime.id,
            "role_cards": role_cards.for_view(scenario.role_cards, True, None),
            "team_names": {team.id: team.name for team in scenario.teams},
            "default_language": scenario.default_language,
            "languages": list(scenario.languages),
        }
    )


@api
async def exercise_codes(request: Request) -> JSONResponse:
    _facilitator(request)
    runtime = await _exercise(request)
    return JSONResponse({"exercise": runtime.id, "codes": _codes(runtime)})


async def _code_command(request: Request, command: str) -> tuple[str, ev.Event]:
    """The facilitator's `command` on the join code in the path; its last event."""
    session = _facilitator(request)
    runtime = await _exercise(request)
    code = normalise_code(request.path_params["code"])
    events = await runtime.submit(session.principal(), {"type": command, "code": code})
    return code, events[-1]


@api
async def revoke_code(request: Request) -> JSONResponse:
    code, last = await _code_command(request, "code.revoke")
    return JSONResponse({"revoked": code, "seq": last.seq})


@api
async def replace_code(request: Request) -> JSONResponse:
    """A new join code for the code's team (the server draws it); the old one takes nobody new."""
    code, last = await _code_command(request, "code.replace")
    return JSONResponse(
        {"code": last.payload["replacement"], "replaces": code, "team": last.payload["team"], "seq": last.seq}
    )


async def health(request: Request) -> JSONResponse:
    """200 while the event store answers; 503 while it does not (a load balancer then sends
    new clients to a process that can serve them)."""
    exercises = _ctx(request).exercises
    health = exercises.health
    if health.ok:
        return JSONResponse({"status": "ok", "exercises": len(exercises.runtimes)})
    return JSONResponse(
        {"status": "degraded", "exercises": len(exercises.runtimes), "message": health.notice()["message"]},
        status_code=503,
    )


@api
async def inject_attachment(request: Request) -> FileResponse:
    """A file attached to an inject, for whoever may read the inject: its addressed teams once it
    is released, the control cell at any time. Everything else gets the same 404: no oracle.

    The path names the attachment by its file in the default language; the reader gets the file of
    their content language (`?language=`, else the seat's interface language, as the scenario's
    texts: that language where the scenario declares it, else the default), or the default file
    when the attachment has none in it. `Content-Language` says which they got."""
    ctx = _ctx(request)
    exercise, inject_id, name = (request.path_params[k] for k in ("exercise", "inject", "file"))
    session = bearer_session(request, "send your session token")
    missing = RequestError("not_found", "no such attachment")
    runtime = await ctx.exercises.find(exercise) if session.for_exercise(exercise) else None
    if runtime is None or runtime.state.scenario is None:
        raise missing
    state = runtime.state
    scenario = state.scenario
    assert scenario is not None
    if session.code is not None and state.usable_code(session.code) is None:
        raise RequestError("forbidden", "join code revoked")
    if state.was_removed(session.participant):
        raise RequestError("forbidden", "removed from the exercise")
    control = session.role in (FACILITATOR, EVALUATOR)
    team = seated(state, session.principal()).team  # a moved trainee reads their new team's injects
    st = state.injects.get(inject_id) if control else state.in_inbox(inject_id, team)
    attachment = next((a for a in st.inject.attachments if a["file"] == name), None) if st is not None else None
    if attachment is None:
        raise missing
    asked = request.query_params.get("language") or state.languages.get(session.participant, "")
    language = asked if asked in scenario.languages else scenario.default_language
    shown = attachment_file(attachment, language, scenario.default_language)
    path = ctx.library.attachment(scenario.id, shown.text)
    if path is None or not path.is_file():
        raise RequestError("not_found", "the attachment's file is not on this server (its scenario is not loaded)")
    return FileResponse(
        path,
        media_type=ATTACHMENT_TYPES[Path(shown.text).suffix.lower()],
        filename=shown.text,
        headers={
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
            "Content-Language": shown.language,
        },
    )
