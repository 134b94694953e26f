"""Bad input, attackers and slow clients, against a real server over real WebSockets."""

from __future__ import annotations

import json

import httpx
import msgpack
import pytest
import websockets

from .server_harness import Client, ServerProcess, StalledClient


# One server of each kind for the module, each test on an exercise of its own.
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("edges") / "data", "--max-frame-bytes", "8192", "--send-queue", "50",
                      "--commands-per-second", "1000", "--command-burst", "1000").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    """Tight limits: a low command rate, and a second to say hello."""
    s = ServerProcess(tmp_path_factory.mktemp("strict") / "data", "--commands-per-second", "5", "--command-burst",
                      "10", "--hello-timeout", "1").start()
    yield s
    s.stop()


async def join(server: ServerProcess, exercise: str, code: str, name: str) -> Client:
    return await Client(server, exercise, server.join(code, name)["token"]).connect()


async def head_of(server: ServerProcess, exercise: str, fac_token: str) -> int:
    fac = await Client(server, exercise, fac_token).connect()
    await fac.close()
    return fac.last_seq


async def test_bad_frames_get_documented_errors_and_change_nothing(server):
    exercise, codes, fac_token = server.open_exercise()
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")
    before = await head_of(server, exercise, fac_token)
    cases = [
        (b"\xc1\xc1 not msgpack", "bad_frame"),
        ("{not json", "bad_frame"),
        (msgpack.packb([1, 2, 3]), "bad_frame"),
        (msgpack.packb({"type": "room.nuke", "id": "x"}), "unknown_type"),
        (msgpack.packb({"id": "x"}), "unknown_type"),
        (msgpack.packb({"type": "room.post", "id": "x", "room": ["joint"], "text": "hi"}), "invalid"),
        (msgpack.packb({"type": "room.post", "id": "x", "room": "joint", "text": 42}), "invalid"),
        (msgpack.packb({"type": "room.post", "id": "x", "room": "joint", "text": "x" * 4001}), "invalid"),
        (msgpack.packb({"type": "room.post", "id": {"nested": 1}, "room": "joint", "text": "hi"}), "invalid"),
        (msgpack.packb({"type": "inject.ack", "id": "x", "inject_id": 7}), "invalid"),
        (msgpack.packb({"type": "hello", "token": pol.token, "last_seq": 0}), "invalid"),
        (msgpack.packb({"type": "clock.start", "id": "x"}), "forbidden"),
        # Values only one format can carry would break clients of the other: refused at the door.
        (msgpack.packb({"type": "cop.add", "id": "x", "feature": {"kind": "incident", "name": "n", "geometry": {
            "type": "Point", "coordinates": [31, 4]}, "properties": {"blob": b"\x00\xff"}}}), "bad_frame"),
        ('{"type": "cop.add", "id": "x", "feature": {"kind": "incident", "name": "n", "geometry": '
         '{"type": "Point", "coordinates": [31, 4]}, "properties": {"v": NaN}}}', "bad_frame"),
        (msgpack.packb({"type": "room.post", "id": "x", "room": "joint", "text": "hi", "n": float("inf")}),
         "bad_frame"),
        (msgpack.packb({1: "integer keys"}), "bad_frame"),
        # A lone surrogate: valid JSON, but no Unicode text; it would break every store and client.
        ('{"type": "room.post", "id": "x", "room": "joint", "text": "bad \\ud800 text"}', "bad_frame"),
        ('{"type": "room.post", "id": "x", "room": "joint", "text": "hi", "\\udfff": 1}', "bad_frame"),
    ]
    for raw, code in cases:
        await pol.send_raw(raw)
        frame = await pol.until(lambda f: f["type"] == "error")
        assert frame["code"] == code, (raw, frame)
        assert frame["message"]
        if code != "bad_frame" and isinstance(raw, bytes) and msgpack.unpackb(raw).get("id") == "x":
            assert frame["id"] == "x"  # the client's id comes back with the error
    assert await head_of(server, exercise, fac_token) == before
    await pol.ok("room.post", room="plenary", text="still connected and heard")
    await pol.close()


