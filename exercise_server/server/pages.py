"""The HTML pages: Jinja2 templates that load one small ES module per view.

Pages carry no secrets: each view's module reads the session token the sign-in page
stored in the browser, and everything it shows arrives over the WebSocket, filtered
on the server. A page is rendered in the seat's language (exercise_server/i18n/: the
browser's choice, else its Accept-Language); the browser's modules read the same catalogue.
"""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from ..i18n import COOKIE, Catalogues, catalogues
from .context import AppContext
from .settings import Settings


def template_environment(settings: Settings, language: str, i18n: Catalogues) -> Environment:
    """The templates of one language: Jinja2's i18n extension with that language's catalogue installed."""
    env = Environment(
        loader=FileSystemLoader(str(settings.web_dir / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.get(language).translations, newstyle=True)  # type: ignore[attr-defined]
    return env


class Pages:
    def __init__(self, settings: Settings, i18n: Catalogues | None = None) -> None:
        self.i18n = i18n or catalogues()
        self.envs = {lang: template_environment(settings, lang, self.i18n) for lang in self.i18n.languages}

    def render(self, request: Request, template: str, **context: object) -> HTMLResponse:
        language = self.i18n.choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))
        seat = {"language": language, "catalogue": self.i18n.get(language), "languages": self.i18n.by_language}
        response = HTMLResponse(self.envs[language].get_template(template).render(**seat, **context))
        response.headers["vary"] = "Cookie, Accept-Language"
        return response

    async def index(self, request: Request) -> Response:
        return self.render(request, "index.html")

    async def control_home(self, request: Request) -> Response:
        return self.render(request, "control_home.html")

    async def catalogue(self, request: Request) -> Response:
        """A language's catalogue for web/static/js/i18n.js: cached for good when asked for by its version."""
        language = request.path_params["language"]
        if language not in self.i18n.by_language:
            return JSONResponse({"error": {"code": "not_found", "message": "no such language"}}, status_code=404)
        cat = self.i18n.get(language)
        etag = f'"{cat.version}"'
        versioned = request.query_params.get("v") == cat.version
        headers = {
            "etag": etag,
            "cache-control": "public, max-age=31536000, immutable" if versioned else "no-cache",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(cat.json, media_type="application/json", headers=headers)

    async def exercise_page(self, request: Request) -> Response:
        """The control panel, the team view, the evaluator view, the plenary screen or the handout of one exercise."""
        ctx: AppContext = request.app.state.ctx
        exercise = request.path_params["exercise"]
        runtime = await ctx.exercises.find(exercise)
        if runtime is None:
            return self.render(request, "not_found.html", what="exercise")
        view = request.url.path.split("/")[1]  # control, team, observe, plenary
        template = {
            "control": "control.html",
            "team": "team.html",
            "observe": "observe.html",
            "plenary": "plenary.html",
        }[view]
        if request.url.path.endswith("/handout"):
            template = "handout.html"
        return self.render(request, template, exercise=exercise, syndicate=runtime.state.syndicate)

    async def replay_page(self, request: Request) -> Response:
        """The replay of one exercise, for the facilitator and its evaluators (the data needs their token)."""
        ctx: AppContext = request.app.state.ctx
        exercise = request.path_params["exercise"]
        if not await ctx.store.head(exercise):
            return self.render(request, "not_found.html")
        return self.render(request, "replay.html", exercise=exercise)

    async def basemap(self, request: Request) -> Response:
        ctx: AppContext = request.app.state.ctx
        path = ctx.library.basemaps.get(request.path_params["name"])
        if path is None or not path.is_file():
            return JSONResponse({"error": {"code": "not_found", "message": "no such base map"}}, status_code=404)
        return FileResponse(path, media_type="application/geo+json")
