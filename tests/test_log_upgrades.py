"""A log written by an earlier server still loads after an upgrade: from the store on restart and
from an exported file on import. The requests recorded before the last-resort criteria existed
(rfa.submitted with `justification` and `last_resort`; rfa.responded without conditions) read in
today's form, with what was written kept and what was not asked shown as not answered."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

import httpx

from exercise_server import report
from exercise_server.core import events as ev
from exercise_server.core.log_upgrades import NOT_ASKED, upgraded
from exercise_server.export import read_jsonl, write_jsonl

from .request_fields import CONDITIONS, request
from .server_harness import Client, ServerProcess

JUSTIFICATION = "Bridge at Kora is down; 4,000 people cut off from food distribution"
LAST_RESORT = "WFP trucks cannot cross; no civilian airlift in the country this week"


def older(event: ev.Event) -> ev.Event:
    """The event as the server before 2026-12-07 recorded it."""
    p = event.payload
    if event.type == ev.RFA_SUBMITTED:
        old = {"rfa_id": p["rfa_id"], "team": p["team"], "asset": "airlift", "justification": JUSTIFICATION,
               "last_resort": LAST_RESORT, "location": p["location"], "time_limit": p["time_limit"]}
        return dataclasses.replace(event, payload=old)
    if event.type == ev.RFA_RESPONDED:
        return dataclasses.replace(event, payload={k: v for k, v in p.items() if k != "conditions"})
    return event


def test_an_older_request_reads_in_todays_form_and_todays_is_left_alone():
    old = {"rfa_id": "RFA-1", "team": "hum-1", "asset": "airlift", "justification": JUSTIFICATION,
           "last_resort": LAST_RESORT, "location": {"type": "Point", "coordinates": [31.2, 4.6]}, "time_limit": 600.0}
    new = upgraded(ev.RFA_SUBMITTED, old)
    assert ev.payload_problem(ev.RFA_SUBMITTED, old) and not ev.payload_problem(ev.RFA_SUBMITTED, new)
    assert new["need"] == JUSTIFICATION and new["alternatives"] == [{"option": NOT_ASKED, "why_not": LAST_RESORT}]
    assert new["asset"] == "air" and new["route"] == "direct" and new["to_military"] and new["support"] == NOT_ASKED
    assert new["until"] is None  # not asked then: shown as not answered, not as an invented time
    assert upgraded(ev.RFA_SUBMITTED, new) is new  # today's payload is not touched
    responded = {"rfa_id": "RFA-1", "team": "mil-1", "decision": "decline", "reason": "No aircraft"}
    assert upgraded(ev.RFA_RESPONDED, responded)["conditions"] == {}
    assert upgraded(ev.ROOM_MESSAGE_POSTED, responded) is responded


def play(server: ServerProcess) -> str:
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina (OCHA)")["token"]).connect()
        mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
        await fac.ok("clock.start")
        await hum.ok("rfa.submit", **request())
        rid = (await mil.event("rfa.submitted"))["payload"]["rfa_id"]
        await mil.ok("rfa.respond", rfa_id=rid, decision="accept", conditions=CONDITIONS)
        await hum.event("rfa.responded")
        for c in (fac, hum, mil):
            await c.close()

    asyncio.run(act())
    return exercise


def rewrite_as_older(data_dir: Path, exercise: str) -> None:
    """Put the request's events back in the store as the earlier server wrote them."""
    db = sqlite3.connect(data_dir / "events.sqlite3")
    try:
        rows = db.execute("SELECT seq, data FROM events WHERE exercise = ? AND type LIKE 'rfa.%'", (exercise,))
        for seq, data in list(rows):
            db.execute("UPDATE events SET data = ? WHERE exercise = ? AND seq = ?",
                       (ev.encode_event(older(ev.decode_event(data))), exercise, seq))
        db.commit()
    finally:
        db.close()


def test_an_older_servers_log_loads_on_restart_and_imports_from_its_export(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    try:
        exercise = play(server)
    finally:
        server.stop()
    rewrite_as_older(data, exercise)
    stored = sqlite3.connect(data / "events.sqlite3").execute(
        "SELECT data FROM events WHERE exercise = ? AND type = 'rfa.submitted'", (exercise,)).fetchone()[0]
    assert b"justification" in stored  # the store holds the older form; nothing rewrote it

    server = ServerProcess(data).start()  # the upgraded server folds the older log at start-up
    try:
        auth = {"Authorization": f"Bearer {server.facilitator_token()}"}
        state = httpx.get(f"{server.base}/api/exercises/{exercise}/replay", params={"view": "control"},
                          headers=auth).json()["state"]
        (rfa,) = state["rfas"]
        assert rfa["need"] == JUSTIFICATION and rfa["status"] == "accepted" and rfa["asset"] == "air"
        html = httpx.get(f"{server.base}/api/exercises/{exercise}/report", headers=auth)
        assert html.status_code == 200 and JUSTIFICATION in html.text
    finally:
        server.stop()

    events = [older(e) for e in read_log(data, exercise)]  # an export from the earlier server
    exported = tmp_path / "old.jsonl"
    with open(exported, "w", encoding="utf-8") as out:
        write_jsonl(events, out)
    assert "justification" in exported.read_text()
    with open(exported, encoding="utf-8") as f:
        imported = read_jsonl(f, str(exported))
    submitted = next(e for e in imported if e.type == ev.RFA_SUBMITTED)
    assert submitted.payload["need"] == JUSTIFICATION
    assert JUSTIFICATION in report.render(imported)


def read_log(data_dir: Path, exercise: str) -> list[ev.Event]:
    db = sqlite3.connect(data_dir / "events.sqlite3")
    try:
        rows = db.execute("SELECT data FROM events WHERE exercise = ? ORDER BY seq", (exercise,))
        return [ev.decode_event(data) for (data,) in rows]
    finally:
        db.close()
