"""The web views in a real browser against a real server: a facilitator and two teams."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from .browser import PROJECTOR, VIEWPORT, assert_inert, clipped, connected, facilitator, join
from .server_harness import Client

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_a_facilitator_and_two_teams_run_an_exercise_in_the_browser(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    expect(hum.locator("body")).to_have_attribute("data-component", "humanitarian")
    expect(mil.locator("body")).to_have_attribute("data-component", "military")

    # The facilitator starts the clock and releases I-1 (to the humanitarians only).
    fac.click("#clock-controls [data-command='clock.start']")
    expect(fac.locator("#clock-status")).to_have_text("running")
    expect(hum.locator("#clock-status")).to_have_text("running")
    fac.click("#msel-table tr[data-inject='I-1'] button:has-text('Release now')")
    expect(fac.locator("#msel-table tr[data-inject='I-1'] .status")).to_have_text("released")
    item = hum.locator(".inject-item[data-inject='I-1']")
    expect(item).to_be_visible()
    expect(item).to_have_class("inject-item unread")
    expect(hum.locator("#inbox-unread")).to_have_text("1 unread")
    item.click()
    expect(hum.locator("#inject-detail strong")).to_have_text("Kora")  # Markdown rendered
    hum.click("#inject-detail button.ack")
    expect(hum.locator("#inject-detail .acked")).to_have_text("Acknowledged")
    expect(fac.locator("#msel-table tr[data-inject='I-1']")).to_contain_text("Amina (OCHA)")

    # A message typed by one team appears at the other, as inert text.
    hum.click("#room-tabs [data-room='joint']")
    mil.click("#room-tabs [data-room='joint']")
    hum.fill("#message-text", "Convoy leaves Bessa at 10:00. " + XSS)
    hum.click("#composer button")
    message = mil.locator("#messages .message .text").last
    expect(message).to_have_text("Convoy leaves Bessa at 10:00. " + XSS)
    # I-1 was released before the message: had it reached the military, it would be in by now.
    expect(mil.locator(".inject-item")).to_have_count(0)  # not addressed to the military
    assert "Access report" not in mil.content()
    assert mil.evaluate("window.__pwned") is None and hum.evaluate("window.__pwned") is None
    assert mil.locator("#messages img").count() == 0

    # A feature shared with the military appears on its map; one kept to the team does not.
    def place(page: Page, name: str, share: str, x: int, y: int) -> None:
        page.fill("#feature-name", name)
        page.select_option("#feature-share", share)
        page.click("#add-feature")
        page.locator("#map").click(position={"x": x, "y": y})

    place(hum, "Distribution site", "team", 200, 200)
    place(hum, "Convoy halt", "with-military", 260, 240)
    expect(hum.locator("#map [data-feature='hum-1-f2']")).to_have_count(1)
    expect(mil.locator("#map [data-feature='hum-1-f2']")).to_have_count(1)
    expect(hum.locator("#map [data-feature='hum-1-f1']")).to_have_count(1)
    expect(mil.locator("#map [data-feature='hum-1-f1']")).to_have_count(0)
    expect(mil.locator("#map [data-feature='hum-warehouse']")).to_have_count(0)  # humanitarian-only
    expect(fac.locator("#map [data-feature='hum-1-f1']")).to_have_count(1)  # control sees every layer

    # A convoy and a note, shared with the military, each drawn in a style of its own; the
    # note's text shows in its tooltip, as text; the humanitarians drag the convoy and the
    # military sees it move.
    hum.select_option("#feature-kind", "convoy")
    expect(hum.locator("#feature-text")).to_be_hidden()
    place(hum, "WFP convoy to Kora", "with-military", 330, 200)
    hum.select_option("#feature-kind", "note")
    hum.fill("#feature-text", "Bridge closed to trucks until noon.\n" + XSS)
    place(hum, "Road note", "with-military", 200, 320)
    convoy, note = "#map .cop-convoy[data-feature='hum-1-f3']", "#map .cop-note[data-feature='hum-1-f4']"
    expect(mil.locator(convoy)).to_have_count(1)
    expect(mil.locator(note)).to_have_count(1)
    expect(hum.locator("#feature-text")).to_have_value("")
    mil.locator(note).hover()
    expect(mil.locator(".leaflet-tooltip .note-text")).to_have_text("Bridge closed to trucks until noon.\n" + XSS)
    assert mil.locator(".leaflet-tooltip img").count() == 0
    start = mil.locator(convoy).bounding_box()
    grip = hum.locator(convoy).bounding_box()
    hum.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    hum.mouse.down()
    hum.mouse.move(grip["x"] + 90, grip["y"] + 60, steps=8)
    hum.mouse.up()
    mil.wait_for_function("""([selector, x, y]) => {
        const r = document.querySelector(selector)?.getBoundingClientRect();
        return r && Math.abs(r.x - x - 80) < 15 && Math.abs(r.y - y - 60) < 15; }""",
                          arg=[convoy, start["x"], start["y"]])
    hum.select_option("#feature-kind", "incident")


    # A reload resumes where it was: same inbox, read marker, room and messages.
    mil.reload()
    connected(mil)
    expect(mil.locator("#room-tabs .tab.active")).to_have_attribute("data-room", "joint")
    expect(mil.locator("#messages .message .text").last).to_have_text("Convoy leaves Bessa at 10:00. " + XSS)
    expect(mil.locator("#map [data-feature='hum-1-f2']")).to_have_count(1)
    hum.reload()
    connected(hum)
    expect(hum.locator(".inject-item[data-inject='I-1']")).not_to_have_class("inject-item unread")
    expect(hum.locator("#inject-detail .acked")).to_have_text("Acknowledged")

    for errors in (fac_errors, hum_errors, mil_errors):
        assert errors.errors == []


@pytest.mark.parametrize("viewport", [VIEWPORT, PROJECTOR], ids=["laptop", "projector"])
def test_control_posts_as_an_actor_from_a_composer_that_fits_its_panel(browser, server, viewport):
    exercise, _, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise, viewport)
    fac.click("#room-tabs [data-room='joint']")
    fac.fill("#post-as", "Governor of Tamsa province")
    fac.fill("#message-text", "The bridge stays closed until noon.")
    composer = fac.locator("#composer input, #composer button")
    assert clipped(composer, ".rooms") == []
    fac.locator("#composer button").click()  # not forced: nothing lies on top of it
    expect(fac.locator("#messages .message").last).to_contain_text("Governor of Tamsa province")
    assert fac_errors.errors == []


def test_every_msel_action_stays_in_view_once_every_team_has_acknowledged(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    names = {"mil-1": "Maj. Okafor (Sector West HQ)", "pol-1": "Superintendent Tembo",
             "hum-1": "Amina Diallo (OCHA sub-office)", "civ-1": "Head of Office Dube"}

    async def act() -> None:  # the governor calls the joint room and all four teams acknowledge
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.release", inject_id="I-3")
        for team, name in names.items():
            client = await Client(server, exercise, server.join(codes[team], name)["token"]).connect()
            await client.ok("inject.ack", inject_id="I-3")
            await client.close()
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, act()).result()
    fac, fac_errors = facilitator(browser, server, exercise)
    expect(fac.locator("#msel-table tr[data-inject='I-3']")).to_contain_text("Head of Office Dube")
    buttons = fac.locator("#msel-table button")
    expect(buttons.first).to_be_visible()
    assert buttons.count() >= 5 * 4  # the scheduled injects' release, hold, edit and cancel
    assert clipped(buttons, ".table-wrap") == []
    assert fac.evaluate("(w => w.scrollWidth <= w.clientWidth)(document.querySelector('.table-wrap'))")
    assert fac_errors.errors == []


def test_an_inject_turns_due_soon_as_exercise_time_runs_with_no_event_in_between(browser, server):
    """At x30 from +0:03, I-2 (+0:10) comes within five minutes at +0:05, four seconds later.
    I-1 (+0:05) is held, so nothing is released then: no event redraws the table."""
    exercise, _, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    fac.click("#msel-table tr[data-inject='I-1'] button:has-text('Hold')")
    expect(fac.locator("#msel-table tr[data-inject='I-1'] .status")).to_have_text("held")
    fac.select_option("#speed", "30")
    fac.click("#clock-controls [data-command='clock.start']")
    fac.fill("#jump-to", "+0:03")
    fac.click("#jump")
    expect(fac.locator("#scenario-time")).to_contain_text("06:03")
    due = fac.locator("#msel-table tr[data-inject='I-2']")
    expect(due).not_to_have_class(re.compile(r"\bdue-soon\b"))
    expect(due).to_have_class(re.compile(r"\bdue-soon\b"), timeout=10_000)
    expect(fac.locator("#msel-table tr[data-inject='I-1']")).not_to_have_class(re.compile(r"\bdue-soon\b"))
    assert fac_errors.errors == []


def test_a_team_answers_injects_from_its_inbox_and_control_sees_who_responded_when(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    obs, obs_errors = join(browser, server, codes["evaluator"], "Quiet observer")
    fac.click("#clock-controls [data-command='clock.start']")
    for inject in ("I-1", "I-3"):  # I-1 to the humanitarians, I-3 (the governor) to the joint room
        fac.click(f"#msel-table tr[data-inject='{inject}'] button:has-text('Release now')")
        expect(hum.locator(f".inject-item[data-inject='{inject}']")).to_be_visible()

    # "Respond..." tags the composer; the chip can be removed, and an untagged message answers nothing.
    hum.locator(".inject-item[data-inject='I-1']").click()
    hum.click("#inject-detail button.respond")
    chip = hum.locator("#reply-chip")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("re I-1")
    expect(hum.locator("#message-text")).to_be_focused()
    chip.locator("button.chip-remove").click()
    expect(chip).to_be_hidden()
    hum.click("#room-tabs [data-room='team:hum-1']")
    hum.fill("#message-text", "Road to Kora blocked: who has the details?")
    hum.click("#composer button[type=submit]")
    expect(hum.locator("#messages .message .text").last).to_have_text("Road to Kora blocked: who has the details?")

    # A tagged message in the joint room answers I-1: the chip goes, the inbox says so at once.
    hum.click("#inject-detail button.respond")
    hum.click("#room-tabs [data-room='joint']")
    hum.fill("#message-text", "OCHA: the road to Kora is blocked; convoys wait at Bessa.")
    hum.click("#composer button[type=submit]")
    expect(hum.locator("#messages .message .text").last).to_have_text("OCHA: the road to Kora is blocked; convoys wait at Bessa.")
    expect(chip).to_be_hidden()
    expect(hum.locator("#inject-detail .responded")).to_have_text("Responded")
    expect(hum.locator(".inject-item[data-inject='I-1'] .responded")).to_have_text("responded")
    expect(hum.locator(".inject-item[data-inject='I-3'] .responded")).to_have_count(0)
    response = fac.locator("#msel-table tr[data-inject='I-1'] .response")
    expect(response).to_contain_text("Humanitarian syndicate responded: Amina (OCHA), D+3")
    expect(response).to_contain_text("(message in joint)")

    # The decision log answers I-3.
    hum.select_option("#decision-responds-to", "I-3")
    hum.fill("#decision-what", "Meet the governor at noon")
    hum.fill("#decision-why", "He asked for a meeting")
    hum.click("#decision-send")
    expect(hum.locator(".inject-item[data-inject='I-3'] .responded")).to_have_text("responded")
    expect(hum.locator("#decision-responds-to")).to_have_value("")
    expect(fac.locator("#msel-table tr[data-inject='I-3'] .response")).to_contain_text("(decision recorded)")
    obs.locator(".inject-item[data-inject='I-3']").click()
    expect(obs.locator("#inject-detail .responses")).to_contain_text("Amina (OCHA)")

    # Both survive a reload (the snapshots' rows).
    hum.reload()
    fac.reload()
    connected(hum)
    expect(hum.locator(".inject-item[data-inject='I-1'] .responded")).to_have_text("responded")
    expect(fac.locator("#msel-table tr[data-inject='I-1'] .response")).to_contain_text("(message in joint)")
    for errors in (fac_errors, hum_errors, obs_errors):
        assert errors.errors == []


def test_the_evaluator_sees_every_room_and_control_notes_unseen(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, _ = facilitator(browser, server, exercise)
    obs, obs_errors = join(browser, server, codes["evaluator"], "Quiet observer")
    expect(obs).to_have_url(f"{server.base}/observe/{exercise}")
    pol, _ = join(browser, server, codes["pol-1"], "Inspector Lee")
    fac.click("#msel-table tr[data-inject='I-2'] button:has-text('Release now')")
    obs.locator(".inject-item[data-inject='I-2']").click()
    expect(obs.locator("#inject-detail .control-only")).to_contain_text("SECRET-CONTROL-NOTE-2")
    expect(obs.locator("#room-tabs .tab")).to_have_count(11)  # every room
    expect(obs.locator("#presence")).to_contain_text("Inspector Lee")
    pol.locator(".inject-item[data-inject='I-2']").click()
    expect(pol.locator("#inject-detail")).to_contain_text("A crowd gathers.")
    assert "SECRET-CONTROL-NOTE" not in pol.content()
    assert "Quiet observer" not in pol.content()
    assert obs_errors.errors == []


def test_a_wrong_code_is_refused_on_the_landing_page(browser, server):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(server.base + "/")
    page.fill("#join-code", "NOPE-NOPE")
    page.fill("#join-name", "Someone")
    page.click("#join-form button[type=submit]")
    expect(page.locator("#join-error")).to_have_text("unknown join code")
    page.fill("#facilitator-secret", "guess")
    page.click("#facilitator-form button[type=submit]")
    expect(page.locator("#facilitator-error")).to_have_text("wrong facilitator secret")


def test_script_in_every_text_field_renders_as_inert_text(browser, server):
    """Display names, messages, actor names, inject titles and bodies, feature names: all text."""
    exercise, codes, fac_token = server.open_exercise()
    evil = '<img src=x onerror="window.__pwned=1">'
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], f"Amina {evil}")
    obs, _ = join(browser, server, codes["evaluator"], f"Observer {evil}")
    fac.fill("#post-as", f"Governor {evil}")
    fac.click("#room-tabs [data-room='joint']")
    fac.fill("#message-text", f"Meeting now {evil}")
    fac.click("#composer button")
    fac.click("details.adhoc summary")
    fac.fill("#adhoc-form [name=from]", f"Radio Tamsa {evil}")
    fac.locator("#adhoc-to").get_by_label("Humanitarian community").check()  # by name
    fac.fill("#adhoc-form [name=title]", f"Breaking {evil}")
    fac.fill("#adhoc-form [name=body]", f"**Bold** {evil} <script>window.__pwned=2</script> [link](javascript:window.__pwned=3)")
    fac.click("#adhoc-form button[type=submit]")
    hum.fill("#feature-name", f"Site {evil}")
    hum.click("#add-feature")
    hum.locator("#map").click(position={"x": 150, "y": 150})
    expect(hum.locator(".inject-item[data-inject='ADHOC-1']")).to_contain_text(f"Breaking {evil}")
    hum.locator(".inject-item[data-inject='ADHOC-1']").click()
    expect(hum.locator("#inject-detail .body strong")).to_have_text("Bold")
    hum.click("#room-tabs [data-room='joint']")
    expect(hum.locator("#messages .message").last).to_contain_text(f"Governor {evil}")
    hum.locator("#map [data-feature='hum-1-f1']").hover()
    expect(hum.locator(".leaflet-tooltip")).to_contain_text(f"Site {evil}")
    expect(fac.locator("#presence")).to_contain_text(f"Amina {evil}")
    expect(obs.locator("#presence")).to_contain_text(f"Amina {evil}")
    hum.locator("#inject-detail a").click()  # the javascript: link was stripped to nothing harmful
    assert_inert(fac, hum, obs)
    assert fac_errors.errors == [] and hum_errors.errors == []


def test_a_drag_survives_a_map_change_that_arrives_meanwhile(browser, server):
    """Another team's change redraws the map; a marker being dragged must not be dropped halfway."""
    exercise, codes, _ = server.open_exercise()
    hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    frames: list = []
    hum.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    hum.reload()  # the listener needs the page's socket to open after it
    connected(hum)
    hum.select_option("#feature-kind", "convoy")
    hum.fill("#feature-name", "WFP convoy")
    hum.click("#add-feature")
    hum.locator("#map").click(position={"x": 200, "y": 200})
    convoy = hum.locator("#map .cop-convoy")
    expect(convoy).to_have_count(1)
    start = convoy.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    hum.mouse.move(x, y)
    hum.mouse.down()
    hum.mouse.move(x + 45, y + 30, steps=5)

    async def roadblock() -> None:  # the military adds a feature the humanitarians see, mid-drag
        mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
        await mil.ok("cop.add", feature={"kind": "incident", "name": "Roadblock Zulu", "visible_to": "all",
                                         "geometry": {"type": "Point", "coordinates": [31.3, 4.3]}})
        await mil.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, roadblock()).result()
    for _ in range(200):  # until the page's socket has the event (msgpack keeps the name as UTF-8)
        if any(b"Roadblock Zulu" in (f if isinstance(f, bytes) else f.encode()) for f in frames):
            break
        hum.wait_for_timeout(50)
    hum.wait_for_timeout(300)  # and the page has handled it, with the pointer still down
    hum.mouse.move(x + 90, y + 60, steps=5)
    hum.mouse.up()
    expect(hum.locator("#map .cop-incident")).to_have_count(1)  # the change is drawn once the drag ends
    hum.wait_for_function("""([x, y]) => {
        const r = document.querySelector('#map .cop-convoy')?.getBoundingClientRect();
        return r && Math.abs(r.x - x - 90) < 15 && Math.abs(r.y - y - 60) < 15; }""", arg=[start["x"], start["y"]])
    hum.reload()  # and the server has it where the drag ended, not where the redraw cut it
    connected(hum)
    box = hum.locator("#map .cop-convoy").bounding_box()
    assert abs(box["x"] - start["x"] - 90) < 15 and abs(box["y"] - start["y"] - 60) < 15, (box, start)
    assert errors.errors == []


def test_an_inject_attachment_is_downloaded_by_its_team_and_listed_for_control(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    listed = fac.locator("#msel-table tr[data-inject='I-1'] button.attachment")
    expect(listed).to_have_text("Road assessment, Kora")  # control sees it before release
    fac.click("#msel-table tr[data-inject='I-1'] button:has-text('Release now')")
    hum.locator(".inject-item[data-inject='I-1']").click()
    button = hum.locator("#inject-detail button.attachment")
    expect(button).to_have_text("Road assessment, Kora")
    with hum.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "kora-road-assessment.txt"
    assert "ATTACHMENT-BODY-FOR-HUM-1" in open(download.path(), encoding="utf-8").read()
    assert fac_errors.errors == [] and hum_errors.errors == []
