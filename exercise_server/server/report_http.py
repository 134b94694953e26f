"""The after-action report over HTTP: the HTML to keep or the PDF to print (Chromium's print, as
`exercise-server report --pdf` gives it), compared side by side with the class's other syndicates.

Who may have a report is who may replay the exercise (replay._authorised). Its comparison holds
only syndicates the same bearer may replay too, each checked by the same rule: the evaluator who
joined one syndicate with its code compares with nobody, the control cell's staff with the class.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import report
from ..core.syndicates import MAX_SYNDICATES
from ..i18n import Catalogue, catalogues
from ..report_pdf import PdfError, find_chromium, print_pdf
from ..store.base import StoreUnavailable
from .errors import HTTP_STATUS, RequestError
from .exercise import ExerciseRuntime
from .http_api import _ctx, api
from .replay import _authorised, _language, replayable_peers

log = logging.getLogger("exercise_server.report")

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
PRINTS = 2  # Chromiums printing at once; more requests wait their turn


def _compared(request: Request, peers: dict[int, ExerciseRuntime]) -> list[str]:
    """The exercises to compare with: `?compare=class` (every peer), or `?with=ID,ID` (some of them)."""
    compare = request.query_params.get("compare")
    chosen = [x for given in request.query_params.getlist("with") for x in given.split(",") if x]
    if compare not in (None, "", "none", "class"):
        raise RequestError("invalid", "compare must be class or none")
    if compare == "class" and chosen:
        raise RequestError("invalid", "ask for compare=class or with=EXERCISE,..., not both")
    if compare == "class":
        return [runtime.id for runtime in peers.values()]
    if len(chosen) > MAX_SYNDICATES:
        raise RequestError("invalid", f"compare with at most {MAX_SYNDICATES} syndicates")
    visible = {runtime.id for runtime in peers.values()}
    for exercise in chosen:
        if exercise not in visible:  # unknown, of another class, or not this bearer's: one answer for all
            raise RequestError(
                "forbidden", f"{exercise[:80]!r} is not another syndicate of this exercise's class that you may replay"
            )
    return [runtime.id for runtime in peers.values() if runtime.id in chosen]  # by syndicate number


@api
async def exercise_report(request: Request) -> Response:
    """GET /api/exercises/{exercise}/report: the after-action report, as a file to keep (`?format=html`,
    the default) or to print (`?format=pdf`), in `?language=` (else the page's language: the browser's
    choice, else its Accept-Language); the scenario content in that language where the scenario
    declares it, else in its default language. `?compare=class` or `?with=EXERCISE,...` puts the
    class's other syndicates beside it."""
    session, entry = await _authorised(request)
    ctx = _ctx(request)
    kind = request.query_params.get("format", "html")
    if kind not in FORMATS:
        raise RequestError("invalid", "format must be html or pdf")
    asked = request.query_params.get("language")
    language = _language(request)
    compared = _compared(request, await replayable_peers(request, session, entry))
    words = catalogues().get(language)
    if kind == "pdf" and find_chromium() is None:  # said before any work is done
        return _unavailable(words, _no_chromium(words))
    try:
        peers = [await ctx.store.read(exercise) for exercise in compared]
    except StoreUnavailable:
        raise RequestError("unavailable", "the event store is unreachable; retry") from None
    html = await run_in_threadpool(report.render, list(entry.replay.events), ctx.settings.web_dir, language, peers)
    body: str | bytes = html
    if kind == "pdf":
        try:
            async with _printing(request):
                body = await run_in_threadpool(_print, html)
        except PdfError as exc:
            log.warning("report of %s: %s", request.path_params["exercise"], exc)
            return _unavailable(words, _print_failed(words))
    exercise = request.path_params["exercise"]
    suffix = f"-{language}" if asked else ""
    return Response(
        body,
        media_type=FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{exercise}-report{suffix}.{kind}"'},
    )


@api
async def report_syndicates(request: Request) -> JSONResponse:
    """GET /api/exercises/{exercise}/report/syndicates: the exercise's syndicate, and the class's other
    syndicates this bearer may compare it with (the report page's "compare" choice)."""
    session, entry = await _authorised(request)
    syndicate = entry.replay.latest.syndicate
    peers = await replayable_peers(request, session, entry)
    return JSONResponse(
        {
            "exercise": request.path_params["exercise"],
            "syndicate": syndicate.payload() if syndicate else None,
            "compare": [{"number": n, "exercise": runtime.id} for n, runtime in peers.items()],
        }
    )


def _printing(request: Request) -> asyncio.Semaphore:
    state = request.app.state
    if getattr(state, "report_prints", None) is None:
        state.report_prints = asyncio.Semaphore(PRINTS)
    prints: asyncio.Semaphore = state.report_prints
    return prints


def _print(html: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="report-web-") as tmp:
        output = Path(tmp) / "report.pdf"
        print_pdf(html, output)
        return output.read_bytes()


def _no_chromium(words: Catalogue) -> str:
    return words.gettext(
        "This server prints the PDF with Chromium and has none. Ask its administrator to install it "
        "(sudo apt-get install chromium) or to set CHROMIUM to its path. Meanwhile, download the HTML "
        "report and print it from your browser."
    )


def _print_failed(words: Catalogue) -> str:
    return words.gettext(
        "Chromium could not print the report on this server. Try again in a moment, or download the "
        "HTML report and print it from your browser."
    )


def _unavailable(words: Catalogue, message: str) -> JSONResponse:
    """503, its message already in the reader's language (`language` says which: a page shows it as is)."""
    error: dict[str, Any] = {"code": "unavailable", "message": message, "language": words.language}
    return JSONResponse({"error": error}, status_code=HTTP_STATUS["unavailable"])


ROUTES = [
    Route("/api/exercises/{exercise}/report", exercise_report),
    Route("/api/exercises/{exercise}/report/syndicates", report_syndicates),
]
