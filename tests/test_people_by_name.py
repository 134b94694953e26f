"""People by name, from outside (a real server, real sockets): the roster and its CSV, joining by
name or personal code, moving a trainee, the control cell's named members, attendance and certificates."""

from __future__ import annotations

import csv
import io

import httpx
import msgpack
import websockets

from exercise_server.server.staff import Staff

from .server_harness import Client, ServerProcess


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refused_hello(server: ServerProcess, exercise: str, token: str) -> int:
    c = Client(server, exercise, token)
    c.ws = await websockets.connect(c.url)
    await c.ws.send(msgpack.packb({"type": "hello", "token": token, "last_seq": 0}))
    return await c.closed()


def add_member(server: ServerProcess, lead: str, name: str, role: str = "facilitator") -> tuple[dict, str]:
    r = httpx.post(f"{server.base}/api/staff", json={"name": name, "role": role}, headers=bearer(lead))
    assert r.status_code == 201, r.text
    return r.json()["member"], r.json()["secret"]


def sign_in(server: ServerProcess, secret: str) -> httpx.Response:
    return httpx.post(f"{server.base}/api/session/facilitator", json={"secret": secret})


def team_room(snapshot: dict, team: str) -> str:
    return next(r["id"] for r in snapshot["rooms"].values() if r["kind"] == "team" and team in r["id"])


def test_a_roster_csv_with_bad_rows_lists_every_problem_and_adds_nobody(server):
    exercise, _, lead = server.open_exercise()
    roster = f"{server.base}/api/exercises/{exercise}/roster"
    bad = "name,team,email\nAmina Diallo,hum-1,amina@example.org\n,mil-1\nBo Chen,navy-9\nCy,Police syndicate,not-an-email\n"
    r = httpx.post(roster, json={"csv": bad}, headers=bearer(lead))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    problems = r.json()["problems"]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"], problems
    assert "no team 'navy-9'" in problems[1] and "not an email" in problems[2]
    assert httpx.get(roster, headers=bearer(lead)).json()["roster"] == []
    # The same file fixed goes in whole; a team is named by its id or its name, in any case.
    good = "name,team,email\nAmina Diallo,hum-1,amina@example.org\nBo Chen,military syndicate\n"
    added = httpx.post(roster, json={"csv": good}, headers=bearer(lead))
    assert added.status_code == 201, added.text
    rows = added.json()["roster"]
    assert [(p["name"], p["team"], p["email"]) for p in rows] == [
        ("Amina Diallo", "hum-1", "amina@example.org"),
        ("Bo Chen", "mil-1", ""),
    ]
    assert len({p["code"] for p in rows}) == 2


