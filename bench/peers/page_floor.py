"""`python -m bench.peers.page_floor SERVE-ARGS`: the exercise server exactly as `serve` runs
it, with one more route, a bare HTML page (`/bench/floor`: no CSS, no script), so that the page
benchmark can show what the emulated link costs by itself, through the same app and middleware."""

from __future__ import annotations

import sys

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from exercise_server import cli
from exercise_server.server import run

FLOOR = "/bench/floor"
BARE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title>'
    '<link rel="icon" href="data:,"></head><body><p id="floor">floor</p></body></html>'
)


async def floor(request: Request) -> HTMLResponse:
    return HTMLResponse(BARE)


def main() -> int:
    create_app = run.create_app

    def with_floor(*args: object, **kwargs: object) -> Starlette:
        app = create_app(*args, **kwargs)  # type: ignore[arg-type]
        app.router.routes.insert(0, Route(FLOOR, floor))
        return app

    run.create_app = with_floor  # type: ignore[assignment]
    return cli.main(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
