"""What a view weighs in Chromium on the bundled demo (issue 20: a classroom's Wi-Fi): bytes and
requests, counted by Chromium's DevTools protocol as `python -m bench page` counts them (the
bench adds the emulated link and the timings; a test asserts only counts)."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest
from playwright.sync_api import expect

from bench.devtools import Load, Traffic, storage_script
from bench.page import GOALS

from .browser import VIEWPORT, PageErrors
from .server_harness import ROOT, ServerProcess


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("demo") / "data", "--open", "demo", scenarios=(ROOT / "injects",)).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def seats(demo):
    """The demo's exercise, and what each view's browser keeps in localStorage after sign-in."""
    exercise, codes, fac = demo.open_exercise("demo")
    trainee, evaluator = demo.join(codes["hum-1"], "Amina Diallo"), demo.join(codes["evaluator"], "Evaluator")
    return exercise, {
        "team": {f"session:{exercise}": json.dumps(trainee)},
        "observe": {f"session:{exercise}": json.dumps(evaluator)},
        "control": {"facilitator-token": fac},
    }


def open_view(browser, storage: dict[str, str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(storage_script(storage))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    traffic = Traffic(cdp)
    cdp.send("Network.enable")
    return context, page, traffic, PageErrors(page)


def load(page, traffic: Traffic, url: str | None) -> Load:  # type: ignore[no-untyped-def]
    counted = traffic.reset()
    page.goto(url) if url else page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    page.wait_for_load_state("networkidle")
    return counted


@pytest.mark.parametrize("view", ["team", "observe", "control"])
def test_a_view_loads_in_at_most_150_kib_and_a_reload_waits_for_the_network_at_most_3_times(
    browser, demo, seats, view
):
    exercise, storage = seats
    context, page, traffic, errors = open_view(browser, storage[view])
    first = load(page, traffic, f"{demo.base}/{view}/{exercise}")
    assert first.kib <= GOALS["first_kib"], first.sizes
    reload = load(page, traffic, None)
    assert reload.network <= GOALS["reload_network"], reload.sizes
    assert reload.kib <= GOALS["reload_kib"], reload.sizes
    assert not errors.errors
    context.close()


def test_a_redeploy_changes_the_urls_of_what_changed_and_a_page_from_before_it_still_works(
    browser, tmp_path, monkeypatch
):
    """The server restarts on changed files while a laptop has the team view open: the view
    reconnects; the URLs the old page named still answer (today's file, not kept for a year);
    its reload fetches the changed module and those that import it, and nothing else."""
    web = tmp_path / "web"
    shutil.copytree(ROOT / "web", web)
    monkeypatch.setenv("EXERCISE_WEB_DIR", str(web))
    server = ServerProcess(tmp_path / "data", "--open", "demo", scenarios=(ROOT / "injects",)).start()
    try:
        exercise, codes, _ = server.open_exercise("demo")
        storage = {f"session:{exercise}": json.dumps(server.join(codes["hum-1"], "Amina Diallo"))}
        context, page, traffic, errors = open_view(browser, storage)
        first = load(page, traffic, f"{server.base}/team/{exercise}")
        old_dom = next(u for u in first.sizes if "/js/dom." in u)
        with (web / "static" / "js" / "dom.js").open("a") as f:
            f.write("\n// redeployed\n")
        server.stop()
        server.start()
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected", timeout=20_000)
        old = httpx.get(f"{server.base}/{old_dom}")
        assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
        assert old.text.endswith("// redeployed\n")
        reload = load(page, traffic, None)
        fetched = {u.split("/")[-1].split(".")[0] for u in reload.fetched if u.startswith("static/")}
        assert {"dom", "team", "map", "rooms", "workflows", "coordination"} <= fetched
        assert not fetched & {"leaflet", "marked", "purify", "msgpack", "app", "session"}, fetched
        assert not [e for e in errors.errors if "ERR_CONNECTION_REFUSED" not in e]  # refused: while down
        context.close()
    finally:
        server.stop()
