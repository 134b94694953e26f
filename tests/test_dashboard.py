"""The live dashboard's fold (core/dashboard.py): each figure per team, overdue against the clock."""

from __future__ import annotations

import shutil

import pytest
import yaml

from exercise_server.core.dashboard import Dashboard
from exercise_server.core.scenario import DEFAULT_RESPOND_WITHIN
from exercise_server.core.scenario_check import parse_scenario
from tests.core_harness import FAC, HUM, MIL, MINI, POL, CoreRun
from tests.request_fields import CONDITIONS, request
from tests.test_workflows import ROUTE

MINI_TEXT = MINI.read_text()


def run_of(text: str = MINI_TEXT) -> tuple[CoreRun, Dashboard]:
    scenario, problems = parse_scenario(yaml.safe_load(text), "mini")
    assert scenario is not None, problems
    run = CoreRun(scenario)
    run.cmd(FAC, "clock.start")
    return run, folded(run)


def folded(run: CoreRun, board: Dashboard | None = None) -> Dashboard:
    board = board or Dashboard()
    for e in run.log:
        board.apply(e)
    return board


def figure(run: CoreRun, board: Dashboard, team: str, name: str):
    folded(run, board)
    return board.team_figures(team, run.ex_now())[name]


def test_an_inject_released_to_a_team_is_unacknowledged_until_the_team_acknowledges_it():
    run, board = run_of()
    run.cmd(FAC, "inject.release", inject_id="I-2")
    assert figure(run, board, "pol-1", "unacknowledged") == 1
    assert figure(run, board, "mil-1", "unacknowledged") == 0  # not addressed
    run.cmd(MIL, "room.post", room="joint", text="not the police")
    assert figure(run, board, "pol-1", "unacknowledged") == 1
    run.cmd(POL, "inject.ack", inject_id="I-2")
    assert figure(run, board, "pol-1", "unacknowledged") == 0


def test_an_answer_is_overdue_once_the_exercise_clock_passes_the_release_plus_the_default_time():
    run, board = run_of()
    run.cmd(FAC, "inject.release", inject_id="I-2")
    released = run.ex_now()
    run.cmd(POL, "inject.ack", inject_id="I-2")  # acknowledging is not answering
    assert figure(run, board, "pol-1", "overdue") == 0
    assert board.team_figures("pol-1", run.ex_now())["next_due"] == pytest.approx(released + DEFAULT_RESPOND_WITHIN)
    run.clock.advance(DEFAULT_RESPOND_WITHIN - 1)
    assert figure(run, board, "pol-1", "overdue") == 0
    run.clock.advance(1)
    assert figure(run, board, "pol-1", "overdue") == 1
    assert figure(run, board, "pol-1", "awaiting") == 1
    run.cmd(POL, "room.post", room="joint", text="On our way")  # the team's first action answers it
    assert figure(run, board, "pol-1", "overdue") == 0
    assert figure(run, board, "pol-1", "awaiting") == 0


def test_a_paused_clock_stops_an_answer_from_falling_due():
    run, board = run_of()
    run.cmd(FAC, "inject.release", inject_id="I-2")
    run.cmd(FAC, "clock.pause")
    run.clock.advance(DEFAULT_RESPOND_WITHIN * 3)
    assert figure(run, board, "pol-1", "overdue") == 0
    run.cmd(FAC, "clock.jump", to=DEFAULT_RESPOND_WITHIN * 2)  # the control panel's jump
    assert figure(run, board, "pol-1", "overdue") == 1


def test_an_injects_respond_within_overrides_the_scenarios_and_both_are_read():
    text = MINI_TEXT.replace('duration: "1:00"', 'duration: "1:00"\nrespond_within: "+0:20"').replace(
        "    title: Riot at the market\n", '    title: Riot at the market\n    respond_within: "+0:02"\n'
    )
    run, board = run_of(text)
    assert board.respond_within == 1200 and board.inject_respond_within == {"I-2": 120}
    run.cmd(FAC, "inject.release", inject_id="I-2")
    run.cmd(FAC, "inject.release", inject_id="I-3")  # the joint room: every team, the scenario's 20 minutes
    run.advance(120)
    assert figure(run, board, "pol-1", "overdue") == 1
    assert figure(run, board, "mil-1", "overdue") == 0
    run.advance(1080)
    assert figure(run, board, "pol-1", "overdue") == 2
    assert figure(run, board, "mil-1", "overdue") == 1


@pytest.mark.parametrize("bad", ['"+0:00"', '"soon"', "15"])
def test_a_respond_within_that_is_not_a_time_after_zero_is_refused(bad):
    text = MINI_TEXT.replace("    title: Riot at the market\n", f"    title: Riot at the market\n    respond_within: {bad}\n")
    scenario, problems = parse_scenario(yaml.safe_load(text), "mini")
    assert scenario is None
    assert any("respond_within" in p.message for p in problems)


