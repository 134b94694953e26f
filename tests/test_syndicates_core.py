"""The core of a class (core/syndicates.py): what an exercise records of its class, the scope of a
class command, and the syndicates' answers side by side. No I/O."""

from __future__ import annotations

import pytest

from exercise_server.core.commands import decide_open
from exercise_server.core.errors import CommandError
from exercise_server.core.events import Event
from exercise_server.core.projections import ExerciseState
from exercise_server.core.syndicates import Syndicate, comparison, syndicate_count, syndicate_scope

from .core_harness import FAC, POL, CoreRun


def test_an_exercise_of_a_class_records_its_syndicate_and_one_of_no_class_nothing():
    run = CoreRun()
    assert run.state.syndicate is None and "syndicate" not in run.log[0].payload
    drafts = decide_open("c-s2", run.scenario.doc, {}, 0.0, FAC.actor(), Syndicate("c", 2, 4))
    assert drafts[0].payload["syndicate"] == {"class": "c", "number": 2, "of": 4}
    state = ExerciseState()
    for seq, draft in enumerate(drafts, start=1):
        state.apply(Event.from_draft("c-s2", seq, draft))
    assert state.syndicate == Syndicate("c", 2, 4)
    assert Syndicate.from_payload({"class": "c", "number": "2", "of": 4}) is None


def test_the_size_and_the_scope_of_a_class_are_checked():
    assert syndicate_count(8) == 8
    for bad in (0, 9, True, "3", 2.0, None):
        with pytest.raises(CommandError):
            syndicate_count(bad)
    assert syndicate_scope("all", 3) == [1, 2, 3] and syndicate_scope([3, 1, 3], 3) == [1, 3]
    for bad in ([], [0], [4], [True], "some", [1.0]):
        with pytest.raises(CommandError):
            syndicate_scope(bad, 3)


def test_the_comparison_puts_each_syndicates_answer_side_by_side():
    one, two = CoreRun(exercise="c-s1"), CoreRun(exercise="c-s2")
    for run in (one, two):
        run.cmd(FAC, "clock.start")
        run.cmd(FAC, "inject.release", inject_id="I-2")
    two.clock.advance(90)
    two.cmd(POL, "inject.ack", inject_id="I-2")
    rows = comparison({1: one.state, 2: two.state})
    i2 = next(r for r in rows if r["inject"] == "I-2")
    assert i2["team"] == "pol-1" and [r["team"] for r in rows if r["inject"] == "I-2"] == ["pol-1"]
    assert i2["cells"]["1"]["ack_after"] is None and i2["cells"]["2"]["ack_after"] == pytest.approx(90)
    assert i2["cells"]["2"]["ack_by"] == POL.name and i2["cells"]["1"]["status"] == "released"
    i1 = [r for r in rows if r["inject"] == "I-1"]
    assert i1 and all(r["cells"]["1"]["status"] == "scheduled" for r in i1)