async def test_people_join_by_name_from_the_roster_or_a_personal_code_and_attend(server):
    exercise, codes, lead = server.open_exercise()
    people = [
        {"name": "Amina Diallo", "team": "hum-1", "email": "amina@example.org"},
        {"name": "Bo Chen", "team": "mil-1"},
    ]
    rows = httpx.post(f"{server.base}/api/exercises/{exercise}/roster", json={"people": people}, headers=bearer(lead))
    amina_entry, bo_entry = rows.json()["roster"]
    # The team code offers its team's names; a personal code names its holder.
    names = httpx.post(f"{server.base}/api/join/names", json={"code": codes["hum-1"]}).json()
    assert names == {
        "personal": False,
        "team": "hum-1",
        "names": [{"person": amina_entry["person"], "name": "Amina Diallo"}],
    }
    amina = httpx.post(f"{server.base}/api/join", json={"code": codes["hum-1"], "person": amina_entry["person"]}).json()
    assert amina["team"] == "hum-1"
    wrong_team = httpx.post(f"{server.base}/api/join", json={"code": codes["hum-1"], "person": bo_entry["person"]})
    assert wrong_team.status_code == 404
    bo = httpx.post(f"{server.base}/api/join", json={"code": bo_entry["code"].lower(), "name": "ignored"}).json()
    assert (bo["team"], bo["role"]) == ("mil-1", "trainee")
    typed = server.join(codes["mil-1"], "Walk-in")  # a team code still takes a typed name
    fac = await Client(server, exercise, lead).connect()
    joined = {p["name"]: p for p in fac.snapshot["participants"]}
    assert set(joined) == {"Amina Diallo", "Bo Chen", "Walk-in"}
    walk_in = await Client(server, exercise, typed["token"]).connect()
    await fac.ok("inject.release", inject_id="I-3")  # to the joint room: every team
    await walk_in.ok("room.post", room=team_room(walk_in.snapshot, "mil-1"), text="before Bo came")
    # Bo connects late: caught up in his team (the inject released, his team room's history).
    bob = await Client(server, exercise, bo["token"]).connect()
    assert bob.snapshot["you"]["name"] == "Bo Chen"
    assert [r["inject"]["id"] for r in bob.snapshot["injects"]] == ["I-3"]
    assert [m["text"] for m in bob.snapshot["rooms"][team_room(bob.snapshot, "mil-1")]["messages"]] == [
        "before Bo came"
    ]
    await bob.ok("room.post", room=team_room(bob.snapshot, "mil-1"), text="here")
    await fac.ok("exercise.end")
    r = httpx.get(f"{server.base}/api/exercises/{exercise}/attendance.csv", headers=bearer(lead))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == [
        "exercise",
        "title",
        "syndicate",
        "name",
        "email",
        "role",
        "team",
        "team_name",
        "from",
        "to",
        "last_active",
    ]
    by_name = {row["name"]: row for row in table}
    assert by_name["Amina Diallo"]["email"] == "amina@example.org" and by_name["Amina Diallo"]["team"] == "hum-1"
    assert by_name["Bo Chen"]["last_active"] and by_name["Bo Chen"]["to"] >= by_name["Bo Chen"]["from"]
    assert by_name["Walk-in"]["team_name"] == "Military syndicate" and by_name["Walk-in"]["syndicate"] == ""
    certs = httpx.get(f"{server.base}/api/exercises/{exercise}/certificates", headers=bearer(lead)).json()
    assert [p["name"] for p in certs["people"]] == ["Amina Diallo", "Bo Chen", "Walk-in"]
    assert certs["people"][0]["modules"] == ["Mini exercise"]  # no centre.toml: the exercises attended
    for c in (fac, bob, walk_in):
        await c.close()


async def test_a_moved_trainee_sees_the_new_teams_history_and_not_the_old_teams_new_messages(server):
    exercise, codes, lead = server.open_exercise()
    fac = await Client(server, exercise, lead).connect()
    kofi = server.join(codes["mil-1"], "Kofi")
    mate = server.join(codes["mil-1"], "Mil mate")
    hana = server.join(codes["hum-1"], "Hana")
    his = await Client(server, exercise, kofi["token"]).connect()
    old_mate = await Client(server, exercise, mate["token"]).connect()
    new_mate = await Client(server, exercise, hana["token"]).connect()
    hum_room, mil_room = team_room(new_mate.snapshot, "hum-1"), team_room(old_mate.snapshot, "mil-1")
    await new_mate.ok("room.post", room=hum_room, text="humanitarian history")

    await fac.ok("participant.move", participant=kofi["participant"], team="hum-1")
    assert await his.closed() == 4412
    assert (await new_mate.event("participant.moved"))["payload"]["to"] == "hum-1"
    assert (await old_mate.event("participant.moved"))["payload"]["from"] == "mil-1"
    # Same token, reconnecting from scratch: the new team's snapshot, with its history.
    again = await Client(server, exercise, kofi["token"]).connect(last_seq=0)
    assert again.snapshot["you"]["team"] == "hum-1" and again.snapshot["you"]["component"] == "humanitarian"
    assert hum_room in again.snapshot["rooms"] and mil_room not in again.snapshot["rooms"]
    assert [m["text"] for m in again.snapshot["rooms"][hum_room]["messages"]] == ["humanitarian history"]
    await old_mate.ok("room.post", room=mil_room, text="military only")
    await new_mate.ok("room.post", room=hum_room, text="welcome")
    got = await again.event("room.message_posted")
    assert got["payload"]["text"] == "welcome"  # the old team's new message never came first
    assert not any(e["type"] == "room.message_posted" and e["payload"]["room"] == mil_room for e in again.events)
    refused = await again.command("room.post", room=mil_room, text="back to my old team")
    assert refused["type"] == "error" and refused["code"] == "not_found"
    await again.ok("room.post", room=hum_room, text="I am with you now")
    for c in (fac, old_mate, new_mate, again):
        await c.close()


