"""The Starlette application: routes and middleware composed in one place."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from ..bus.base import open_bus
from ..core.clock import WallClock
from ..core.commands import Limits
from ..i18n import catalogues
from ..scenarios import load_library
from ..store.base import open_store
from . import (
    classes,
    dashboard,
    evaluation_api,
    http_api,
    people_api,
    report_http,
    studio_api,
    studio_import_api,
    studio_pages,
)
from . import replay as replay_api
from .addresses import lan_urls
from .context import AppContext
from .exercise import ExerciseRuntime
from .gc_bursts import BURSTS
from .health import Health
from .pages import Pages
from .registry import Exercises
from .settings import Settings
from .sign_ins import WrongSignIns
from .staff import Staff
from .static import StaticFiles
from .websocket import exercise_socket

log = logging.getLogger("exercise_server.app")

# The cyclic GC's thresholds once started (Python's: 700, 10, 10). A youngest generation of 20,000
# objects instead of 700: a burst of connections (a reconnect storm) or of messages allocates
# hundreds of objects per connection or message; with Python's figures it ran a young collection
# every few connections and a full one, which walks every connection's objects and stalls the
# event loop for as long (0.07-0.13 s at 2,000 connections on a loaded machine), in every storm of
# 1,000. A young collection of 20,000 objects takes a millisecond or two; memory between them grows by
# at most the cyclic garbage of those 20,000 objects (what reference counting frees goes at once).
GC_THRESHOLDS = (20_000, 10, 10)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        b"base-uri 'none'; form-action 'self'",
    ),
]


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ExerciseApp(Starlette):
    """The application, with the exercise sockets handed straight to their endpoint.

    The middleware (security headers, compression, error pages) and the router's matching concern
    HTTP; a socket went through each of them anyway, and each kept a coroutine frame (and the
    exception wrappers a closure) alive for the life of the connection: CPU in a reconnect storm,
    memory per idle connection. Other WebSockets, if any, take the usual way."""

    SOCKET = re.compile(r"/ws/([^/]+)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not scope.get("root_path"):
            match = self.SOCKET.fullmatch(scope["path"])
            if match is not None:
                scope["app"] = self
                scope["path_params"] = {"exercise": match[1]}
                await exercise_socket(WebSocket(scope, receive, send))
                return
        await super().__call__(scope, receive, send)


async def open_default(exercises: Exercises, scenario: str) -> ExerciseRuntime | None:
    """The exercise `--open` asks for: one of that scenario not yet ended, or a new one."""
    for runtime in exercises.runtimes.values():
        sc = runtime.state.scenario
        if sc and sc.id == scenario and runtime.state.clock.status != "ended":
            return runtime
    if scenario not in exercises.library:
        log.error("--open %s: no such scenario", scenario)
        return None
    return await exercises.open(scenario)


def announce(settings: Settings, facilitator_secret: str, opened: ExerciseRuntime | None) -> None:
    """What `make run` shows a newcomer: where to go, how to sign in, how teams join."""
    host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0", "::") else settings.host
    storage = f"Redis {settings.redis_url}" if settings.redis_url else f"data directory {settings.data_dir}"
    lan = lan_urls(settings.host, settings.port)
    lines = [
        f"  Exercise server: http://{host}:{settings.port}/",
        f"  For the class: {' '.join(lan)}"
        if lan
        else "  Only this computer can open it: start with --host 0.0.0.0 to let the class in",
        f"  Facilitator sign-in secret: {facilitator_secret}",
        f"  Storage: {storage}   Scenarios: {' '.join(map(str, settings.scenario_paths))}",
    ]
    if opened is not None and opened.state.scenario:
        lines.append(f"  Exercise {opened.id} ({opened.state.title}), join codes:")
        sc = opened.state.scenario
        for code, info in opened.state.codes.items():
            if info.takes_newcomers:
                team = sc.team(info.team) if info.team else None
                who = team.name if team else "Evaluators"
                lines.append(f"    {code}  {who}")
    print("\n" + "\n".join(lines) + "\n", flush=True)


def seat_limits() -> Limits:
    """The core's limits, with the interface languages this server has catalogues for."""
    limits = Limits()
    limits.languages = catalogues().languages
    return limits


class SystemClock:
    """The wall clock the server hands to the core."""

    def now(self) -> float:
        return time.time()


