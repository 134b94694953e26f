"""The control cell's live dashboard: its page (several exercises, one section each) and the fold's
state of one exercise, from which the browser folds on.

The live figures cost the server nothing per event: the page opens one control-view connection per
exercise and folds the events that connection receives anyway (web/static/js/dashboard_fold.js).
Only its start costs a read: GET /api/exercises/{exercise}/dashboard folds the log with
core/dashboard.py, once per exercise and process, then only the events appended since the last ask,
and says at which sequence number the page's connection resumes (docs/dashboard.md, docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.dashboard import ANSWERS, Dashboard
from ..core.scenario import Scenario
from .context import AppContext
from .http_api import _exercise, _facilitator, api
from .pages import Pages

MAX_EXERCISES = 16  # sections on one dashboard: a class of 8 syndicates, twice over
EXERCISE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass
class _Folded:
    board: Dashboard = field(default_factory=Dashboard)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _boards(request: Request) -> dict[str, _Folded]:
    state = request.app.state
    if getattr(state, "dashboards", None) is None:
        state.dashboards = {}
    boards: dict[str, _Folded] = state.dashboards
    return boards


def exercise_ids(text: str) -> list[str]:
    """The exercises a dashboard shows, from its `exercises` parameter (a, b, c): each once, in order;
    what cannot be an exercise id is left out, as is everything past MAX_EXERCISES."""
    ids = [part.strip() for part in text.split(",")]
    return list(dict.fromkeys(i for i in ids if EXERCISE_ID.match(i)))[:MAX_EXERCISES]


def _teams(scenario: Scenario) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "component": t.component, "translations": t.translations} for t in scenario.teams
    ]


@api
async def dashboard_state(request: Request) -> JSONResponse:
    """GET /api/exercises/{exercise}/dashboard (the facilitator): the fold's state at `seq`, the teams and
    the event types that answer an inject, for the page to fold the live events after `seq`."""
    _facilitator(request)
    runtime = await _exercise(request)
    ctx: AppContext = request.app.state.ctx
    folded = _boards(request).setdefault(runtime.id, _Folded())
    async with folded.lock:
        if await ctx.store.head(runtime.id) < folded.board.seq:  # a log shorter than the fold: not the one folded
            folded.board = Dashboard()
        events = await ctx.store.read(runtime.id, after=folded.board.seq)

        def fold() -> dict[str, Any]:
            for e in events:
                folded.board.apply(e)
            return folded.board.to_wire()

        state = await run_in_threadpool(fold)
    scenario = runtime.state.scenario
    assert scenario is not None  # an exercise found is an exercise opened
    return JSONResponse(
        {
            "exercise": runtime.id,
            "title": runtime.state.title,
            "scenario": {
                "start": scenario.start,
                "default_language": scenario.default_language,
                "languages": list(scenario.languages),
            },
            "teams": _teams(scenario),
            "answers": sorted(ANSWERS),
            "state": state,
        }
    )


def routes(pages: Pages) -> list[Route]:
    """The dashboard's routes; the page's before /control/{exercise}, which would take its name."""

    async def page(request: Request) -> Response:
        ids = exercise_ids(request.query_params.get("exercises", ""))
        return pages.render(request, "dashboard.html", exercises=ids)

    return [
        Route("/control/dashboard", page),
        Route("/api/exercises/{exercise}/dashboard", dashboard_state),
    ]
