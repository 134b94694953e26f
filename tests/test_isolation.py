"""Role isolation from the outside, as an attacker would try it: every message type from
every role that may not send it, every path that could leak, every limit."""

from __future__ import annotations

import json

import httpx
import msgpack
import pytest
import websockets

from exercise_server.core.access import EVALUATOR_COMMANDS, FACILITATOR_COMMANDS, SEAT_COMMANDS, TRAINEE_COMMANDS

from .request_fields import CONDITIONS, request
from .server_harness import Client, ServerProcess

SECRETS = ("SECRET-CONTROL-NOTE", "beneficiary list", "WFP warehouse", "hum-warehouse", "Riot at the market")
POINT = {"type": "Point", "coordinates": [31.0, 4.0]}
ATTEMPT = {  # a plausible payload for each command, aimed at what the attacker may not touch
    "clock.start": {}, "clock.pause": {}, "clock.resume": {}, "clock.speed": {"speed": 60},
    "clock.jump": {"to": "+1:00"}, "exercise.end": {},
    "inject.release": {"inject_id": "I-2"}, "inject.hold": {"inject_id": "I-2"},
    "inject.unhold": {"inject_id": "I-2"}, "inject.edit": {"inject_id": "I-2", "changes": {"title": "x"}},
    "inject.cancel": {"inject_id": "I-2"}, "inject.restore": {"inject_id": "I-2"},
    "inject.adhoc": {"from": "x", "to": {"teams": ["pol-1"]}, "channel": "email", "title": "t", "body": "b"},
    "inject.ack": {"inject_id": "I-2"}, "inject.open": {"inject_id": "I-2", "language": "en"},
    "room.post": {"room": "team:hum-1", "text": "let me in"},
    "cop.add": {"feature": {"kind": "incident", "name": "x", "geometry": POINT, "owner": "hum-1"}},
    "cop.change": {"feature_id": "hum-warehouse", "set": {"name": "mine"}},
    "cop.remove": {"feature_id": "hum-warehouse"},
    "code.revoke": {"code": "ANY"}, "code.replace": {"code": "ANY"}, "participant.remove": {"participant": "ANY"},
    "participant.move": {"participant": "ANY", "team": "hum-1"},
    "roster.add": {"people": [{"name": "Intruder", "team": "pol-1"}]}, "roster.remove": {"person": "r-1"},
    "observation.record": {"text": "they did well", "rating": 3, "objective": "O1"},
    "expectation.mark": {"inject_id": "I-1", "team": "hum-1", "action": 0, "status": "met"},
    "pitfall.tick": {"pitfall": "pf-escort", "team": "hum-1"},  # mini has no guide: not_found for the control cell
    "learning.answer": {"form": "pre", "answers": {"k1": 0}},  # mini has no knowledge check: not_found for a trainee
    "evaluator.assign": {"evaluator": "staff-x", "name": "X", "teams": ["hum-1"]},  # HTTP only: forbidden here
    "rating.final": {"item": "objective", "item_id": "O1", "rating": "P", "rationale": "x"},
    "improvement.set": {"scope": "course", "text": "x"},
    "notification.submit": {"kind": "site", "name": "fake", "geometry": POINT, "window_start": 0,
                            "window_end": 3600, "share_with": ["military"]},
    "notification.acknowledge": {"notification_id": "N-hum-1-1"},
    "rfa.submit": request(location=POINT),
    "rfa.coordinate": {"rfa_id": "RFA-hum-1-1", "decision": "forward", "note": "endorsed by nobody"},
    "rfa.respond": {"rfa_id": "RFA-hum-1-1", "decision": "accept", "conditions": CONDITIONS},
    "rfa.clarify": {"rfa_id": "RFA-hum-1-1", "text": "answering for another team"},
    "tasking.request": {"asset": "engineering", "task": "t", "mandate": "m", "do_no_harm": "d", "time_limit": "+1:00",
                        "location": POINT},
    "tasking.respond": {"tasking_id": "T-civ-1-1", "decision": "accept", "reason": "r"},
    "casevac.call": {"casualties": 1, "condition": "c", "location": POINT, "team": "hum-1"},
    "casevac.dispatch": {"casevac_id": "CASEVAC-hum-1-1", "note": "n"},
    "document.share": {"title": "t", "body": "b", "share_with": ["police"], "owner": "hum-1"},
    "document.forward": {"document_id": "D-hum-1-1", "to": ["police"]},
    "document.open": {"document_id": "D-hum-1-1"},
    "media.publish": {"outlet": "o", "kind": "social", "headline": "h", "body": "b"},
    "statement.issue": {"text": "on behalf of others", "team": "hum-1"},
    "decision.record": {"what": "w", "why": "y", "team": "hum-1"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # Commands are not rate-limited here (tests/test_server_edges.py tests the limiter): an attacker's
    # every attempt is answered at once, not after a pause every burst.
    server = ServerProcess(tmp_path_factory.mktemp("isolation") / "data", "--connections-per-code", "3",
                           "--commands-per-second", "1000", "--command-burst", "1000").start()
    exercise, codes, fac_token = server.open_exercise()
    other, other_codes, _ = server.open_exercise()
    yield server, exercise, codes, fac_token, other, other_codes
    server.stop()


async def secrets_in_place(server, exercise, fac_token) -> Client:
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("room.post", room="team:hum-1", text="the beneficiary list is attached")
    return fac


@pytest.mark.parametrize("role", ["trainee", "evaluator"])
async def test_every_command_a_role_may_not_send_is_refused_and_leaks_nothing(world, role):
    server, exercise, codes, fac_token, *_ = world
    fac = await secrets_in_place(server, exercise, fac_token)
    code = codes["pol-1"] if role == "trainee" else codes["evaluator"]
    attacker = await Client(server, exercise, server.join(code, f"attacker ({role})")["token"]).connect()
    allowed = TRAINEE_COMMANDS if role == "trainee" else EVALUATOR_COMMANDS
    # A seat's own language names nobody else: nothing there to aim at (tests/test_languages_server.py).
    assert set(ATTEMPT) == (FACILITATOR_COMMANDS | TRAINEE_COMMANDS | EVALUATOR_COMMANDS) - SEAT_COMMANDS
    attempts = {c: f for c, f in ATTEMPT.items() if c not in allowed or role == "trainee"}
    refused = 0
    for ctype, fields in attempts.items():
        answer = await attacker.command(ctype, **fields)
        assert answer["type"] == "error", (ctype, answer)
        if ctype in allowed:  # allowed in general, but not on what belongs to others
            assert answer["code"] in ("not_found", "forbidden"), (ctype, answer)
        else:
            assert answer["code"] == "forbidden", (ctype, answer)
        refused += 1
    assert refused == len(attempts)
    if role == "trainee":
        seen = json.dumps([f for f in attacker.frames if f["type"] != "error"])  # errors echo the attacker's input
        for secret in SECRETS:
            assert secret not in seen
    await fac.close(), await attacker.close()


async def test_no_path_shows_a_trainee_unreleased_injects_or_control_notes(world):
    server, exercise, codes, fac_token, *_ = world
    fac = await secrets_in_place(server, exercise, fac_token)
    token = server.join(codes["pol-1"], "Inspector Lee")["token"]
    seen: list[str] = []
    for last_seq in (0, 1, 2, 10**6):  # snapshot, resume from the very start, resume, snapshot again
        c = Client(server, exercise, token)
        await c.connect(last_seq=last_seq)
        seen.append(json.dumps(c.frames))
        await c.close()
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/exercises", f"/api/exercises/{exercise}/codes", "/api/scenarios",
                 f"/api/exercises/{exercise}/replay?seq=5", f"/api/exercises/{exercise}/timeline",
                 f"/api/exercises/{exercise}/metrics", f"/api/exercises/{exercise}/report",
                 f"/api/exercises/{exercise}/dashboard"):
        r = httpx.get(server.base + path, headers=headers)
        assert r.status_code in (403, 404), (path, r.status_code)
        seen.append(r.text)
    for path in (f"/team/{exercise}", f"/observe/{exercise}", f"/control/{exercise}", f"/replay/{exercise}",
                 f"/control/dashboard?exercises={exercise}",
                 "/static/../exercise_server/server/settings.py", "/static/%2e%2e/%2e%2e/data/events.sqlite3",
                 "/static/..%2f..%2ftests%2ffixtures%2fmini.yaml", "/basemaps/..%2fmini.geojson",
                 "/basemaps/%2e%2e.geojson"):
        r = httpx.get(server.base + path)
        assert r.status_code in (200, 404), (path, r.status_code)
        seen.append(r.text)
    everything = "\n".join(seen)
    for secret in SECRETS:
        assert secret not in everything, secret
    await fac.close()


async def test_a_forged_role_or_a_foreign_exercise_in_the_hello_gets_nothing(world):
    server, exercise, codes, fac_token, other, other_codes = world
    token = server.join(codes["pol-1"], "Inspector Lee")["token"]
    body, mac = token.split(".")
    import base64
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(role="evaluator", team=None)  # promote oneself without the key
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode() + "." + mac
    foreign = server.join(other_codes["pol-1"], "Elsewhere")["token"]
    for attempt in (forged, foreign, fac_token[:-4] + "AAAA", None, 12345):
        ws = await websockets.connect(f"{server.ws_base}/ws/{exercise}")
        await ws.send(msgpack.packb({"type": "hello", "token": attempt, "last_seq": 0, "view": "evaluator"}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frame = msgpack.unpackb(await ws.recv())
                assert frame["type"] not in ("snapshot", "event"), "something was delivered"
        assert closed.value.rcvd.code == (4404 if attempt is foreign else 4401)  # foreign: as an unknown exercise
    # Asking for the evaluators' view in the hello changes nothing for a real trainee token.
    c = Client(server, exercise, token)
    c.ws = await websockets.connect(c.url)
    await c.ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0, "view": "evaluator",
                                   "role": "facilitator"}))
    await c.until(lambda f: f["type"] == "caught_up")
    assert "SECRET-CONTROL-NOTE" not in json.dumps(c.frames)
    assert c.snapshot["you"]["role"] == "trainee"
    await c.close()


