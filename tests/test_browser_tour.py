"""The bundled demo, end to end in a browser, as a newcomer sees it after `make run`;
its pages are the screenshots in docs/screenshots (make screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from .browser import VIEWPORT, PageErrors, clipped, connected, facilitator, join, launch, screenshot
from .server_harness import ROOT, SECRET, ServerProcess


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("demo") / "data", "--open", "demo",
                      scenarios=(ROOT / "injects",)).start()
    yield s
    s.stop()


def test_the_demo_runs_in_the_browser_on_the_offline_base_map(demo):
    exercise, codes, _ = demo.open_exercise("demo")
    with sync_playwright() as p:
        browser = launch(p)
        pages = {}
        for who, code, name in (("hum", codes["hum-1"], "Amina Diallo"), ("mil", codes["mil-1"], "Maj. Okafor"),
                                ("obs", codes["evaluator"], "Course evaluator")):
            page = browser.new_context(viewport=VIEWPORT).new_page()
            pages[who] = (page, PageErrors(page))
            page.goto(demo.base + "/")
            page.fill("#join-code", code)
            page.fill("#join-name", name)
            page.click("#join-form button[type=submit]")
            connected(page)
        fac = browser.new_context(viewport=VIEWPORT).new_page()
        fac_errors = PageErrors(fac)
        fac.goto(demo.base + "/")
        fac.fill("#facilitator-secret", SECRET)
        fac.click("#facilitator-form button[type=submit]")
        expect(fac.locator("#scenario-table tr[data-scenario='demo']")).to_be_visible()
        expect(fac.locator("#scenario-table tbody tr")).to_have_count(9)  # the bundled library (injects/)
        fac.click(f"#exercise-table tr[data-exercise='{exercise}'] a")
        connected(fac)
        # The base map is drawn from the bundled GeoJSON: no tile server, no internet.
        expect(fac.locator("#map path.base-river").first).to_be_attached()
        assert fac.locator("#map .base").count() > 20
        fac.select_option("#speed", "60")
        fac.click("#clock-controls [data-command='clock.start']")
        hum, _ = pages["hum"]
        mil, _ = pages["mil"]
        obs, _ = pages["obs"]
        expect(hum.locator(".inject-item").first).to_be_visible(timeout=15000)
        hum.locator(".inject-item").first.click()
        hum.click("#inject-detail button.respond")  # the message answers the inject
        hum.click("#room-tabs [data-room='joint']")
        hum.fill("#message-text", "OCHA here: the Lunda bridge site needs water trucking today.")
        hum.click("#composer button[type=submit]")
        expect(hum.locator("#inject-detail .responded")).to_be_visible()
        mil.click("#room-tabs [data-room='joint']")
        expect(mil.locator("#messages .message")).to_have_count(1)
        mil.fill("#message-text", "Noted. Our engineers can assess the bridge if you ask.")
        mil.click("#composer button")
        expect(fac.locator("#msel-table .status-released").first).to_be_visible(timeout=15000)
        expect(fac.locator("#msel-table .response").first).to_contain_text("(message in joint)")
        fac.click("#clock-controls [data-command='clock.pause']")
        obs.locator(".inject-item").first.click()
        for page, errors in pages.values():
            assert errors.errors == []
        assert fac_errors.errors == []
        screenshot(fac, "control-panel")
        screenshot(hum, "team-view")
        screenshot(obs, "evaluator-view")
        browser.close()


def test_nothing_in_the_demo_views_is_cut_off_on_a_laptop_screen(browser, demo):
    """The demo's long names (eleven rooms, components named in full, inject titles) at 1366x768:
    every room tab, the composers, every MSEL action and every coordination control lies whole
    inside its panel."""
    exercise, codes, _ = demo.open_exercise("demo")
    fac, fac_errors = facilitator(browser, demo, exercise)
    hum, hum_errors = join(browser, demo, codes["hum-1"], "Amina Diallo")
    obs, obs_errors = join(browser, demo, codes["evaluator"], "Course evaluator")
    expect(fac.locator("#room-tabs .tab")).to_have_count(11)
    expect(obs.locator("#room-tabs .tab")).to_have_count(11)
    expect(hum.locator("#notify-share label")).to_have_count(4)  # the other components and the party control plays
    fac.click("#msel-table tr[data-inject='D-02'] button:has-text('Release now')")  # a choice to answer
    expect(hum.locator("#decision-responds-to option[value='D-02']")).to_have_count(1)
    for page in (fac, hum, obs):
        assert clipped(page.locator("#room-tabs .tab"), ".rooms") == []
    for page in (fac, hum):
        assert clipped(page.locator("#composer input, #composer button"), ".rooms") == []
    assert clipped(fac.locator("#msel-table button"), ".table-wrap") == []
    assert clipped(hum.locator(".share-with label"), ".wf-col") == []
    assert clipped(hum.locator(".coordination fieldset > *"), ".wf-col") == []
    assert hum.evaluate("document.documentElement.scrollWidth <= innerWidth")  # nothing wider than the page
    assert clipped(hum.locator("#map-tools > *"), ".map-panel") == []
    assert fac_errors.errors == [] and hum_errors.errors == [] and obs_errors.errors == []
