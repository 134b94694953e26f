"""A command sent from the browser while the server is being restarted is applied exactly once.

Real Chromium (tests/browser.py), a real server killed with SIGKILL and started again on its
port. Playwright's WebSocket route stands between the page and the server, so the test can
lose the command on its way in (the dying server never read it) or its answer on its way out
(the server stored it and died before the ack left): either way the page resends it after the
reconnect, with the same id, and the log holds it once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgpack
from playwright.sync_api import expect

from exercise_server.store.sqlite import SqliteLog

from .browser import VIEWPORT, PageErrors
from .server_harness import Client, ServerProcess


def posts(server: ServerProcess, exercise: str) -> list[str]:
    log = SqliteLog(server.data_dir / "events.sqlite3")
    try:
        return [e.payload["text"] for e in log.read(exercise) if e.type == "room.message_posted"]
    finally:
        log.close()


def wait_for(page: Any, predicate: Any, what: str, timeout: float = 15) -> None:
    """Poll through Playwright, so that the WebSocket route's handlers run meanwhile."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def test_a_post_sent_while_the_server_restarts_is_applied_once(browser, tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        exercise, codes, fac_token = server.open_exercise()

        async def start_clock() -> None:
            fac = await Client(server, exercise, fac_token).connect()
            await fac.ok("clock.start")
            await fac.close()

        with ThreadPoolExecutor(1) as pool:  # the sync Playwright API holds this thread's event loop
            pool.submit(asyncio.run, start_clock()).result()
        context = browser.new_context(viewport=VIEWPORT)
        cut = {"in": False, "out": False}  # lose what goes to the server, or what comes back
        posted: list[tuple[str, str]] = []  # (id, text) of every room.post the page sent
        lost_acks: list[str] = []  # ids of the acks that never reached the page

        def route(ws: Any) -> None:
            to_server = ws.connect_to_server()

            def inbound(message: str | bytes) -> None:
                frame = msgpack.unpackb(message) if isinstance(message, bytes) else {}
                if frame.get("type") == "room.post":
                    posted.append((frame["id"], frame["text"]))
                if not cut["in"]:
                    to_server.send(message)

            def outbound(message: str | bytes) -> None:
                if not cut["out"]:
                    ws.send(message)
                elif (frame := msgpack.unpackb(message))["type"] == "ack":
                    lost_acks.append(frame["id"])

            ws.on_message(inbound)
            to_server.on_message(outbound)

        context.route_web_socket(re.compile(r"/ws/"), route)
        page = context.new_page()
        errors = PageErrors(page)
        page.goto(server.base + "/")
        page.fill("#join-code", codes["hum-1"])
        page.fill("#join-name", "Amina (OCHA)")
        page.click("#join-form button[type=submit]")
        state = page.locator("#connection")
        expect(state).to_have_text("connected")
        # The map's modules load once connected; the server is killed below, and a module cut off
        # on its way in is a console error this test does not mean to provoke.
        page.wait_for_load_state("networkidle")
        page.click("#room-tabs [data-room='joint']")
        texts = page.locator("#messages .message .text")

        for way, text in (("in", "Lost on its way in: the convoy waits."), ("out", "Stored, its ack lost.")):
            cut[way] = True
            page.fill("#message-text", text)
            page.click("#composer button[type=submit]")
            wait_for(page, lambda text=text: any(t == text for _, t in posted), "the page to send the post")
            if way == "out":
                wait_for(page, lambda: len(lost_acks) == 1, "the server to store the post and ack it")
                assert text in posts(server, exercise)
            else:
                page.wait_for_timeout(200)  # had it gone through, the server would store it now
                assert text not in posts(server, exercise)
            server.kill()
            cut[way] = False
            expect(state).not_to_have_text("connected")
            server.start()  # on the same port: the page reconnects by itself
            expect(state).to_have_text("connected", timeout=20_000)
            expect(texts.filter(has_text=text)).to_have_count(1)
            expect(page.locator("#message-text")).to_have_value("")  # the composer saw the ack

        sent = Counter(posted)
        assert sorted(sent.values()) == [2, 2], f"each post sent twice, with one id: {posted}"
        assert posts(server, exercise) == [
            "Lost on its way in: the convoy waits.",
            "Stored, its ack lost.",
        ], "each applied exactly once"
        assert errors.errors == []
    finally:
        server.stop()
