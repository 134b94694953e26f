"""A room longer than the server keeps in memory, read in the browser: the page holds the latest
messages (the snapshot's room_window), and "Earlier messages" brings back the rest from the log."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from exercise_server.core.projections import LIVE_ROOM_MESSAGES

from .browser import facilitator, join
from .server_harness import Client

POSTS = LIVE_ROOM_MESSAGES + 20


async def _chat(server, exercise: str, tokens: list[str]) -> None:
    """POSTS messages in the joint room, in turn from each token (each connection keeps to its rate limit)."""
    clients = [await Client(server, exercise, token).connect() for token in tokens]
    for i in range(POSTS):
        await clients[i % len(clients)].ok("room.post", room="joint", text=f"joint message {i}")
    for client in clients:
        await client.close()


def test_a_trainee_the_facilitator_and_an_evaluator_read_a_long_room_back_to_its_first_message(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    tokens = [server.join(codes[team], f"{team} poster")["token"] for team in ("hum-1", "mil-1", "pol-1")]
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, _chat(server, exercise, [*tokens, fac_token])).result()

    trainee, trainee_errors = join(browser, server, codes["civ-1"], "Civil affairs officer")
    control, control_errors = facilitator(browser, server, exercise)
    evaluator, evaluator_errors = join(browser, server, codes["evaluator"], "Quiet observer")
    pages = (trainee, control, evaluator)
    for page in pages:
        page.click("#room-tabs [data-room='joint']")
        messages = page.locator("#messages .message .text")
        expect(messages).to_have_count(LIVE_ROOM_MESSAGES)
        expect(messages.first).to_have_text(f"joint message {POSTS - LIVE_ROOM_MESSAGES}")
        page.click("#messages button.earlier-messages")
        expect(messages).to_have_count(POSTS)
        expect(messages.first).to_have_text("joint message 0")
        expect(page.locator("#messages button.earlier-messages")).to_have_count(0)  # none left

    # A message posted now joins the list; the fold drops its oldest, the list shows it still.
    trainee.fill("#message-text", "after the reading")
    trainee.click("#composer button")
    for page in pages:
        expect(page.locator("#messages .message .text").last).to_have_text("after the reading")
        expect(page.locator("#messages .message .text")).to_have_count(POSTS + 1)
        expect(page.locator("#messages .message .text").first).to_have_text("joint message 0")
    assert trainee_errors.errors == control_errors.errors == evaluator_errors.errors == []
