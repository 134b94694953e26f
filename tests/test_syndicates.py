"""A class of parallel syndicates, from outside: one scenario opened for N syndicates in one action,
one control for all, and nothing of one syndicate reachable from another (core/syndicates.py,
server/classes.py)."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import msgpack
import pytest
import websockets

from .server_harness import Client, ServerProcess

TEAMS = ("mil-1", "pol-1", "hum-1", "civ-1")
S1_SECRETS = ("S1-ROOM-SECRET", "S1-COP-SECRET", "S1-NOTIFY-SECRET", "S1-DOC-SECRET", "S1-DECISION-SECRET",
              "S1-MEDIA-SECRET", "S1-Amina", "S1-ADHOC-SECRET", "ATTACHMENT-BODY")


def fac_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_tokens: dict[int, str] = {}


def fac_token(server: ServerProcess) -> str:
    """The facilitator's token, signed in once per server (the key survives a restart)."""
    if server.port not in _tokens:
        _tokens[server.port] = server.facilitator_token()
    return _tokens[server.port]


def open_class(server: ServerProcess, syndicates: int, scenario: str = "mini") -> dict[str, Any]:
    r = httpx.post(f"{server.base}/api/classes", json={"scenario": scenario, "syndicates": syndicates},
                   headers=fac_headers(fac_token(server)))
    assert r.status_code == 201, r.text
    return r.json()


def codes_of(klass: dict[str, Any], number: int) -> dict[str, str]:
    row = klass["syndicates"][number - 1]
    return {c["team"] or c["role"]: c["code"] for c in row["codes"]}


def class_command(server: ServerProcess, class_id: str, command: dict[str, Any], syndicates: Any = "all",
                  **extra: Any) -> httpx.Response:
    return httpx.post(f"{server.base}/api/classes/{class_id}/commands",
                      json={"command": command, "syndicates": syndicates, **extra},
                      headers=fac_headers(fac_token(server)))


def clocks(server: ServerProcess, class_id: str) -> dict[int, str]:
    r = httpx.get(f"{server.base}/api/classes/{class_id}", headers=fac_headers(fac_token(server)))
    assert r.status_code == 200, r.text
    return {s["number"]: s["clock"]["status"] for s in r.json()["syndicates"]}


def clocks_become(server: ServerProcess, class_id: str, expected: dict[int, str], timeout: float = 10.0) -> None:
    """Wait until the server's clocks of the class are `expected` (another process's change comes by the bus)."""
    deadline = time.monotonic() + timeout
    while (seen := clocks(server, class_id)) != expected:
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("syndicates") / "data").start()
    yield server
    server.stop()


def test_a_class_opens_syndicates_1_to_n_each_an_exercise_with_its_own_codes(server):
    klass = open_class(server, 4)
    assert [s["number"] for s in klass["syndicates"]] == [1, 2, 3, 4]
    assert klass["exercises"] == [f"{klass['class']}-s{n}" for n in range(1, 5)]
    codes = [c["code"] for s in klass["syndicates"] for c in s["codes"]]
    assert len(codes) == len(set(codes)) == 4 * 5  # 4 teams and an evaluator per syndicate, none shared
    listed = httpx.get(f"{server.base}/api/exercises", headers=fac_headers(fac_token(server))).json()
    mine = {x["id"]: x for x in listed["exercises"] if x["class"] == klass["class"]}
    assert {x["syndicate"] for x in mine.values()} == {1, 2, 3, 4}
    joined = server.join(codes_of(klass, 3)["hum-1"], "Amina")
    assert joined["exercise"] == f"{klass['class']}-s3"
    page = httpx.get(f"{server.base}/team/{joined['exercise']}").text
    assert "Syndicate 3" in page  # the header says which syndicate


def test_a_class_of_a_wrong_size_or_scenario_is_refused_and_opens_nothing(server):
    token = fac_token(server)
    before = len(httpx.get(f"{server.base}/api/exercises", headers=fac_headers(token)).json()["exercises"])
    for syndicates in (0, 9, "4", True, None, 2.0):
        r = httpx.post(f"{server.base}/api/classes", json={"scenario": "mini", "syndicates": syndicates},
                       headers=fac_headers(token))
        assert r.status_code == 400 and "from 1 to 8" in r.json()["error"]["message"], syndicates
    r = httpx.post(f"{server.base}/api/classes", json={"scenario": "nope", "syndicates": 2}, headers=fac_headers(token))
    assert r.status_code == 404
    after = len(httpx.get(f"{server.base}/api/exercises", headers=fac_headers(token)).json()["exercises"])
    assert after == before


