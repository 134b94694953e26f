"""The roster, moves and attendance in the core: no server, a manual clock."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.attendance import attendance
from exercise_server.core.errors import CommandError
from exercise_server.core.roster import parse_csv

from .core_harness import FAC, CoreRun, trainee


def test_a_roster_csv_names_teams_by_id_or_name_and_lists_every_problem_with_its_line():
    run = CoreRun()
    rows, problems = parse_csv("nom,équipe,courriel\nAmina,hum-1,a@example.org\nBo,Police syndicate\n", run.scenario)
    assert (rows, problems) == (
        [{"name": "Amina", "team": "hum-1", "email": "a@example.org"}, {"name": "Bo", "team": "pol-1", "email": ""}],
        [],
    )
    rows, problems = parse_csv("Amina,hum-1\n\nBo\n" + "X" * 61 + ",mil-1\nCy,mil-1,a,b\n", run.scenario)
    assert rows == [{"name": "Amina", "team": "hum-1", "email": ""}]
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5"]
    assert parse_csv("", run.scenario) == ([], ["the file holds no names"])


def test_a_roster_command_adds_all_or_nothing_and_a_personal_code_names_its_holder():
    run = CoreRun()
    with pytest.raises(CommandError) as refused:
        run.cmd(
            FAC,
            "roster.add",
            people=[{"name": "Amina", "team": "hum-1"}, {"name": "", "team": "nowhere"}],
            codes=["AAAAA-AAAAA", "BBBBB-BBBBB"],
        )
    assert "person 2" in refused.value.message and not run.state.roster
    run.cmd(FAC, "roster.add", people=[{"name": "Amina", "team": "hum-1"}], codes=["AAAAA-AAAAA"])
    amina = run.join("AAAAA-AAAAA", "typed, ignored", "p-amina")
    assert (amina.name, amina.team, amina.component) == ("Amina", "hum-1", "humanitarian")
    assert run.state.person_of == {"p-amina": "r-1"}
    run.cmd(FAC, "roster.remove", person="r-1")
    with pytest.raises(CommandError):
        run.join("AAAAA-AAAAA", "again", "p-again")


def test_a_moved_trainee_acts_in_the_new_team_and_attendance_has_a_line_for_each_team():
    run = CoreRun()
    run.join("CODE-mil-1", "Kofi", "p-kofi")
    run.clock.advance(600)
    run.cmd(FAC, "participant.move", participant="p-kofi", team="hum-1")
    old = trainee("mil-1", "military", "Kofi")
    with pytest.raises(CommandError) as refused:  # a command that raced the move, from the old seat
        run.cmd(old.__class__(old.role, old.name, "p-kofi", "mil-1", "military"), "room.post", room="joint", text="x")
    assert "moved" in refused.value.message
    with pytest.raises(CommandError):
        run.cmd(FAC, "participant.move", participant="p-kofi", team="hum-1")  # there already
    run.clock.advance(300)
    run.cmd(FAC, "exercise.end")
    rows = attendance(run.log)
    assert [(r["name"], r["team"], r["to"] - r["from"]) for r in rows] == [
        ("Kofi", "mil-1", 600.0),
        ("Kofi", "hum-1", 300.0),
    ]
    assert run.log[-2].type == ev.PARTICIPANT_MOVED and run.log[-2].audience == (
        "facilitator",
        "evaluator",
        "team:mil-1",
        "team:hum-1",
    )
