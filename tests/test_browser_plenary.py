"""The plenary screen in Chromium, opened from the control panel: the clock runs, and what every
team sees arrives live (an inject to all, a media item, a public statement, a feature visible to all),
while what only some teams see never shows (an inject to one team, a feature of one component)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from .browser import PageErrors, facilitator
from .server_harness import Client

POINT = {"type": "Point", "coordinates": [31.05, 4.45]}


def run(coroutine) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, coroutine).result()


def test_the_plenary_screen_shows_live_what_every_team_sees_and_nothing_else(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    control, control_errors = facilitator(browser, server, exercise)
    with control.context.expect_page() as opened:
        control.locator("a:has-text('Plenary screen')").click()
    screen = opened.value
    errors = PageErrors(screen)
    expect(screen.locator("#connection")).to_have_attribute("data-state", "connected")
    expect(screen.locator("#exercise-title")).to_have_text("Mini exercise")
    expect(screen.locator("#scenario-time")).to_have_text("D+3 06:00")

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("clock.start")
        await fac.ok("inject.release", inject_id="I-2")  # the police only (released by hand before it falls due)
        await fac.ok("inject.release", inject_id="I-3")  # the joint room: every team
        await fac.ok("clock.jump", to="+0:20")  # I-1 and I-4 fall due meanwhile: to some teams only
        await fac.ok("cop.add", feature={"kind": "camp", "name": "Military outpost", "geometry": POINT,
                                         "visible_to": ["military"]})
        await fac.ok("cop.add", feature={"kind": "place", "name": "Assembly area", "geometry": POINT,
                                         "visible_to": "all"})
        await fac.ok("media.publish", outlet="Radio Nalora", kind="radio", headline="Floods feared", body="Rain.")
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
        await hum.ok("statement.issue", text="Aid reaches Kora by road.")
        await hum.ok("room.post", room="team:hum-1", text="Our own plans")
        for client in (fac, hum):
            await client.close()

    run(act())
    expect(screen.locator(".plenary-inject[data-inject='I-3']")).to_contain_text("The governor wants a meeting.")
    expect(screen.locator("#plenary-media")).to_contain_text("Floods feared")
    expect(screen.locator("#plenary-media .statement")).to_contain_text("Aid reaches Kora by road.")
    expect(screen.locator("#scenario-time")).to_have_text("D+3 06:20")
    expect(screen.locator(".leaflet-marker-icon")).to_have_count(2)  # Bessa and the assembly area
    expect(screen.locator(".plenary-inject")).to_have_count(1)
    for hidden in ("Riot at the market", "Military outpost", "Our own plans"):
        assert hidden not in screen.content()
    assert errors.errors == [] and control_errors.errors == []
    control.context.close()