async def plant_secrets(server: ServerProcess, exercise: str, codes: dict[str, str]) -> list[Client]:
    """Syndicate 1 plays: a room message, a COP feature, a notification, a document, a decision, media."""
    fac = await Client(server, exercise, fac_token(server)).connect()
    await fac.ok("room.post", room="team:hum-1", text="S1-ROOM-SECRET")
    await fac.ok("inject.release", inject_id="I-1")  # with its attachment
    await fac.ok("inject.adhoc", **{"from": "x", "to": {"teams": ["hum-1"]}, "channel": "email",
                                    "title": "S1-ADHOC-SECRET", "body": "b"})
    await fac.ok("media.publish", outlet="Radio", kind="social", headline="S1-MEDIA-SECRET", body="b")
    hum = await Client(server, exercise, server.join(codes["hum-1"], "S1-Amina")["token"]).connect()
    point = {"type": "Point", "coordinates": [31.0, 4.0]}
    await hum.ok("cop.add", feature={"kind": "incident", "name": "S1-COP-SECRET", "geometry": point})
    await hum.ok("notification.submit", kind="site", name="S1-NOTIFY-SECRET", geometry=point, window_start=0,
                 window_end=3600, share_with=["military", "police"])
    await hum.ok("document.share", title="S1-DOC-SECRET", body="S1-DOC-SECRET", share_with=["police"])
    await hum.ok("decision.record", what="S1-DECISION-SECRET", why="y")
    await hum.ok("inject.ack", inject_id="I-1")
    await hum.ok("participant.language", language="en")  # a barrier: its own events are all in
    ids = {e["type"]: e["payload"] for e in hum.events}
    planted = {"feature": ids["cop.feature_added"]["feature"]["id"],
               "notification": ids["notification.submitted"]["notification_id"],
               "document": ids["document.shared"]["document_id"]}
    return [fac, hum], planted


async def ws_close_code(server: ServerProcess, exercise: str, token: str) -> tuple[int, str, list[dict]]:
    ws = await websockets.connect(f"{server.ws_base}/ws/{exercise}")
    frames: list[dict] = []
    try:
        await ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0}))
        while True:
            frames.append(msgpack.unpackb(await ws.recv()))
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None
        return closed.rcvd.code, closed.rcvd.reason, frames


