"""The HTML pages: Jinja2 templates that load one small ES module per view.

Pages carry no secrets: each view's module reads the session token the sign-in page
stored in the browser, and everything it shows arrives over the WebSocket, filtered
on the server.
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from .context import AppContext
from .settings import Settings


class Pages:
    def __init__(self, settings: Settings) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(settings.web_dir / "templates")), autoescape=select_autoescape(["html"])
        )

    def render(self, template: str, **context: object) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**context))

    async def index(self, request: Request) -> Response:
        return self.render("index.html")

    async def control_home(self, request: Request) -> Response:
        return self.render("control_home.html")

    async def exercise_page(self, request: Request) -> Response:
        """The control panel, the team view, the evaluator view, the plenary screen or the handout of one exercise."""
        ctx: AppContext = request.app.state.ctx
        exercise = request.path_params["exercise"]
        if await ctx.exercises.find(exercise) is None:
            return self.render("not_found.html", what="exercise")
        view = request.url.path.split("/")[1]  # control, team, observe, plenary
        template = {
            "control": "control.html",
            "team": "team.html",
            "observe": "observe.html",
            "plenary": "plenary.html",
        }[view]
        if request.url.path.endswith("/handout"):
            template = "handout.html"
        return self.render(template, exercise=exercise)

    async def replay_page(self, request: Request) -> Response:
        """The replay of one exercise, for the facilitator and its evaluators (the data needs their token)."""
        ctx: AppContext = request.app.state.ctx
        exercise = request.path_params["exercise"]
        if not await ctx.store.head(exercise):
            return self.render("not_found.html", what="exercise")
        return self.render("replay.html", exercise=exercise)

    async def basemap(self, request: Request) -> Response:
        ctx: AppContext = request.app.state.ctx
        path = ctx.library.basemaps.get(request.path_params["name"])
        if path is None or not path.is_file():
            return JSONResponse({"error": {"code": "not_found", "message": "no such base map"}}, status_code=404)
        return FileResponse(path, media_type="application/geo+json")
