"""MSEL scheduling and inject control: timed, held, edited, cancelled, conditional, ad hoc."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.commands import decide_due
from exercise_server.core.errors import CommandError
from exercise_server.core.projections import ExerciseState

from .core_harness import FAC, HUM, MIL, POL, CoreRun


def started() -> CoreRun:
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    return run


def test_timed_injects_release_at_their_offset_once_and_in_order():
    run = started()
    assert run.advance(4 * 60) == []
    assert run.released_ids(run.advance(60)) == ["I-1"]
    assert run.released_ids(run.advance(1)) == []
    # Both due at +0:10 (I-4 five minutes after I-1's release): MSEL order breaks the tie.
    assert run.released_ids(run.advance(5 * 60)) == ["I-2", "I-4"]


def test_injects_are_released_exactly_once_across_a_restart():
    run = started()
    run.advance(6 * 60)
    assert run.released_ids() == ["I-1"]
    # The process dies; a new one folds the stored log and keeps scheduling.
    run.state = ExerciseState.fold(run.log)
    assert decide_due(run.state, run.clock.now()) == []
    run.clock.advance(60 * 60)  # it was down for an hour of exercise time
    released = run.tick()
    assert run.released_ids(released) == ["I-2", "I-4", "I-6"]  # due +0:10, +0:11, +0:30
    assert sorted(run.released_ids()) == ["I-1", "I-2", "I-4", "I-6"]


def test_a_jump_releases_what_fell_due_in_order():
    run = started()
    run.cmd(FAC, "clock.jump", to="+0:40")
    assert run.released_ids(run.tick()) == ["I-1", "I-2", "I-6"]
    # I-4's delay counts from I-1's actual release, at +0:40.
    assert run.released_ids(run.advance(5 * 60)) == ["I-4"]


def test_release_events_carry_the_due_time_order_and_cop_changes():
    run = started()
    events = run.advance(30 * 60)
    kinds = [e.type for e in events]
    assert kinds[-3:] == [ev.INJECT_RELEASED, ev.COP_FEATURE_ADDED, ev.COP_FEATURE_CHANGED]
    assert "inc-protection" in run.state.cop
    assert run.state.cop["town-bessa"]["properties"] == {"status": "tense"}


def test_held_inject_is_skipped_until_released_by_hand():
    run = started()
    run.cmd(FAC, "inject.hold", inject_id="I-1")
    assert run.released_ids(run.advance(20 * 60)) == ["I-2"]
    assert run.state.injects["I-1"].status == "held"
    events = run.cmd(FAC, "inject.release", inject_id="I-1")
    assert run.released_ids(events) == ["I-1"]
    assert events[0].payload["trigger"] == "manual"


def test_unhold_returns_an_inject_to_the_schedule():
    run = started()
    run.cmd(FAC, "inject.hold", inject_id="I-1")
    run.advance(6 * 60)
    run.cmd(FAC, "inject.unhold", inject_id="I-1")
    assert run.released_ids(run.tick()) == ["I-1"]


def test_a_cancel_is_undone_until_the_injects_time_and_no_later():
    run = started()
    run.cmd(FAC, "inject.cancel", inject_id="I-2")  # due at +0:10
    run.advance(5 * 60)
    (restored,) = run.cmd(FAC, "inject.restore", inject_id="I-2")
    assert restored.type == ev.INJECT_RESTORED and restored.audience == ev.CONTROL_CELL
    assert run.state.injects["I-2"].status == "scheduled"
    assert "I-2" in run.released_ids(run.advance(5 * 60))  # released on time after all
    assert refused_code(run, "inject.restore", "I-2") == "wrong_state"  # released, not cancelled
    run.cmd(FAC, "inject.cancel", inject_id="I-6")  # due at +0:30
    run.advance(21 * 60)
    assert refused_code(run, "inject.restore", "I-6") == "wrong_state"  # its time has passed
    assert run.state.injects["I-6"].status == "cancelled"
    run.cmd(FAC, "inject.cancel", inject_id="I-3")  # manual: no time of its own
    run.cmd(FAC, "inject.restore", inject_id="I-3")
    assert run.state.injects["I-3"].status == "scheduled"
    assert ExerciseState.fold(run.log).injects["I-3"].status == "scheduled"


def refused_code(run: CoreRun, ctype: str, inject_id: str) -> str:
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, ctype, inject_id=inject_id)
    return info.value.code


def test_edit_before_release_changes_what_is_released_and_when():
    run = started()
    run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"title": "Access report (revised)", "at": "+0:20"})
    assert "I-1" not in run.released_ids(run.advance(10 * 60))
    events = run.advance(10 * 60)
    released = next(e for e in events if e.type == ev.INJECT_RELEASED and e.payload["inject"]["id"] == "I-1")
    assert released.payload["inject"]["title"] == "Access report (revised)"
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"title": "too late"})
    assert info.value.code == "wrong_state"


@pytest.mark.parametrize("changes", [{"to": {"teams": ["nobody"]}}, {"channel": "pigeon"}, {"notes": 5},
                                     {"id": "I-9"}, {"at": "soon"}, {}])
def test_bad_edits_are_refused_and_change_nothing(changes):
    run = started()
    head = run.state.head
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.edit", inject_id="I-2", changes=changes)
    assert info.value.code == "invalid"
    assert run.state.head == head


def test_cancelled_inject_never_fires_and_its_dependants_wait_forever():
    run = started()
    run.cmd(FAC, "inject.cancel", inject_id="I-1")
    assert run.released_ids(run.advance(60 * 60)) == ["I-2", "I-6"]
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.release", inject_id="I-1")
    assert info.value.code == "wrong_state"


def test_conditional_on_acknowledgement_releases_after_the_first_ack():
    run = started()
    run.advance(10 * 60)
    assert "I-5" not in run.released_ids()
    run.clock.advance(30)
    run.cmd(POL, "inject.ack", inject_id="I-2")
    assert run.released_ids(run.tick()) == ["I-5"]


def test_manual_inject_only_by_hand_and_only_once():
    run = started()
    run.advance(3 * 3600)
    assert "I-3" not in run.released_ids()
    run.cmd(FAC, "inject.release", inject_id="I-3")
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.release", inject_id="I-3")
    assert info.value.code == "conflict"


def test_adhoc_inject_is_released_at_once_and_kept_in_the_table():
    run = started()
    events = run.cmd(FAC, "inject.adhoc", **{"from": "Radio Tamsa", "to": {"components": ["military"]},
                                             "channel": "media", "title": "Breaking", "body": "News."})
    assert events[0].payload["inject"]["id"] == "ADHOC-1"
    assert run.state.injects["ADHOC-1"].status == "released"
    rebuilt = ExerciseState.fold(run.log)
    assert rebuilt.injects["ADHOC-1"].inject.title == "Breaking"
    with pytest.raises(CommandError):
        run.cmd(FAC, "inject.adhoc", **{"from": "x", "to": {"teams": ["ghost"]}, "channel": "email",
                                        "title": "t", "body": "b"})


def test_an_unknown_addressee_is_refused_with_the_valid_choices():
    """Bug 12 of the UX review: 'unknown room 'UNPOL' in to.rooms' left the facilitator guessing."""
    run = started()
    to = {"components": ["navy"], "teams": ["ghost"], "rooms": ["UNPOL"]}
    with pytest.raises(CommandError) as info:
        run.cmd(FAC, "inject.adhoc", **{"from": "x", "to": to, "channel": "email", "title": "t", "body": "b"})
    message = info.value.message
    assert "unknown component 'navy' in to.components; the components are civilian, humanitarian, military, police" in message
    assert "unknown team 'ghost' in to.teams; the teams are civ-1, hum-1, mil-1, pol-1" in message
    assert "unknown room 'UNPOL' in to.rooms, so nobody receives it there; the rooms are component:civilian," in message
    assert not run.state.injects.get("ADHOC-1")


def test_trainees_acknowledge_only_what_they_received():
    run = started()
    run.advance(6 * 60)
    run.cmd(HUM, "inject.ack", inject_id="I-1")
    assert set(run.state.injects["I-1"].acks) == {"hum-1"}
    for who, iid in ((MIL, "I-1"), (HUM, "I-2"), (HUM, "I-404")):
        with pytest.raises(CommandError) as info:
            run.cmd(who, "inject.ack", inject_id=iid)
        assert info.value.code == "not_found"
    with pytest.raises(CommandError) as info:
        run.cmd(HUM, "inject.ack", inject_id="I-1")
    assert info.value.code == "conflict"


def test_trainees_cannot_use_facilitator_commands():
    run = started()
    for ctype in ("clock.pause", "inject.release", "inject.hold", "inject.edit", "inject.adhoc", "code.revoke"):
        with pytest.raises(CommandError) as info:
            run.cmd(MIL, ctype, inject_id="I-1")
        assert info.value.code == "forbidden"