async def test_a_trainee_or_evaluator_of_syndicate_2_reads_and_writes_nothing_of_syndicate_1(server):
    klass = open_class(server, 2)
    s1, s2 = klass["exercises"]
    codes1, codes2 = codes_of(klass, 1), codes_of(klass, 2)
    planted, ids = await plant_secrets(server, s1, codes1)
    unknown = f"{klass['class']}-s9"  # the same shape, no such exercise
    seen: list[str] = []
    leaks = 0
    attackers = {who: server.join(codes2[who], f"S2 {who}")["token"] for who in ("hum-1", "pol-1", "evaluator")}
    http = httpx.Client()
    for who, token in attackers.items():
        # The live connection: syndicate 1 answers as an unknown exercise does.
        real = await ws_close_code(server, s1, token)
        none = await ws_close_code(server, unknown, token)
        assert real[0] == none[0] == 4404 and real[1] == none[1], (who, real, none)
        assert not real[2]  # nothing was delivered
        # Every HTTP path of syndicate 1's data: the answer an unknown exercise gets, byte for byte.
        for method, path in (("GET", "/api/exercises/{x}/replay?seq=3"), ("GET", "/api/exercises/{x}/replay?view=hum-1"),
                             ("GET", "/api/exercises/{x}/timeline"), ("GET", "/api/exercises/{x}/metrics"),
                             ("GET", "/api/exercises/{x}/report"), ("GET", "/api/exercises/{x}/codes"),
                             ("GET", "/api/exercises/{x}/injects/I-1/attachments/kora-road-assessment.txt"),
                             ("POST", "/api/exercises/{x}/plenary"),
                             ("POST", f"/api/exercises/{{x}}/codes/{codes1['hum-1']}/revoke"),
                             ("POST", f"/api/exercises/{{x}}/codes/{codes1['hum-1']}/replace")):
            answers = [http.request(method, server.base + path.format(x=x), headers=fac_headers(token))
                       for x in (s1, unknown)]
            assert answers[0].status_code in (403, 404), (who, path, answers[0].status_code)
            assert (answers[0].status_code, answers[0].text) == (answers[1].status_code, answers[1].text), (who, path)
            seen += [a.text for a in answers]
        # The class's own routes are the control cell's: refused alike for this class and an unknown one.
        for method, path, body in (("GET", "/api/classes/{c}", None), ("GET", "/api/classes/{c}/comparison", None),
                                   ("POST", "/api/classes/{c}/commands",
                                    {"command": {"type": "inject.release", "inject_id": "I-2"}})):
            answers = [http.request(method, server.base + path.format(c=c), headers=fac_headers(token), json=body)
                       for c in (klass["class"], "no-such-class")]
            assert answers[0].status_code == answers[1].status_code == 403 and answers[0].text == answers[1].text
            seen += [a.text for a in answers]
    # In its own syndicate, naming syndicate 1's things gets what naming nothing gets.
    hum2 = await Client(server, s2, attackers["hum-1"]).connect()
    pol2 = await Client(server, s2, attackers["pol-1"]).connect()
    ev2 = await Client(server, s2, attackers["evaluator"]).connect()
    s1_ids = {"notification.acknowledge": {"notification_id": ids["notification"]},
              "document.open": {"document_id": ids["document"]},
              "cop.change": {"feature_id": ids["feature"], "set": {"name": "mine"}},
              "cop.remove": {"feature_id": ids["feature"]},
              "inject.ack": {"inject_id": "I-1"},  # released in syndicate 1 only
              "room.post": {"room": "team:hum-1", "text": "probe", "responds_to": "I-1"}}
    for ctype, fields in s1_ids.items():
        answer = await pol2.command(ctype, **fields)
        fake = {k: (v if not isinstance(v, str) or k in ("room", "text") else "NO-SUCH") for k, v in fields.items()}
        other = await pol2.command(ctype, **fake)
        assert answer["type"] == other["type"] == "error", (ctype, answer)
        assert answer["code"] == other["code"], (ctype, answer, other)
    await hum2.ok("room.post", room="team:hum-1", text="syndicate 2's own message")
    await ev2.ok("observation.record", text="S2 observation", rating=3, objective="O1")
    for client in (hum2, pol2, ev2):
        await client.ok("participant.language", language="en")  # a barrier: everything before it arrived
        seen.append(json.dumps(client.frames))
    report = await asyncio.to_thread(lambda: httpx.get(f"{server.base}/api/exercises/{s2}/report",
                                                       headers=fac_headers(attackers["evaluator"])).text)
    assert "Syndicate 2" in report  # its own syndicate's report says which it is
    seen.append(report)
    everything = "\n".join(seen)
    leaks = sum(everything.count(secret) for secret in S1_SECRETS)
    assert leaks == 0, [s for s in S1_SECRETS if s in everything]
    # Syndicate 1 is untouched by all of it, and its own people saw their own play.
    fac1 = planted[0]
    assert not any(e["type"] == "room.message_posted" and "syndicate 2" in e["payload"]["text"] for e in fac1.events)
    assert "S1-COP-SECRET" in json.dumps(planted[1].frames)
    for client in (*planted, hum2, pol2, ev2):
        await client.close()