def test_last_activity_is_the_teams_latest_event_of_any_kind():
    run, board = run_of()
    assert figure(run, board, "hum-1", "last_activity_ex") is None
    run.advance(400)  # I-1 is released at +0:05 to the humanitarian team
    run.cmd(HUM, "inject.ack", inject_id="I-1")
    at = run.ex_now()
    assert figure(run, board, "hum-1", "last_activity_ex") == pytest.approx(at)
    assert figure(run, board, "hum-1", "awaiting") == 1  # acknowledged, not answered
    run.cmd(FAC, "room.post", room="joint", text="control speaks")  # not the team's activity
    assert figure(run, board, "hum-1", "last_activity_ex") == pytest.approx(at)


def test_open_requests_count_for_the_requester_and_the_military_until_decided():
    run, board = run_of()
    (e,) = run.cmd(HUM, "rfa.submit", **request())
    rid = e.payload["rfa_id"]
    assert figure(run, board, "hum-1", "open_requests") == 1
    assert figure(run, board, "mil-1", "open_requests") == 1  # to answer
    assert figure(run, board, "civ-1", "open_requests") == 0
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="more_info", reason="Which road?")
    assert figure(run, board, "hum-1", "open_requests") == 1  # still open: the requester owes an answer
    assert figure(run, board, "mil-1", "open_requests") == 0
    run.cmd(HUM, "rfa.clarify", rfa_id=rid, text="The north road")
    assert figure(run, board, "mil-1", "open_requests") == 1
    run.cmd(MIL, "rfa.respond", rfa_id=rid, decision="accept", conditions=CONDITIONS)
    assert figure(run, board, "hum-1", "open_requests") == 0
    assert figure(run, board, "mil-1", "open_requests") == 0


def test_notifications_await_each_addressed_teams_acknowledgement_while_their_window_is_open():
    run, board = run_of()
    (e, *_) = run.cmd(HUM, "notification.submit", kind="movement", name="Convoy", geometry=ROUTE,
                      window_start="+0:00", window_end="+0:30", share_with=["military", "police"])
    nid = e.payload["notification_id"]
    assert figure(run, board, "mil-1", "notifications") == 1
    assert figure(run, board, "pol-1", "notifications") == 1
    assert figure(run, board, "hum-1", "notifications") == 0
    run.cmd(MIL, "notification.acknowledge", notification_id=nid)
    assert figure(run, board, "mil-1", "notifications") == 0
    run.clock.advance(30 * 60)  # the window ends unacknowledged: nothing left to acknowledge
    assert figure(run, board, "pol-1", "notifications") == 0


def test_the_fold_taken_up_from_its_wire_form_skips_what_it_already_folded():
    run, board = run_of()
    run.cmd(FAC, "inject.release", inject_id="I-2")
    wire = folded(run, board).to_wire()
    assert wire["seq"] == run.log[-1].seq
    assert wire["teams"]["pol-1"]["unacknowledged"] == ["I-2"]
    seq = board.seq
    for e in run.log:  # a resume that repeats events changes nothing
        board.apply(e)
    assert board.seq == seq and board.team_figures("pol-1", run.ex_now())["unacknowledged"] == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_injects_respond_within_survives_the_msel_spreadsheet_and_a_bad_one_names_its_row(suffix, tmp_path):
    from exercise_server.core.scenario_check import load_scenario_file
    from exercise_server.msel.exporter import export_msel
    from exercise_server.msel.files import dump_yaml
    from exercise_server.msel.importer import build_scenario, load_base
    from exercise_server.msel.problems import MselError

    base = load_base(MINI)
    msel = base.doc["msel"]
    doc = {**base.doc, "msel": [msel[0], {**msel[1], "respond_within": "+0:05"}, *msel[2:]]}
    shutil.copytree(MINI.parent / "attachments", tmp_path / "attachments")
    source = tmp_path / "mini-answer.yaml"
    source.write_text(dump_yaml(doc), encoding="utf-8")
    scenario = load_scenario_file(source)
    assert [i.respond_within for i in scenario.injects[:3]] == [None, 300, None]
    sheet = tmp_path / f"msel{suffix}"
    export_msel(scenario, sheet)
    again = build_scenario(sheet, load_base(source), source).scenario
    assert again.injects == scenario.injects
    csv_sheet = tmp_path / "bad.csv"
    csv_sheet.write_text("Inject No,Scenario Time,Channel,From,To,Message,Respond Within\nX-1,0:05,radio,HQ,mil-1,Go,soon\n")
    with pytest.raises(MselError, match="soon"):
        build_scenario(csv_sheet, load_base(source), source)
