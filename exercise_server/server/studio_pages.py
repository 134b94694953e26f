"""The scenario studio's pages: the list of scenarios and the editor of one (docs/authoring.md).

The pages carry no data: their modules read everything from the studio's HTTP API with the
facilitator's token, which the API checks. Rendered like every page, in the seat's language.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from .context import AppContext
from .pages import Pages


def _pages(request: Request) -> Pages:
    """The templates of every language, with the static files' hashed URLs (made once per app)."""
    app = request.app
    pages: Pages | None = getattr(app.state, "studio_pages", None)
    if pages is None:
        ctx: AppContext = app.state.ctx
        static = next(r.app for r in app.routes if isinstance(r, Mount) and r.name == "static")
        pages = Pages(ctx.settings)
        for env in pages.envs.values():
            env.globals["static"] = static
        app.state.studio_pages = pages
    return pages


async def studio_list(request: Request) -> Response:
    return _pages(request).render(request, "studio_list.html")


async def studio_editor(request: Request) -> Response:
    return _pages(request).render(request, "studio.html", scenario=request.path_params["scenario"])


ROUTES = [
    Route("/control/studio", studio_list),
    Route("/control/studio/{scenario}", studio_editor),
]
