"""A server whose embedded store refuses appends says it is degraded, and says so again once it is back."""

from __future__ import annotations

import sqlite3

import httpx

from exercise_server.server.health import BUS, STORE, Health

from .server_harness import Client, ServerProcess


def test_health_is_degraded_while_any_source_fails_and_tells_its_listeners_each_change():
    health, changes = Health(), []
    health.listen(lambda: changes.append(health.notice()["state"]))
    health.works(STORE)  # nothing failed: nothing to say
    health.failed(STORE, "SQLite: database is locked")
    health.failed(BUS, "Redis: Connection refused")
    health.works(STORE)
    assert not health.ok and health.failing(BUS) and not health.failing(STORE)
    health.works(BUS)
    assert health.ok and changes == ["degraded", "ok"]


async def test_sqlite_appends_that_fail_degrade_the_service_until_the_store_takes_them_again(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        exercise, _, fac_token = server.open_exercise()
        fac = await Client(server, exercise, fac_token).connect()
        before = (await fac.ok("room.post", room="plenary", text="before the outage"))["seq"]
        holder = sqlite3.connect(tmp_path / "data" / "events.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock beyond the busy timeout
        refused = await fac.command("room.post", room="plenary", text="during the outage")
        assert refused["type"] == "error" and refused["code"] == "unavailable"
        notices = [f for f in fac.frames if f["type"] == "service"]
        assert [n["state"] for n in notices] == ["degraded"]
        health = httpx.get(f"{server.base}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        late = await Client(server, exercise, fac_token).connect()  # a newcomer is told after its catch-up
        assert (await late.recv())["type"] == "service" and late.frames[-1]["state"] == "degraded"
        holder.execute("ROLLBACK")
        holder.close()
        # No command needed: the scheduler asks the store until it takes appends again.
        assert (await fac.until(lambda f: f["type"] == "service", timeout=15))["state"] == "ok"
        assert (await late.until(lambda f: f["type"] == "service"))["state"] == "ok"
        assert httpx.get(f"{server.base}/healthz").status_code == 200
        after = await fac.ok("room.post", room="plenary", text="after the outage")
        assert after["seq"] == before + 1  # the refused command left nothing behind
        await fac.close(), await late.close()
    finally:
        server.stop()
