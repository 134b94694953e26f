"""projection.js in real Chromium, held to the fixtures of tests/test_view_folds.py: for every view,
the page's fold of a snapshot and the live events after it shows what the later snapshot shows."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import pytest

from .browser import PageErrors
from .client_fold import ClientView, differences, displayed, normal_form

WEB = Path(__file__).parent.parent / "web"
FIXTURES = sorted((Path(__file__).parent / "fixtures" / "view_folds").glob("*.json"))
ORIGIN = "http://view-folds.test"
# connection.js reads the msgpack codec from the page at import; a fold needs neither.
PAGE = "<!doctype html><script>window.MessagePack = { encode() {}, decode() {} };</script>"

FOLD = """async (views) => {
  const { ExerciseView } = await import('/static/js/projection.js');
  const out = {};
  for (const [name, { snapshot, events }] of Object.entries(views)) {
    const view = new ExerciseView();
    view.you = snapshot.you;  // the welcome frame's, as connect() would set it
    view.reset(structuredClone(snapshot));
    for (const e of events) view.apply(structuredClone(e));
    out[name] = { state: view.state, cop: [...view.cop.values()] };
  }
  return JSON.parse(JSON.stringify(out));  // what JSON keeps: undefined fields go, as on the wire
}"""


@pytest.fixture(scope="module")
def page(browser):  # type: ignore[no-untyped-def]
    """A blank page whose /static/ is web/static/ from disk (no server)."""
    page = browser.new_context().new_page()
    errors = PageErrors(page)

    def serve(route) -> None:  # type: ignore[no-untyped-def]
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(status=200, content_type="text/html", body=PAGE)
            return
        file = (WEB / path.lstrip("/")).resolve()
        if path.startswith("/static/") and file.is_file() and WEB in file.parents:
            route.fulfill(
                status=200, content_type=mimetypes.guess_type(file.name)[0] or "text/javascript", body=file.read_bytes()
            )
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(ORIGIN + "/")
    yield page
    assert errors.errors == []
    page.context.close()


def test_there_are_fixtures() -> None:
    assert len(FIXTURES) >= 3, "run `python -m tests.test_view_folds` to write them"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_projection_js_folds_live_events_into_what_the_later_snapshot_shows(page, fixture: Path) -> None:  # type: ignore[no-untyped-def]
    views: dict[str, Any] = json.loads(fixture.read_text(encoding="utf-8"))["views"]
    folded = page.evaluate(
        FOLD, {name: {"snapshot": v["snapshot"], "events": v["events"]} for name, v in views.items()}
    )
    for name, case in views.items():
        expected = normal_form(ClientView(case["expected"]))
        got = displayed(folded[name]["state"], folded[name]["cop"])
        lines = differences(got, expected)
        assert not lines, f"{fixture.stem} {name}: projection.js and the snapshot differ:\n  " + "\n  ".join(lines[:12])
