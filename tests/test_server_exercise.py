"""A whole small exercise over real WebSockets against a real server process (the module's: each test
opens an exercise of its own)."""

from __future__ import annotations

import httpx

from .server_harness import Client, ServerProcess


async def join(server: ServerProcess, exercise: str, code: str, name: str, fmt: str = "msgpack") -> Client:
    return await Client(server, exercise, server.join(code, name)["token"], fmt).connect()


async def test_a_whole_small_exercise(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    hum = await join(server, exercise, codes["hum-1"], "Amina (OCHA)")
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")
    mil = await join(server, exercise, codes["mil-1"], "Maj. Okafor", fmt="json")
    assert hum.snapshot["scenario"]["title"] == "Mini exercise"

    await fac.ok("clock.start")
    await fac.ok("clock.jump", to="+0:04:50")  # ten exercise seconds before I-1 (+0:05) falls due
    await fac.ok("clock.speed", speed=60)
    released = await hum.event("inject.released")  # released by the running clock, a sixth of a second later
    assert released["payload"]["inject"]["id"] == "I-1"
    assert "notes" not in released["payload"]["inject"]
    ack = await hum.ok("inject.ack", inject_id="I-1")
    assert ack["seq"] > released["seq"]

    await hum.ok("room.post", room="joint", text="Road to Kora blocked; please avoid.")
    heard = await mil.event("room.message_posted")
    assert heard["payload"]["text"] == "Road to Kora blocked; please avoid." and mil.fmt == "json"
    await pol.event("room.message_posted")

    await fac.ok("clock.pause")
    for c in (hum, pol, mil):
        assert (await c.event("clock.paused"))["type"] == "clock.paused"
    await fac.ok("exercise.end")
    await pol.event("exercise.ended")

    # I-1 went to the humanitarian team only; the facilitator saw all of it.
    assert not any(e["type"] == "inject.released" and e["payload"]["inject"]["id"] == "I-1"
                   for e in pol.events + mil.events)
    fac_types = [e["type"] for e in fac.events]
    assert "inject.released" in fac_types and "inject.acknowledged" in fac_types
    assert any(e["payload"].get("inject", {}).get("notes") == "SECRET-CONTROL-NOTE-1" for e in fac.events)
    for c in (fac, hum, pol, mil):
        await c.close()


async def test_tabs_with_and_without_compression_read_the_same_events_in_order(server):
    # The fan-out frames a message once for all the uncompressed connections of a view
    # (server/fastsend.py); tabs that negotiated permessage-deflate get it their own way.
    exercise, codes, fac_token = server.open_exercise()
    token = server.join(codes["hum-1"], "Amina (OCHA)")["token"]
    tabs = [await Client(server, exercise, token).connect(compression=None),
            await Client(server, exercise, token).connect(),
            await Client(server, exercise, token, "json").connect(compression=None),
            await Client(server, exercise, token, "json").connect()]
    writer = tabs[1]
    for i in range(30):
        await writer.ok("room.post", room="joint", text=f"message {i} " + "x" * (i * 10 + 1))
    for tab in tabs:
        while len([e for e in tab.events if e["type"] == "room.message_posted"]) < 30:
            await tab.event("room.message_posted")
        texts = [e["payload"]["text"] for e in tab.events if e["type"] == "room.message_posted"]
        assert texts == [f"message {i} " + "x" * (i * 10 + 1) for i in range(30)]
    assert [e["seq"] for e in tabs[0].events] == [e["seq"] for e in tabs[3].events]
    for tab in tabs:
        await tab.close()


async def test_resume_delivers_exactly_the_missed_events(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    hum = await join(server, exercise, codes["hum-1"], "Amina")
    await hum.ok("room.post", room="plenary", text="before the drop")
    last = hum.last_seq
    await hum.close()
    for i in range(5):
        await fac.ok("room.post", room="plenary", text=f"missed {i}")
    await fac.ok("room.post", room="team:pol-1", text="not for the humanitarians")
    await hum.connect()  # resumes from its last sequence number
    assert hum.welcome["mode"] == "resume"
    missed = [e for e in hum.events if e["seq"] > last]
    assert [e["payload"]["text"] for e in missed if e["type"] == "room.message_posted"] == [
        f"missed {i}" for i in range(5)]
    assert not any("not for the humanitarians" in str(e) for e in hum.events)
    await fac.ok("room.post", room="plenary", text="live again")
    live = await hum.event("room.message_posted")
    assert live["payload"]["text"] == "live again" and live["seq"] == hum.last_seq
    await fac.close(), await hum.close()


async def test_a_client_far_behind_or_new_gets_a_snapshot(server):
    exercise, codes, fac_token = server.open_exercise()
    hum = await join(server, exercise, codes["hum-1"], "Amina")
    assert hum.welcome["mode"] == "snapshot"
    assert set(hum.snapshot["rooms"]) == {"team:hum-1", "component:humanitarian", "joint", "plenary",
                                          "liaison:hum-1~mil-1"}
    stranger = Client(server, exercise, hum.token)
    await stranger.connect(last_seq=10_000)  # claims more than the log holds: snapshot, not a gap
    assert stranger.welcome["mode"] == "snapshot" and stranger.last_seq == hum.last_seq
    await hum.close(), await stranger.close()


async def test_the_http_side_sets_security_headers_and_answers_root(server):
    r = httpx.get(server.base + "/")
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_presence_shows_the_facilitator_everyone_and_teams_their_own_rooms(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    evaluator = await join(server, exercise, codes["evaluator"], "Quiet observer")
    hum = await join(server, exercise, codes["hum-1"], "Amina")
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")

    def latest(client: Client) -> dict:
        return [f for f in client.frames if f["type"] == "presence"][-1]

    await fac.until(lambda f: f["type"] == "presence" and len(f["online"]) == 4)
    names = {p["name"] for p in latest(fac)["online"]}
    assert names == {"Facilitator", "Quiet observer", "Amina", "Inspector Lee"}
    await hum.until(lambda f: f["type"] == "presence" and len(f["online"]) == 2)
    seen = latest(hum)
    assert {p["name"] for p in seen["online"]} == {"Amina", "Inspector Lee"}  # control cell invisible
    assert set(seen["rooms"]) == set(hum.snapshot["rooms"])  # only rooms it may read
    assert len(seen["rooms"]["joint"]) == 2 and len(seen["rooms"]["team:hum-1"]) == 1
    await pol.close()
    await hum.until(lambda f: f["type"] == "presence" and len(f["online"]) == 1)
    for c in (fac, evaluator, hum):
        await c.close()


async def test_evaluators_watch_everything_and_write_nothing(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    evaluator = await join(server, exercise, codes["evaluator"], "Quiet observer")
    notes = [row["inject"]["notes"] for row in evaluator.snapshot["injects"]]
    assert "SECRET-CONTROL-NOTE-1" in notes
    assert "codes" not in evaluator.snapshot
    await fac.ok("inject.release", inject_id="I-2")
    released = await evaluator.event("inject.released")
    assert released["payload"]["inject"]["notes"] == "SECRET-CONTROL-NOTE-2"
    for ctype, fields in (("room.post", {"room": "joint", "text": "hello"}), ("clock.start", {}),
                          ("inject.ack", {"inject_id": "I-2"})):
        assert (await evaluator.command(ctype, **fields))["code"] == "forbidden"
    await fac.close(), await evaluator.close()


async def test_join_with_a_bad_code_or_name_is_refused(server):
    exercise, codes, _ = server.open_exercise()
    for body, status in (({"code": "NOPE-NOPE", "name": "x"}, 404), ({"code": codes["mil-1"], "name": ""}, 400),
                         ({"code": codes["mil-1"], "name": "x" * 61}, 400), ({"code": 5, "name": "x"}, 404)):
        r = httpx.post(server.base + "/api/join", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["message"]
    r = httpx.post(server.base + "/api/join", content=b"not json")
    assert r.status_code == 400
    # Codes are typed by hand: case and spacing do not matter.
    sloppy = codes["mil-1"].lower().replace("-", " ")
    assert httpx.post(server.base + "/api/join", json={"code": sloppy, "name": "Maj. Okafor"}).status_code == 200


async def test_facilitator_endpoints_need_the_facilitator(server):
    exercise, codes, _ = server.open_exercise()
    trainee_token = server.join(codes["mil-1"], "Maj. Okafor")["token"]
    for token in (None, "forged.token", trainee_token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        assert httpx.get(server.base + "/api/exercises", headers=headers).status_code == 403
        assert httpx.get(f"{server.base}/api/exercises/{exercise}/codes", headers=headers).status_code == 403
        assert httpx.post(server.base + "/api/exercises", json={"scenario": "mini"}, headers=headers).status_code == 403
    assert httpx.post(server.base + "/api/session/facilitator", json={"secret": "guess"}).status_code == 403
