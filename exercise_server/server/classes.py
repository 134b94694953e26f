"""HTTP for a class: syndicates 1..N of one scenario opened in one action, one control for all.

A class is a group of exercises (core/syndicates.py). A command for the class is fanned out here,
on the server: one request becomes one decision in each syndicate's own log, decided concurrently
(their appends share the store's group commit), and the answer says, syndicate by syndicate, what
was stored or why it was refused. A retried request with the same `id` is answered from each log
(`ExerciseRuntime.submit_once`), so a facilitator's double click or a lost answer never releases
an inject twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.access import FACILITATOR_COMMANDS, Principal
from ..core.errors import CommandError
from ..core.syndicates import comparison, syndicate_count, syndicate_scope
from .errors import HTTP_STATUS, RequestError
from .exercise import ExerciseRuntime
from .http_api import _codes as codes_of
from .http_api import _ctx, _facilitator, _json_body, api
from .pages import Pages

# The commands a class command may carry: the facilitator's, on what every syndicate has alike.
CLASS_COMMANDS = FACILITATOR_COMMANDS - {
    "code.revoke",
    "code.replace",
    "participant.remove",
    "participant.language",
    "observation.record",
    "expectation.mark",
}


async def _class(request: Request) -> tuple[str, dict[int, ExerciseRuntime]]:
    class_id = request.path_params["class_id"]
    runtimes = await _ctx(request).exercises.find_class(class_id)
    if not runtimes:
        raise RequestError("not_found", "no such class")
    return class_id, runtimes


def _summary(class_id: str, runtimes: dict[int, ExerciseRuntime], codes: bool) -> dict[str, Any]:
    """A class as the control panel and the dashboard take it: its exercises, by syndicate."""
    first = next(iter(runtimes.values())).state
    syndicates = []
    for number, runtime in runtimes.items():
        row: dict[str, Any] = {"number": number, "exercise": runtime.id, "clock": runtime.state.clock_view()}
        if codes:
            row["codes"] = codes_of(runtime)
        syndicates.append(row)
    return {
        "class": class_id,
        "scenario": first.scenario.id if first.scenario else None,
        "title": first.title,
        "of": first.syndicate.of if first.syndicate else len(runtimes),
        "exercises": [runtime.id for runtime in runtimes.values()],
        "syndicates": syndicates,
    }


@api
async def open_class(request: Request) -> JSONResponse:
    """POST /api/classes {scenario, syndicates}: syndicates 1..N, each an exercise with its own codes."""
    _facilitator(request)
    data = await _json_body(request)
    count = syndicate_count(data.get("syndicates"))
    class_id, opened = await _ctx(request).exercises.open_class(str(data.get("scenario", "")), count)
    runtimes = {n: runtime for n, runtime in enumerate(opened, start=1)}
    return JSONResponse(_summary(class_id, runtimes, codes=True), status_code=201)


@api
async def class_detail(request: Request) -> JSONResponse:
    """GET /api/classes/{class_id}: its exercises (the list a dashboard takes), clocks and join codes."""
    _facilitator(request)
    class_id, runtimes = await _class(request)
    return JSONResponse(_summary(class_id, runtimes, codes=True))


def _command(data: dict[str, Any]) -> dict[str, Any]:
    command = data.get("command")
    if not isinstance(command, dict):
        raise RequestError("invalid", "command must be a map with a type")
    ctype = command.get("type")
    if ctype not in CLASS_COMMANDS:
        raise RequestError("invalid", f"{ctype!r} is not a command for a class's syndicates")
    if "id" in command:
        raise RequestError("invalid", "the class command's id goes beside the command, not in it")
    return command


async def _submit(
    runtime: ExerciseRuntime, principal: Principal, command: dict[str, Any], cid: str | None
) -> dict[str, Any]:
    try:
        if cid is None:
            events = await runtime.submit(principal, command)
            first, last = events[0].seq, events[-1].seq
        else:
            first, last = await runtime.submit_once(principal, command, cid)
    except CommandError as exc:
        return {"exercise": runtime.id, "ok": False, "error": {"code": exc.code, "message": exc.message}}
    return {"exercise": runtime.id, "ok": True, "first": first, "seq": last}


@api
async def class_command(request: Request) -> JSONResponse:
    """POST /api/classes/{class_id}/commands {command, syndicates: "all" | [n, ...], id?, versions?}:
    the command decided in each syndicate of the scope, each in its own log. `versions` maps a
    syndicate number to the version its edit was made on (an edit's conflict check, per syndicate).
    200 when every syndicate took it; else the first refusal's status, with every syndicate's result."""
    session = _facilitator(request)
    data = await _json_body(request)
    class_id, runtimes = await _class(request)
    recorded = next(iter(runtimes.values())).state.syndicate
    of = recorded.of if recorded else max(runtimes)
    scope = syndicate_scope(data.get("syndicates", "all"), of)
    missing = [n for n in scope if n not in runtimes]
    if missing:
        raise RequestError("unavailable", f"syndicates {missing} of the class are not loaded here; retry")
    command = _command(data)
    cid = data.get("id")
    if cid is not None and (not isinstance(cid, str) or not 0 < len(cid) <= 40):
        raise RequestError("invalid", "id must be a string of at most 40 characters")
    versions = data.get("versions", {})
    if not isinstance(versions, dict) or not all(
        k.isdigit() and isinstance(v, int) and not isinstance(v, bool) for k, v in versions.items()
    ):
        raise RequestError("invalid", "versions must map syndicate numbers to versions")
    principal = session.principal()
    jobs = []
    for number in scope:
        one = dict(command)
        if str(number) in versions:
            one["version"] = versions[str(number)]
        jobs.append(_submit(runtimes[number], principal, one, f"class:{cid}" if cid else None))
    results = await asyncio.gather(*jobs)
    rows = [{"syndicate": n, **r} for n, r in zip(scope, results, strict=True)]
    refused = [r for r in rows if not r["ok"]]
    status = HTTP_STATUS.get(refused[0]["error"]["code"], 400) if refused else 200
    return JSONResponse({"class": class_id, "ok": not refused, "results": rows}, status_code=status)


@api
async def class_comparison(request: Request) -> JSONResponse:
    """GET /api/classes/{class_id}/comparison: per scripted inject and team, each syndicate's
    acknowledgement and first answer (seconds after the release, exercise time)."""
    _facilitator(request)
    class_id, runtimes = await _class(request)
    states = {n: runtime.state for n, runtime in runtimes.items()}
    return JSONResponse({"class": class_id, "syndicates": list(states), "rows": comparison(states)})


def routes(pages: Pages) -> list[Route]:
    """The class's routes; its pages are rendered by `pages` (the app's, in the seat's language)."""

    async def class_page(request: Request) -> Response:
        """The class's control panel or handout (their data comes over the facilitator's token)."""
        class_id = request.path_params["class_id"]
        runtimes = await _ctx(request).exercises.find_class(class_id)
        if not runtimes:
            return pages.render(request, "not_found.html", what="class")
        template = "class_handout.html" if request.url.path.endswith("/handout") else "class_control.html"
        return pages.render(request, template, class_id=class_id, syndicates=len(runtimes))

    return [
        Route("/control/class/{class_id}", class_page),
        Route("/control/class/{class_id}/handout", class_page),
        Route("/api/classes", open_class, methods=["POST"]),
        Route("/api/classes/{class_id}", class_detail),
        Route("/api/classes/{class_id}/commands", class_command, methods=["POST"]),
        Route("/api/classes/{class_id}/comparison", class_comparison),
    ]
