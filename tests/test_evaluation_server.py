"""The evaluators' work from outside (a real server, real sockets): the lead evaluator alone sets final
ratings, the facilitator assigns named evaluators only, pitfalls are ticked like marks and never reach
a trainee."""

from __future__ import annotations

import httpx
import pytest

from .server_harness import MINI, Client, ServerProcess

GUIDED = MINI.parent / "guided.yaml"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def guided_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("guided") / "data", scenarios=(MINI, GUIDED)).start()
    yield s
    s.stop()


def member(server: ServerProcess, lead: str, name: str, role: str) -> tuple[dict, str]:
    """A named member of the control cell and their session token."""
    r = httpx.post(f"{server.base}/api/staff", json={"name": name, "role": role}, headers=bearer(lead))
    assert r.status_code == 201, r.text
    signed = httpx.post(f"{server.base}/api/session/facilitator", json={"secret": r.json()["secret"]})
    return r.json()["member"], signed.json()["token"]


def evaluation(server: ServerProcess, exercise: str, token: str) -> dict:
    r = httpx.get(f"{server.base}/api/exercises/{exercise}/evaluation", headers=bearer(token))
    assert r.status_code == 200, r.text
    return r.json()


def log_length(server: ServerProcess, exercise: str, token: str) -> int:
    r = httpx.get(f"{server.base}/api/exercises/{exercise}/timeline", headers=bearer(token))
    assert r.status_code == 200, r.text
    return int(r.json()["head"])


@pytest.fixture(scope="module")
def cell(guided_server):
    """The lead facilitator, a lead evaluator, a plain evaluator and a controller, by name."""
    lead = guided_server.facilitator_token()
    chief, chief_token = member(guided_server, lead, "Col. Diallo", "evaluator")
    plain, plain_token = member(guided_server, lead, "Ms Berg", "evaluator")
    controller, controller_token = member(guided_server, lead, "Mr Chen", "facilitator")
    r = httpx.post(f"{guided_server.base}/api/staff/{chief['id']}/lead", json={"lead": True}, headers=bearer(lead))
    assert r.status_code == 200 and r.json()["member"]["lead"] is True
    return {
        "lead": lead,
        "chief": (chief, chief_token),
        "plain": (plain, plain_token),
        "controller": (controller, controller_token),
    }


def test_only_an_evaluator_can_be_made_lead_and_only_by_the_lead_facilitator(guided_server, cell):
    controller, controller_token = cell["controller"]
    plain, plain_token = cell["plain"]
    url = f"{guided_server.base}/api/staff/{controller['id']}/lead"
    r = httpx.post(url, json={"lead": True}, headers=bearer(cell["lead"]))
    assert r.status_code == 400 and "only an evaluator" in r.json()["error"]["message"]
    for token in (controller_token, plain_token):  # a named controller or evaluator: as if no such path
        r = httpx.post(f"{guided_server.base}/api/staff/{plain['id']}/lead", json={"lead": True}, headers=bearer(token))
        assert r.status_code == 404
    listed = httpx.get(f"{guided_server.base}/api/staff", headers=bearer(cell["lead"])).json()["members"]
    assert [m["name"] for m in listed if m["lead"]] == ["Col. Diallo"]


