"""What a view weighs in Chromium on the bundled demo (issue 20: a classroom's Wi-Fi): bytes and
requests, counted by Chromium's DevTools protocol as `python -m bench page` counts them (the
bench adds the emulated link and the timings; a test asserts only counts)."""

from __future__ import annotations

import json
import shutil

import httpx
import msgpack
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
        "replay": {f"session:{exercise}": json.dumps(evaluator)},  # the evaluator's replay and report
        "control": {"facilitator-token": fac},
        "plenary": {"facilitator-token": fac},  # opened from the control panel
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
    """Load a view until it is connected (the replay: its timeline drawn) and its map shows the base
    map: Leaflet is fetched once the map is made, after "connected", and counts in the first load."""
    counted = traffic.reset()
    page.goto(url) if url else page.reload()
    if page.locator("#connection").count():
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    else:
        expect(page.locator("#lanes > *").first).to_be_attached()
    expect(page.locator("#map .base").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    return counted


VIEWS = ["team", "observe", "replay", "control", "plenary"]  # trainee, evaluator (live, replay), control


@pytest.mark.parametrize("view", VIEWS)
def test_a_view_loads_in_at_most_150_kib_and_a_reload_waits_for_the_network_at_most_3_times(browser, demo, seats, view):
    exercise, storage = seats
    context, page, traffic, errors = open_view(browser, storage[view])
    first = load(page, traffic, f"{demo.base}/{view}/{exercise}")
    assert first.kib <= GOALS["first_kib"], first.sizes
    assert any("vendor/leaflet/leaflet." in u for u in first.sizes)  # the map is in: counted
    reload = load(page, traffic, None)
    assert reload.network <= GOALS["reload_network"], reload.fetched
    assert reload.kib <= GOALS["reload_kib"], reload.sizes
    assert not errors.errors
    context.close()


def test_a_view_with_a_socket_says_hello_on_the_socket_it_opened_before_its_modules(browser, demo, seats):
    """early_socket.js opens the WebSocket while the modules download and connection.js adopts it:
    one socket per load, and the page's own hello is the only one (a second would be a second
    participant's connection in the presence list). The replay opens none and loads no msgpack.
    early_socket.js writes the hello's msgpack itself (msgpack.min.js is not in yet): the bytes
    msgpack writes for it."""
    exercise, storage = seats
    for view in ("team", "observe", "control"):
        context, page, traffic, errors = open_view(browser, storage[view])
        sockets: list[str] = []
        sent: list[bytes] = []

        def opened(ws, sockets=sockets, sent=sent):
            sockets.append(ws.url)
            ws.on("framesent", lambda payload: sent.append(payload) if isinstance(payload, bytes) else None)

        page.on("websocket", opened)
        load(page, traffic, f"{demo.base}/{view}/{exercise}")
        assert page.evaluate("window.earlySocket.taken && window.earlySocket.ws.readyState") == 1, view
        assert len(sockets) == 1, (view, sockets)
        hello = msgpack.unpackb(sent[0])
        assert hello == {"type": "hello", "token": hello["token"], "last_seq": 0, "protocol": 1.1}, hello
        assert sent[0] == msgpack.packb(hello), view
        load(page, traffic, None)
        assert len(sockets) == 2, (view, sockets)
        assert not errors.errors
        context.close()
    context, page, traffic, errors = open_view(browser, storage["replay"])
    first = load(page, traffic, f"{demo.base}/replay/{exercise}")
    assert not [u for u in first.sizes if "msgpack" in u or "early_socket" in u], first.sizes
    assert page.evaluate("window.earlySocket === undefined")
    context.close()


def test_a_view_whose_early_socket_is_for_another_seat_opens_its_own(browser, demo, seats):
    """A team page whose stored session changes before its modules run (a sign-in in another tab):
    the early socket said hello with the old token, so the view closes it and opens its own."""
    exercise, storage = seats
    context, page, traffic, errors = open_view(browser, storage["team"])
    context.add_init_script(
        "Object.defineProperty(window, 'earlySocket', { set(v) { v.token = 'another'; this.kept = v; }, get() { return this.kept; } });"
    )
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    load(page, traffic, f"{demo.base}/team/{exercise}")
    assert len(sockets) == 2 and page.evaluate("window.earlySocket.ws.readyState") == 3  # closed
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
