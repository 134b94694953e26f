"""Humanitarian notification closer to HNS4D: notified to the parties the control cell plays (the
facilitator acknowledges for them), and hazard flagging as a scenario option."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState
from exercise_server.core.scenario_check import parse_scenario_text

from .core_harness import EVAL, FAC, HUM, MIL, MINI, POL, CoreRun

ROUTE = {"type": "LineString", "coordinates": [[31.0, 4.0], [31.1, 4.0], [31.2, 4.05]]}
NEAR_ROUTE = {"type": "Point", "coordinates": [31.05, 4.01]}
PARTIES = """components:
  - {id: military, name: Military component}
  - {id: police, name: UN Police}
  - {id: humanitarian, name: Humanitarian community}
  - {id: civilian, name: Mission civilian component}
  - {id: ndf, name: Nalora Defence Forces, played_by: control}
  - {id: mut, name: Movement for Unity in Tamsa, played_by: control}
"""


def run_of(extra: str = "") -> CoreRun:
    text = MINI.read_text(encoding="utf-8").replace("teams:\n", PARTIES + extra + "teams:\n", 1)
    scenario, problems = parse_scenario_text(text)
    assert scenario is not None, problems
    run = CoreRun(scenario)
    run.cmd(FAC, "clock.start")
    return run


def refused(run: CoreRun, who, ctype: str, **fields) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run.cmd(who, ctype, **fields)
    return exc.value


def notify(run: CoreRun, share_with: list[str]) -> str:
    (e, *_) = run.cmd(HUM, "notification.submit", kind="movement", name="Convoy to Kora", geometry=ROUTE,
                      window_start="+0:00", window_end="+2:00", share_with=share_with)
    return e.payload["notification_id"]


def test_a_notification_reaches_the_parties_and_the_facilitator_acknowledges_for_them():
    run = run_of()
    nid = notify(run, ["military", "ndf", "mut"])
    (ack,) = run.cmd(FAC, "notification.acknowledge", notification_id=nid, party="ndf")
    assert ack.payload == {"notification_id": nid, "team": "ndf", "component": "ndf", "party": True}
    assert event_for_view(HUM.view, ack) is not None and event_for_view(POL.view, ack) is None
    row = run.state.snapshot(HUM)["notifications"][0]
    assert set(row["acks"]) == {"ndf"} and row["acks"]["ndf"]["party"] is True
    assert refused(run, FAC, "notification.acknowledge", notification_id=nid, party="ndf").code == "conflict"
    run.cmd(MIL, "notification.acknowledge", notification_id=nid)
    assert set(run.state.snapshot(FAC)["notifications"][0]["acks"]) == {"ndf", "mil-1"}


def test_the_facilitator_acknowledges_only_for_a_notified_party_it_plays():
    run = run_of()
    nid = notify(run, ["military", "ndf"])
    assert refused(run, FAC, "notification.acknowledge", notification_id=nid, party="mut").code == "not_found"
    assert refused(run, FAC, "notification.acknowledge", notification_id=nid, party="military").code == "not_found"
    assert refused(run, FAC, "notification.acknowledge", notification_id=nid).code == "invalid"
    assert refused(run, EVAL, "notification.acknowledge", notification_id=nid, party="ndf").code == "forbidden"
    assert refused(run, MIL, "notification.acknowledge", notification_id=nid, party="ndf").code == "forbidden"
    assert set(run.state.snapshot(FAC)["notifications"][0]["acks"]) <= {"mil-1"}


def test_with_hazard_flags_off_the_humanitarians_learn_of_a_roadblock_only_if_someone_tells_them():
    run = run_of("hazard_flags: off\n")
    notify(run, ["military"])
    run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "NDF roadblock", "geometry": NEAR_ROUTE,
                                     "visible_to": ["military"]})
    assert not [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]
    assert run.state.snapshot(HUM)["notifications"][0]["hazards"] == []


def test_hazard_flags_at_once_is_the_default_and_a_wrong_value_is_a_problem():
    run = run_of("hazard_flags: at_once\n")
    notify(run, ["military"])
    run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "NDF roadblock", "geometry": NEAR_ROUTE})
    assert [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]
    text = MINI.read_text(encoding="utf-8").replace("teams:\n", "hazard_flags: later\nteams:\n", 1)
    scenario, problems = parse_scenario_text(text)
    assert scenario is None and any("hazard_flags must be" in p.message for p in problems)


ON_RECORD = """notifications:
  - team: hum-1
    kind: movement
    name: WFP convoy to Kora
    geometry: {type: LineString, coordinates: [[31.0, 4.0], [31.2, 4.05]]}
    window_start: "+0:00"
    window_end: "+4:00"
    share_with: [military, ndf, mut]
    acknowledged_by: [mil-1, ndf]
