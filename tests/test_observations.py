"""Evaluators' observations and expected-action marks: recorded as control-only events, refused
when malformed, and never seen by trainees (live, on resume, or in a snapshot)."""

from __future__ import annotations

import json

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError

from .core_harness import CIV, EVAL, FAC, HUM, MIL, POL, CoreRun
from .server_harness import Client, ServerProcess

TEAMS = (MIL, POL, HUM, CIV)


def evaluated_exercise() -> CoreRun:
    """I-1 (to the humanitarians, one expected action) released and acknowledged, then evaluated."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.advance(300)
    run.cmd(HUM, "inject.ack", inject_id="I-1")
    run.cmd(EVAL, "observation.record", text="OBSERVATION-TEXT: the access constraint was shared at once",
            rating=4, objective="O5", inject_id="I-1", team="hum-1", recommendation="RECOMMENDATION-TEXT")
    run.cmd(EVAL, "expectation.mark", inject_id="I-1", team="hum-1", action=0, status="partly",
            note="MARK-NOTE: shared, but only in the team room")
    return run


def test_an_observation_is_stamped_with_the_exercise_time_and_kept_for_the_control_cell():
    run = evaluated_exercise()
    event = next(e for e in run.log if e.type == ev.OBSERVATION_RECORDED)
    assert event.audience == ev.CONTROL_CELL
    assert event.ex_time == 300.0 and event.actor.role == "evaluator"
    assert event.payload == {"observation": "OBS-1",
                             "text": "OBSERVATION-TEXT: the access constraint was shared at once",
                             "rating": 4, "objective": "O5", "inject_id": "I-1", "team": "hum-1",
                             "recommendation": "RECOMMENDATION-TEXT"}
    [row] = run.state.snapshot(EVAL)["observations"]
    assert row["id"] == "OBS-1" and row["ex_time"] == 300.0 and row["author"]["name"] == "Evaluator"
    assert run.state.snapshot(FAC)["observations"] == [row]


def test_the_checklist_lists_each_expected_action_per_addressed_team_with_its_latest_mark():
    run = evaluated_exercise()
    run.advance(300)  # I-2 and I-4 follow; neither lists expected actions
    assert run.released_ids() == ["I-1", "I-2", "I-4"]
    [item] = run.state.checklist()
    assert (item["inject_id"], item["team"], item["action"], item["status"]) == ("I-1", "hum-1", 0, "partly")
    assert item["text"] == "Share the access constraint in the joint room"
    run.cmd(EVAL, "expectation.mark", inject_id="I-1", team="hum-1", action=0, status="met")
    [item] = run.state.checklist()
    assert item["status"] == "met" and item["mark"]["note"] is None


def test_trainees_never_see_observations_or_marks():
    run = evaluated_exercise()
    for team in TEAMS:
        frames = [f for e in run.log if (f := event_for_view(team.view, e)) is not None]
        text = json.dumps(frames) + json.dumps(run.state.snapshot(team))
        for secret in ("OBSERVATION-TEXT", "RECOMMENDATION-TEXT", "MARK-NOTE", "observation", "expectation",
                       "rating"):
            assert secret not in text, (team.team, secret)
    evaluator_text = json.dumps([event_for_view(EVAL.view, e) for e in run.log])
    assert "OBSERVATION-TEXT" in evaluator_text and "MARK-NOTE" in evaluator_text


def test_trainees_may_not_record_observations_or_mark_actions():
    run = evaluated_exercise()
    for team in TEAMS:
        for ctype, fields in (("observation.record", {"text": "x", "rating": 3, "objective": "O1"}),
                              ("expectation.mark", {"inject_id": "I-1", "team": "hum-1", "action": 0,
                                                    "status": "met"})):
            with pytest.raises(CommandError) as err:
                run.cmd(team, ctype, **fields)
            assert err.value.code == "forbidden"


def test_the_facilitator_may_evaluate_too():
    run = evaluated_exercise()
    run.cmd(FAC, "observation.record", text="Control saw it too", rating=3, objective="O1")
    assert [o["id"] for o in run.state.observations] == ["OBS-1", "OBS-2"]


GOOD_OBSERVATION = {"text": "Fine", "rating": 3, "objective": "O1"}


@pytest.mark.parametrize("fields, code", [
    ({"rating": 0}, "invalid"), ({"rating": 5}, "invalid"), ({"rating": "3"}, "invalid"), ({"rating": True}, "invalid"),
    ({"rating": 2.5}, "invalid"), ({"rating": None}, "invalid"),
    ({"text": ""}, "invalid"), ({"text": "   "}, "invalid"), ({"text": "x" * 4001}, "invalid"),
    ({"text": 7}, "invalid"),
    ({"objective": "O9"}, "invalid"), ({"objective": None}, "invalid"), ({"objective": ["O1"]}, "invalid"),
    ({"inject_id": "I-99"}, "not_found"), ({"inject_id": "I-3"}, "wrong_state"), ({"inject_id": 1}, "invalid"),
    ({"team": "mil-9"}, "not_found"), ({"team": ["mil-1"]}, "invalid"),
    ({"recommendation": "y" * 4001}, "invalid"), ({"recommendation": 3}, "invalid"),
])
def test_a_malformed_observation_is_refused_with_a_code_and_changes_nothing(fields, code):
    run = evaluated_exercise()
    head = run.state.head
    with pytest.raises(CommandError) as err:
        run.cmd(EVAL, "observation.record", **{**GOOD_OBSERVATION, **fields})
    assert err.value.code == code
    assert run.state.head == head and len(run.state.observations) == 1


NEGOTIATION = {"interests": "Chief wants the checkpoint gone; the battalion wants the route open",
               "options": "A joint patrol; a market-day opening", "red_lines": "No armed escort into the camp",
               "relationship": "maintained", "outcome": "partial"}


def test_a_negotiation_is_observed_in_its_five_parts_and_printed_in_the_report():
    from exercise_server.core.metrics import compute
    from exercise_server.report import render_metrics

    run = evaluated_exercise()
    run.cmd(EVAL, "observation.record", text="Negotiated at the checkpoint", rating=3, objective="O5", team="mil-1",
            negotiation={**NEGOTIATION, "options": "   "})
    event = run.log[-1]
    assert event.payload["negotiation"] == {**NEGOTIATION, "options": None}
    row = run.state.snapshot(EVAL)["observations"][-1]
    assert row["negotiation"]["outcome"] == "partial" and run.state.observations[0]["negotiation"] is None
    choices = run.state.snapshot(EVAL)["negotiation_choices"]
    assert [c["value"] for c in choices["outcome"]] == ["agreement", "partial", "no_agreement", "deferred"]
    html = render_metrics(compute(run.log))
    part = html[html.index('id="negotiations"'):html.index('id="findings"')]
    for text in ("No armed escort into the camp", "maintained", "partial agreement", "Military syndicate"):
        assert text in part, text


@pytest.mark.parametrize("negotiation", [
    "agreed", ["maintained"], {}, {**NEGOTIATION, "relationship": "fine"}, {**NEGOTIATION, "outcome": None},
    {k: v for k, v in NEGOTIATION.items() if k != "outcome"}, {**NEGOTIATION, "mood": "tense"},
    {**NEGOTIATION, "interests": 5}, {**NEGOTIATION, "red_lines": "r" * 4001},
])
def test_a_malformed_negotiation_is_refused_and_changes_nothing(negotiation):
    run = evaluated_exercise()
    head = run.state.head
    with pytest.raises(CommandError) as err:
        run.cmd(EVAL, "observation.record", **GOOD_OBSERVATION, negotiation=negotiation)
    assert err.value.code == "invalid"
    assert run.state.head == head and len(run.state.observations) == 1


GOOD_MARK = {"inject_id": "I-1", "team": "hum-1", "action": 0, "status": "met"}


@pytest.mark.parametrize("fields, code", [
    ({"inject_id": "I-99"}, "not_found"), ({"inject_id": "I-2"}, "wrong_state"), ({"inject_id": None}, "invalid"),
    ({"team": "mil-1"}, "invalid"), ({"team": "nobody"}, "not_found"), ({"team": None}, "invalid"),
    ({"action": 1}, "invalid"), ({"action": -1}, "invalid"), ({"action": "0"}, "invalid"),
    ({"action": False}, "invalid"),
    ({"status": "done"}, "invalid"), ({"status": None}, "invalid"),
    ({"note": "n" * 1001}, "invalid"), ({"note": 5}, "invalid"),
    ({"status": "partly", "note": "MARK-NOTE: shared, but only in the team room"}, "conflict"),
])
def test_a_malformed_mark_is_refused_with_a_code_and_changes_nothing(fields, code):
    run = evaluated_exercise()
    head = run.state.head
    with pytest.raises(CommandError) as err:
        run.cmd(EVAL, "expectation.mark", **{**GOOD_MARK, **fields})
    assert err.value.code == code
    assert run.state.head == head


def test_evaluators_finish_their_notes_after_the_end_but_may_not_play():
    run = evaluated_exercise()
    run.cmd(FAC, "exercise.end")
    run.cmd(EVAL, "observation.record", text="Hot wash: good debrief", rating=4, objective="O1")
    run.cmd(EVAL, "expectation.mark", **GOOD_MARK)
    with pytest.raises(CommandError) as err:
        run.cmd(FAC, "room.post", room="joint", text="too late")
    assert err.value.code == "wrong_state"
    for ctype in ("room.post", "clock.start", "inject.release"):
        with pytest.raises(CommandError) as err:
            run.cmd(EVAL, ctype, room="joint", text="x", inject_id="I-3")
        assert err.value.code == "forbidden"


# -- over the wire -------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("observations") / "data").start()
    yield s
    s.stop()


async def test_a_live_observation_reaches_the_control_cell_and_no_trainee(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    evaluator = await Client(server, exercise, server.join(codes["evaluator"], "Quiet observer")["token"]).connect()
    hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"], fmt="json").connect()
    await fac.ok("inject.release", inject_id="I-1")
    await hum.event("inject.released")

    await evaluator.ok("observation.record", text="OBSERVATION-TEXT live", rating=2, objective="O5",
                       team="hum-1", inject_id="I-1")
    await evaluator.ok("expectation.mark", inject_id="I-1", team="hum-1", action=0, status="not_met", note="MARK-NOTE")
    seen = await fac.event("observation.recorded")
    assert seen["payload"]["text"] == "OBSERVATION-TEXT live" and seen["audience"] == ["facilitator", "evaluator"]
    assert (await fac.event("expectation.marked"))["payload"]["status"] == "not_met"
    error = await hum.command("observation.record", text="me too", rating=4, objective="O1")
    assert error["code"] == "forbidden"

    # Events arrive in order: by the time the trainee hears a later message, it has skipped the evaluation.
    await fac.ok("room.post", room="joint", text="after the observation")
    await hum.until(lambda f: f["type"] == "event" and f["event"]["type"] == "room.message_posted")
    assert not any(e["type"].startswith(("observation.", "expectation.")) for e in hum.events)
    await hum.close()

    # Neither a resume nor a fresh snapshot tells a trainee anything more.
    again = await Client(server, exercise, hum.token).connect(last_seq=1)
    fresh = await Client(server, exercise, hum.token).connect(last_seq=0)
    text = json.dumps(again.events) + json.dumps(fresh.snapshot)
    assert "OBSERVATION-TEXT" not in text and "MARK-NOTE" not in text and "observations" not in fresh.snapshot
    late = await Client(server, exercise, evaluator.token).connect(last_seq=0)
    assert [o["text"] for o in late.snapshot["observations"]] == ["OBSERVATION-TEXT live"]
    assert late.snapshot["expectation_marks"][0]["note"] == "MARK-NOTE"
    for c in (fac, evaluator, again, fresh, late):
        await c.close()
