"""The facilitator removes one participant, or gives a team a new join code (core, no server)."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import Principal, event_for_view
from exercise_server.core.errors import CommandError

from .core_harness import EVAL, FAC, HUM, CoreRun


@pytest.fixture
def run() -> CoreRun:
    run = CoreRun()
    run.join("CODE-hum-1", "Amina", "p-amina")
    run.join("CODE-hum-1", "Bea", "p-bea")
    run.join("CODE-mil-1", "Maj. Okafor", "p-okafor")
    run.join("CODE-eval", "Dr Evans", "p-evans")
    return run


def names(snapshot: dict) -> set[str]:
    return {p["name"] for p in snapshot["participants"]}


def test_a_removed_trainee_leaves_every_list_and_only_the_control_cell_and_her_team_are_told(run):
    (removed,) = run.cmd(FAC, "participant.remove", participant="p-amina")
    assert removed.type == ev.PARTICIPANT_REMOVED
    assert removed.payload == {"participant": "p-amina", "name": "Amina", "role": "trainee", "team": "hum-1"}
    assert removed.audience == ("facilitator", "evaluator", "team:hum-1")
    assert event_for_view(ev.View.of_team("mil-1"), removed) is None  # other teams learn nothing
    assert event_for_view(ev.View.of_team("hum-1"), removed) is not None
    assert event_for_view(ev.EVALUATOR_VIEW, removed) is not None
    assert run.state.was_removed("p-amina") and not run.state.was_removed("p-bea")
    assert "Amina" not in names(run.state.snapshot(FAC)) and "Amina" not in names(run.state.snapshot(EVAL))
    assert names(run.state.snapshot(HUM)) == {"Bea"}


def test_a_removed_participant_can_do_nothing_more_and_her_teammates_go_on(run):
    amina = run.state.participants["p-amina"]
    run.cmd(FAC, "participant.remove", participant="p-amina")
    as_amina = Principal(amina.role, amina.name, amina.id, amina.team, "humanitarian")
    with pytest.raises(CommandError) as refused:
        run.cmd(as_amina, "room.post", room="joint", text="still here?")
    assert refused.value.code == "forbidden"
    bea = Principal("trainee", "Bea", "p-bea", "hum-1", "humanitarian")
    run.cmd(bea, "room.post", room="joint", text="carrying on")


def test_an_evaluator_is_removed_from_the_control_cell_only(run):
    (removed,) = run.cmd(FAC, "participant.remove", participant="p-evans")
    assert removed.audience == ev.CONTROL_CELL
    assert "Dr Evans" not in names(run.state.snapshot(EVAL))


@pytest.mark.parametrize(
    ("who", "participant", "code"),
    [
        ("fac", "p-nobody", "not_found"),
        ("fac", "p-fac", "not_found"),  # the facilitator is no participant: cannot be removed
        ("trainee", "p-bea", "forbidden"),
        ("evaluator", "p-bea", "forbidden"),
    ],
)
def test_only_the_facilitator_removes_and_only_someone_who_joined(run, who, participant, code):
    principal = {"fac": FAC, "trainee": HUM, "evaluator": EVAL}[who]
    with pytest.raises(CommandError) as refused:
        run.cmd(principal, "participant.remove", participant=participant)
    assert refused.value.code == code


def test_removing_twice_is_a_conflict(run):
    run.cmd(FAC, "participant.remove", participant="p-amina")
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "participant.remove", participant="p-amina")
    assert refused.value.code == "conflict"


def test_a_replacement_code_joins_the_team_and_the_old_one_takes_nobody_new(run):
    (replaced,) = run.cmd(FAC, "code.replace", code="CODE-hum-1", replacement="NEWCO-DE234")
    assert replaced.payload == {"code": "CODE-hum-1", "replacement": "NEWCO-DE234", "role": "trainee", "team": "hum-1"}
    assert replaced.audience == (ev.FACILITATOR,)
    assert event_for_view(ev.EVALUATOR_VIEW, replaced) is None  # codes are the facilitator's
    newcomer = run.join("NEWCO-DE234", "Chloe", "p-chloe")
    assert (newcomer.role, newcomer.team) == ("trainee", "hum-1")
    with pytest.raises(CommandError) as refused:
        run.join("CODE-hum-1", "Amina again", "p-amina-2")
    assert refused.value.code == "forbidden"
    # Those who joined with the old code keep their tokens: it is not revoked.
    assert run.state.usable_code("CODE-hum-1") is not None
    codes = {c["code"]: c for c in run.state.snapshot(FAC)["codes"]}
    assert codes["CODE-hum-1"]["replaced_by"] == "NEWCO-DE234" and not codes["CODE-hum-1"]["revoked"]
    assert codes["NEWCO-DE234"] == {
        "code": "NEWCO-DE234",
        "role": "trainee",
        "team": "hum-1",
        "revoked": False,
        "replaced_by": None,
    }


def test_a_revoked_code_may_be_replaced_but_a_code_only_once(run):
    run.cmd(FAC, "code.revoke", code="CODE-mil-1")
    run.cmd(FAC, "code.replace", code="CODE-mil-1", replacement="NEWCO-DE234")
    assert run.join("NEWCO-DE234", "Capt. Ade", "p-ade").team == "mil-1"
    for code, replacement in (("CODE-mil-1", "OTHER-CODE2"), ("CODE-hum-1", "NEWCO-DE234"), ("NOPE", "X")):
        with pytest.raises(CommandError) as refused:
            run.cmd(FAC, "code.replace", code=code, replacement=replacement)
        assert refused.value.code == ("not_found" if code == "NOPE" else "conflict")


def test_only_the_facilitator_replaces_a_code_and_not_after_the_end(run):
    for principal in (HUM, EVAL):
        with pytest.raises(CommandError) as refused:
            run.cmd(principal, "code.replace", code="CODE-hum-1", replacement="NEWCO-DE234")
        assert refused.value.code == "forbidden"
    run.cmd(FAC, "exercise.end")
    with pytest.raises(CommandError) as refused:
        run.cmd(FAC, "code.replace", code="CODE-hum-1", replacement="NEWCO-DE234")
    assert refused.value.code == "wrong_state"
    run.cmd(FAC, "participant.remove", participant="p-amina")  # removing someone still works after the end


def test_removals_and_replacements_fold_back_the_same_from_the_log(run):
    run.cmd(FAC, "participant.remove", participant="p-amina")
    run.cmd(FAC, "code.replace", code="CODE-hum-1", replacement="NEWCO-DE234")
    again = type(run.state).fold(run.log)
    assert again.removed == run.state.removed and again.codes == run.state.codes
    assert again.snapshot(FAC) == run.state.snapshot(FAC)