async def test_a_removed_persons_token_is_refused_everywhere_while_the_team_code_still_joins(server):
    exercise, codes, lead = server.open_exercise()
    fac = await Client(server, exercise, lead).connect()
    amina = server.join(codes["hum-1"], "Amina")
    evans = server.join(codes["evaluator"], "Dr Evans")
    her = await Client(server, exercise, amina["token"]).connect()
    await fac.ok("inject.release", inject_id="I-1")
    attachment = f"{server.base}/api/exercises/{exercise}/injects/I-1/attachments/kora-road-assessment.txt"
    await fac.ok("participant.remove", participant=amina["participant"])
    await fac.ok("participant.remove", participant=evans["participant"])
    assert await her.closed() == 4410
    assert await refused_hello(server, exercise, amina["token"]) == 4410
    assert httpx.get(attachment, headers=bearer(amina["token"])).status_code == 403
    for path in ("replay", "timeline", "report"):
        r = httpx.get(f"{server.base}/api/exercises/{exercise}/{path}", headers=bearer(evans["token"]))
        assert r.status_code == 403, path
    again = server.join(codes["hum-1"], "Bea")  # the team's code still joins
    bea = await Client(server, exercise, again["token"]).connect()
    assert httpx.get(attachment, headers=bearer(again["token"])).status_code == 200
    for c in (fac, bea):
        await c.close()


def test_trainees_evaluators_and_controllers_get_the_same_404_as_an_unknown_path(server):
    exercise, codes, lead = server.open_exercise()
    trainee = server.join(codes["mil-1"], "Trainee")["token"]
    evaluator = server.join(codes["evaluator"], "Evaluator")["token"]
    _, secret = add_member(server, lead, "Controller Cruz")
    controller = sign_in(server, secret).json()["token"]
    unknown = httpx.get(f"{server.base}/api/no-such-thing", headers=bearer(trainee))
    x = f"{server.base}/api/exercises/{exercise}"
    control_only = [
        ("GET", f"{x}/roster", None),
        ("POST", f"{x}/roster", {"people": [{"name": "Spy", "team": "mil-1"}]}),
        ("POST", f"{x}/roster/r-1/remove", {}),
        ("POST", f"{x}/participants/p-x/move", {"team": "hum-1"}),
        ("GET", f"{x}/attendance.csv", None),
        ("GET", f"{server.base}/api/attendance.csv", None),
        ("GET", f"{x}/certificates", None),
        ("GET", f"{server.base}/api/certificates", None),
    ]
    lead_only = [
        ("GET", f"{server.base}/api/staff", None),
        ("POST", f"{server.base}/api/staff", {"name": "Mallory", "role": "facilitator"}),
        ("POST", f"{server.base}/api/staff/staff-0/remove", {}),
    ]
    for who, token, endpoints in [
        ("trainee", trainee, control_only + lead_only),
        ("evaluator", evaluator, control_only + lead_only),
        ("nobody", "", control_only + lead_only),
        ("controller", controller, lead_only),
    ]:
        for method, url, body in endpoints:
            r = httpx.request(method, url, json=body, headers=bearer(token) if token else {})
            assert (r.status_code, r.text) == (unknown.status_code, unknown.text), (who, method, url)
    assert httpx.get(f"{x}/roster", headers=bearer(controller)).status_code == 200  # a controller keeps the roster
    assert httpx.get(f"{x}/roster", headers=bearer(lead)).json()["roster"] == []


