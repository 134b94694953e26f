"""A class in Chromium: a facilitator opens the scenario for 4 syndicates from the control home, two
facilitator tabs drive and watch the class panel, syndicate 3's teams and its evaluator in their own
browsers (the other syndicates' teams over the protocol): one inject released to every syndicate,
one to syndicate 3 only, each reaching exactly its teams; the class's dashboard shows a team's
unacknowledged inject turn acknowledged; the comparison shows who acknowledged."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
from playwright.sync_api import expect

from .browser import VIEWPORT, PageErrors, connected, join, screenshot
from .server_harness import SECRET, Client

TEAMS = ("mil-1", "pol-1", "hum-1", "civ-1")


class Loop:
    """One asyncio loop in a thread of its own, for the protocol clients beside Playwright's sync API."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1)
        self.loop = asyncio.new_event_loop()
        self.pool.submit(asyncio.set_event_loop, self.loop).result()

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.pool.submit(self.loop.run_until_complete, coroutine).result()

    def close(self) -> None:
        self.pool.submit(self.loop.close).result()
        self.pool.shutdown()


def released(client: Client, inject: str) -> bool:
    return any(e["type"] == "inject.released" and e["payload"]["inject"]["id"] == inject for e in client.events)


def test_a_class_of_four_syndicates_from_two_facilitator_tabs(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    tab_a = context.new_page()
    errors_a = PageErrors(tab_a)
    tab_a.goto(server.base + "/")
    tab_a.fill("#facilitator-secret", SECRET)
    tab_a.click("#facilitator-form button[type=submit]")
    tab_a.fill("tr[data-scenario='mini'] input[name=syndicates]", "4")
    tab_a.click("tr[data-scenario='mini'] button:has-text('Open exercise')")
    expect(tab_a).to_have_url(re.compile(r"/control/class/mini-[0-9a-f]{6}$"))
    expect(tab_a.locator("#syndicate-table tbody tr")).to_have_count(4)
    class_id = tab_a.url.rsplit("/", 1)[1]
    connected(tab_a)
    tab_b = context.new_page()
    errors_b = PageErrors(tab_b)
    tab_b.goto(f"{server.base}/control/class/{class_id}")
    expect(tab_b.locator("#class-msel tbody tr")).to_have_count(6)

    token = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": SECRET}).json()["token"]
    klass = httpx.get(f"{server.base}/api/classes/{class_id}", headers={"Authorization": f"Bearer {token}"}).json()
    codes = {s["number"]: {c["team"] or c["role"]: c["code"] for c in s["codes"]} for s in klass["syndicates"]}
    # Syndicate 3 in the browser: its four teams and its evaluator; the others over the protocol.
    pages = {team: join(browser, server, codes[3][team], f"S3 {team}") for team in TEAMS}
    expect(pages["mil-1"][0].locator("#syndicate")).to_have_text("Syndicate 3")
    evaluator, evaluator_errors = join(browser, server, codes[3]["evaluator"], "S3 evaluator")
    loop = Loop()

    async def connect_others() -> dict[tuple[int, str], Client]:
        out = {}
        for n in (1, 2, 4):
            for team in TEAMS:
                joined = server.join(codes[n][team], f"S{n} {team}")
                out[n, team] = await Client(server, joined["exercise"], joined["token"]).connect()
        return out

    others = loop.run(connect_others())

    # Tab B starts one clock for all; tab A sees every syndicate running.
    tab_b.click("#class-clock button[data-command='clock.start']")
    expect(tab_a.locator("#syndicate-table tr[data-status='running']")).to_have_count(4)
    # Tab A releases I-2 (to the police) to all syndicates, then I-3 (the joint room) to syndicate 3 only.
    tab_a.locator("#class-msel tr[data-inject='I-2'] button:has-text('Release now')").click()
    tab_a.select_option("#scope", "3")
    tab_a.locator("#class-msel tr[data-inject='I-3'] button:has-text('Release now')").click()
    i3_cells = tab_b.locator("#class-msel tr[data-inject='I-3'] td[data-status]")
    expect(i3_cells).to_have_count(4)
    expect(tab_b.locator("#class-msel tr[data-inject='I-3'] td[data-status='released']")).to_have_count(1)
    assert i3_cells.nth(2).get_attribute("data-status") == "released"
    expect(tab_b.locator("#class-msel tr[data-inject='I-2'] td[data-status='released']")).to_have_count(4)
    for team, (page, _) in pages.items():
        expect(page.locator(".inject-item[data-inject='I-3']")).to_be_visible()
        expect(page.locator(".inject-item[data-inject='I-2']")).to_have_count(1 if team == "pol-1" else 0)
    expect(evaluator.locator("body")).to_contain_text("Governor calls")

    async def after_barrier() -> None:  # an ad-hoc inject to everyone, released last: what came before is in
        for client in others.values():
            await client.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                               and f["event"]["payload"]["inject"]["title"] == "Barrier")

    tab_a.select_option("#scope", "all")
    with httpx.Client() as http:
        r = http.post(f"{server.base}/api/classes/{class_id}/commands", headers={"Authorization": f"Bearer {token}"},
                      json={"command": {"type": "inject.adhoc", "from": "EXCON", "to": {"rooms": ["joint"]},
                                        "channel": "email", "title": "Barrier", "body": "b"}})
        assert r.status_code == 200, r.text
    loop.run(after_barrier())
    for (n, team), client in others.items():
        assert released(client, "I-2") == (team == "pol-1"), (n, team)
        assert not released(client, "I-3"), (n, team)

    # The class's dashboard (one section per syndicate): syndicate 3's police has I-2 unacknowledged.
    dashboard = context.new_page()
    dashboard.goto(server.base + tab_a.locator("#class-dashboard").get_attribute("href"))
    syndicate_3 = dashboard.locator(f".syndicate[data-exercise='{klass['exercises'][2]}']")
    police_cell = syndicate_3.locator(".team-cell[data-team='pol-1']")
    expect(dashboard.locator(".syndicate")).to_have_count(4)
    expect(police_cell).to_have_attribute("data-alert", "unacknowledged")
    # Syndicate 3's police acknowledges I-2: its cell turns acknowledged, and the comparison shows it
    # for syndicate 3 only.
    police = pages["pol-1"][0]
    expect(police_cell.locator("[data-figure='unacknowledged']")).to_have_text("3")  # I-2, I-3 and the barrier
    # I-2 first (the comparison below), then the rest, and I-5, which I-2's acknowledgement releases.
    for title in ("Riot at the market", "Governor calls", "Barrier", "Crowd disperses"):
        item = police.locator(".inject-item", has_text=title)
        item.click()
        expect(police.locator("#inject-detail")).to_contain_text(title)
        police.locator("#inject-detail .ack").click()
        expect(item).to_contain_text("acknowledged")
    expect(police_cell.locator("[data-figure='unacknowledged']")).to_have_text("0")
    expect(police_cell).to_have_attribute("data-alert", "none")
    expect(dashboard.locator(".syndicate").nth(0).locator(".team-cell[data-team='pol-1']")).to_have_attribute(
        "data-alert", "unacknowledged")  # syndicate 1's police has not acknowledged
    expect(tab_a.locator("#class-msel tr[data-inject='I-2'] td[data-status]").nth(2)).to_contain_text("1 of 1")
    tab_a.click("#compare-refresh")
    row = tab_a.locator("#compare-table tr[data-inject='I-2'][data-team='pol-1']")
    expect(row.locator("td[data-acked='true']")).to_have_count(1)
    expect(row.locator("td[data-acked]")).to_have_count(4)
    screenshot(tab_a, "class-comparison")
    tab_a.evaluate("scrollTo(0, 0)")
    screenshot(tab_a, "class-control")

    async def close_all() -> None:
        for client in others.values():
            await client.close()

    loop.run(close_all())
    loop.close()
    for name, errors in (("tab A", errors_a), ("tab B", errors_b), ("evaluator", evaluator_errors),
                         *((team, pages[team][1]) for team in TEAMS)):
        assert errors.errors == [], (name, errors.errors)
