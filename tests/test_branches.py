"""Branching on what teams do (core/conditions.py, core/branches.py): an inject released when a
request is accepted or declined, a notification covers a place, a sensitive document is opened, a
decision is recorded, a room stays silent; an alternate released in place of its inject. Each fires
once, on its condition, is recorded with its reason, and a fold of the log gives the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.branches import covers
from exercise_server.core.commands import decide_due
from exercise_server.core.projections import ExerciseState
from exercise_server.core.replay import timeline
from exercise_server.core.scenario_check import load_scenario_file, parse_scenario_text
from exercise_server.msel import cells
from exercise_server.msel.exporter import export_msel
from exercise_server.msel.importer import build_scenario, load_base
from exercise_server.report import render
from exercise_server.studio.document import check_document, parse_text

from .core_harness import CIV, FAC, HUM, MIL, POL, CoreRun, trainee
from .request_fields import CONDITIONS, request

HUM2 = trainee("hum-2", "humanitarian")  # a second humanitarian team: its requests are not hum-1's
BRANCHING = Path(__file__).parent / "fixtures" / "branching.yaml"
NEAR_EAST_CHECKPOINT = {"type": "LineString", "coordinates": [[31.0, 4.5], [31.4, 4.505]]}
FAR_AWAY = {"type": "Point", "coordinates": [32.5, 5.5]}


def started() -> CoreRun:
    run = CoreRun(load_scenario_file(BRANCHING))
    run.cmd(FAC, "clock.start")
    return run


# The one place these tests (and test_branches_server.py) write a request for assistance and its
# answer: the form's fields change with the workflow; the branches depend only on the outcome.
REQUEST_FIELDS = request(asset="escort")
ANSWERS = {"accepted": {"decision": "accept", "conditions": CONDITIONS},
           "declined": {"decision": "decline", "reason": "Assets committed elsewhere"}}


def submit_request(run: CoreRun, who=HUM, responds_to: str | None = None) -> str:
    fields = dict(REQUEST_FIELDS)
    if responds_to:
        fields["responds_to"] = responds_to
    e = run.cmd(who, "rfa.submit", **fields)[0]
    return e.payload["rfa_id"]


def answer_request(run: CoreRun, rfa_id: str, outcome: str) -> None:
    run.cmd(MIL, "rfa.respond", rfa_id=rfa_id, **ANSWERS[outcome])


def branched(run: CoreRun) -> list[ev.Event]:
    return [e for e in run.log if e.type == ev.INJECT_BRANCHED]


def test_a_declined_request_releases_its_branch_once_after_its_delay():
    run = started()
    run.advance(6 * 60)
    rid = submit_request(run)
    assert run.released_ids(run.advance(60)) == []
    answer_request(run, rid, "declined")
    assert run.released_ids(run.advance(4 * 60)) == []
    assert run.released_ids(run.advance(60)) == ["B-2"]  # five minutes after the decline
    (record,) = branched(run)
    cause = record.payload["cause"]
    assert record.payload["inject_id"] == "B-2" and record.payload["instead_of"] is None
    assert record.payload["condition"] == {"request": "declined", "team": "hum-1"}
    assert cause["type"] == ev.RFA_RESPONDED and cause["ref"] == rid and cause["seq"] < record.seq
    assert run.state.injects["B-2"].branch == record.payload
    # A second declined request releases nothing more.
    answer_request(run, submit_request(run), "declined")
    assert run.released_ids(run.advance(30 * 60)).count("B-2") == 0


def test_an_accepted_request_is_not_a_declined_one_and_another_teams_request_is_not_this_one():
    run = started()
    answer_request(run, submit_request(run), "accepted")
    answer_request(run, submit_request(run, who=HUM2), "declined")  # hum-2's, not hum-1's
    assert "B-2" not in run.released_ids(run.advance(30 * 60))
    assert run.state.injects["B-2"].status == "scheduled"


def test_the_branch_record_is_for_the_control_cell_only():
    run = started()
    answer_request(run, submit_request(run), "declined")
    run.advance(10 * 60)
    (record,) = branched(run)
    assert set(record.audience) == set(ev.CONTROL_CELL)
    for seat in (HUM, MIL, POL, CIV):
        assert event_for_view(seat.view, record) is None
        assert "branch" not in str(run.state.snapshot(seat)["injects"])


def test_a_notification_covering_the_checkpoint_releases_its_branch_and_a_far_one_does_not():
    run = started()
    fields = {"kind": "movement", "name": "Convoy", "window_start": "+0:00", "window_end": "+2:00",
              "share_with": ["military"]}
    run.cmd(HUM, "notification.submit", geometry=FAR_AWAY, **fields)
    assert "B-3" not in run.released_ids(run.advance(60))
    nid = run.cmd(HUM, "notification.submit", geometry=NEAR_EAST_CHECKPOINT, **fields)[0].payload["notification_id"]
    assert run.released_ids(run.tick()) == ["B-3"]
    assert branched(run)[0].payload["cause"]["ref"] == nid


def test_a_sensitive_document_opened_and_a_decision_recorded_release_their_branches():
    run = started()
    did = run.cmd(HUM, "document.share", title="Protection report", body="Names", share_with=["military"],
                  sensitive=True)[0].payload["document_id"]
    assert run.released_ids(run.tick()) == []  # shared is not opened
    run.cmd(MIL, "document.open", document_id=did)
    assert run.released_ids(run.tick()) == ["B-4"]
    run.cmd(HUM, "decision.record", what="Go by road", why="The bridge is out")  # not mil-1's
    assert run.released_ids(run.tick()) == []
    run.cmd(MIL, "decision.record", what="No escort", why="Last resort not met")
    assert run.released_ids(run.tick()) == ["B-5"]


def test_a_silent_room_releases_its_branch_when_its_minutes_end():
    run = started()
    run.advance(5 * 60)  # B-1 released at +0:05: the joint room's twenty minutes start
    assert run.released_ids(run.advance(19 * 60)) == []
    released = run.advance(60)
    assert "B-6" in run.released_ids(released)
    record = next(e for e in branched(run) if e.payload["inject_id"] == "B-6")
    assert record.payload["cause"] == {"ex_time": 25 * 60.0, "seq": None, "type": None, "ref": "joint"}


def test_a_message_in_the_room_in_time_keeps_the_silence_branch_from_firing():
    run = started()
    run.cmd(HUM, "room.post", room="joint", text="Before B-1: does not count")
    run.advance(5 * 60)
    run.advance(10 * 60)
    run.cmd(MIL, "room.post", room="joint", text="We can help with the checkpoint")
    assert "B-6" not in run.released_ids(run.advance(60 * 60))


def test_an_alternate_goes_in_place_of_its_inject_when_the_request_it_answers_was_accepted():
    run = started()
    run.advance(5 * 60)
    answer_request(run, submit_request(run, responds_to="B-1"), "accepted")
    released = run.advance(35 * 60)  # +0:40, B-7's time
    assert "B-7a" in run.released_ids(released) and "B-7" not in run.released_ids()
    assert run.state.injects["B-7"].status == "replaced"
    record = next(e for e in branched(run) if e.payload["inject_id"] == "B-7a")
    assert record.payload["instead_of"] == "B-7" and record.payload["cause"]["type"] == ev.RFA_RESPONDED
    assert run.released_ids(run.advance(60 * 60)).count("B-7") == 0


def test_without_its_condition_the_inject_goes_and_the_alternate_never_does():
    run = started()
    run.advance(5 * 60)
    answer_request(run, submit_request(run), "accepted")  # answers no inject: not B-1's request
    assert "B-7" in run.released_ids(run.advance(35 * 60))
    assert "B-7a" not in run.released_ids(run.advance(60 * 60))
    assert run.state.injects["B-7a"].status == "scheduled"


def test_a_condition_that_holds_after_the_injects_time_is_too_late_for_the_alternate():
    run = started()
    run.advance(5 * 60)
    rid = submit_request(run, responds_to="B-1")
    run.advance(36 * 60)
    answer_request(run, rid, "accepted")
    assert "B-7a" not in run.released_ids(run.advance(10 * 60)) and "B-7" in run.released_ids()


def test_an_acknowledgement_by_the_named_team_releases_the_new_form_of_the_inject_condition():
    run = started()
    run.advance(5 * 60)
    run.cmd(HUM, "inject.ack", inject_id="B-1")
    assert run.released_ids(run.advance(60)) == []
    assert run.released_ids(run.advance(60)) == ["B-8"]


def test_a_fold_of_the_log_gives_the_same_branches_and_a_restart_releases_nothing_twice():
    run = started()
    run.advance(5 * 60)
    answer_request(run, submit_request(run, responds_to="B-1"), "accepted")
    answer_request(run, submit_request(run), "declined")
    run.advance(3 * 60)
    before = run.state.branches
    refolded = ExerciseState.fold(run.log)
    assert refolded.branches.met == before.met and refolded.branches.request_answers == before.request_answers
    run.state = refolded  # a restart: the new process folds the stored log
    assert decide_due(run.state, run.clock.now()) == []
    run.advance(60 * 60)
    assert sorted(e.payload["inject_id"] for e in branched(run)) == ["B-2", "B-6", "B-7a"]
    final = ExerciseState.fold(run.log)
    assert {k: v.branch for k, v in final.injects.items()} == {k: v.branch for k, v in run.state.injects.items()}
    assert final.injects["B-7"].status == "replaced"


SCENARIO_HEAD = BRANCHING.read_text().split("msel:")[0]
ONE = """
  - id: A
    at: "+0:05"
    from: OCHA
    to: {teams: [hum-1]}
    channel: email
    title: A
    body: A.
