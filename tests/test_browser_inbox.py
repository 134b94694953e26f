"""An inbox nobody misses: unread injects first, a choice of all, unread or unanswered with their
counts, a search, the unread count in the browser tab's title, and the open inject's Acknowledge and
Respond… in sight however long it is, on a laptop and on a phone."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import Page, expect

from .browser import join
from .server_harness import ROOT, Client, ServerProcess

LINK = "See [the cluster's page](https://example.org/shelter) and the map."
LONG = "\n\n".join(f"Paragraph {n}: the convoy waits at Bessa for the bridge to reopen." for n in range(60))
IN_SIGHT = """(node) => {
  const r = node.getBoundingClientRect();
  const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
  return r.top >= 0 && r.bottom <= innerHeight && !!hit && node.contains(hit);
}"""


def listed(page: Page) -> list[str]:
    return page.locator("#inbox-list .inject-item").evaluate_all("(items) => items.map((i) => i.dataset.inject)")


def test_unread_injects_come_first_with_counts_a_choice_and_the_count_in_the_tab_title(browser, server):
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        for inject in ("I-1", "I-3"):
            await fac.ok("inject.release", inject_id=inject)
        await fac.ok("inject.adhoc", **{"from": "OCHA"}, to={"components": ["humanitarian"], "teams": [], "rooms": []},
                     channel="email", title="Long situation report", body=LONG)
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API may already run a loop in this thread
        pool.submit(asyncio.run, act()).result()
    hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    expect(hum.locator("#inbox-list .inject-item")).to_have_count(3)
    adhoc = listed(hum)[0]
    assert listed(hum) == [adhoc, "I-3", "I-1"]  # newest first
    expect(hum).to_have_title("(3) Team view")
    shows = hum.locator("#inbox-shows button")
    expect(shows).to_have_text(["All (3)", "Unread (3)", "Unanswered (3)"])

    # I-3, once read, goes below the unread ones; the title and the counts follow.
    hum.locator(".inject-item[data-inject='I-3']").click()
    assert listed(hum) == [adhoc, "I-1", "I-3"]
    expect(hum).to_have_title("(2) Team view")
    expect(shows).to_have_text(["All (3)", "Unread (2)", "Unanswered (3)"])

    # Unread only: I-3 is no longer listed and stays open; the choice survives a reload.
    hum.locator("#inbox-shows .show-unread").click()
    assert listed(hum) == [adhoc, "I-1"]
    expect(hum.locator("#inject-detail h3")).to_have_text("Governor calls")
    hum.reload()
    expect(hum.locator("#inbox-shows .show-unread")).to_have_attribute("aria-pressed", "true")
    expect(hum.locator("#inbox-list .inject-item")).to_have_count(2)

    # A search looks in titles, senders and texts, every word of it.
    hum.fill("#inbox-search", "kora blocked")
    assert listed(hum) == ["I-1"]
    hum.fill("#inbox-search", "")
    assert listed(hum) == [adhoc, "I-1"]

    # Answered in the joint room, I-3 leaves the unanswered ones.
    hum.locator("#inbox-shows .show-unanswered").click()
    hum.locator("#inject-detail button.respond").click()
    hum.click("#room-tabs [data-room='joint']")
    hum.fill("#message-text", "We will meet the governor at noon.")
    hum.click("#composer button[type=submit]")
    expect(shows).to_have_text(["All (3)", "Unread (2)", "Unanswered (2)"])
    assert listed(hum) == [adhoc, "I-1"]
    assert errors.errors == []


def test_acknowledge_and_respond_stay_in_sight_on_a_long_inject_whose_link_opens_a_new_tab(browser, server):
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.adhoc", **{"from": "OCHA"}, to={"components": ["humanitarian"], "teams": [], "rooms": []},
                     channel="email", title="Long situation report", body=LINK + "\n\n" + LONG)
        await fac.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, act()).result()
    hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    hum.locator("#inbox-list .inject-item").first.click()
    hum.locator("details.briefing summary").click()
    link = hum.locator("#inject-detail a[href='https://example.org/shelter']")  # opens in a tab of its own
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    for size in ({"width": 1366, "height": 768}, {"width": 390, "height": 844}):
        hum.set_viewport_size(size)
        hum.locator("#inject-detail h3").scroll_into_view_if_needed()
        for action in ("#inject-detail button.ack", "#inject-detail button.respond"):
            assert hum.locator(action).evaluate(IN_SIGHT), f"{action} out of sight at {size}"
    assert errors.errors == []


# The page's notifications, as the real ones are made: counted on their way through.
COUNT_NOTIFICATIONS = """() => {
  window.shownNotifications = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.shownNotifications.push([title, options.body]); }
  };
}"""


def test_a_new_inject_rings_and_notifies_once_the_player_turns_it_on(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    hum, errors = join(browser, server, codes["hum-1"], "Amina")
    hum.context.grant_permissions(["notifications"], origin=server.base)
    hum.evaluate(COUNT_NOTIFICATIONS)

    def release(inject: str) -> None:
        async def act() -> None:
            fac = await Client(server, exercise, fac_token).connect()
            await fac.ok("inject.release", inject_id=inject)
            await fac.close()

        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, act()).result()

    release("I-3")  # off by default: nothing
    expect(hum.locator(".inject-item[data-inject='I-3']")).to_be_visible()
    assert hum.evaluate("window.shownNotifications") == []
    hum.get_by_label("Sound and notification on a new inject").check()
    release("I-1")
    expect(hum.locator(".inject-item[data-inject='I-1']")).to_be_visible()
    assert hum.evaluate("window.shownNotifications") == [["Access report", "From OCHA"]]
    hum.reload()  # the choice is kept
    expect(hum.get_by_label("Sound and notification on a new inject")).to_be_checked()
    assert errors.errors == []
    hum.context.close()


def test_a_markdown_attachment_is_read_rendered_in_place_and_can_still_be_downloaded(browser, tmp_path):
    folder = tmp_path / "scenarios"
    (folder / "attachments").mkdir(parents=True)
    (folder / "attachments" / "kora-road-assessment.txt").write_text("ATTACHMENT-BODY-FOR-HUM-1\n", encoding="utf-8")
    (folder / "attachments" / "kora-plan.md").write_text(
        "# Relocation plan\n\nMove **120 families** by <script>window.hacked = 1</script>Friday.\n", encoding="utf-8")
    mini = (ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    (folder / "mini.yaml").write_text(mini.replace(
        'attachments: [{file: kora-road-assessment.txt, title: "Road assessment, Kora"}]',
        'attachments: [{file: kora-road-assessment.txt, title: "Road assessment, Kora"}, '
        '{file: kora-plan.md, title: "Relocation plan"}]'), encoding="utf-8")
    server = ServerProcess(tmp_path / "data", scenarios=(folder / "mini.yaml",)).start()
    try:
        exercise, codes, fac_token = server.open_exercise()

        async def release() -> None:
            fac = await Client(server, exercise, fac_token).connect()
            await fac.ok("inject.release", inject_id="I-1")
            await fac.close()

        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, release()).result()
        hum, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
        hum.locator(".inject-item[data-inject='I-1']").click()
        hum.locator("#inject-detail button.attachment", has_text="Relocation plan").click()
        shown = hum.locator("dialog.attachment-view")
        expect(shown.locator("h1")).to_have_text("Relocation plan")  # the file's heading, rendered
        expect(shown.locator("strong")).to_have_text("120 families")
        assert hum.evaluate("window.hacked") is None  # sanitized as inject bodies are
        with hum.expect_download() as info:
            shown.get_by_role("button", name="Download").click()
        assert info.value.suggested_filename == "kora-plan.md"
        shown.get_by_role("button", name="Close").click()
        expect(shown).to_have_count(0)
        assert errors.errors == []
    finally:
        server.stop()
