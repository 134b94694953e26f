"""The civilian component's mission tasking request (mission engineers, mission transport: mandate and
do-no-harm, no last-resort test) and casualty evacuation (an emergency through UNDSS and the mission's
operations centre, not a request)."""

from __future__ import annotations

import json

import pytest

from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState
from exercise_server.core.replay import timeline

from .core_harness import CIV, EVAL, FAC, HUM, MIL, POL, CoreRun

SITE = {"type": "Point", "coordinates": [31.5, 4.5]}
TASK = {"asset": "engineering", "task": "Repair the two culverts on MSR1 at Kilo 14",
        "mandate": "Support to the extension of state authority: the mission's own supply route",
        "do_no_harm": "No local contractor can do it before the rains; Public Works takes over the upkeep",
        "time_limit": "+2:00", "location": SITE}


def started() -> CoreRun:
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    return run


def refused(run: CoreRun, who, ctype: str, **fields) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run.cmd(who, ctype, **fields)
    return exc.value


def seen_by(run: CoreRun, who) -> str:
    return json.dumps([f for e in run.log if (f := event_for_view(who.view, e)) is not None]) + json.dumps(
        run.state.snapshot(who))


def test_the_civilian_component_asks_mission_engineers_with_mandate_and_do_no_harm_and_no_oslo_label():
    run = started()
    (e,) = run.cmd(CIV, "tasking.request", **TASK)
    assert set(e.audience) == {"facilitator", "evaluator", "team:civ-1", "team:mil-1"}
    assert "last_resort" not in e.payload and "Oslo" not in json.dumps(e.payload)
    assert "culverts" not in seen_by(run, HUM) + seen_by(run, POL)
    (row,) = run.state.snapshot(MIL)["taskings"]
    assert row["tasking_id"] == "T-civ-1-1" and row["status"] == "requested"
    run.cmd(MIL, "tasking.respond", tasking_id="T-civ-1-1", decision="accept", reason="Force Engineer tasks a section")
    assert run.state.snapshot(CIV)["taskings"][0]["status"] == "accepted"
    assert refused(run, MIL, "tasking.respond", tasking_id="T-civ-1-1", decision="decline", reason="r").code == "wrong_state"
    labels = [r["label"] for r in timeline(run.log) if r["lane"] == "workflow"]
    assert "T-civ-1-1 mission tasking (engineering) asked by civ-1: Repair the two culverts on MSR1 at Kilo 14" in labels


@pytest.mark.parametrize("missing", ["mandate", "do_no_harm", "task", "asset", "location", "time_limit"])
def test_a_tasking_without_its_mandate_or_do_no_harm_is_refused_with_the_field_named(missing):
    run = started()
    before = len(run.log)
    fields = {k: v for k, v in TASK.items() if k != missing}
    err = refused(run, CIV, "tasking.request", **fields)
    assert err.code == "invalid" and missing in err.message and len(run.log) == before


@pytest.mark.parametrize("who", [HUM, MIL, POL, FAC])
def test_only_the_civilian_component_requests_a_mission_tasking(who):
    assert refused(started(), who, "tasking.request", **TASK).code == "forbidden"


def test_only_the_military_answers_a_tasking_and_always_with_a_reason():
    run = started()
    run.cmd(CIV, "tasking.request", **TASK)
    for who in (CIV, HUM, POL, FAC):
        assert refused(run, who, "tasking.respond", tasking_id="T-civ-1-1", decision="accept", reason="r").code == "forbidden"
    assert refused(run, MIL, "tasking.respond", tasking_id="T-civ-1-1", decision="accept").code == "invalid"
    assert refused(run, MIL, "tasking.respond", tasking_id="T-9", decision="accept", reason="r").code == "not_found"
    assert refused(run, MIL, "tasking.respond", tasking_id="T-civ-1-1", decision="maybe", reason="r").code == "invalid"


def test_a_casualty_evacuation_is_called_at_once_through_undss_and_the_operations_centre():
    run = started()
    (e,) = run.cmd(HUM, "casevac.call", casualties=1, condition="WFP driver shot in the leg, conscious",
                   location=SITE)
    assert set(e.audience) == {"facilitator", "evaluator", "team:hum-1", "team:mil-1"}
    assert "WFP driver" not in seen_by(run, POL) + seen_by(run, CIV)
    labels = [r["label"] for r in timeline(run.log) if r["lane"] == "workflow"]
    assert "CASEVAC-hum-1-1 CASEVAC called by hum-1 through UNDSS and the JOC: 1 casualties" in labels
    for who in (MIL, HUM, EVAL):
        assert refused(run, who, "casevac.dispatch", casevac_id="CASEVAC-hum-1-1", note="n").code == "forbidden"
    (d,) = run.cmd(FAC, "casevac.dispatch", casevac_id="CASEVAC-hum-1-1", note="Sector helicopter airborne, 20 min")
    assert event_for_view(HUM.view, d)["payload"]["note"].startswith("Sector helicopter")
    assert run.state.snapshot(MIL)["casevacs"][0]["dispatched"]["note"] == "Sector helicopter airborne, 20 min"
    assert refused(run, FAC, "casevac.dispatch", casevac_id="CASEVAC-hum-1-1", note="again").code == "conflict"
    assert ExerciseState.fold(run.log).snapshot(HUM) == run.state.snapshot(HUM)


@pytest.mark.parametrize("bad", [{"casualties": 0}, {"casualties": "two"}, {"casualties": True}, {"condition": " "},
                                 {"location": {"type": "LineString", "coordinates": [[31, 4], [31.1, 4]]}}])
def test_a_malformed_casevac_call_is_invalid_and_changes_nothing(bad):
    run = started()
    before = len(run.log)
    fields = {"casualties": 2, "condition": "Two wounded", "location": SITE, **bad}
    assert refused(run, MIL, "casevac.call", **fields).code == "invalid"
    assert refused(run, MIL, "casevac.call", **{**fields, "team": "hum-1"}).code in ("forbidden", "invalid")
    assert len(run.log) == before
