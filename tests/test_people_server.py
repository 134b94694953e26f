"""Removing a participant and replacing a team's code, from outside: a real server, real sockets, real Redis."""

from __future__ import annotations

import httpx
import msgpack
import pytest
import websockets

from .server_harness import Client, ServerProcess


async def refused_hello(server: ServerProcess, exercise: str, token: str) -> int:
    """Say hello with `token`; the close code the server answers with."""
    c = Client(server, exercise, token)
    c.ws = await websockets.connect(c.url)
    await c.ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0}))
    return await c.closed()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_removed_trainee_is_closed_4410_and_stays_out_while_her_teammate_stays_in(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    amina = server.join(codes["hum-1"], "Amina")
    bea = server.join(codes["hum-1"], "Bea")  # same team, same code
    her = await Client(server, exercise, amina["token"]).connect()
    mate = await Client(server, exercise, bea["token"]).connect()
    await fac.ok("inject.release", inject_id="I-1")  # I-1 carries an attachment, for the HTTP check
    attachment = f"{server.base}/api/exercises/{exercise}/injects/I-1/attachments/kora-road-assessment.txt"
    assert httpx.get(attachment, headers=bearer(amina["token"])).status_code == 200

    await fac.ok("participant.remove", participant=amina["participant"])
    assert await her.closed() == 4410
    removed = await mate.event("participant.removed")
    assert removed["payload"]["participant"] == amina["participant"]
    assert fac.events[-1]["type"] == "participant.removed" and fac.events[-1]["payload"]["name"] == "Amina"
    # Her token is refused on reconnecting and by the HTTP API; her teammate carries on.
    assert await refused_hello(server, exercise, amina["token"]) == 4410
    assert httpx.get(attachment, headers=bearer(amina["token"])).status_code == 403
    assert httpx.get(attachment, headers=bearer(bea["token"])).status_code == 200
    await mate.ok("room.post", room="joint", text="still here")
    again = await Client(server, exercise, bea["token"]).connect()
    assert [p["name"] for p in again.snapshot["participants"]] == ["Bea"]
    refused = await fac.command("participant.remove", participant=amina["participant"])
    assert refused["type"] == "error" and refused["code"] == "conflict"
    for c in (fac, mate, again):
        await c.close()


async def test_a_removed_evaluator_may_no_longer_replay(server):
    exercise, codes, fac_token = server.open_exercise()
    evans = server.join(codes["evaluator"], "Dr Evans")
    replay = f"{server.base}/api/exercises/{exercise}/replay"
    assert httpx.get(replay, headers=bearer(evans["token"])).status_code == 200
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("participant.remove", participant=evans["participant"])
    for path in ("replay", "timeline", "metrics", "report"):
        r = httpx.get(f"{server.base}/api/exercises/{exercise}/{path}", headers=bearer(evans["token"]))
        assert r.status_code == 403 and "removed" in r.json()["error"]["message"], path
    assert await refused_hello(server, exercise, evans["token"]) == 4410
    await fac.close()


async def test_a_new_code_joins_the_team_the_old_one_takes_nobody_new_and_keeps_who_joined(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    okafor = server.join(codes["mil-1"], "Maj. Okafor")
    his = await Client(server, exercise, okafor["token"]).connect()
    # Over the WebSocket: the server draws the code, whatever the client sends.
    await fac.ok("code.replace", code=codes["mil-1"], replacement="AAAAA-AAAAA")
    replaced = fac.events[-1]["payload"]  # sent before the ack
    new = replaced["replacement"]
    assert replaced["code"] == codes["mil-1"] and replaced["team"] == "mil-1" and new != "AAAAA-AAAAA"
    joined = server.join(new.lower().replace("-", " "), "Capt. Ade")  # typed by hand, like any code
    assert (joined["team"], joined["role"]) == ("mil-1", "trainee")
    old = httpx.post(f"{server.base}/api/join", json={"code": codes["mil-1"], "name": "Intruder"})
    assert old.status_code == 403 and "replaced" in old.json()["error"]["message"]
    await his.ok("room.post", room="joint", text="the old code's members stay in")
    assert await Client(server, exercise, okafor["token"]).connect()
    # Over HTTP, beside revoke; the listing and the handout's source say which code is current.
    r = httpx.post(f"{server.base}/api/exercises/{exercise}/codes/{new}/replace", headers=bearer(fac_token))
    assert r.status_code == 200 and r.json()["replaces"] == new and r.json()["team"] == "mil-1"
    newest = r.json()["code"]
    listed = httpx.get(f"{server.base}/api/exercises/{exercise}/codes", headers=bearer(fac_token)).json()["codes"]
    by_code = {c["code"]: c for c in listed}
    assert by_code[codes["mil-1"]]["replaced_by"] == new and by_code[new]["replaced_by"] == newest
    assert by_code[newest]["replaced_by"] is None and by_code[newest]["team_name"]
    again = httpx.post(f"{server.base}/api/exercises/{exercise}/codes/{new}/replace", headers=bearer(fac_token))
    assert again.status_code == 409
    assert server.join(newest, "Lt. Bako")["team"] == "mil-1"
    await fac.close(), await his.close()


@pytest.fixture
def pair(tmp_path, redis_url, redis_prefix):
    servers = [
        ServerProcess(tmp_path / f"data-{name}", "--redis-url", redis_url, "--redis-prefix", redis_prefix)
        for name in "ab"
    ]
    for s in servers:
        s.start()
    yield servers
    for s in servers:
        s.stop()


async def test_on_redis_a_removal_on_one_process_closes_the_socket_on_the_other(pair):
    a, b = pair
    exercise, codes, fac_token = a.open_exercise()
    fac = await Client(a, exercise, fac_token).connect()  # the facilitator on A
    watcher = await Client(b, exercise, fac_token).connect()  # the control cell's second screen, on B
    amina = b.join(codes["hum-1"], "Amina")
    bea = b.join(codes["hum-1"], "Bea")
    her = await Client(b, exercise, amina["token"]).connect()  # both on B
    mate = await Client(b, exercise, bea["token"]).connect()
    # The facilitator removes whom A's panel lists: once her join reached A.
    if not any(e["payload"].get("participant") == amina["participant"] for e in fac.events):
        await fac.until(lambda f: f["type"] == "event" and f["event"]["payload"].get("participant") == amina["participant"])
    await fac.ok("participant.remove", participant=amina["participant"])
    assert await her.closed() == 4410
    assert (await mate.event("participant.removed"))["payload"]["participant"] == amina["participant"]
    for server in (a, b):
        assert await refused_hello(server, exercise, amina["token"]) == 4410
    await mate.ok("room.post", room="joint", text="still here, on B")
    # A new code made on A joins on B once B has the event.
    await fac.ok("code.replace", code=codes["hum-1"])
    new = (await watcher.event("code.replaced"))["payload"]["replacement"]
    assert b.join(new, "Chloe")["team"] == "hum-1"
    for c in (fac, watcher, mate):
        await c.close()


async def test_a_new_code_asked_twice_with_one_id_is_drawn_once_on_protocol_1_1(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = Client(server, exercise, fac_token)
    fac.ws = await websockets.connect(fac.url)
    await fac.ws.send(msgpack.packb({"type": "hello", "token": fac_token, "last_seq": 0, "protocol": 1.1}))
    assert (await fac.recv())["protocol"] == 1.1
    await fac.until(lambda f: f["type"] == "caught_up")
    answers = []
    for _ in range(2):  # the browser resends what it saw no answer to, with the same id
        await fac.ws.send(msgpack.packb({"type": "code.replace", "id": "new-code-1", "code": codes["pol-1"]}))
        answers.append(await fac.until(lambda f: f["type"] in ("ack", "error") and f.get("id") == "new-code-1"))
    assert answers[0]["type"] == "ack" and answers[1] == answers[0]
    listed = httpx.get(f"{server.base}/api/exercises/{exercise}/codes", headers=bearer(fac_token)).json()["codes"]
    assert len([c for c in listed if c["team"] == "pol-1"]) == 2  # the old code and one new one
    await fac.close()
