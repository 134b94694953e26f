"""HTTP for replay and evaluation: the exercise at a moment from a point of view, its
timeline and its metrics (the after-action report built on them: report_http.py).

For the facilitator and the exercise's evaluators only (Bearer session token). The log is
read from the store and kept folded, with periodic snapshots, for the exercises replayed
lately; each request first folds whatever was appended since (a running exercise).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..core.access import EVALUATOR, FACILITATOR
from ..core.events import View
from ..core.metrics import compute
from ..core.projections import ExerciseState
from ..core.replay import CONTROL_VIEW, Replay, point_of_view, principal_for, timeline
from ..core.timefmt import parse_offset
from ..i18n import COOKIE, catalogues
from ..store.base import EventStore, StoreUnavailable
from .context import AppContext
from .errors import RequestError
from .exercise import ExerciseRuntime
from .http_api import api, bearer_session
from .tokens import Session

CACHED_EXERCISES = 4
DEFAULT_MESSAGES, MAX_MESSAGES = 200, 5000  # latest messages per room in a replayed state
_SEQ = re.compile(r"^\d{1,12}$")


@dataclass
class _Entry:
    replay: Replay
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timelines: dict[tuple[int, str, str], list[dict[str, Any]]] = field(default_factory=dict)


class Replays:
    """The folded logs of the exercises replayed lately (least recently used goes first)."""

    def __init__(self, store: EventStore, size: int = CACHED_EXERCISES) -> None:
        self.store, self.size = store, size
        self.entries: OrderedDict[str, _Entry] = OrderedDict()

    async def get(self, exercise: str) -> _Entry:
        entry = self.entries.get(exercise)
        if entry is None:
            if not await self._head(exercise):  # an unknown id never takes a place in the cache
                raise RequestError("not_found", "no such exercise")
            entry = self.entries[exercise] = _Entry(Replay())
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        self.entries.move_to_end(exercise)
        async with entry.lock:
            try:
                new = await self.store.read(exercise, after=entry.replay.head)
            except StoreUnavailable:
                raise RequestError("unavailable", "the event store is unreachable; retry") from None
            if new:
                await run_in_threadpool(entry.replay.extend, new)
        return entry

    async def _head(self, exercise: str) -> int:
        try:
            return await self.store.head(exercise)
        except StoreUnavailable:
            raise RequestError("unavailable", "the event store is unreachable; retry") from None


def _replays(request: Request) -> Replays:
    state = request.app.state
    if getattr(state, "replays", None) is None:
        ctx: AppContext = state.ctx
        state.replays = Replays(ctx.store)
    replays: Replays = state.replays
    return replays


async def _authorised(request: Request) -> tuple[Session, _Entry]:
    """The control cell of this exercise only: the facilitator, or one of its evaluators."""
    exercise = request.path_params["exercise"]
    session = bearer_session(request, "send the facilitator's or an evaluator's session token")
    if session.role not in (FACILITATOR, EVALUATOR):
        raise RequestError("forbidden", "only the facilitator and evaluators replay an exercise")
    if not session.for_exercise(exercise):
        raise RequestError("forbidden", "session token is for another exercise")
    entry = await _replays(request).get(exercise)
    still_entitled(session, entry.replay.latest)
    return session, entry


def still_entitled(session: Session, state: ExerciseState) -> None:
    """A control-cell token for this exercise still works in it: its join code not revoked, its
    bearer not removed (the checks after the token's role and exercise, also for a report's peers)."""
    if session.code is not None and state.usable_code(session.code) is None:
        raise RequestError("forbidden", "join code revoked")
    if state.was_removed(session.participant):
        raise RequestError("forbidden", "removed from the exercise")


async def replayable_peers(request: Request, session: Session, entry: _Entry) -> dict[int, ExerciseRuntime]:
    """The other syndicates of the exercise's class that this bearer may replay too, by number: those
    a report may compare it with (report_http.py)."""
    syndicate = entry.replay.latest.syndicate
    if syndicate is None:
        return {}
    own = request.path_params["exercise"]
    ctx: AppContext = request.app.state.ctx
    runtimes = await ctx.exercises.find_class(syndicate.class_id)
    return {n: runtime for n, runtime in runtimes.items() if runtime.id != own and _may_replay(session, runtime)}


def _may_replay(session: Session, runtime: ExerciseRuntime) -> bool:
    if not session.for_exercise(runtime.id):
        return False
    try:
        still_entitled(session, runtime.state)
    except RequestError:
        return False
    return True


def _view(request: Request, entry: _Entry) -> str:
    view = request.query_params.get("view", CONTROL_VIEW)
    principal_for(entry.replay.latest, view)  # refuses an unknown or malformed view
    return view


def _moment(request: Request, replay: Replay) -> tuple[int, float]:
    """The sequence number and exercise time asked for: ?seq=N, ?at=SECONDS|+H:MM, or the head."""
    seq, at = request.query_params.get("seq"), request.query_params.get("at")
    if seq is not None and at is not None:
        raise RequestError("invalid", "ask for seq or at, not both")
    if seq is not None:
        if not _SEQ.match(seq) or not 1 <= int(seq) <= replay.head:
            raise RequestError("invalid", f"seq must be a whole number from 1 to {replay.head}")
        return int(seq), replay.ex_time_of(int(seq))
    if at is not None:
        text = at.strip()  # a "+" typed in an address bar arrives as a space
        try:
            t = parse_offset("+" + text.lstrip("+")) if ":" in text else float(text)
        except ValueError:
            t = math.nan
        if not math.isfinite(t) or t < 0:
            raise RequestError("invalid", "at must be exercise seconds (>= 0) or an offset such as +1:30")
        return max(1, replay.seq_at(t)), t
    return replay.head, replay.ex_time_of(replay.head)


def _messages(request: Request) -> int:
    raw = request.query_params.get("messages", str(DEFAULT_MESSAGES))
    if not _SEQ.match(raw) or not 1 <= int(raw) <= MAX_MESSAGES:
        raise RequestError("invalid", f"messages must be a whole number from 1 to {MAX_MESSAGES}")
    return int(raw)


@api
async def replay_state(request: Request) -> JSONResponse:
    """GET /api/exercises/{exercise}/replay: the state at a moment, as the chosen view saw it."""
    _, entry = await _authorised(request)
    view = _view(request, entry)
    seq, ex_time = _moment(request, entry.replay)
    last = _messages(request)

    def seek() -> dict[str, Any]:
        return point_of_view(entry.replay.state_at(seq), view, last)

    async with entry.lock:  # a seek to the head copies the state that the next fold extends
        state = await run_in_threadpool(seek)
    return JSONResponse(
        {
            "exercise": request.path_params["exercise"],
            "head": entry.replay.head,
            "seq": seq,
            "ex_time": ex_time,
            "view": view,
            "state": state,
        }
    )


@api
async def replay_timeline(request: Request) -> JSONResponse:
    """GET /api/exercises/{exercise}/timeline: every event the view could see, for the scrubber."""
    session, entry = await _authorised(request)
    view = _view(request, entry)
    language = _language(request)
    replay = entry.replay
    key = (replay.head, view, language)
    if key not in entry.timelines:  # kept per view and language until the log grows
        gettext = catalogues().get(language).translations.gettext
        items = await run_in_threadpool(timeline, list(replay.events), view, gettext)
        entry.timelines = {k: v for k, v in entry.timelines.items() if k[0] == replay.head}
        entry.timelines[key] = items
    latest = replay.latest
    assert latest.scenario is not None
    sc = latest.scenario
    return JSONResponse(
        {
            "exercise": request.path_params["exercise"],
            "title": latest.title,
            "head": replay.head,
            "start": sc.start,
            "duration": sc.duration,
            "end": replay.ex_time_of(replay.head),
            "clock": latest.clock.status,
            "basemap": sc.basemap,
            "views": [{"id": CONTROL_VIEW, "name": "Exercise control (everything)"}]
            + [{"id": View.of_team(t.id).key, "name": t.name, "component": t.component} for t in sc.teams],
            "items": entry.timelines[key],
            "syndicate": latest.syndicate.payload() if latest.syndicate else None,
            "compare": [
                {"number": n, "exercise": runtime.id}
                for n, runtime in (await replayable_peers(request, session, entry)).items()
            ],
        }
    )


@api
async def exercise_metrics(request: Request) -> JSONResponse:
    """GET /api/exercises/{exercise}/metrics: the metrics of docs/evaluation.md, as JSON."""
    _, entry = await _authorised(request)
    metrics = await run_in_threadpool(compute, list(entry.replay.events))
    return JSONResponse(_json_keys(metrics.to_dict()))


def _language(request: Request) -> str:
    """The language asked for (`?language=`), else the page's: the browser's choice, else its Accept-Language."""
    i18n = catalogues()
    asked = request.query_params.get("language")
    if asked is not None and asked not in i18n.by_language:
        raise RequestError("invalid", f"language must be one of {', '.join(i18n.languages)}")
    return asked or i18n.choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))


def _json_keys(value: Any) -> Any:
    """JSON objects have text keys: the rating counts are keyed by number."""
    if isinstance(value, dict):
        return {str(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value
