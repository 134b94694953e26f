"""A team's page while the server's Redis is away: the header says so, and recovers by itself."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import join
from .redis_server import PrivateRedis
from .server_harness import ServerProcess


def test_the_header_shows_a_degraded_server_and_its_recovery(browser, tmp_path, redis_prefix):
    backing = PrivateRedis(tmp_path / "redis").start()
    server = ServerProcess(tmp_path / "data", "--redis-url", backing.url, "--redis-prefix", redis_prefix).start()
    try:
        _, codes, _ = server.open_exercise()
        page, errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
        state = page.locator("#connection")
        backing.kill()
        expect(state).to_have_text("connected, server degraded", timeout=15_000)
        expect(state).to_have_attribute("data-state", "degraded")
        assert "refused until it can" in state.get_attribute("title")
        page.reload()  # a page opened during the outage is told too
        expect(state).to_have_text("connected, server degraded", timeout=15_000)
        port = backing.port
        backing = PrivateRedis(tmp_path / "redis")
        backing.port = port
        backing.start()
        expect(state).to_have_text("connected", timeout=20_000)
        assert errors.errors == []
    finally:
        server.stop()
        backing.stop()
