"""Branching end to end, over a real WebSocket: a branch fires once, on its condition, is recorded for
the control cell only, and a restarted server (folding the stored log) shows and does the same."""

from __future__ import annotations

from .server_harness import Client, ServerProcess
from .test_branches import ANSWERS, BRANCHING, REQUEST_FIELDS


async def request(hum: Client, mil: Client, outcome: str, responds_to: str | None = None) -> str:
    """The one place this module submits a request for assistance and has the military answer it."""
    extra = {"responds_to": responds_to} if responds_to else {}
    await hum.ok("rfa.submit", **REQUEST_FIELDS, **extra)
    rfa_id = (await mil.event("rfa.submitted"))["payload"]["rfa_id"]
    await mil.ok("rfa.respond", rfa_id=rfa_id, **ANSWERS[outcome])
    return rfa_id


def released(client: Client) -> list[str]:
    return [e["payload"]["inject"]["id"] for e in client.events if e["type"] == "inject.released"]


async def test_branches_fire_once_for_the_control_cell_and_survive_a_restart(tmp_path, servers):
    data = tmp_path / "data"
    server = ServerProcess(data, scenarios=(BRANCHING,)).start()
    servers.append(server)
    exercise, codes, fac_token = server.open_exercise("branching")
    fac = await Client(server, exercise, fac_token).connect()
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Ms Aid")["token"]).connect()
    mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj Lee")["token"]).connect()
    await fac.ok("clock.start")
    await fac.ok("clock.jump", to="+0:06")
    await hum.event("inject.released")  # B-1
    accepted = await request(hum, mil, "accepted", responds_to="B-1")
    declined = await request(hum, mil, "declined")
    await fac.ok("clock.jump", to="+0:45")
    await fac.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                    and f["event"]["payload"]["inject"]["id"] == "B-7a")
    records = {e["payload"]["inject_id"]: e for e in fac.events if e["type"] == "inject.branched"}
    assert records["B-7a"]["payload"]["instead_of"] == "B-7"
    assert records["B-7a"]["payload"]["cause"]["ref"] == accepted
    assert records["B-2"]["payload"]["cause"]["ref"] == declined
    assert "B-7" not in released(fac)
    # Each record comes just before the release it explains.
    seqs = {e["payload"]["inject"]["id"]: e["seq"] for e in fac.events if e["type"] == "inject.released"}
    assert all(seqs[iid] == record["seq"] + 1 for iid, record in records.items())
    await hum.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                    and f["event"]["payload"]["inject"]["id"] == "B-7a")
    assert not any(e["type"] == "inject.branched" for e in hum.events + mil.events)
    head = fac.last_seq

    server.stop()
    server = ServerProcess(data, scenarios=(BRANCHING,)).start()
    servers.append(server)
    again = await Client(server, exercise, fac_token).connect(last_seq=0)  # a fresh snapshot of the stored log
    rows = {row["inject"]["id"]: row for row in again.snapshot["injects"]}
    assert rows["B-7"]["status"] == "replaced" and rows["B-7"]["branch"] == records["B-7a"]["payload"]
    assert rows["B-7a"]["status"] == "released" and rows["B-2"]["branch"] == records["B-2"]["payload"]
    assert "branch" not in str(
        (await Client(server, exercise, hum.token).connect(last_seq=0)).snapshot["injects"])
    await again.ok("clock.jump", to="+1:30")
    await again.ok("room.post", room="plenary", text="after the jump")
    assert not [e for e in again.events if e["type"] in ("inject.released", "inject.branched") and e["seq"] > head]
    for c in (fac, hum, mil, again):
        await c.close()