async def test_one_clock_for_the_class_and_one_syndicate_paused_for_a_huddle(server):
    klass = open_class(server, 3)
    cid = klass["class"]
    r = class_command(server, cid, {"type": "clock.start"})
    assert r.status_code == 200 and r.json()["ok"], r.text
    assert clocks(server, cid) == {1: "running", 2: "running", 3: "running"}
    r = class_command(server, cid, {"type": "clock.speed", "speed": 10})
    assert r.status_code == 200
    r = class_command(server, cid, {"type": "clock.pause"}, syndicates=[2])
    assert r.status_code == 200 and [x["syndicate"] for x in r.json()["results"]] == [2]
    assert clocks(server, cid) == {1: "running", 2: "paused", 3: "running"}
    # Pausing all now: syndicate 2 refuses (already paused), the others pause; each says so.
    r = class_command(server, cid, {"type": "clock.pause"})
    body = r.json()
    assert r.status_code == 409 and not body["ok"]
    assert [x["ok"] for x in body["results"]] == [True, False, True]
    assert body["results"][1]["error"]["code"] == "wrong_state"
    r = class_command(server, cid, {"type": "clock.resume"})
    assert clocks(server, cid) == {1: "running", 2: "running", 3: "running"}
    detail = httpx.get(f"{server.base}/api/classes/{cid}", headers=fac_headers(fac_token(server))).json()
    assert {s["clock"]["speed"] for s in detail["syndicates"]} == {10}
    # A huddle's syndicate brought level: a jump for syndicate 3 only.
    assert class_command(server, cid, {"type": "clock.jump", "to": 1200}, syndicates=[3]).status_code == 200
    detail = httpx.get(f"{server.base}/api/classes/{cid}", headers=fac_headers(fac_token(server))).json()
    assert [s["clock"]["anchor_ex"] == 1200 for s in detail["syndicates"]] == [False, False, True]
    for bad in ({"syndicates": [0]}, {"syndicates": [4]}, {"syndicates": []}, {"syndicates": "some"},
                {"command": {"type": "code.revoke", "code": "X"}}, {"command": {"type": "inject.ack", "inject_id": "I-1"}},
                {"command": "clock.pause"}, {"id": 12}):
        body = {"command": {"type": "clock.pause"}, "syndicates": "all", **bad}
        r = httpx.post(f"{server.base}/api/classes/{cid}/commands", json=body,
                       headers=fac_headers(fac_token(server)))
        assert r.status_code == 400, (bad, r.text)
    assert clocks(server, cid) == {1: "running", 2: "running", 3: "running"}  # nothing changed
    # An edit for all, made on version 1 of I-6 everywhere: syndicate 2's was edited meanwhile, so it refuses.
    edit = {"type": "inject.edit", "inject_id": "I-6", "changes": {"title": "Edited for the class"}}
    assert class_command(server, cid, {**edit, "version": 1}, syndicates=[2]).status_code == 200
    r = class_command(server, cid, edit, versions={"1": 1, "2": 1, "3": 1})
    assert r.status_code == 409 and [x["ok"] for x in r.json()["results"]] == [True, False, True]
    assert r.json()["results"][1]["error"]["code"] == "conflict"
    assert class_command(server, cid, edit, versions={"1": "1"}).status_code == 400


