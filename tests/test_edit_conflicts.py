"""Two people editing the same thing at once (issue 15, bug 4): an edit names the version it was made
on, and a stale one is refused with `conflict` and what changed, instead of reverting the other edit.
Without `version` an edit is taken as a 1.0 client's always was."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.errors import CommandError
from tests.core_harness import FAC, HUM, CoreRun


def _row(run: CoreRun, principal, iid: str) -> dict:
    return next(r for r in run.state.snapshot(principal)["injects"] if r["inject"]["id"] == iid)


def _feature(run: CoreRun, principal, fid: str) -> dict:
    return next(f for f in run.state.snapshot(principal)["cop"] if f["id"] == fid)


def test_an_inject_row_carries_its_version_the_seq_of_the_last_event_that_changed_its_content():
    run = CoreRun()
    opened = run.log[0].seq
    assert _row(run, FAC, "I-2")["version"] == opened
    run.cmd(FAC, "inject.hold", inject_id="I-2")  # a status, not the content: the version stays
    assert _row(run, FAC, "I-2")["version"] == opened
    (edited,) = run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "Revised"}, version=opened)
    assert _row(run, FAC, "I-2")["version"] == edited.seq


def test_a_stale_inject_edit_is_refused_with_what_changed_and_the_first_edit_stays():
    run = CoreRun()
    base = _row(run, FAC, "I-2")["version"]  # both facilitators open the dialog on this version
    run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "First", "body": "first body"}, version=base)
    head = run.state.head
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "Second"}, version=base)
    assert refused.value.code == "conflict"
    assert refused.value.changed == {
        "version": head,
        "fields": ["body", "title"],
        "current": {"body": "first body", "title": "First"},
    }
    assert "body, title" in refused.value.message
    assert run.state.head == head  # nothing stored
    assert _row(run, FAC, "I-2")["inject"]["title"] == "First"
    # Reapplied on the version the refusal named, the second edit goes through.
    run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "Second"}, version=head)
    assert (_row(run, FAC, "I-2")["inject"]["title"], _row(run, FAC, "I-2")["inject"]["body"]) == (
        "Second",
        "first body",
    )


def test_an_edit_without_a_version_is_taken_as_before():
    run = CoreRun()
    run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "First"})
    run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "Second"})
    assert _row(run, FAC, "I-2")["inject"]["title"] == "Second"


@pytest.mark.parametrize("version", ["3", 1.5, True, -1, [1]])
def test_a_version_that_is_not_a_sequence_number_is_invalid(version):
    run = CoreRun()
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "inject.edit", inject_id="I-2", changes={"title": "x"}, version=version)
    assert refused.value.code == "invalid"


def test_an_ad_hoc_inject_starts_at_the_seq_of_its_release():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    events = run.cmd(FAC, "inject.adhoc", **{"from": "UN OCHA"}, to={"teams": ["hum-1"]}, channel="email",
                     title="Ad hoc", body="b")
    row = next(r for r in run.state.snapshot(FAC)["injects"] if r["adhoc"])
    assert row["version"] == events[0].seq


def test_hold_unhold_cancel_and_release_keep_their_state_guards_and_take_no_version():
    # A status change is decided by the state it starts from (wrong_state, conflict), not a version.
    run = CoreRun()
    run.cmd(FAC, "inject.hold", inject_id="I-2")
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "inject.hold", inject_id="I-2")
    assert refused.value.code == "wrong_state"
    assert refused.value.changed is None


def test_a_feature_carries_its_version_and_a_stale_change_is_refused_with_what_changed():
    run = CoreRun()
    opened = run.log[0].seq
    assert _feature(run, FAC, "hum-warehouse")["version"] == opened
    assert _feature(run, HUM, "hum-warehouse")["version"] == opened  # every view, the teams' too
    (moved,) = run.cmd(FAC, "cop.change", feature_id="hum-warehouse", set={"name": "Depot"}, version=opened)
    assert moved.type == ev.COP_FEATURE_CHANGED
    assert _feature(run, HUM, "hum-warehouse")["version"] == moved.seq
    with pytest.raises(CommandError) as refused:
        run.cmd(HUM, "cop.change", feature_id="hum-warehouse", set={"name": "Store"}, version=opened)
    assert refused.value.code == "conflict"
    assert refused.value.changed == {"version": moved.seq, "fields": ["name"], "current": {"name": "Depot"}}
    run.cmd(HUM, "cop.change", feature_id="hum-warehouse", set={"name": "Store"}, version=moved.seq)
    run.cmd(HUM, "cop.change", feature_id="hum-warehouse", set={"name": "Without a version"})
    assert _feature(run, HUM, "hum-warehouse")["name"] == "Without a version"


def test_a_stale_remove_is_refused_and_one_without_a_version_goes_through():
    run = CoreRun()
    opened = run.log[0].seq
    (changed,) = run.cmd(FAC, "cop.change", feature_id="town-bessa", set={"name": "Bessa town"})
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "cop.remove", feature_id="town-bessa", version=opened)
    assert refused.value.code == "conflict"
    assert refused.value.changed["version"] == changed.seq
    run.cmd(FAC, "cop.remove", feature_id="town-bessa", version=changed.seq)
    assert "town-bessa" not in run.state.cop


def test_a_feature_added_by_an_inject_starts_at_the_seq_of_its_event():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    events = run.cmd(FAC, "inject.release", inject_id="I-6")
    added = next(e for e in events if e.type == ev.COP_FEATURE_ADDED)
    assert run.state.cop_versions["inc-protection"].version == added.seq
    assert _feature(run, FAC, "inc-protection")["version"] == added.seq
    with pytest.raises(CommandError) as refused:  # made on a version from before the feature was there
        run.cmd(FAC, "cop.change", feature_id="inc-protection", set={"name": "x"}, version=1)
    assert refused.value.changed["fields"] == sorted(added.payload["feature"])
    assert refused.value.changed["current"]["name"] == "Protection incident"
