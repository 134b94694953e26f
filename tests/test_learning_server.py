"""Knowledge checks end to end: trainees answer over a real WebSocket; only the control cell (the
facilitator and evaluators) sees the answers, live, in a snapshot, in the metrics and the report."""

from __future__ import annotations

import httpx
import pytest

from .server_harness import Client, ServerProcess
from .test_learning import CAPSTONE, RIGHT


@pytest.fixture
def server(tmp_path):
    s = ServerProcess(tmp_path / "data", scenarios=(CAPSTONE,)).start()
    yield s
    s.stop()


async def test_answers_reach_the_control_cell_only_and_the_report_scores_them(server):
    exercise, codes, fac_token = server.open_exercise("tamsa-river-crisis")
    hum_token = server.join(codes["hum-1"], "Ms Aid")["token"]
    mate_token = server.join(codes["hum-1"], "Mr Mate")["token"]
    mil_token = server.join(codes["mil-1"], "Maj Lee")["token"]
    eval_token = server.join(codes["evaluator"], "Dr Evans")["token"]
    hum, mate, mil = [await Client(server, exercise, t).connect() for t in (hum_token, mate_token, mil_token)]
    evaluator = await Client(server, exercise, eval_token).connect()
    check = hum.snapshot["scenario"]["learning"]["check"]
    assert [q["id"] for q in check] == ["k1", "k2", "k3", "k4"]
    assert all("answer" not in q and "accept" not in q for q in check)  # the trainee never gets the key
    assert evaluator.snapshot["scenario"]["learning"]["check"][0]["answer"] == 1

    await hum.ok("learning.answer", form="pre", answers={"k1": 0, "k2": 1, "k4": "SECRET-ANSWER neutrality"})
    seen = await evaluator.event("learning.answered")
    assert seen["payload"]["answers"]["k4"] == "SECRET-ANSWER neutrality" and seen["payload"]["name"] == "Ms Aid"
    again = await hum.command("learning.answer", form="pre", answers={"k1": 1})
    assert again["type"] == "error" and again["code"] == "conflict"
    wrong = await mil.command("learning.answer", form="pre", answers={"k1": 7})
    assert wrong["type"] == "error" and wrong["code"] == "invalid"
    refused = await evaluator.command("learning.answer", form="pre", answers={"k1": 1})
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    await mil.ok("learning.answer", form="post", answers=RIGHT)
    await evaluator.event("learning.answered")

    # Nobody but the control cell saw them: not the answering trainee's teammate, not another team.
    marker = await hum.ok("room.post", room="joint", text="after the answers")  # every trainee gets this
    for trainee in (hum, mate, mil):
        if not any(e["type"] == "room.message_posted" for e in trainee.events):
            await trainee.event("room.message_posted")
        assert not any(e["type"] == "learning.answered" for e in trainee.events)
        assert "SECRET-ANSWER" not in repr(trainee.frames)
    assert marker["type"] == "ack"
    fresh = await Client(server, exercise, mate_token).connect(last_seq=0)
    assert "learning_answers" not in fresh.snapshot and "SECRET-ANSWER" not in repr(fresh.frames)
    fresh_eval = await Client(server, exercise, eval_token).connect(last_seq=0)
    assert [a["form"] for a in fresh_eval.snapshot["learning_answers"]] == ["pre", "post"]

    # The metrics and the report: the control cell's, a trainee's token is refused.
    for path in ("metrics", "report"):
        url = f"{server.base}/api/exercises/{exercise}/{path}"
        assert httpx.get(url, headers={"Authorization": f"Bearer {hum_token}"}).status_code in (403, 404)
    metrics = httpx.get(f"{server.base}/api/exercises/{exercise}/metrics",
                        headers={"Authorization": f"Bearer {eval_token}"}).json()
    people = {p["name"]: p for p in metrics["learning"]["participants"]}
    assert (people["Ms Aid"]["pre"], people["Maj Lee"]["post"]) == (50, 100)
    html = httpx.get(f"{server.base}/api/exercises/{exercise}/report",
                     headers={"Authorization": f"Bearer {fac_token}"}).text
    assert 'id="learning-participants"' in html and "Ms Aid" in html
    for c in (hum, mate, mil, evaluator, fresh, fresh_eval):
        await c.close()