async def test_a_named_controllers_release_names_them_and_once_removed_they_cannot_act(server):
    exercise, _, lead = server.open_exercise()
    member, secret = add_member(server, lead, "Amina Okafor")
    signed = sign_in(server, secret)
    assert signed.status_code == 200 and signed.json()["name"] == "Amina Okafor" and not signed.json()["lead"]
    token = signed.json()["token"]
    listed = httpx.get(f"{server.base}/api/staff", headers=bearer(lead)).json()["members"]
    mine = next(m for m in listed if m["id"] == member["id"])
    assert (mine["name"], mine["role"]) == ("Amina Okafor", "facilitator") and "digest" not in mine
    staff_file = (server.data_dir / "staff.json").read_text()
    assert secret not in staff_file and "Amina Okafor" in staff_file  # kept hashed
    amina = await Client(server, exercise, token).connect()
    watcher = await Client(server, exercise, lead).connect()
    await amina.ok("inject.release", inject_id="I-1")
    released = await watcher.event("inject.released")
    assert released["actor"]["name"] == "Amina Okafor" and released["actor"]["participant"] == member["id"]
    fresh = await Client(server, exercise, lead).connect()
    row = next(r for r in fresh.snapshot["injects"] if r["inject"]["id"] == "I-1")
    assert row["released_by"] == "Amina Okafor"
    report = httpx.get(f"{server.base}/api/exercises/{exercise}/report", headers=bearer(lead))
    assert "released by Amina Okafor" in report.text
    await fresh.close()
    # Removed by the lead: signed out at once, everywhere.
    r = httpx.post(f"{server.base}/api/staff/{member['id']}/remove", headers=bearer(lead))
    assert r.status_code == 200
    assert await amina.closed() == 4410
    assert await refused_hello(server, exercise, token) == 4410
    assert httpx.get(f"{server.base}/api/exercises", headers=bearer(token)).status_code == 403
    assert (
        httpx.post(
            f"{server.base}/api/exercises/{exercise}/roster", json={"people": []}, headers=bearer(token)
        ).status_code
        == 404
    )
    assert sign_in(server, secret).status_code == 403
    await watcher.close()


def test_a_named_evaluator_signs_in_with_their_own_secret_and_observes_any_exercise(server):
    lead = server.facilitator_token()
    _, secret = add_member(server, lead, "Dr Evans", "evaluator")
    signed = sign_in(server, secret)
    assert signed.status_code == 200 and signed.json()["role"] == "evaluator"
    token = signed.json()["token"]
    assert httpx.get(f"{server.base}/api/exercises", headers=bearer(token)).status_code == 200
    assert httpx.get(f"{server.base}/api/scenarios", headers=bearer(token)).status_code == 403


def test_the_control_cell_is_kept_hashed_and_lasts_across_restarts(tmp_path):
    """What a restarted server reads: the same file (staff.py), by a new Staff."""
    path = tmp_path / "staff.json"
    member, secret = Staff(path).add("Amina Okafor", "facilitator")
    assert secret not in path.read_text()
    again = Staff(path)
    assert again.by_secret(secret) == member and again.by_secret(secret + "x") is None
    again.remove(member.id)
    assert Staff(path).by_secret(secret) is None


def test_certificates_carry_the_centres_details_from_its_file_and_a_broken_file_is_named(server):
    exercise, codes, lead = server.open_exercise()
    server.join(codes["pol-1"], "Insp. Clara Mbeki")
    centre = server.data_dir / "centre.toml"
    (server.data_dir / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    url = f"{server.base}/api/exercises/{exercise}/certificates"
    try:
        centre.write_text(
            '[centre]\nname = "Peace Operations Training Centre"\nlogo = "logo.svg"\n'
            '[course]\ntitle = "CIMIC in UN peacekeeping"\ndates = "3-7 March 2027"\nmodules = ["Module 3", "Module 6"]\n'
            '[signature]\nname = "Col. A. Mensah"\ntitle = "Commandant"\n'
        )
        answer = httpx.get(url, headers=bearer(lead)).json()
        assert answer["centre"]["name"] == "Peace Operations Training Centre"
        assert answer["centre"]["logo"].startswith("data:image/svg+xml;base64,")
        assert (answer["centre"]["course"], answer["centre"]["signatory"]) == (
            "CIMIC in UN peacekeeping",
            "Col. A. Mensah",
        )
        assert answer["people"] == [
            {
                "name": "Insp. Clara Mbeki",
                "modules": ["Module 3", "Module 6"],
                "from": answer["people"][0]["from"],
                "to": answer["people"][0]["to"],
            }
        ]
        centre.write_text('[course]\nmodules = "not a list"\n')
        broken = httpx.get(url, headers=bearer(lead))
        assert broken.status_code == 400 and "modules must be a list" in broken.json()["error"]["message"]
    finally:
        centre.unlink(missing_ok=True)
