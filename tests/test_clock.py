"""The exercise clock: arithmetic through pause, speed changes and jumps; rebuilt from the log."""

from __future__ import annotations

import pytest

from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState

from .core_harness import FAC, CoreRun


def test_clock_stands_still_before_start_and_runs_at_x1():
    run = CoreRun()
    run.clock.advance(100)
    assert run.ex_now() == 0
    run.cmd(FAC, "clock.start")
    run.clock.advance(90)
    assert run.ex_now() == pytest.approx(90)


def test_pause_freezes_and_resume_continues_from_the_same_time():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.clock.advance(60)
    run.cmd(FAC, "clock.pause")
    run.clock.advance(3600)
    assert run.ex_now() == pytest.approx(60)
    run.cmd(FAC, "clock.resume")
    run.clock.advance(30)
    assert run.ex_now() == pytest.approx(90)


def test_speed_changes_apply_from_the_moment_they_are_set():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.clock.advance(60)  # 60 s at x1
    run.cmd(FAC, "clock.speed", speed=10)
    run.clock.advance(60)  # 600 s at x10
    run.cmd(FAC, "clock.pause")
    run.cmd(FAC, "clock.speed", speed=60)  # speed set while paused changes nothing yet
    run.clock.advance(500)
    assert run.ex_now() == pytest.approx(660)
    run.cmd(FAC, "clock.resume")
    run.clock.advance(10)  # 600 s at x60
    assert run.ex_now() == pytest.approx(1260)


def test_jump_moves_forward_only():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.clock.advance(10)
    run.cmd(FAC, "clock.jump", to="+0:45")
    assert run.ex_now() == pytest.approx(2700)
    run.clock.advance(5)
    assert run.ex_now() == pytest.approx(2705)
    for bad in ("+0:10", 10**9, float("inf"), float("nan"), True, "soon"):
        with pytest.raises(CommandError) as info:
            run.cmd(FAC, "clock.jump", to=bad)
        assert info.value.code == "invalid"


def test_jump_to_a_scenario_time():
    run = CoreRun()  # starts at D+3 06:00
    run.cmd(FAC, "clock.start")
    [jumped] = run.cmd(FAC, "clock.jump", to="D+3 07:30")
    assert jumped.payload["to"] == 5400 and run.ex_now() == pytest.approx(5400)
    run.cmd(FAC, "clock.jump", to="d+4  06:00")  # case and spacing as people type them
    assert run.ex_now() == pytest.approx(86400)
    for bad, why in (("D+3 07:00", "only jumps forward (it stands at D+4 06:00)"), ("D+2 23:00", "up to"),
                     ("D+3 25:00", "not of the form D+N HH:MM"), ("at noon", "neither an offset")):
        with pytest.raises(CommandError) as info:
            run.cmd(FAC, "clock.jump", to=bad)
        assert info.value.code == "invalid" and why in info.value.message, (bad, info.value.message)


def test_end_stops_the_clock_for_good():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.clock.advance(120)
    run.cmd(FAC, "exercise.end")
    run.clock.advance(120)
    assert run.ex_now() == pytest.approx(120)
    for ctype in ("clock.resume", "clock.pause", "clock.start", "exercise.end"):
        with pytest.raises(CommandError) as info:
            run.cmd(FAC, ctype)
        assert info.value.code == "wrong_state"


@pytest.mark.parametrize("speed", [0, 0.5, 61, -1, "fast", True])
def test_speed_outside_x1_to_x60_is_refused(speed):
    run = CoreRun()
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "clock.speed", speed=speed)
    assert info.value.code == "invalid"


def test_wrong_state_transitions_are_refused_and_change_nothing():
    run = CoreRun()
    head = run.state.head
    for ctype in ("clock.pause", "clock.resume"):
        with pytest.raises(CommandError) as info:
            run.cmd(FAC, ctype)
        assert info.value.code == "wrong_state"
    assert run.state.head == head


def test_a_restarted_process_recomputes_the_clock_from_the_log():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.clock.advance(100)
    run.cmd(FAC, "clock.speed", speed=4)
    run.clock.advance(50)
    run.cmd(FAC, "clock.jump", to="+1:00")
    run.clock.advance(25)
    expected = run.ex_now()
    rebuilt = ExerciseState.fold(run.log)  # as after a restart: state from the stored log only
    assert rebuilt.clock.at(run.clock.now()) == pytest.approx(expected) == pytest.approx(3600 + 100)


def test_a_scenario_time_written_the_french_way_j_plus_reads_as_d_plus():
    from exercise_server.core.timefmt import format_dday, parse_exercise_time

    start = 86400 + 9 * 3600  # D+1 09:00
    assert parse_exercise_time("J+1 09:30", start) == parse_exercise_time("D+1 09:30", start) == 1800
    assert parse_exercise_time("j+1 10:00", start) == 3600
    assert format_dday(start + 1800) == "D+1 09:30"
    with pytest.raises(ValueError):
        parse_exercise_time("X+1 09:30", start)
