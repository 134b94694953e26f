"""The Starlette application: routes and middleware composed in one place."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bus.base import open_bus
from ..scenarios import load_library
from ..store.base import open_store
from . import http_api
from .context import AppContext
from .pages import Pages
from .registry import Exercises
from .settings import Settings
from .websocket import exercise_socket

log = logging.getLogger("exercise_server.app")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                 b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                                 b"base-uri 'none'; form-action 'self'"),
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


class SystemClock:
    """The wall clock the server hands to the core."""

    def now(self) -> float:
        return time.time()


def create_app(settings: Settings, clock: object | None = None) -> Starlette:
    clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        library = load_library(settings.scenario_paths)
        for f in library.failed:
            for p in f.problems:
                log.error("scenario not loaded: %s:%d: %s", f.path, p.line, p.message)
        store = open_store(settings.data_dir, settings.redis_url)
        exercises = Exercises(store, open_bus(settings.redis_url), clock, library.scenarios,
                              tick_interval=settings.tick_interval)
        await exercises.load()
        app.state.ctx = AppContext(settings, store, exercises, clock, settings.server_secret(),
                                   settings.facilitator_sign_in_secret(), library)
        exercises.start()
        try:
            yield
        finally:
            await exercises.stop()
            await store.close()

    pages = Pages(settings)
    routes = [
        Route("/", pages.index),
        Route("/control", pages.control_home),
        Route("/control/{exercise}", pages.exercise_page),
        Route("/control/{exercise}/handout", pages.exercise_page),
        Route("/team/{exercise}", pages.exercise_page),
        Route("/observe/{exercise}", pages.exercise_page),
        Route("/basemaps/{name}.geojson", pages.basemap),
        Route("/healthz", http_api.health),
        Route("/api/session/facilitator", http_api.facilitator_session, methods=["POST"]),
        Route("/api/join", http_api.join, methods=["POST"]),
        Route("/api/scenarios", http_api.list_scenarios),
        Route("/api/exercises", http_api.list_exercises),
        Route("/api/exercises", http_api.open_exercise, methods=["POST"]),
        Route("/api/exercises/{exercise}/codes", http_api.exercise_codes),
        Route("/api/exercises/{exercise}/codes/{code}/revoke", http_api.revoke_code, methods=["POST"]),
        WebSocketRoute("/ws/{exercise}", exercise_socket),
        Mount("/static", StaticFiles(directory=str(settings.web_dir / "static")), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    return app
