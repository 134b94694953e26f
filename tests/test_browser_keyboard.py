"""A trainee and a facilitator play their part with the keyboard only: Tab, Shift+Tab, Enter and
typing (`page.keyboard`), no click and no mouse, from the sign-in page on."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect

from .browser import VIEWPORT, PageErrors, connected, facilitator, join
from .server_harness import ROOT, SECRET, Client, ServerProcess

FOCUSED = """([selector, text]) => {
  const node = document.activeElement;
  return !!node && node.matches(selector) && (text === null || node.textContent.trim() === text);
}"""

# Where the keyboard is must show: an outline at least 2 px wide, or a shadow ring.
FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 || style.boxShadow !== 'none';
}"""


def tab_to(page: Page, selector: str, text: str | None = None, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector` (with `text`, if given), drawn with a ring."""
    for _ in range(limit):
        if page.evaluate(FOCUSED, [selector, text]):
            ring = page.evaluate(FOCUS_RING)
            assert ring, f"{selector}: focused with no visible focus ring"
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    where = page.evaluate("document.activeElement?.outerHTML.slice(0, 120)")
    raise AssertionError(f"{selector} {text or ''} not reached by {limit} presses of Tab; the focus is on {where}")


def opened(browser) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport=VIEWPORT).new_page()
    return page, PageErrors(page)


def released(server, exercise: str, fac_token: str, *injects: str) -> None:  # type: ignore[no-untyped-def]
    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        for inject in injects:
            await fac.ok("inject.release", inject_id=inject)
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already run a loop in this thread
        pool.submit(asyncio.run, act()).result()


def test_a_trainee_answers_an_inject_in_a_room_and_places_a_feature_with_the_keyboard_only(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    released(server, exercise, fac_token, "I-1", "I-3")
    hum, errors = opened(browser)
    hum.goto(server.base + "/")
    tab_to(hum, "#join-code")
    hum.keyboard.type(codes["hum-1"])
    hum.keyboard.press("Tab")
    hum.keyboard.type("Amina (OCHA)")
    hum.keyboard.press("Enter")
    connected(hum)

    # Open I-1 from the inbox: the focus stays on it as the list is redrawn.
    tab_to(hum, ".inject-item[data-inject='I-1'] button")
    hum.keyboard.press("Enter")
    expect(hum.locator("#inject-detail h3")).to_have_text("Access report")
    assert hum.evaluate(FOCUSED, [".inject-item[data-inject='I-1'] button", None])

    # Acknowledge it; the focus moves on to Respond…, which tags the next message.
    tab_to(hum, "#inject-detail button.ack")
    hum.keyboard.press("Enter")
    expect(hum.locator("#inject-detail .acked")).to_have_text("Acknowledged")
    assert hum.evaluate(FOCUSED, ["#inject-detail button.respond", None])
    hum.keyboard.press("Enter")
    expect(hum.locator("#reply-chip")).to_contain_text("re I-1")
    expect(hum.locator("#message-text")).to_be_focused()

    # Back to the room tabs, along them with the arrow keys to the joint room's, chosen with
    # Enter, then the message, sent with Enter.
    tab_to(hum, "#room-tabs .tab", backwards=True)
    tab_to(hum, "#room-tabs .tab:first-child", backwards=True)
    hum.keyboard.press("End")
    assert hum.evaluate(FOCUSED, ["#room-tabs .tab:last-child", None])
    for _ in range(12):
        if hum.evaluate(FOCUSED, ["#room-tabs [data-room='joint']", None]):
            break
        hum.keyboard.press("ArrowLeft")
    hum.keyboard.press("Enter")
    expect(hum.locator("#room-tabs .tab.active")).to_have_attribute("data-room", "joint")
    tab_to(hum, "#message-text")
    hum.keyboard.type("OCHA: the road to Kora is blocked.")
    hum.keyboard.press("Enter")
    expect(hum.locator("#messages .message .text").last).to_have_text("OCHA: the road to Kora is blocked.")
    expect(hum.locator("#inject-detail .responded")).to_have_text("Responded")

    # Place a feature: Place on map hands the focus to the map, the arrow keys move it under
    # the cross at its centre, Enter places the feature there.
    tab_to(hum, "#feature-name")
    hum.keyboard.type("Distribution site")
    tab_to(hum, "#add-feature")
    hum.keyboard.press("Enter")
    expect(hum.locator("#map")).to_be_focused()
    centre = hum.evaluate("(r => [r.x + r.width / 2, r.y + r.height / 2])(document.querySelector('#map').getBoundingClientRect())")
    for _ in range(3):
        hum.keyboard.press("ArrowRight")
    hum.keyboard.press("Enter")
    feature = hum.locator("#map [data-feature='hum-1-f1']")
    expect(feature).to_have_count(1)
    box = feature.bounding_box()
    assert box and abs(box["x"] + box["width"] / 2 - centre[0]) < 3 and abs(box["y"] + box["height"] / 2 - centre[1]) < 3
    assert errors.errors == []


def test_a_facilitator_starts_releases_edits_and_posts_as_an_actor_with_the_keyboard_only(browser, server):
    exercise, _, _ = server.open_exercise()
    fac, errors = opened(browser)
    fac.goto(server.base + "/")
    tab_to(fac, "#facilitator-secret")
    fac.keyboard.type(SECRET)
    fac.keyboard.press("Enter")
    expect(fac.locator(f"#exercise-table tr[data-exercise='{exercise}'] a")).to_be_visible()
    tab_to(fac, f"#exercise-table tr[data-exercise='{exercise}'] a")
    fac.keyboard.press("Enter")
    connected(fac)

    tab_to(fac, "#clock-controls [data-command='clock.start']")
    fac.keyboard.press("Enter")
    expect(fac.locator("#clock-status")).to_have_text("running")

    tab_to(fac, "tr[data-inject='I-1'] button", "Release now")
    fac.keyboard.press("Enter")
    expect(fac.locator("#msel-table tr[data-inject='I-1'] .status")).to_have_text("released")

    # Edit I-4's title in the dialog: it opens on its first field, Save is reached by Tab.
    tab_to(fac, "tr[data-inject='I-4'] button", "Edit")
    fac.keyboard.press("Enter")
    expect(fac.locator("#edit-dialog")).to_be_visible()
    tab_to(fac, "#edit-form [name=title]")
    fac.keyboard.press("Control+A")
    fac.keyboard.type("Follow-up: convoy on hold")
    tab_to(fac, "#edit-save")
    fac.keyboard.press("Enter")
    expect(fac.locator("#edit-dialog")).to_be_hidden()
    expect(fac.locator("#msel-table tr[data-inject='I-4']")).to_contain_text("Follow-up: convoy on hold")

    # Post as the governor in the room shown.
    tab_to(fac, "#post-as")
    fac.keyboard.type("Governor of Tamsa")
    tab_to(fac, "#message-text")
    fac.keyboard.type("The bridge stays closed until noon.")
    fac.keyboard.press("Enter")
    last = fac.locator("#messages .message").last
    expect(last).to_contain_text("Governor of Tamsa")
    expect(last).to_contain_text("The bridge stays closed until noon.")
    assert errors.errors == []


def test_the_shapes_of_the_base_map_are_no_tab_stops(browser, servers, tmp_path):
    """Bug 10 of the review: every river, road and town was a tab stop drawing a black box."""
    server = ServerProcess(tmp_path / "data", scenarios=(ROOT / "injects" / "demo.yaml",)).start()
    servers.append(server)
    _, codes, _ = server.open_exercise("demo")
    page, errors = join(browser, server, next(code for team, code in codes.items() if team != "evaluator"), "Amina")
    expect(page.locator("#map path.base").first).to_be_attached()
    page.focus("#add-feature")
    stops = []
    while not stops or stops[-1] != "a.leaflet-control-zoom-in" and len(stops) < 60:
        page.keyboard.press("Tab")
        stops.append(page.evaluate("(n => n.tagName.toLowerCase() + '.' + n.classList[0])(document.activeElement)"))
    assert stops == ["div.map", "a.leaflet-control-zoom-in"]
    assert errors.errors == []


def test_a_facilitator_steps_the_replay_to_an_event_of_its_list_with_the_keyboard(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    released(server, exercise, fac_token, "I-1", "I-2", "I-3")
    fac, errors = facilitator(browser, server, exercise)
    fac.goto(f"{server.base}/replay/{exercise}")
    expect(fac.locator("#event-list .event")).not_to_have_count(0)
    first = fac.locator("#event-list .event").first.get_attribute("data-seq")
    tab_to(fac, f"#event-list [data-seq='{first}'] button")
    fac.keyboard.press("Enter")
    expect(fac.locator("#replay-seq")).to_contain_text(f"event {first} of")
    assert fac.evaluate(FOCUSED, [f"#event-list [data-seq='{first}'] button", None])  # kept as the list moves
    assert errors.errors == []