async def test_the_final_rating_is_the_lead_evaluators_alone(guided_server, cell):
    exercise, codes, fac_token = guided_server.open_exercise("guided")
    trainee = guided_server.join(codes["hum-1"], "Amina")
    coded_evaluator = guided_server.join(codes["evaluator"], "Dr Evans")  # an evaluator by join code, not named
    url = f"{guided_server.base}/api/exercises/{exercise}/final-ratings"
    rating = {"item": "objective", "item_id": "O5", "rating": "S", "rationale": "Shared the road report late"}
    before = log_length(guided_server, exercise, fac_token)
    refusals = {
        "trainee": bearer(trainee["token"]),
        "plain evaluator": bearer(cell["plain"][1]),
        "evaluator by code": bearer(coded_evaluator["token"]),
        "facilitator": bearer(fac_token),
        "bad token": bearer(cell["chief"][1] + "x"),
        "no token": {},
    }
    for who, headers in refusals.items():
        r = httpx.post(url, json=rating, headers=headers)
        assert r.status_code == 403, (who, r.text)
    assert log_length(guided_server, exercise, fac_token) == before  # nothing recorded
    assert all(i["rating"] is None for i in evaluation(guided_server, exercise, fac_token)["items"])

    r = httpx.post(url, json=rating, headers=bearer(cell["chief"][1]))
    assert r.status_code == 200, r.text
    target = {"item": "target", "item_id": "convoy-warning", "rating": "U", "rationale": "Never told the military"}
    assert httpx.post(url, json=target, headers=bearer(cell["chief"][1])).status_code == 200
    for bad, code in (
        ({**rating, "rating": "X"}, 400),
        ({**rating, "item_id": "O9"}, 404),
        ({**rating, "rationale": ""}, 400),
        ({**target, "item_id": "nope"}, 404),
        (rating, 409),
    ):
        assert httpx.post(url, json=bad, headers=bearer(cell["chief"][1])).status_code == code, bad
    doc = evaluation(guided_server, exercise, cell["plain"][1])  # every evaluator reads it
    rated = {(i["item"], i["id"]): i["rating"] for i in doc["items"]}
    assert rated[("objective", "O5")]["rating"] == "S"
    assert rated[("objective", "O5")]["author"]["name"] == "Col. Diallo"
    assert rated[("target", "convoy-warning")]["rationale"] == "Never told the military"
    assert rated[("objective", "O1")] is None

    # Over the WebSocket, even the lead evaluator is refused: the HTTP API checks the control cell's list.
    chief = await Client(guided_server, exercise, cell["chief"][1]).connect()
    refused = await chief.command("rating.final", item="objective", item_id="O1", rating="P", rationale="x")
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    await chief.close()

    # A lead evaluator the facilitator demotes is refused at once, with the token they hold.
    chief_id = cell["chief"][0]["id"]
    demote = httpx.post(
        f"{guided_server.base}/api/staff/{chief_id}/lead", json={"lead": False}, headers=bearer(cell["lead"])
    )
    assert demote.status_code == 200
    r = httpx.post(url, json={**rating, "rating": "P"}, headers=bearer(cell["chief"][1]))
    assert r.status_code == 403
    httpx.post(f"{guided_server.base}/api/staff/{chief_id}/lead", json={"lead": True}, headers=bearer(cell["lead"]))


async def test_the_facilitator_assigns_named_evaluators_to_teams_of_this_syndicate(guided_server, cell):
    exercise, codes, fac_token = guided_server.open_exercise("guided")
    url = f"{guided_server.base}/api/exercises/{exercise}/evaluators"
    plain = cell["plain"][0]
    r = httpx.post(url, json={"evaluator": plain["id"], "teams": ["hum-1", "mil-1"]}, headers=bearer(fac_token))
    assert r.status_code == 200 and r.json()["assigned"]["teams"] == ["mil-1", "hum-1"]
    controller = cell["controller"][0]
    refused = [
        ({"evaluator": controller["id"], "teams": ["hum-1"]}, bearer(fac_token), 400),  # not an evaluator
        ({"evaluator": "staff-nobody", "teams": ["hum-1"]}, bearer(fac_token), 400),
        ({"evaluator": plain["id"], "teams": ["nope"]}, bearer(fac_token), 404),
        ({"evaluator": plain["id"], "teams": ["hum-1"]}, bearer(cell["plain"][1]), 403),  # an evaluator
        ({"evaluator": plain["id"], "teams": ["hum-1"]}, bearer(guided_server.join(codes["hum-1"], "A")["token"]), 403),
    ]
    for body, headers, status in refused:
        assert httpx.post(url, json=body, headers=headers).status_code == status, body
    assert [(e["name"], e["teams"]) for e in evaluation(guided_server, exercise, fac_token)["evaluators"]] == [
        ("Ms Berg", ["mil-1", "hum-1"])
    ]
    fac = await Client(guided_server, exercise, fac_token).connect()
    forged = await fac.command("evaluator.assign", evaluator="staff-forged", name="Mallory", teams=["hum-1"])
    assert forged["type"] == "error" and forged["code"] == "forbidden"
    assert [e["name"] for e in fac.snapshot["evaluators"]] == ["Ms Berg"]
    await fac.close()