async def test_connections_per_code_are_limited(world):
    server, exercise, codes, *_ = world
    token = server.join(codes["civ-1"], "Ms Civ")["token"]
    tabs = [await Client(server, exercise, token).connect() for _ in range(3)]
    extra = Client(server, exercise, token)
    extra.ws = await websockets.connect(extra.url)
    await extra.ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0}))
    assert await extra.closed() == 4413
    await tabs[0].close()
    again = await Client(server, exercise, token).connect()  # a tab closed: room for one more
    for c in (*tabs[1:], again):
        await c.close()


async def event_of(client: Client, etype: str) -> dict:
    """The first event of `etype` the client received, whether before or after its command's ack."""
    return next((e for e in client.events if e["type"] == etype), None) or await client.event(etype)


async def test_a_sealed_document_cannot_be_read_without_a_logged_opening_by_any_path(world):
    """A recipient of a sensitive document tries snapshot, resume and forwarding; a stranger tries opening it."""
    server, exercise, codes, fac_token, *_ = world
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()
    body = "VICTIM-NAMES-of-the-incident"
    await hum.ok("document.share", title="Protection incident", body=body, share_with=["military"],
                 sensitive=True, location={"type": "Point", "coordinates": [31.377, 4.2]})
    doc_id = (await event_of(hum, "document.shared"))["payload"]["document_id"]
    mil_token = server.join(codes["mil-1"], "Maj. Okafor")["token"]
    pol_token = server.join(codes["pol-1"], "Insp. Lee")["token"]
    seen: list[str] = []
    for token in (mil_token, pol_token):
        for last_seq in (0, 1, 10**6):  # resume from the start, resume, snapshot
            c = await Client(server, exercise, token).connect(last_seq=last_seq)
            seen.append(json.dumps(c.frames))
            await c.close()
    assert body not in "".join(seen) and "31.377" not in "".join(seen)
    assert "Protection incident" in seen[0]  # the military knows it exists, sealed
    mil = await Client(server, exercise, mil_token).connect()
    pol = await Client(server, exercise, pol_token).connect()
    refusal = await mil.command("document.forward", document_id=doc_id, to=["police"])
    assert refusal["type"] == "error" and refusal["code"] == "forbidden"
    refusal = await pol.command("document.open", document_id=doc_id)
    assert refusal["type"] == "error" and refusal["code"] == "not_found"
    await mil.ok("document.open", document_id=doc_id)
    assert (await event_of(mil, "document.accessed"))["payload"]["body"] == body
    owner_copy = await event_of(hum, "document.accessed")
    assert owner_copy["payload"]["name"] == "Maj. Okafor" and "body" not in owner_copy["payload"]
    assert body not in json.dumps(pol.frames)
    for c in (hum, mil, pol):
        await c.close()