"""


def problems_of(msel: str) -> list[str]:
    scenario, problems = parse_scenario_text(SCENARIO_HEAD + "msel:" + ONE + msel)
    assert scenario is None, "expected problems"
    return [p.message for p in problems]


def inject(iid: str, trigger: str) -> str:
    return f"""
  - id: {iid}
    {trigger}
    from: OCHA
    to: {{teams: [hum-1]}}
    channel: email
    title: {iid}
    body: {iid}.
"""


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("at: {when: {request: declined, team: hum-9}}", "at.when.team: unknown team or component 'hum-9'"),
        ("at: {when: {request: refused}}", "request must be accepted or declined"),
        ("at: {when: {request: declined, inject: Z}}", "at.when.inject: condition on missing inject 'Z'"),
        ("at: {when: {notification: cp-west}}", "at.when.notification: unknown COP feature 'cp-west'"),
        ("at: {when: {silence: nowhere, minutes: 5}}", "at.when.silence: unknown room 'nowhere'"),
        ("at: {when: {silence: joint}}", "minutes must be 1 to"),
        ("at: {when: {released: Z}}", "at.when.released: condition on missing inject 'Z'"),
        ("at: {when: {decision: recorded, colour: red}}", "unknown key 'colour' in a decision condition"),
        ("at: {when: {weather: rain}}", "a condition is a mapping with one of"),
        ("instead_of: Z\n    when: {decision: recorded}", "instead_of: unknown inject 'Z'"),
        ("instead_of: A", "an alternate needs when"),
        ('instead_of: A\n    at: "+0:10"\n    when: {decision: recorded}', "unknown key 'at'"),
        ("at: manual\n    when: {decision: recorded}", "add instead_of"),
    ],
)
def test_a_condition_naming_what_the_scenario_lacks_is_refused_with_its_field(trigger, message):
    found = problems_of(inject("X", trigger))
    assert any(message in p and "'X'" in p for p in found), found


def test_a_cycle_of_conditions_and_alternates_is_refused():
    found = problems_of(inject("X", "at: {when: {acknowledged: Y}}") + inject("Y", "at: {when: {released: X}}"))
    assert any("cycle" in p and "X -> Y -> X" in p for p in found), found
    found = problems_of(inject("X", "instead_of: A\n    when: {released: Y}") + inject("Y", "at: {when: {released: X}}"))
    assert any("cycle" in p for p in found), found


def test_an_alternate_of_a_manual_inject_or_of_an_alternate_is_refused():
    found = problems_of(inject("M", "at: manual") + inject("X", "instead_of: M\n    when: {decision: recorded}"))
    assert any("released by hand" in p for p in found), found
    found = problems_of(inject("X", "instead_of: A\n    when: {decision: recorded}")
                        + inject("Y", "instead_of: X\n    when: {decision: recorded}"))
    assert any("is itself an alternate" in p for p in found), found


def test_the_replay_timeline_says_which_branch_was_taken_and_why():
    run = started()
    run.advance(5 * 60)
    answer_request(run, submit_request(run, responds_to="B-1"), "accepted")
    run.advance(40 * 60)
    lines = [row["label"] for row in timeline(run.log) if row["type"] == ev.INJECT_BRANCHED]
    assert "B-7a goes instead of B-7: a request for assistance accepted, answering B-1" in lines
    assert "B-6 goes: no message in joint for 20 min, after B-1" in lines
    assert all(row["type"] != ev.INJECT_BRANCHED for row in timeline(run.log, HUM.view.key))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_msel_spreadsheet_carries_every_kind_of_branch_both_ways(suffix, tmp_path):
    base = load_base(BRANCHING)
    sheet = tmp_path / f"msel{suffix}"
    export_msel(base.scenario, sheet)
    result = build_scenario(sheet, base, tmp_path / "branching.yaml")
    assert result.scenario.injects == base.scenario.injects
    by_id = {item["id"]: item for item in result.doc["msel"]}
    assert by_id["B-7a"]["instead_of"] == "B-7" and "at" not in by_id["B-7a"]
    assert by_id["B-2"]["at"] == {"when": {"request": "declined", "team": "hum-1"}, "delay": "+0:05"}


@pytest.mark.parametrize(
    ("cell", "at"),
    [
        ("when request declined by hum-1 +0:05", {"when": {"request": "declined", "team": "hum-1"}, "delay": "+0:05"}),
        ("When notification covers cp-east", {"when": {"notification": "cp-east"}}),
        ("when silence in joint for 20 min after B-1", {"when": {"silence": "joint", "minutes": 20, "after": "B-1"}}),
        ("when B-1 acknowledged by hum-1", {"when": {"acknowledged": "B-1", "team": "hum-1"}}),
        ("instead of B-7 when request accepted answering B-1",
         {"instead_of": "B-7", "when": {"request": "accepted", "inject": "B-1"}}),
    ],
)
def test_a_planner_writes_a_branch_in_the_scenario_time_cell(cell, at):
    assert cells.parse_time(cell) == at


@pytest.mark.parametrize("cell", ["when it rains", "when request declined by", "when decision recorded soon"])
def test_a_branch_cell_that_is_not_one_says_how_to_write_it(cell):
    with pytest.raises(ValueError, match="when <condition>"):
        cells.parse_time(cell)


def test_the_after_action_report_lists_the_branches_taken():
    run = started()
    run.advance(5 * 60)
    answer_request(run, submit_request(run, responds_to="B-1"), "accepted")
    run.advance(40 * 60)
    html = render(run.log)
    assert "Branches taken" in html
    assert "B-7a goes instead of B-7: a request for assistance accepted, answering B-1" in html
    french = render(run.log, language="fr")
    assert "B-7a diffusée à la place de B-7 : une demande d&#39;assistance acceptée, en réponse à B-1" in french


def test_the_studio_shows_a_wrong_branch_at_its_field():
    text = SCENARIO_HEAD + "msel:" + ONE + inject("X", "at: {when: {request: declined, team: hum-9}}") + inject(
        "Y", "instead_of: Z\n    when: {silence: nowhere, minutes: 5}")
    found = {(tuple(p.path), p.message.split(": ", 1)[1]) for p in check_document(parse_text(text), None)}
    assert ((("msel", 1, "at", "when", "team"), "at.when.team: unknown team or component 'hum-9'") in found), found
    assert (("msel", 2, "instead_of"), "instead_of: unknown inject 'Z'") in found, found
    assert (("msel", 2, "when", "silence"), "when.silence: unknown room 'nowhere'") in found, found


MODULE_7 = Path(__file__).parent.parent / "injects" / "module-7-the-mirek-checkpoint.yaml"


@pytest.mark.parametrize(("outcome", "goes"), [("declined", "M7-06a"), ("accepted", "M7-06"), (None, "M7-06")])
def test_module_7_moves_the_major_to_his_next_demand_once_the_military_declined_the_request(outcome, goes):
    run = CoreRun(load_scenario_file(MODULE_7))
    run.cmd(FAC, "clock.start")
    run.advance(3 * 60)
    run.cmd(HUM, "inject.ack", inject_id="M7-02")
    if outcome:
        answer_request(run, submit_request(run), outcome)
    released = run.released_ids(run.advance(10 * 60))
    assert goes in released and ({"M7-06", "M7-06a"} - {goes}).isdisjoint(run.released_ids())


def test_a_notification_covers_a_place_on_a_route_or_inside_an_area_within_a_kilometre():
    route = {"geometry": {"type": "LineString", "coordinates": [[31.0, 4.5], [31.2, 4.5]]}}
    area = {"geometry": {"type": "Polygon", "coordinates": [[[30.0, 4.0], [30.2, 4.0], [30.2, 4.2], [30.0, 4.2], [30.0, 4.0]]]}}
    assert covers({"type": "Point", "coordinates": [31.1, 4.505]}, route)  # about 550 m off the road
    assert not covers({"type": "Point", "coordinates": [31.1, 4.52]}, route)  # about 2.2 km off
    assert covers({"type": "Point", "coordinates": [30.1, 4.1]}, area)  # 11 km from every edge, inside
    assert not covers({"type": "Point", "coordinates": [30.4, 4.1]}, area)
    assert not covers({"type": "Point", "coordinates": [30.1, 4.1]}, None)
