"""Coordination workflows end to end, over a real WebSocket."""

from __future__ import annotations

import pytest

from .server_harness import Client, ServerProcess

ROUTE = {"type": "LineString", "coordinates": [[31.0, 4.0], [31.1, 4.0], [31.2, 4.05]]}


@pytest.fixture
def server(tmp_path):
    s = ServerProcess(tmp_path / "data").start()
    yield s
    s.stop()


async def test_a_humanitarian_notifies_the_military_acknowledges_the_humanitarian_sees_it(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("clock.start")
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Ms Aid")["token"]).connect()
    mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj Lee")["token"]).connect()
    pol = await Client(server, exercise, server.join(codes["pol-1"], "Insp Kay")["token"]).connect()
    await hum.ok("notification.submit", kind="movement", name="Convoy to Kora", geometry=ROUTE,
                 window_start="+0:00", window_end="+3:00", share_with=["military"])
    submitted = await mil.event("notification.submitted")
    nid = submitted["payload"]["notification_id"]
    refusal = await mil.command("notification.approve", notification_id=nid)
    assert refusal["type"] == "error" and refusal["code"] == "invalid"
    assert (await pol.command("notification.acknowledge", notification_id=nid))["code"] == "not_found"
    await mil.ok("notification.acknowledge", notification_id=nid)
    ack = await hum.event("notification.acknowledged")
    assert ack["payload"] == {"notification_id": nid, "team": "mil-1", "component": "military"}
    again = await Client(server, exercise, hum.token).connect(last_seq=0)  # and in a fresh snapshot
    assert list(again.snapshot["notifications"][0]["acks"]) == ["mil-1"]
    assert not any(e["type"].startswith("notification.") for e in pol.events)
    for c in (fac, hum, mil, pol, again):
        await c.close()
