"""The plenary screen from the outside: a token only the facilitator obtains, a connection that
issues nothing and receives only what every team sees (issue 19). What one team, the control
cell or nobody yet may see (a team room's message, a feature of some teams, an unreleased
inject, the control notes) must reach it neither live nor in a snapshot."""

from __future__ import annotations

import json

import httpx
import pytest

from .server_harness import Client, ServerProcess
from .test_isolation import ATTEMPT

HIDDEN = ("TEAM-ROOM-SECRET", "SECRET-CONTROL-NOTE", "Riot at the market", "WFP warehouse", "Access report",
          "A Company", "Military outpost")
POINT = {"type": "Point", "coordinates": [31.0, 4.0]}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # Commands are not rate-limited here (tests/test_server_edges.py tests the limiter): the screen's
    # every attempt is answered at once, not after a pause every burst.
    server = ServerProcess(tmp_path_factory.mktemp("plenary") / "data", "--commands-per-second", "1000",
                           "--command-burst", "1000").start()
    exercise, codes, fac_token = server.open_exercise()
    yield server, exercise, codes, fac_token
    server.stop()


def plenary_token(server: ServerProcess, exercise: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{server.base}/api/exercises/{exercise}/plenary", headers=headers)


def test_only_the_facilitator_gets_a_plenary_token(world):
    server, exercise, codes, fac_token = world
    assert plenary_token(server, exercise, None).status_code == 403
    trainee = server.join(codes["pol-1"], "Trainee")["token"]
    evaluator = server.join(codes["evaluator"], "Evaluator")["token"]
    for token in (trainee, evaluator):
        answer = plenary_token(server, exercise, token)
        assert answer.status_code == 403 and answer.json()["error"]["message"] == "only the facilitator may do this"
    assert plenary_token(server, "no-such-exercise", fac_token).status_code == 404
    assert plenary_token(server, exercise, fac_token).json()["role"] == "plenary"


async def test_the_plenary_screen_sees_what_every_team_sees_and_nothing_else(world):
    server, exercise, codes, fac_token = world
    fac = await Client(server, exercise, fac_token).connect()
    screen = await Client(server, exercise, plenary_token(server, exercise, fac_token).json()["token"]).connect()
    trainee = await Client(server, exercise, server.join(codes["hum-1"], "Hana")["token"]).connect()
    snap = screen.snapshot
    assert snap is not None and snap["you"]["role"] == "plenary"
    assert sorted(snap["rooms"]) == ["joint", "plenary"]  # the rooms every team reads
    assert not any(room["can_write"] for room in snap["rooms"].values())
    assert [f["id"] for f in snap["cop"]] == ["town-bessa"]  # the one feature visible to all
    assert snap["injects"] == [] and snap["participants"] == [] and snap["scenario"]["briefings"] == {}

    # What the screen may not see, and then what it may, so that it has read past the first.
    await fac.ok("room.post", room="team:hum-1", text="TEAM-ROOM-SECRET for the humanitarians")
    await fac.ok("inject.release", inject_id="I-1")  # to the humanitarians only
    await fac.ok("cop.add", feature={"kind": "camp", "name": "Military outpost", "geometry": POINT,
                                     "visible_to": ["military"]})
    await fac.ok("cop.change", feature_id="town-bessa", set={"visible_to": ["police"]})  # hidden from three teams
    await fac.ok("room.post", room="plenary", text="Welcome to the exercise")
    await fac.ok("inject.release", inject_id="I-3")  # to the joint room: every team
    await fac.ok("cop.add", feature={"kind": "place", "name": "Assembly area", "geometry": POINT, "visible_to": "all"})
    await fac.ok("media.publish", outlet="Radio Nalora", kind="radio", headline="Floods feared", body="Rain all night.")
    await screen.event("media.published")
    types = [e["type"] for e in screen.events]
    assert types.count("cop.feature_removed") == 1  # town-bessa, no longer seen by every team
    released = [e["payload"]["inject"] for e in screen.events if e["type"] == "inject.released"]
    assert [i["id"] for i in released] == ["I-3"] and "notes" not in released[0]
    posted = [e["payload"]["text"] for e in screen.events if e["type"] == "room.message_posted"]
    assert posted == ["Welcome to the exercise"]
    assert await trainee.event("media.published")  # the trainee had it all meanwhile

    # A trainee's post in its team room and its acknowledgement stay with its team; its public
    # statement reaches every team and the screen (bug 13 of the UX review: its team only).
    police = await Client(server, exercise, server.join(codes["pol-1"], "Pavel")["token"]).connect()
    await trainee.ok("statement.issue", text="Aid is delivered by humanitarian agencies only.")
    for client in (screen, police):
        assert (await client.event("statement.issued"))["payload"]["team"] == "hum-1"
    await trainee.ok("room.post", room="team:hum-1", text="TEAM-ROOM-SECRET from Hana")
    await trainee.ok("inject.ack", inject_id="I-1")
    await fac.ok("room.post", room="joint", text="Joint room: all here?")
    await screen.until(lambda f: f["type"] == "event" and f["event"]["payload"].get("text") == "Joint room: all here?")
    later = await Client(server, exercise, screen.token).connect(last_seq=0)  # a snapshot of the same
    assert sorted(f["id"] for f in later.snapshot["cop"]) == sorted(
        e["payload"]["feature"]["id"] for e in screen.events if e["type"] == "cop.feature_added"
    )
    assert [row["inject"]["id"] for row in later.snapshot["injects"]] == ["I-3"]
    assert [st["statement_id"] for st in later.snapshot["statements"]] == ["S-hum-1-1"]
    for frames in (screen.frames, later.frames):
        text = json.dumps(frames)
        for secret in HIDDEN:
            assert secret not in text, secret
    presence = await screen.until(lambda f: f["type"] == "presence" and len(f["online"]) == 2)  # a moment later
    assert [entry["name"] for entry in presence["online"]] == ["Hana", "Pavel"]  # not the control cell, not itself

    for ctype, fields in ATTEMPT.items():  # every command of every role: the screen may do nothing
        answer = await screen.command(ctype, **fields)
        assert answer["type"] == "error" and answer["code"] == "forbidden", (ctype, answer)
    for client in (fac, screen, trainee, later, police):
        await client.close()


async def test_a_plenary_token_fetches_no_attachment(world):
    server, exercise, _, fac_token = world
    token = plenary_token(server, exercise, fac_token).json()["token"]
    url = f"{server.base}/api/exercises/{exercise}/injects/I-1/attachments/kora-road-assessment.txt"
    assert httpx.get(url, headers={"Authorization": f"Bearer {fac_token}"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404