"""


def test_a_scenario_starts_with_notifications_already_on_record_and_their_acknowledgements():
    run = run_of(ON_RECORD)
    (row,) = run.state.snapshot(HUM)["notifications"]
    assert row["notification_id"] == "N-hum-1-1" and row["name"] == "WFP convoy to Kora"
    assert set(row["acks"]) == {"mil-1", "ndf"} and row["acks"]["ndf"]["party"] is True
    assert run.state.snapshot(MIL)["notifications"][0]["notification_id"] == "N-hum-1-1"
    assert run.state.snapshot(POL)["notifications"] == []
    run.cmd(FAC, "notification.acknowledge", notification_id="N-hum-1-1", party="mut")  # the one still owed
    assert refused(run, MIL, "notification.acknowledge", notification_id="N-hum-1-1").code == "conflict"
    assert notify(run, ["military"]) == "N-hum-1-2"  # numbered after those on record


@pytest.mark.parametrize("change,expected", [
    (("team: hum-1", "team: mil-1"), "must be a humanitarian team"),
    (("acknowledged_by: [mil-1, ndf]", "acknowledged_by: [pol-1]"), "acknowledged_by"),
    (("share_with: [military, ndf, mut]", "share_with: [navy]"), "share_with"),
    (('window_end: "+4:00"', 'window_end: "+0:00"'), "its end after its start"),
    (("kind: movement", "kind: convoy"), "kind must be site or movement"),
])
def test_a_wrong_notification_on_record_is_a_problem_at_its_line(change, expected):
    text = MINI.read_text(encoding="utf-8").replace("teams:\n", PARTIES + ON_RECORD.replace(*change) + "teams:\n", 1)
    scenario, problems = parse_scenario_text(text)
    assert scenario is None and any(expected in p.message for p in problems), problems


def test_with_hazard_flags_after_a_delay_the_military_may_warn_first_and_a_hazard_moved_away_is_not_flagged():
    run = run_of('hazard_flags: "+0:10"\n')
    notify(run, ["military"])
    flags = lambda: [e for e in run.log if e.type == ev.NOTIFICATION_HAZARD_FLAGGED]  # noqa: E731
    run.advance(60)
    (added,) = run.cmd(MIL, "cop.add", feature={"kind": "checkpoint", "name": "NDF roadblock", "geometry": NEAR_ROUTE})
    (other,) = run.cmd(MIL, "cop.add", feature={"kind": "incident", "name": "Shooting", "geometry": NEAR_ROUTE})
    assert not flags()  # not at once: the military has ten minutes to warn the humanitarians unasked
    run.advance(9 * 60)
    assert not flags()
    run.cmd(MIL, "cop.change", feature_id=other.payload["feature"]["id"],  # moved away before its ten minutes
            set={"geometry": {"type": "Point", "coordinates": [32.5, 5.5]}})
    run.advance(2 * 60)
    (flag,) = flags()  # the roadblock, once, ten minutes after it was placed; the shooting moved away
    assert flag.payload["feature_id"] == added.payload["feature"]["id"] and flag.ex_time >= added.ex_time + 600
    assert [h["feature_kind"] for h in run.state.snapshot(HUM)["notifications"][0]["hazards"]] == ["checkpoint"]
    run.advance(30 * 60)
    assert len(flags()) == 1
    refold = ExerciseState()  # the log alone gives the same state: the flags are events
    for e in run.log:
        refold.apply(e)
    assert refold.snapshot(HUM)["notifications"] == run.state.snapshot(HUM)["notifications"]


def test_a_hazard_delay_that_is_not_an_offset_is_a_problem():
    for value in ('"+0:00"', '"+soon"'):
        text = MINI.read_text(encoding="utf-8").replace("teams:\n", f"hazard_flags: {value}\nteams:\n", 1)
        scenario, problems = parse_scenario_text(text)
        assert scenario is None and any("a delay is an offset" in p.message for p in problems), (value, problems)
