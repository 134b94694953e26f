"""Bugs of the UX walkthrough (../shared/reviews/ux-walkthrough.md), each as its user met it:
4 (Cancel acted in one click), 11 (a toast covered the composer's Send), 16 (the attachment
clip an emoji, a box on a machine without an emoji font), 14 (a long paste cut without a word),
15 (the replay's Go to landed on the first event at that time, not the last), 9 (Tamsa's room
tabs all read "Team room: Syndicate …"), 5 (the handout printed localhost), 12 (addressees typed as
ids, refused in words the facilitator could not act on), and the review's three time formats side by side."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from exercise_server.server.addresses import lan_urls

from .browser import connected, facilitator, join
from .request_fields import request
from .server_harness import ROOT, Client, ServerProcess

CONTROLS_UNDER = """(toast) => {
  const t = toast.getBoundingClientRect();
  return [...document.querySelectorAll('button, input, select, textarea, a[href], summary')].filter((n) => {
    const r = n.getBoundingClientRect();
    return r.width && r.height && r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top;
  }).map((n) => n.id || n.textContent.trim() || n.tagName);
}"""


def test_cancel_on_an_msel_row_asks_first_and_a_no_keeps_the_inject(browser, server):
    exercise, _, _ = server.open_exercise()
    fac, errors = facilitator(browser, server, exercise)
    cancel = fac.locator("#msel-table tr[data-inject='I-2'] button.danger")
    asked: list[str] = []
    fac.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    cancel.click()
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .status")).to_have_text("scheduled")
    fac.wait_for_timeout(300)
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .status")).to_have_text("scheduled")
    assert asked == ["Cancel I-2 (Riot at the market)? You can undo it until its time."]
    fac.once("dialog", lambda d: d.accept())
    cancel.click()
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .status")).to_have_text("cancelled")
    fac.locator("#msel-table tr[data-inject='I-2'] button.undo-cancel").click()  # until its time, +0:10
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .status")).to_have_text("scheduled")
    fac.once("dialog", lambda d: d.accept())
    cancel.click()
    fac.click("#clock-controls [data-command='clock.start']")
    fac.fill("#jump-to", "+0:11")
    fac.click("#jump")
    expect(fac.locator("#scenario-time")).to_have_text("D+3 06:11")
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .status")).to_have_text("cancelled")
    expect(fac.locator("#msel-table tr[data-inject='I-2'] button.undo-cancel")).to_have_count(0)  # its time passed
    assert errors.errors == []


@pytest.mark.parametrize("size", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}], ids=["laptop", "phone"])
def test_a_toast_covers_no_control_of_the_team_view(browser, server, size):
    exercise, codes, _ = server.open_exercise()
    fac, _ = facilitator(browser, server, exercise)
    fac.click("#msel-table tr[data-inject='I-1'] button:has-text('Release now')")
    hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    hum.set_viewport_size(size)
    hum.locator(".inject-item[data-inject='I-1']").click()
    hum.click("#add-feature")  # with no name: "Give the feature a name first."
    toast = hum.locator("#toast")
    expect(toast).to_be_visible()
    for where in ("#message-text", "#inject-detail button.respond"):
        hum.locator(where).scroll_into_view_if_needed()
        assert toast.evaluate(CONTROLS_UNDER) == []
    assert errors.errors == []


def test_the_attachment_clip_is_drawn_not_an_emoji(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, errors = facilitator(browser, server, exercise)
    button = fac.locator("#msel-table tr[data-inject='I-1'] button.attachment")
    expect(button).to_have_text("Road assessment, Kora")
    clip = button.evaluate("(b) => { const s = getComputedStyle(b, '::before');"
                           " return [s.content, parseFloat(s.width), parseFloat(s.height), s.borderTopStyle]; }")
    assert clip[0] == '""' and clip[1] > 3 and clip[2] > 8 and clip[3] == "solid"
    assert errors.errors == []


def test_a_long_message_shows_its_length_near_the_limit_a_paste_cut_to_it_says_so_and_a_reload_keeps_it(browser, server):
    exercise, codes, _ = server.open_exercise()
    hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    field, counter = hum.locator("#message-text"), hum.locator("#composer .length-counter")
    field.focus()
    hum.keyboard.insert_text("x" * 3000)
    expect(counter).to_have_count(0)  # far from the limit: nothing shown
    hum.keyboard.insert_text("y" * 300)
    expect(counter).to_have_text("3300 / 4000")
    hum.keyboard.insert_text("z" * 8000)  # as a paste: cut at the limit, which the counter shows in red
    expect(field).to_have_value("x" * 3000 + "y" * 300 + "z" * 700)
    expect(counter).to_have_text("4000 / 4000")
    expect(counter).to_have_class("length-counter full")
    hum.reload()  # an unsent draft survives a reload (the review's friction 11)
    connected(hum)
    expect(field).to_have_value("x" * 3000 + "y" * 300 + "z" * 700)
    hum.locator("#composer button[type=submit]").click()
    expect(field).to_have_value("")
    expect(counter).to_have_count(0)  # sent: the field is empty again
    hum.reload()
    connected(hum)
    expect(field).to_have_value("")  # and so is the draft
    assert errors.errors == []


def test_the_replay_goes_to_the_last_event_at_a_time_where_the_clock_stood_still(browser, server):
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:  # three messages while the clock is paused at +0:02, then on to +0:10
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("clock.start")
        await fac.ok("clock.jump", to="+0:02")
        await fac.ok("clock.pause")
        for text in ("first", "second", "third"):
            await fac.ok("room.post", room="joint", text=f"{text} while paused")
        await fac.ok("clock.resume")
        await fac.ok("clock.jump", to="+0:10")
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already run a loop in this thread
        pool.submit(asyncio.run, act()).result()
    fac, errors = facilitator(browser, server, exercise)
    fac.goto(f"{server.base}/replay/{exercise}")
    expect(fac.locator("#replay-offset")).to_have_text("+0:10")  # loaded: a go-to before the log came was undone by it
    fac.fill("#goto", "+0:02")
    fac.click("#goto-button")
    expect(fac.locator("#replay-offset")).to_have_text("+0:02")
    expect(fac.locator("#event-list .event.current")).to_contain_text("clock resumed")
    fac.click("#room-tabs [data-room='joint']")
    expect(fac.locator("#messages .message .text")).to_have_text(
        ["first while paused", "second while paused", "third while paused"])
    assert errors.errors == []


def test_tamsas_room_tabs_show_their_whole_names_to_control(browser, servers, tmp_path):
    server = ServerProcess(tmp_path / "data", scenarios=(ROOT / "injects" / "tamsa-river-crisis.yaml",)).start()
    servers.append(server)
    exercise, _, _ = server.open_exercise("tamsa-river-crisis")
    fac, errors = facilitator(browser, server, exercise)
    names = fac.locator("#room-tabs .tab .name")
    expect(names.first).to_be_visible()
    shown = names.evaluate_all("(nodes) => nodes.map((n) => [n.textContent, n.scrollWidth <= n.clientWidth + 1"
                               " && n.scrollHeight <= n.clientHeight + 1, n.closest('.tab').title])")
    assert len(shown) > 8
    assert [text for text, whole, title in shown if not whole or text != title] == []
    assert len({text for text, _, _ in shown}) == len(shown)  # no two alike
    assert errors.errors == []


def test_the_handout_warns_when_its_slips_would_print_a_loopback_address(browser, server):
    exercise, _, _ = server.open_exercise()  # the server listens on 127.0.0.1 only
    fac, errors = facilitator(browser, server, exercise)
    handout = fac.context.new_page()
    handout.goto(f"{server.base}/control/{exercise}/handout")
    expect(handout.locator(".slip .address").first).to_have_text(server.base)
    expect(handout.locator("#address-warning")).to_contain_text(
        f"Students cannot open {server.base}/ from their own computers. Start the server with --host 0.0.0.0")
    assert errors.errors == []
    fac.context.close()


def test_the_handout_prints_a_lan_address_when_opened_at_localhost(browser, servers, tmp_path):
    server = ServerProcess(tmp_path / "data", "--host", "0.0.0.0").start()
    servers.append(server)
    lan = lan_urls("0.0.0.0", server.port)
    assert lan, "this test needs a network interface besides loopback"
    assert server.log_lines(f"For the class: {' '.join(lan)}")  # the banner says it too
    exercise, _, _ = server.open_exercise()
    fac, errors = facilitator(browser, server, exercise)
    handout = fac.context.new_page()
    handout.goto(f"{server.base}/control/{exercise}/handout")  # at 127.0.0.1, as the banner once said
    expect(handout.locator(".slip .address")).to_have_count(5)
    assert set(handout.locator(".slip .address").all_text_contents()) == {lan[0].rstrip("/")}
    expect(handout.locator("#address-warning")).to_be_hidden()
    options = handout.locator("#slip-address option").all_text_contents()
    assert options == [*lan, f"{server.base}/"]
    handout.select_option("#slip-address", f"{server.base}/")  # chosen anyway: warned
    expect(handout.locator("#address-warning")).to_be_visible()
    expect(handout.locator(".slip .address").first).to_have_text(server.base)
    assert errors.errors == []
    fac.context.close()


def test_the_ad_hoc_form_and_edit_pick_addressees_by_name_and_edit_changes_them_and_the_channel(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    fac, errors = facilitator(browser, server, exercise)
    fac.click("details.adhoc summary")
    picker = fac.locator("#adhoc-to")
    assert picker.locator("fieldset legend").all_text_contents() == ["Components", "Teams", "Rooms"]
    fac.fill("#adhoc-form [name=from]", "Radio Tamsa")
    fac.fill("#adhoc-form [name=title]", "Breaking")
    fac.fill("#adhoc-form [name=body]", "News.")
    fac.click("#adhoc-form button[type=submit]")  # nobody chosen: said, nothing sent
    expect(fac.locator("#toast")).to_have_text("Choose who receives it.")
    picker.get_by_label("Police syndicate").check()
    picker.get_by_label("Joint civil-military coordination room").check()
    fac.click("#adhoc-form button[type=submit]")
    expect(fac.locator("#msel-table tr[data-inject='ADHOC-1']")).to_be_visible()
    expect(picker.locator("input:checked")).to_have_count(0)  # the form is emptied for the next one
    fac.click("details.adhoc summary")

    fac.locator("#msel-table tr[data-inject='I-4'] button:has-text('Edit')").click()
    dialog = fac.locator("#edit-dialog")
    checked = dialog.locator("#edit-to input:checked").evaluate_all("(boxes) => boxes.map((b) => b.parentNode.textContent.trim())")
    assert checked == ["Military syndicate", "Humanitarian syndicate"]
    dialog.get_by_label("Military syndicate", exact=True).uncheck()
    dialog.get_by_label("Police syndicate").check()
    dialog.locator("#edit-channel").select_option("radio")

    connected = threading.Event()

    async def watch() -> list[dict]:
        client = await Client(server, exercise, fac_token).connect()
        connected.set()
        released = [e for e in client.snapshot["injects"] if e["inject"]["id"] == "ADHOC-1"]
        edited = await client.event("inject.edited")
        await client.close()
        return [released[0], edited]

    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, watch())
        assert connected.wait(timeout=20)  # the watcher connected: it sees the edit
        fac.locator("#edit-save").click()
        released, edited = seen.result(timeout=20)
    assert released["audience"] == ["civ-1", "hum-1", "mil-1", "pol-1"]  # the joint room reaches every team
    assert edited["payload"]["changes"] == {"channel": "radio", "to": {"components": [], "teams": ["pol-1", "hum-1"],
                                                                       "rooms": []}}
    expect(dialog).to_be_hidden()
    assert errors.errors == []
    fac.context.close()


OFFSETS = r"""() => (document.body.innerText.match(/(^|[\s(])\+\d+:\d\d/g) || [])"""


def test_a_page_shows_times_in_one_format_the_scenarios(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    point = {"type": "Point", "coordinates": [31.0, 4.5]}

    async def act() -> None:
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
        await hum.ok("notification.submit", kind="site", name="Food distribution", geometry=point, window_start=600,
                     window_end=4200, share_with=["military"])
        await hum.ok("rfa.submit", **request(asset="escort", time_limit="+1:30", location=point))
        await hum.ok("room.post", room="joint", text="Convoy at ten")
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.release", inject_id="I-1")
        await hum.ok("inject.ack", inject_id="I-1")
        await fac.close()
        await hum.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, act()).result()
    fac, fac_errors = facilitator(browser, server, exercise)
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    notification = mil.locator(".notification[data-notification='N-hum-1-1']")
    expect(notification.locator(".window")).to_have_text(" D+3 06:10 to D+3 07:10")  # was +0:10 to +1:10
    expect(fac.locator(".rfa[data-rfa='RFA-hum-1-1'] .meta").first).to_have_text("Needed by D+3 07:30")
    expect(fac.locator("#msel-table tr[data-inject='I-1'] td").first).to_contain_text("D+3 06:05")  # was +0:05
    expect(fac.locator("#msel-table tr[data-inject='I-4']")).to_contain_text("to Humanitarian syndicate, Military syndicate")
    mil.click("#room-tabs [data-room='joint']")
    posted = mil.locator("#messages .message", has_text="Convoy at ten").locator("time")
    expect(posted).to_have_text("D+3 06:00")
    expect(posted).to_have_attribute("title", re.compile(r"^\d\d:\d\d"))  # the wall clock's, on hover
    acked = fac.locator("#msel-table tr[data-inject='I-1'] .ack")
    expect(acked).to_contain_text("Amina, D+3 06:00")  # an acknowledgement too: scenario time, wall time on hover
    expect(acked).to_have_attribute("title", re.compile(r"^\d\d:\d\d"))
    assert mil.evaluate(OFFSETS) == []
    assert [t.strip() for t in fac.evaluate(OFFSETS)] == ["+0:05"]  # only I-4's delay after I-1: a length of time
    assert fac_errors.errors == [] and mil_errors.errors == []
    for page in (fac, mil):
        page.context.close()


def test_the_control_panel_says_when_the_planned_duration_is_reached(browser, server):
    exercise, _, _ = server.open_exercise()  # planned for 1:00
    fac, errors = facilitator(browser, server, exercise)
    fac.click("#clock-controls [data-command='clock.start']")
    fac.fill("#jump-to", "+0:59")
    fac.click("#jump")
    expect(fac.locator("#scenario-time")).to_have_text("D+3 06:59")
    expect(fac.locator("#duration-reached")).to_be_hidden()
    fac.fill("#jump-to", "+1:00")
    fac.click("#jump")
    expect(fac.locator("#toast")).to_have_text(
        "The planned duration of the exercise is reached: end it when you are ready.")
    expect(fac.locator("#duration-reached")).to_have_text("Planned duration reached")
    fac.once("dialog", lambda d: d.accept())
    fac.click("#clock-controls [data-command='exercise.end']")
    expect(fac.locator("#duration-reached")).to_be_hidden()  # ended: nothing left to tell
    assert errors.errors == []
    fac.context.close()
