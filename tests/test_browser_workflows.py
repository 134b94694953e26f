"""Coordination workflows in a real browser: notification and acknowledgement, request and decline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .browser import VIEWPORT, PageErrors, join
from .server_harness import ROOT, ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("browser-wf") / "data",
                      scenarios=(ROOT / "tests" / "fixtures" / "mini.yaml",)).start()
    yield s
    s.stop()


def test_a_convoy_is_notified_and_acknowledged_and_an_escort_is_declined(browser, server):
    exercise, codes, _ = server.open_exercise()
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    civ, civ_errors = join(browser, server, codes["civ-1"], "Mayor Dube")

    # The humanitarians notify a convoy route, drawn on the map, to the military.
    hum.fill("#notify-name", "Convoy to Kora")
    hum.check("#notify-share input[value='military']")
    hum.click("#notify-draw")
    for x, y in ((200, 200), (260, 240), (320, 260)):
        hum.locator("#map").click(position={"x": x, "y": y})
    expect(hum.locator("#notify-points")).to_have_text("3 point(s)")
    hum.click("#notify-send")
    row = mil.locator(".notification[data-notification='N-1']")
    expect(row).to_contain_text("Convoy to Kora")
    expect(civ.locator(".notification")).to_have_count(0)
    row.locator("button.ack-notification").click()
    expect(hum.locator(".notification[data-notification='N-1'] .acks")).to_have_text(
        "Acknowledged by Military syndicate")

    # The civilians request an escort; the military declines with a reason.
    expect(civ.locator("#rfa-send")).to_be_visible()
    civ.select_option("#rfa-asset", "escort")
    civ.fill("#rfa-justification", "Evacuation of the clinic at Bessa")
    civ.fill("#rfa-last-resort", "too short")
    civ.click("#rfa-send")
    civ.locator("#map").click(position={"x": 250, "y": 250})
    expect(civ.locator("#toast")).to_contain_text("Oslo Guidelines")
    civ.fill("#rfa-last-resort", "No civilian transport can cross the flooded road to Bessa.")
    civ.click("#rfa-send")
    civ.locator("#map").click(position={"x": 250, "y": 250})
    request = mil.locator(".rfa[data-rfa='RFA-1']")
    expect(request.locator(".status")).to_have_text("submitted")
    request.locator(".rfa-decision").select_option("decline")
    request.locator(".rfa-reason").fill("All escorts committed to the dam")
    request.locator("button.respond-rfa").click()
    mine = civ.locator(".rfa[data-rfa='RFA-1']")
    expect(mine.locator(".status")).to_have_text("declined")
    expect(mine.locator(".history li").last).to_contain_text("declined: All escorts committed to the dam")
    expect(hum.locator(".rfa")).to_have_count(0)

    civ.reload()  # the history survives a reload (snapshot)
    expect(civ.locator("#connection")).to_have_text("connected")
    expect(civ.locator(".rfa[data-rfa='RFA-1'] .history li")).to_have_count(2)
    for errors in (hum_errors, mil_errors, civ_errors):
        assert errors.errors == []
