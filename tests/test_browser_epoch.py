"""A team's page after the server's data directory was restored from an older backup: it shows the
restored history, not the messages the backup lost (connection.js sends its epoch with last_seq)."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from .browser import connected, join
from .server_harness import Client, ServerProcess


def post(server: ServerProcess, exercise: str, token: str, *texts: str) -> None:
    async def run() -> None:
        fac = await Client(server, exercise, token).connect()
        for text in texts:
            await fac.ok("room.post", room="joint", text=text)
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, run()).result()


def test_a_page_that_saw_messages_a_restored_backup_lost_rebuilds_from_the_restored_log(browser, tmp_path):
    data, backup = tmp_path / "data", tmp_path / "backup"
    server = ServerProcess(data).start()
    try:
        exercise, codes, token = server.open_exercise()
        page, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
        page.click("#room-tabs [data-room='joint']")
        messages = page.locator("#messages .message")
        post(server, exercise, token, "in the backup")
        expect(messages).to_have_count(1)
        server.stop()
        shutil.copytree(data, backup)
        server.start()  # the page reconnects by itself and resumes
        post(server, exercise, token, "lost 1", "lost 2")
        expect(messages.last).to_contain_text("lost 2", timeout=20_000)
        server.stop()
        shutil.rmtree(data)
        shutil.copytree(backup, data)
        # The restored log grows past what the page saw, with other events, before it is back.
        elsewhere = ServerProcess(data).start()
        post(elsewhere, exercise, token, *(f"after the restore {i}" for i in range(4)))
        elsewhere.stop()
        server.start()
        expect(messages.last).to_contain_text("after the restore 3", timeout=20_000)
        connected(page)
        assert [m.split("\n")[-1] for m in messages.all_inner_texts()] == [
            "in the backup", *(f"after the restore {i}" for i in range(4))
        ], messages.all_inner_texts()
        assert [e for e in errors.errors if "ERR_CONNECTION_REFUSED" not in e] == []  # only the server's downtime
    finally:
        server.stop()
