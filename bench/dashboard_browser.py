"""The dashboard's fold where it runs: in Chromium, web/static/js/dashboard_fold.js against the
control panel's own fold (web/static/js/projection.js, `ExerciseView.apply`), on the same events
as the control view receives them, in the same page. The modules are served from web/static as
they are (Playwright answers the page's requests from the disk: no server, no network)."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Route, async_playwright

from exercise_server.core import events as ev
from exercise_server.core.access import FACILITATOR, Principal, event_for_view
from exercise_server.core.dashboard import ANSWERS, Dashboard
from exercise_server.core.projections import ExerciseState

from .page import CHROMIUM_ARGS

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
ORIGIN = "http://bench.invalid"
PAGE = '<!doctype html><html lang="en"><body><script src="/vendor/msgpack/msgpack.min.js"></script></body></html>'
FAC = Principal(FACILITATOR, "Facilitator", "facilitator")

# In the page: each fold over fresh copies of the events (projection.js keeps payloads it is
# given), interleaved, the best of `repeat` runs of each.
FOLDS = """async (data) => {
  const { ExerciseView } = await import('/js/projection.js');
  const { DashboardFold } = await import('/js/dashboard_fold.js');
  const best = { plain: Infinity, dashboard: Infinity };
  for (let r = 0; r < data.repeat; r++) {
    let events = structuredClone(data.events);
    const view = new ExerciseView();
    view.you = { role: 'facilitator', participant: 'facilitator' };
    view.reset(structuredClone(data.snapshot));
    let t = performance.now();
    for (const e of events) view.apply(e);
    best.plain = Math.min(best.plain, performance.now() - t);
    events = structuredClone(data.events);
    const fold = new DashboardFold(data.wire, data.answers);
    t = performance.now();
    for (const e of events) fold.apply(e);
    best.dashboard = Math.min(best.dashboard, performance.now() - t);
  }
  return best;
}"""


async def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path == "/bench.html":
        await route.fulfill(body=PAGE, content_type="text/html")
        return
    file = (STATIC / path.lstrip("/")).resolve()
    if not file.is_relative_to(STATIC) or not file.is_file():
        await route.fulfill(status=404, body="")
        return
    kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file.name)[0] or "text/plain"
    await route.fulfill(body=file.read_bytes(), content_type=kind)


def page_data(events: list[ev.Event], repeat: int) -> str:
    """The control view's snapshot after the exercise opened, then every later event as it receives them."""
    opened = ExerciseState.fold(events[:1])
    board = Dashboard()
    board.apply(events[0])
    view = ev.FACILITATOR_VIEW
    bodies = [body for e in events[1:] if (body := event_for_view(view, e)) is not None]
    data = {
        "snapshot": opened.snapshot(FAC),
        "events": bodies,
        "wire": board.to_wire(),
        "answers": sorted(ANSWERS),
        "repeat": repeat,
    }
    return json.dumps(data, default=list)


async def _run(data: str) -> dict[str, Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.route(f"{ORIGIN}/**", _serve)
        await page.goto(f"{ORIGIN}/bench.html")
        best = await page.evaluate(f"(text) => ({FOLDS})(JSON.parse(text))", data)
        version = browser.version
        await browser.close()
    if errors:
        raise RuntimeError(f"the page failed: {errors}")
    return {"plain_ms": best["plain"], "dashboard_ms": best["dashboard"], "chromium": version}


def browser_folds(events: list[ev.Event], repeat: int) -> dict[str, Any]:
    """Milliseconds for each fold over the events after the opening, the best of `repeat`, in Chromium."""
    data = page_data(events, repeat)
    result = asyncio.run(_run(data))
    result["events"] = len(json.loads(data)["events"])
    return result