async def test_a_name_that_is_not_unicode_is_refused_at_join_and_the_store_stays_usable(server):
    exercise, codes, fac_token = server.open_exercise()
    r = httpx.post(f"{server.base}/api/join", content='{"code": "%s", "name": "bad \\ud800 name"}' % codes["pol-1"],
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")
    await pol.ok("room.post", room="plenary", text="the next command is stored as usual")
    await pol.close()


async def test_an_oversized_frame_closes_with_1009_and_changes_nothing(server):
    exercise, codes, fac_token = server.open_exercise()
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")
    before = await head_of(server, exercise, fac_token)
    await pol.send_raw(msgpack.packb({"type": "room.post", "id": "big", "room": "joint", "text": "x" * 9000}))
    assert await pol.closed() == 1009
    assert await head_of(server, exercise, fac_token) == before
    assert server.log_lines("Inspector Lee (team:pol-1): a frame over the size limit", timeout=5)  # and logged
    stranger = Client(server, exercise, "x" * 9000)  # an oversized hello: closed and logged alike
    stranger.ws = await websockets.connect(stranger.url)
    await stranger.ws.send(msgpack.packb({"type": "hello", "token": stranger.token, "last_seq": 0}))
    assert await stranger.closed() == 1009
    assert server.log_lines(f"hello on {exercise}: a frame over the size limit", timeout=5)


async def test_a_trainee_token_cannot_drive_the_exercise_or_read_other_rooms(server):
    exercise, codes, fac_token = server.open_exercise()
    pol = await join(server, exercise, codes["pol-1"], "Inspector Lee")
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("room.post", room="team:hum-1", text="beneficiary list attached")
    attempts = [
        ("clock.start", {}), ("clock.jump", {"to": "+1:00"}), ("exercise.end", {}),
        ("inject.release", {"inject_id": "I-1"}), ("inject.edit", {"inject_id": "I-1", "changes": {}}),
        ("inject.adhoc", {"title": "x"}), ("code.revoke", {"code": codes["hum-1"]}),
    ]
    for ctype, fields in attempts:
        assert (await pol.command(ctype, **fields))["code"] == "forbidden"
    for room in ("team:hum-1", "team:mil-1", "liaison:hum-1~mil-1", "component:humanitarian", "team:../../x"):
        assert (await pol.command("room.post", room=room, text="let me in"))["code"] == "not_found"
    assert (await pol.command("inject.ack", inject_id="I-1"))["code"] == "not_found"  # unreleased
    assert (await pol.command("cop.change", feature_id="hum-warehouse", set={"name": "x"}))["code"] == "not_found"
    await fac.ok("room.post", room="plenary", text="marker")
    await pol.event("room.message_posted")
    seen = json.dumps(pol.frames)
    assert "beneficiary list" not in seen and "SECRET-CONTROL-NOTE" not in seen and "WFP warehouse" not in seen
    await pol.close(), await fac.close()


async def test_forged_expired_foreign_and_revoked_tokens_are_refused_at_the_handshake(server, tmp_path):
    exercise, codes, fac_token = server.open_exercise()
    other, other_codes, _ = server.open_exercise()
    joined = server.join(codes["civ-1"], "Ms Civ")
    body, mac = joined["token"].split(".")
    cases = {
        "garbage": 4401, f"{body}.{mac[:-2]}AA": 4401,
        server.join(other_codes["civ-1"], "Elsewhere")["token"]: 4404,  # another exercise's: as an unknown one
    }
    for token, code in cases.items():
        c = Client(server, exercise, token)
        c.ws = await websockets.connect(c.url)
        await c.ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0}))
        assert await c.closed() == code, token
    civ = await Client(server, exercise, joined["token"]).connect()
    r = httpx.post(f"{server.base}/api/exercises/{exercise}/codes/{codes['civ-1']}/revoke",
                   headers={"Authorization": f"Bearer {fac_token}"})
    assert r.status_code == 200
    assert await civ.closed() == 4403  # the live connection is cut
    again = Client(server, exercise, joined["token"])
    again.ws = await websockets.connect(again.url)
    await again.ws.send(msgpack.packb({"type": "hello", "token": joined["token"], "last_seq": 0}))
    assert await again.closed() == 4403
    r = httpx.post(f"{server.base}/api/join", json={"code": codes["civ-1"], "name": "Again"})
    assert r.status_code == 403
    unknown = Client(server, "no-such-exercise", joined["token"])
    unknown.ws = await websockets.connect(unknown.url)
    assert await unknown.closed() == 4404


async def test_a_first_frame_that_is_not_hello_closes_with_4400(server):
    exercise, codes, _ = server.open_exercise()
    for first in (msgpack.packb({"type": "room.post", "room": "joint", "text": "hi"}), b"\xc1", "[]",
                  msgpack.packb({"type": "hello", "token": "x", "last_seq": -1})):
        ws = await websockets.connect(f"{server.ws_base}/ws/{exercise}")
        await ws.send(first)
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd.code == 4400