async def test_evaluators_tick_pitfalls_that_trainees_never_see(guided_server, cell):
    exercise, codes, fac_token = guided_server.open_exercise("guided")
    amina = await Client(guided_server, exercise, guided_server.join(codes["hum-1"], "Amina")["token"]).connect()
    berg = await Client(guided_server, exercise, cell["plain"][1]).connect()
    assert [p["id"] for p in berg.snapshot["evaluation_guide"]["pitfalls"]] == ["pf-escort"]
    assert "evaluation_guide" not in amina.snapshot and "pitfall_ticks" not in amina.snapshot
    await berg.ok("pitfall.tick", pitfall="pf-escort", team="hum-1", note="asked for an escort at once")
    for fields, code in (
        ({"pitfall": "nope", "team": "hum-1"}, "not_found"),
        ({"pitfall": "pf-escort", "team": "mil-1"}, "invalid"),
        ({"pitfall": "pf-escort", "team": "hum-1", "ticked": "yes"}, "invalid"),
        ({"pitfall": "pf-escort", "team": "hum-1", "note": "asked for an escort at once"}, "conflict"),
    ):
        answer = await berg.command("pitfall.tick", **fields)
        assert answer["type"] == "error" and answer["code"] == code, (fields, answer)
    refused = await amina.command("pitfall.tick", pitfall="pf-escort", team="hum-1")
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    await amina.ok("room.post", room="joint", text="after the tick")
    assert "pitfall.ticked" not in [e["type"] for e in amina.events]
    again = await Client(guided_server, exercise, cell["plain"][1]).connect()
    assert [(t["pitfall"], t["team"], t["ticked"]) for t in again.snapshot["pitfall_ticks"]] == [
        ("pf-escort", "hum-1", True)
    ]
    for c in (amina, berg, again):
        await c.close()


def test_the_improvement_plan_is_edited_downloaded_as_xlsx_and_csv_and_uploaded_back(guided_server, cell):
    from exercise_server.improvement_files import read_plan

    exercise, codes, fac_token = guided_server.open_exercise("guided")
    base = f"{guided_server.base}/api/exercises/{exercise}/improvement-plan"
    row = {"scope": "participants", "objective": "O5", "text": "Information reaches the military late",
           "root_cause": "No liaison routine", "owner": "Sector West", "due": "2027-02-01"}
    assert httpx.post(base, json=row, headers=bearer(cell["chief"][1])).status_code == 200
    course = {"scope": "course", "text": "Move I-4 later"}
    assert httpx.post(base, json=course, headers=bearer(fac_token)).status_code == 200
    trainee = guided_server.join(codes["hum-1"], "Amina")["token"]
    for token in (cell["plain"][1], trainee, "forged"):
        assert httpx.post(base, json=course, headers=bearer(token)).status_code == 403
    assert httpx.get(base, headers=bearer(trainee)).status_code == 403
    listed = httpx.get(base, headers=bearer(cell["plain"][1])).json()["findings"]
    assert [(f["finding"], f["scope"]) for f in listed] == [("IP-1", "participants"), ("CL-1", "course")]

    xlsx = httpx.get(f"{base}.xlsx", headers=bearer(fac_token))
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    csv_file = httpx.get(f"{base}.csv", headers=bearer(fac_token))
    assert read_plan("plan.csv", csv_file.content) == read_plan("plan.xlsx", xlsx.content)
    upload = f"{base}.xlsx?name=plan.xlsx"
    same = httpx.post(upload, content=xlsx.content, headers=bearer(fac_token))
    assert same.status_code == 200 and same.json()["written"] == 0  # unchanged: nothing written

    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Status") + 1, value="complete")
    sheet.cell(row=3, column=header.index("Due") + 1, value="next week")  # a bad row: nothing is written
    bad = io.BytesIO()
    book.save(bad)
    refused = httpx.post(upload, content=bad.getvalue(), headers=bearer(fac_token))
    assert refused.status_code == 400 and "row 3" in refused.json()["error"]["message"]
    assert [f["status"] for f in httpx.get(base, headers=bearer(fac_token)).json()["findings"]] == ["open", "open"]
    sheet.cell(row=3, column=header.index("Due") + 1, value="")
    good = io.BytesIO()
    book.save(good)
    assert httpx.post(upload, content=good.getvalue(), headers=bearer(fac_token)).json()["written"] == 1
    assert [f["status"] for f in httpx.get(base, headers=bearer(fac_token)).json()["findings"]] == ["complete", "open"]
    assert httpx.post(upload, content=b"not a workbook", headers=bearer(fac_token)).status_code == 400
