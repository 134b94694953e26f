"""A map, or the Markdown renderer, whose files the network cut off on their way in arrives after
all (the map says so meanwhile)."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Route, expect

from .browser import VIEWPORT, PageErrors
from .server_harness import Client
from .test_browser_layout import LAPTOP, PHONE, PROJECTOR, check

CUT = {
    "the map's module": re.compile(r"/static/js/leaflet_map\.[0-9a-f]+\.js$"),
    "Leaflet, which it imports": re.compile(r"/static/vendor/leaflet/leaflet\.[0-9a-f]+\.js$"),
}
MARKED = re.compile(r"/static/vendor/marked/marked\.esm\.[0-9a-f]+\.js$")


def join_cutting_once(browser, server, code: str, file: re.Pattern[str], held: threading.Event | None = None):  # type: ignore[no-untyped-def]
    """A trainee joins while the network cuts `file` off once on its way in (as a classroom's
    Wi-Fi drops a file), and again each time until `held` is cleared if given; returns the page, its
    errors and the URLs cut."""
    context = browser.new_context(viewport=VIEWPORT)
    cut: list[str] = []

    def cut_once(route: Route) -> None:
        if not cut or (held is not None and held.is_set()):
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route(file, cut_once)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#join-code", code)
    page.fill("#join-name", "Amina (OCHA)")
    page.click("#join-form button[type=submit]")
    expect(page.locator("#connection")).to_have_text("connected")
    return page, errors, cut


@pytest.mark.parametrize("what", list(CUT))
def test_a_map_cut_off_on_its_way_in_is_fetched_again_and_drawn(browser, server, what):
    _, codes, _ = server.open_exercise()
    held = threading.Event()
    held.set()  # cut off until the notice is checked at every size
    page, errors, cut = join_cutting_once(browser, server, codes["hum-1"], CUT[what], held)
    notice = page.locator("#map .map-retrying")
    expect(notice).to_have_text("The map did not arrive: the connection cut it off. Trying again…")
    problems = check(page, f"the team view, {what} cut off", [LAPTOP, PHONE, PROJECTOR], ["#map .map-retrying"])
    held.clear()
    assert not problems, "\n".join(problems)
    expect(
        page.locator("#map.leaflet-container .leaflet-marker-icon, #map.leaflet-container path").first
    ).to_be_visible(timeout=30_000)  # the COP drawn at the next retry (1, 2, 4, 8, then 15 s apart)
    expect(notice).to_have_count(0)
    assert cut and all(CUT[what].search(url) for url in cut)
    # What the browser says of the file cut off, and nothing else.
    assert [e for e in errors.errors if "ERR_CONNECTION_RESET" not in e] == []
    page.context.close()


def test_an_inject_body_shows_as_text_while_its_renderer_is_cut_off_and_rendered_once_it_is_in(browser, server):
    exercise, codes, fac_token = server.open_exercise()

    async def release() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.release", inject_id="I-1")  # its body: Road to **Kora** is blocked.
        await fac.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, release()).result()
    page, errors, cut = join_cutting_once(browser, server, codes["hum-1"], MARKED)
    page.locator("#inbox-list .inject-item").first.click()
    expect(page.locator("#inject-detail .body strong")).to_have_text("Kora", timeout=15_000)
    assert len(cut) == 1
    assert [e for e in errors.errors if "ERR_CONNECTION_RESET" not in e] == []
    page.context.close()
