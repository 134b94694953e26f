"""Evaluation in a real browser: the evaluator observes and marks, replays the exercise to a moment
from exercise control's and from one team's point of view, and opens the after-action report."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .browser import VIEWPORT, PageErrors, connected, screenshot
from .server_harness import SECRET, Client, ServerProcess
from .test_browser_report_pdf import text_lines

POINT = {"type": "Point", "coordinates": [31.25, 4.65]}


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """An exercise played over WebSockets: an early message and a humanitarian-only site, a jump to
    +0:20 (I-1 and I-2 released), a late message, a jump to +0:40 (I-4 follows I-1; I-6 adds a
    humanitarian-only incident), an observation, a pause (evaluators may still join)."""
    server = ServerProcess(tmp_path_factory.mktemp("browser-replay") / "data").start()
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina (OCHA)")["token"]).connect()
        mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
        observer = await Client(server, exercise, server.join(codes["evaluator"], "First observer")["token"]).connect()
        await fac.ok("clock.start")
        await hum.ok("room.post", room="joint", text="EARLY joint message")
        await hum.ok("cop.add", feature={"kind": "camp", "name": "Humanitarian site", "geometry": POINT,
                                         "visible_to": ["humanitarian"]})
        await hum.ok("notification.submit", kind="site", name="Distribution at Bessa", geometry=POINT,
                     window_start=0, window_end=25 * 60, share_with=["military"])
        await fac.ok("clock.jump", to="+0:20")
        await hum.event("inject.released")
        await mil.ok("room.post", room="joint", text="LATE joint message")
        await fac.ok("clock.jump", to="+0:40")
        await hum.event("cop.feature_added")
        await observer.ok("observation.record", text="FIXTURE: military asked for the convoy route <b>twice</b>",
                          rating=2, objective="O5", team="mil-1", inject_id="I-4")
        await fac.ok("clock.pause")
        for c in (fac, hum, mil, observer):
            await c.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already run a loop in this thread
        pool.submit(asyncio.run, act()).result()
    yield server, exercise, codes
    server.stop()


def evaluator_page(browser, server: ServerProcess, code: str) -> tuple[Page, PageErrors]:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#join-code", code)
    page.fill("#join-name", "Quiet observer")
    page.click("#join-form button[type=submit]")
    connected(page)
    return page, errors


def test_the_evaluator_observes_then_seeks_the_replay_to_a_moment(browser, played):
    server, exercise, codes = played
    page, errors = evaluator_page(browser, server, codes["evaluator"])

    # The checklist of I-1's expected actions for the humanitarian team, and an observation.
    page.click(".inject-item[data-inject='I-1']")
    item = page.locator("#inject-detail .checklist-team[data-team='hum-1'] .check-item").first
    expect(item).to_contain_text("Share the access constraint in the joint room")
    expect(item.locator(".action-links")).to_have_text("desirable · O5")  # a plain action: the inject's objectives
    item.locator("input.note").fill("Shared within minutes")
    item.locator("button[data-status='partly']").click()
    expect(item.locator(".mark-status")).to_have_text("Partly · Quiet observer")
    expect(page.locator("#observation-list .observation")).to_have_count(1)  # the fixture's
    page.select_option("#obs-objective", "O1")
    page.select_option("#obs-rating", "4")
    page.select_option("#obs-team", "hum-1")
    page.select_option("#obs-inject", "I-1")
    page.fill("#obs-text", "Humanitarians explained their principles <i>clearly</i>")
    page.click("#observation-form button[type=submit]")
    expect(page.locator("#observation-list .observation .text").first).to_have_text(
        "Humanitarians explained their principles <i>clearly</i>")
    expect(page.locator("#observation-list .observation .rating").first).to_have_text("4 Performed")
    screenshot(page, "evaluator-observations")

    # The replay opens at the end; the scrubber takes it back to +0:10.
    page.click("#replay-link")
    expect(page).to_have_url(f"{server.base}/replay/{exercise}")
    expect(page.locator("#replay-observations .observation")).to_have_count(2)
    page.locator("#scrubber").fill("600")
    expect(page.locator("#replay-time")).to_have_text("D+3 06:10")
    page.click("#room-tabs [data-room='joint']")
    expect(page.locator("#messages .message:not(.room-card) .text")).to_have_text(["EARLY joint message"])
    expect(page.locator("#messages .room-card[data-notification='N-hum-1-1']")).to_have_count(1)
    notified = page.locator("#coordination .notification[data-notification='N-hum-1-1']")
    expect(notified).to_have_class("wf-item notification")  # active at +0:10
    expect(page.locator("#map [data-feature='wf-N-hum-1-1']")).to_have_count(1)
    expect(page.locator("#map [data-feature='hum-1-f1']")).to_have_count(1)  # control sees the humanitarian site
    expect(page.locator("#map [data-feature='inc-protection']")).to_have_count(0)  # not yet released
    expect(page.locator("#inject-status tr[data-inject='I-1'] .status")).to_have_text("scheduled")
    expect(page.locator("#replay-observations .observation")).to_have_count(0)  # none yet at +0:10

    # The military team's point of view at the same moment: its rooms and map only.
    page.select_option("#pov", "team:mil-1")
    expect(page.locator("#who")).to_have_text("Replay · Military syndicate")
    expect(page.locator("#map [data-feature='mil-coy']")).to_have_count(1)
    expect(page.locator("#map [data-feature='hum-1-f1']")).to_have_count(0)
    expect(page.locator("#map [data-feature='hum-warehouse']")).to_have_count(0)
    expect(page.locator("#room-tabs [data-room='team:hum-1']")).to_have_count(0)
    expect(page.locator("#room-tabs [data-room='team:mil-1']")).to_have_count(1)
    expect(page.locator("#observations-box")).to_be_hidden()

    # At +0:30: the late message; nothing yet in the team's inbox (I-1 and I-2 were for others).
    page.fill("#goto", "+0:30")
    page.click("#goto-button")
    expect(page.locator("#replay-time")).to_have_text("D+3 06:30")
    page.click("#room-tabs [data-room='joint']")
    expect(page.locator("#messages .message:not(.room-card) .text")).to_have_text(
        ["EARLY joint message", "LATE joint message"])
    expect(page.locator("#inject-status tbody tr")).to_have_count(0)
    expect(notified).to_have_class("wf-item notification expired")  # its window ended at +0:25
    expect(notified.locator("button")).to_have_count(0)  # the replay only shows

    # At the end: I-4 in the team's inbox; I-6's humanitarian incident on control's map only.
    page.locator("#scrubber").fill(page.locator("#scrubber").get_attribute("max"))
    expect(page.locator("#inject-status tr[data-inject='I-4']")).to_have_count(1)
    expect(page.locator("#inject-status tr[data-inject='I-1']")).to_have_count(0)
    expect(page.locator("#inject-status tr[data-inject='I-6']")).to_have_count(0)
    expect(page.locator("#map [data-feature='inc-protection']")).to_have_count(0)
    page.select_option("#pov", "control")
    expect(page.locator("#map [data-feature='inc-protection']")).to_have_count(1)
    expect(page.locator("#inject-status tr[data-inject='I-6'] .status")).to_have_text("released")
    page.click("#prev-event")  # one event back, by sequence number: before the last observation
    expect(page.locator("#replay-observations .observation")).to_have_count(1)
    screenshot(page, "replay")
    assert errors.errors == []


def test_the_after_action_report_opens_from_the_replay_page(browser, played, tmp_path):
    server, exercise, _ = played
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    expect(page.locator("#exercise-table")).to_be_visible()
    page.goto(f"{server.base}/replay/{exercise}")
    expect(page.locator("#back-link")).to_have_attribute("href", f"/control/{exercise}")
    expect(page.locator("#replay-seq")).to_contain_text("event")
    with page.expect_download() as download:
        page.click("#report")
    assert download.value.suggested_filename == f"{exercise}-report.html"
    path = tmp_path / "report.html"
    download.value.save_as(path)

    report = context.new_page()
    report.goto(path.as_uri())  # opened from disk, as a trainer keeps it: nothing else to load
    expect(report.locator("h1")).to_have_text("After-action report")
    expect(report.locator("header")).to_contain_text("Mini exercise")
    expect(report.locator("svg.chart")).to_have_count(5)
    expect(report.locator("#observations")).to_contain_text("FIXTURE: military asked for the convoy route <b>twice</b>")
    expect(report.locator("#expected")).to_contain_text("Share the access constraint in the joint room")
    screenshot(report, "after-action-report")
    assert errors.errors == []


def test_the_report_printed_to_pdf_leaves_no_heading_at_the_foot_of_a_page(browser, played, tmp_path):
    """The review's bug 8: "Per team" printed at the bottom of page 1 with its table on page 2. Chromium
    prints the report to A4 as a trainer's Save as PDF does; no page may end on a section's heading, and
none but the last is left mostly blank (the review's "2/3 of a blank page")."""
    server, exercise, _ = played
    token = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": SECRET}).json()["token"]
    html = httpx.get(f"{server.base}/api/exercises/{exercise}/report",
                     headers={"Authorization": f"Bearer {token}"}).text
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_content(html)
    headings = {h.strip() for h in page.locator("main h2, main h3").all_inner_texts()}
    assert {"Per team", "Per inject and team"} <= headings
    (tmp_path / "report.pdf").write_bytes(page.pdf(format="A4"))
    pages = [p.extract_text() or "" for p in PdfReader(tmp_path / "report.pdf").pages]
    assert len(pages) >= 2, "the fixture's report should run over more than one page"
    annex = next(n for n, text in enumerate(pages) if "Annex: improvement plan" in text)
    for number, text in enumerate(pages[:-1], 1):
        lines = text_lines(text)
        assert lines and lines[-1] not in headings, f"page {number} ends on the heading {lines[-1]!r}"
        # and no page left mostly blank by a table sent whole to the next one (the executive summary
        # and the page before the annex end at a forced break)
        if number not in (1, annex):
            assert len(lines) >= 20, f"page {number} holds only {len(lines)} lines"
