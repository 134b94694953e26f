"""The server restarted on the same data directory carries on the exercise."""

from __future__ import annotations

import asyncio

import pytest

from .server_harness import Client, ServerProcess


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_a_restarted_server_carries_on_where_it_stood(tmp_path, how, servers):
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    servers.append(server)
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
    await fac.ok("clock.start")
    await fac.ok("clock.jump", to="+0:04:50")  # ten exercise seconds before I-1 (+0:05) falls due
    await fac.ok("clock.speed", speed=60)
    await hum.event("inject.released")  # I-1, released by the running clock
    acked = await hum.ok("inject.ack", inject_id="I-1")
    await fac.ok("clock.pause")
    await hum.event("clock.paused")
    paused_at = next(e["ex_time"] for e in hum.events if e["type"] == "clock.paused")
    head = (await fac.ok("room.post", room="plenary", text="last word before the restart"))["seq"]

    if how == "kill":
        server.kill()
    else:
        server.stop()
    code = await hum.closed(timeout=15)  # the clients notice the drop and come back
    await fac.closed(timeout=15)
    if how == "stop":
        assert code == 1012  # "service restart": reconnect and resume

    server = ServerProcess(data).start()
    servers.append(server)
    for c in (fac, hum):  # same exercise, new address: the clients resume from their last seq
        c.url = f"{server.ws_base}/ws/{exercise}"
    await fac.connect()
    await hum.connect()
    assert fac.welcome["mode"] == "resume" and fac.welcome["head"] == head
    assert hum.welcome["mode"] == "resume"
    # The clock stands where it was paused and the MSEL remembers what was released.
    state = (await Client(server, exercise, fac_token).connect()).snapshot
    assert state["clock"]["status"] == "paused" and state["clock"]["anchor_ex"] == pytest.approx(paused_at)
    rows = {row["inject"]["id"]: row for row in state["injects"]}
    assert rows["I-1"]["status"] == "released" and "hum-1" in rows["I-1"]["acks"]
    assert rows["I-1"]["acks"]["hum-1"]["seq"] == acked["seq"]
    # Sequence numbers carry on from the same log, with no gap.
    answer = await fac.ok("room.post", room="plenary", text="first word after the restart")
    assert answer["seq"] == head + 1
    heard = await hum.event("room.message_posted")
    assert heard["seq"] == head + 1
    # And the exercise runs on: I-1 was not released a second time.
    await fac.ok("clock.resume")
    await asyncio.sleep(0.5)
    await fac.ok("clock.pause")
    released = [e["payload"]["inject"]["id"] for e in fac.events if e["type"] == "inject.released"]
    assert released.count("I-1") == 1
    for c in (fac, hum):
        await c.close()