async def test_responds_to_is_no_oracle_for_injects_a_team_has_not_received(world):
    """Naming an unreleased, another team's or a missing inject gets the same answer and stores nothing."""
    server, exercise, codes, fac_token, *_ = world
    pol = await Client(server, exercise, server.join(codes["pol-1"], "Insp. Lee")["token"]).connect()
    answers = set()
    for inject in ("I-1", "I-2", "I-3", "I-6", "NO-SUCH-INJECT"):
        answer = await pol.command("room.post", room="team:pol-1", text="probe", responds_to=inject)
        assert answer["type"] == "error", answer
        answers.add((answer["code"], answer["message"].replace(repr(inject), "<id>")))
    assert answers == {("not_found", "no inject <id> in your inbox")}
    assert not any(e["type"] in ("room.message_posted", "inject.responded") for e in pol.events)
    await pol.close()


async def test_an_attachment_reaches_only_those_who_may_read_its_inject(world):
    """I-1 (to the humanitarians) carries a file: no other team, no path trick, nothing before release."""
    server, _, _, _, other, _ = world
    exercise, codes, fac_token = server.open_exercise()
    tokens = {team: server.join(codes[team], f"member of {team}")["token"] for team in ("hum-1", "pol-1")}
    tokens["evaluator"] = server.join(codes["evaluator"], "Dr Evans")["token"]
    path = f"/api/exercises/{exercise}/injects/I-1/attachments/kora-road-assessment.txt"

    def get(url: str, token: str | None) -> httpx.Response:
        return httpx.get(server.base + url, headers={"Authorization": f"Bearer {token}"} if token else {})

    before = get(path, tokens["hum-1"])  # not released yet: only the control cell may read it
    assert before.status_code == 404 and get(path, fac_token).status_code == 200
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("inject.release", inject_id="I-1")
    answers = [before,
               get(path, tokens["pol-1"]),  # another component's team
               get(path.replace("I-1", "I-2"), tokens["hum-1"]),  # an inject it never received
               get(path.replace("I-1", "NO-SUCH"), tokens["hum-1"]),
               get(path.replace("kora-road-assessment.txt", "mini.yaml"), tokens["hum-1"]),
               get(path.replace("kora-road-assessment.txt", "..%2fmini.yaml"), tokens["hum-1"]),
               get(path.replace("kora-road-assessment.txt", "%2e%2e%2f%2e%2e%2fmini.yaml"), fac_token),
               get(path.replace(exercise, other), tokens["hum-1"])]  # another exercise
    assert [r.status_code for r in answers] == [404] * len(answers), [r.text for r in answers]
    assert len({r.text for r in answers[:4]}) == 1  # the same answer whether the inject exists or not
    assert get(path, None).status_code == 403
    for who in ("hum-1", "evaluator"):
        r = get(path, tokens[who])
        assert r.status_code == 200 and "ATTACHMENT-BODY-FOR-HUM-1" in r.text, who
        assert r.headers["content-disposition"].startswith("attachment")
        assert "sandbox" in r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    assert not any("ATTACHMENT-BODY" in r.text for r in answers)
    await fac.close()