async def test_a_socket_that_never_says_hello_is_closed_with_4408(strict):
    exercise, codes, _ = strict.open_exercise()
    silent = Client(strict, exercise, "")
    silent.ws = await websockets.connect(silent.url)  # connects, then says nothing
    assert await silent.closed(timeout=15) == 4408
    assert strict.log_lines(f"refused hello on {exercise}: no hello within the time limit", timeout=5)
    prompt = await join(strict, exercise, codes["hum-1"], "Amina")  # a hello in time is served as usual
    await prompt.close()


async def test_a_websocket_from_a_foreign_origin_is_refused(server):
    exercise, _, _ = server.open_exercise()
    with pytest.raises(websockets.InvalidStatus) as info:
        await websockets.connect(f"{server.ws_base}/ws/{exercise}", origin="https://evil.example")
    assert info.value.response.status_code == 403
    ok = await websockets.connect(f"{server.ws_base}/ws/{exercise}", origin=f"http://127.0.0.1:{server.port}")
    await ok.close()


async def test_floods_beyond_the_rate_limit_are_refused(strict):
    exercise, codes, fac_token = strict.open_exercise()
    mil = await join(strict, exercise, codes["mil-1"], "Maj. Okafor")
    for i in range(30):
        await mil.send_raw(msgpack.packb({"type": "room.post", "id": f"f{i}", "room": "team:mil-1", "text": f"{i}"}))
    answers = [await mil.until(lambda f: f["type"] in ("ack", "error")) for _ in range(30)]
    limited = [a for a in answers if a["type"] == "error"]
    assert limited and all(a["code"] == "rate_limited" for a in limited)
    assert sum(a["type"] == "ack" for a in answers) <= 12  # the burst of 10, plus what refilled
    # Logged once for the burst, not once per refused frame.
    assert len(strict.log_lines("Maj. Okafor (team:mil-1): over the rate limit")) == 1
    # Far beyond the limit, valid frames or garbage: the connection is closed.
    for i in range(200):
        await mil.send_raw(msgpack.packb({"type": "room.post", "id": f"g{i}", "room": "team:mil-1", "text": "x"})
                           if i % 2 else b"\xc1 garbage")
    assert await mil.closed() == 4429
    assert len(strict.log_lines("Maj. Okafor (team:mil-1): over the rate limit")) == 1  # the same burst
    assert len(strict.log_lines("Maj. Okafor (team:mil-1) refused")) < 10  # what refilled, not the 100 of the flood
    assert strict.log_lines("closing Maj. Okafor (team:mil-1): 4429", timeout=5)


async def test_a_slow_consumer_is_cut_off_without_delaying_the_others(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    fast = await join(server, exercise, codes["hum-1"], "Fast reader")
    slow = StalledClient(server, exercise, server.join(codes["mil-1"], "Slow reader")["token"])
    await slow.connect()
    text = "a long situation report " * 160  # about 4 kB a message
    await fac.until(lambda f: f["type"] == "presence" and "Slow reader" in json.dumps(f["online"]))
    mark = len(fac.frames)
    sent = 0
    while not any(f["type"] == "presence" and "Slow reader" not in json.dumps(f["online"])
                  for f in fac.frames[mark:]):  # until the server drops it from presence: it was cut off
        await fac.ok("room.post", room="plenary", text=f"{sent} {text}")
        sent += 1
        assert sent < 5000, "the slow reader was never cut off"
    # The fast client got every message in order while the slow one was stalled.
    got = [e for e in fast.events if e["type"] == "room.message_posted"]
    while len(got) < sent:
        got.append(await fast.event("room.message_posted"))
    assert [int(e["payload"]["text"].split()[0]) for e in got] == list(range(sent))
    # Once it reads again, it finds the close code that tells it to resume.
    assert await slow.read_until_closed() == 4409
    # It reconnects and resumes from its last sequence number, with no gap.
    resumed = Client(server, exercise, slow.token)
    resumed.last_seq = slow.last_seq
    await resumed.connect()
    assert resumed.welcome["mode"] == "resume"
    texts = [e["payload"]["text"] for e in slow.events + resumed.events if e["type"] == "room.message_posted"]
    assert [int(t.split()[0]) for t in texts] == list(range(sent))  # no gap, no duplicate
    await fac.close(), await fast.close(), await resumed.close()