async def test_an_inject_released_to_all_or_to_syndicate_3_reaches_exactly_those_teams(server):
    klass = open_class(server, 4)
    cid = klass["class"]
    clients: dict[tuple[int, str], Client] = {}
    for n, exercise in enumerate(klass["exercises"], start=1):
        codes = codes_of(klass, n)
        for team in TEAMS:
            clients[n, team] = await Client(server, exercise, server.join(codes[team], f"S{n} {team}")["token"]).connect()
    r = class_command(server, cid, {"type": "inject.release", "inject_id": "I-2"}, id="release-I-2")
    assert r.status_code == 200, r.text
    again = class_command(server, cid, {"type": "inject.release", "inject_id": "I-2"}, id="release-I-2")
    assert again.status_code == 200 and again.json()["results"] == r.json()["results"]  # a retry stores nothing
    r = class_command(server, cid, {"type": "inject.release", "inject_id": "I-3"}, syndicates=[3])
    assert r.status_code == 200, r.text
    for (n, team), client in clients.items():
        if team == "pol-1":
            await client.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                               and f["event"]["payload"]["inject"]["id"] == "I-2")
        if n == 3:
            await client.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                               and f["event"]["payload"]["inject"]["id"] == "I-3")
    # A barrier per syndicate: an inject to everyone, released after; then what each team holds.
    r = class_command(server, cid, {"type": "inject.adhoc", "from": "EXCON", "to": {"rooms": ["joint"]},
                                    "channel": "email", "title": "Barrier", "body": "b"})
    assert r.status_code == 200, r.text
    for (n, team), client in clients.items():
        await client.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                           and f["event"]["payload"]["inject"]["title"] == "Barrier")
        got = {e["payload"]["inject"]["id"] for e in client.events if e["type"] == "inject.released"}
        expected = {"ADHOC-1"} | ({"I-2"} if team == "pol-1" else set()) | ({"I-3"} if n == 3 else set())
        assert got == expected, (n, team, got)
    # Syndicate 3's police acknowledges I-2: the class comparison shows it there only.
    await clients[3, "pol-1"].ok("inject.ack", inject_id="I-2")
    rows = httpx.get(f"{server.base}/api/classes/{cid}/comparison",
                     headers=fac_headers(fac_token(server))).json()["rows"]
    i2 = next(row for row in rows if row["inject"] == "I-2" and row["team"] == "pol-1")
    assert [i2["cells"][str(n)]["ack_after"] is not None for n in range(1, 5)] == [False, False, True, False]
    assert i2["cells"]["3"]["ack_by"] == "S3 pol-1" and i2["cells"]["1"]["status"] == "released"
    i3 = [row for row in rows if row["inject"] == "I-3"]
    assert {row["team"] for row in i3} == set(TEAMS)
    assert [i3[0]["cells"][str(n)]["status"] for n in range(1, 5)] == ["scheduled", "scheduled", "released", "scheduled"]
    # Releasing I-3 to all now: syndicate 3 refuses (released already), the others release it.
    r = class_command(server, cid, {"type": "inject.release", "inject_id": "I-3"})
    assert [x["ok"] for x in r.json()["results"]] == [True, True, False, True]
    for client in clients.values():
        await client.close()


async def test_a_class_survives_a_server_restart(server):
    """Killed and started again on its data directory (SQLite): the class is folded back whole."""
    klass = open_class(server, 3)
    cid = klass["class"]
    class_command(server, cid, {"type": "clock.start"})
    class_command(server, cid, {"type": "clock.pause"}, syndicates=[1])
    server.kill()
    server.start()
    detail = httpx.get(f"{server.base}/api/classes/{cid}", headers=fac_headers(fac_token(server)))
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["exercises"] == klass["exercises"] and body["of"] == 3
    assert {s["number"]: s["clock"]["status"] for s in body["syndicates"]} == {1: "paused", 2: "running", 3: "running"}
    assert [c["code"] for c in body["syndicates"][1]["codes"]] == [c["code"] for c in klass["syndicates"][1]["codes"]]
    r = class_command(server, cid, {"type": "clock.resume"}, syndicates=[1])
    assert r.status_code == 200, r.text
    assert httpx.get(f"{server.base}/control/class/{cid}").status_code == 200


async def test_a_class_opened_on_one_redis_process_is_rebuilt_from_the_store_by_another(
        tmp_path, redis_url, redis_prefix):
    """On Redis: a second process finds the class in the store (Exercises.load, the same fold a restart
    does) and drives it; the first sees what the second did."""
    a, b = (ServerProcess(tmp_path / f"data-{name}", "--redis-url", redis_url, "--redis-prefix", redis_prefix)
            for name in "ab")
    with ThreadPoolExecutor(2) as pool:  # started side by side
        list(pool.map(ServerProcess.start, (a, b)))
    try:
        klass = open_class(a, 2)
        cid = klass["class"]
        r = class_command(b, cid, {"type": "clock.start"})  # b learns of the class from the store
        assert r.status_code == 200 and r.json()["ok"], r.text
        clocks_become(a, cid, {1: "running", 2: "running"})
        r = class_command(b, cid, {"type": "clock.pause"}, syndicates=[2])
        assert r.status_code == 200, r.text
        clocks_become(a, cid, {1: "running", 2: "paused"})
        detail = httpx.get(f"{b.base}/api/classes/{cid}", headers=fac_headers(fac_token(b))).json()
        assert detail["exercises"] == klass["exercises"] and detail["of"] == 2
    finally:
        a.stop(), b.stop()