def create_app(settings: Settings, clock: WallClock | None = None) -> ExerciseApp:
    wall: WallClock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        library = load_library(settings.scenario_paths)
        for f in library.failed:
            for p in f.problems:
                log.error("scenario not loaded: %s:%d: %s", f.path, p.line, p.message)
        store = open_store(settings.data_dir, settings.redis_url, settings.redis_prefix)
        health = Health()
        exercises = Exercises(
            store,
            open_bus(settings.redis_url, settings.redis_prefix, health),
            wall,
            library.scenarios,
            tick_interval=settings.tick_interval,
            health=health,
            limits=seat_limits(),
        )
        await exercises.load()
        if settings.redis_url:  # every process behind the load balancer must sign and check alike
            key = (await store.shared_secret("server")).encode()  # type: ignore[attr-defined]
            fac_secret = settings.facilitator_secret or await store.shared_secret("facilitator")  # type: ignore
        else:
            key, fac_secret = settings.server_secret(), settings.facilitator_sign_in_secret()
        app.state.ctx = AppContext(
            settings, store, exercises, wall, key, fac_secret, library, WrongSignIns(settings.wrong_sign_ins)
        )
        app.state.ctx.staff = Staff(settings.data_dir / "staff.json" if settings.data_dir else None)
        opened = await open_default(exercises, settings.open_scenario) if settings.open_scenario else None
        announce(settings, fac_secret, opened)
        await exercises.start()
        studio_watch = studio_api.start_watch(app)  # the scenarios folder, reloaded when it changes
        static.precompress()
        # What start-up built (modules, scenarios, folded exercises) lives as long as the
        # process: keep it out of the cyclic GC's full collections, which then walk only
        # what came after (each one stalls the event loop for as long as it walks).
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            BURSTS.close()
            await studio_watch.stop()
            await exercises.stop()
            await store.close()

    static = StaticFiles(settings.web_dir / "static")
    static.join_named(settings.web_dir / "templates")
    pages = Pages(settings)
    for env in pages.envs.values():
        env.globals["static"] = static  # templates link CSS and JS by hashed URL
    routes = [
        *people_api.ROUTES,  # first: /control/cell before /control/{exercise}
        *evaluation_api.ROUTES,
        Route("/", pages.index),
        Route("/control", pages.control_home),
        *dashboard.routes(pages),  # before /control/{exercise}
        *studio_import_api.ROUTES,  # before the studio's pages and API mount, which would take its paths
        *studio_pages.ROUTES,  # before /control/{exercise}
        Route("/control/{exercise}", pages.exercise_page),
        Route("/control/{exercise}/handout", pages.exercise_page),
        Route("/team/{exercise}", pages.exercise_page),
        Route("/observe/{exercise}", pages.exercise_page),
        Route("/basemaps/{name}.geojson", pages.basemap),
        Route("/i18n/{language}.json", pages.catalogue),
        Route("/healthz", http_api.health),
        Route("/api/session/facilitator", http_api.facilitator_session, methods=["POST"]),
        Route("/api/join", http_api.join, methods=["POST"]),
        Route("/api/scenarios", http_api.list_scenarios),
        Route("/api/addresses", http_api.addresses),
        Route("/api/exercises", http_api.list_exercises),
        Route("/api/exercises", http_api.open_exercise, methods=["POST"]),
        Route("/api/exercises/{exercise}/codes", http_api.exercise_codes),
        Route("/api/exercises/{exercise}/role-cards", http_api.exercise_role_cards),
        Route("/api/exercises/{exercise}/plenary", http_api.plenary_session, methods=["POST"]),
        Route("/plenary/{exercise}", pages.exercise_page),
        Route("/api/exercises/{exercise}/injects/{inject}/attachments/{file}", http_api.inject_attachment),
        Route("/api/exercises/{exercise}/codes/{code}/revoke", http_api.revoke_code, methods=["POST"]),
        Route("/api/exercises/{exercise}/codes/{code}/replace", http_api.replace_code, methods=["POST"]),
        Route("/replay/{exercise}", pages.replay_page),
        Route("/api/exercises/{exercise}/replay", replay_api.replay_state),
        Route("/api/exercises/{exercise}/timeline", replay_api.replay_timeline),
        Route("/api/exercises/{exercise}/metrics", replay_api.exercise_metrics),
        *report_http.ROUTES,
        *studio_api.ROUTES,
        *classes.routes(pages),
        WebSocketRoute("/ws/{exercise}", exercise_socket),
        Mount("/static", static, name="static"),
    ]
    app = ExerciseApp(routes=routes, lifespan=lifespan)
    app.state.pages = pages  # for the pages of people_api
    # Pages, JSON and base maps compressed as they go; static files bring their own (static.py).
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(SecurityHeaders)
    return app
