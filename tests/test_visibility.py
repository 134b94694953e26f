"""Who sees what: filtering of events and snapshots by view, decided on the server."""

from __future__ import annotations

import json

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError

from .core_harness import CIV, EVAL, FAC, HUM, MIL, POL, CoreRun

POINT = {"type": "Point", "coordinates": [31.0, 4.0]}


def busy_exercise() -> CoreRun:
    """An exercise in which every kind of event a police team must not see has happened."""
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.cmd(HUM, "room.post", room="team:hum-1", text="our beneficiary list is ready")
    run.cmd(MIL, "room.post", room="liaison:hum-1~mil-1", text="liaison chat")
    run.cmd(HUM, "cop.add", feature={"kind": "camp", "name": "Secret distribution site", "geometry": POINT,
                                     "visible_to": ["humanitarian"]})
    run.cmd(FAC, "inject.hold", inject_id="I-2")
    run.cmd(FAC, "inject.edit", inject_id="I-3", changes={"body": "edited"})
    for _ in range(35):  # minute by minute: I-1, I-4, I-6 released; I-6 adds a humanitarian-only incident
        run.advance(60)
    run.cmd(HUM, "inject.ack", inject_id="I-1")
    run.cmd(FAC, "code.revoke", code="CODE-civ-1")
    return run


def police_stream(run: CoreRun) -> list[dict]:
    return [f for e in run.log if (f := event_for_view(POL.view, e)) is not None]


def test_a_police_team_never_receives_a_humanitarian_only_feature():
    run = busy_exercise()
    text = json.dumps(police_stream(run)) + json.dumps(run.state.snapshot(POL))
    assert "Secret distribution site" not in text
    assert "hum-warehouse" not in text and "WFP warehouse" not in text
    assert "inc-protection" not in text
    assert "hum-warehouse" in json.dumps(run.state.snapshot(HUM))


def test_a_police_team_never_receives_another_teams_room_messages():
    run = busy_exercise()
    text = json.dumps(police_stream(run)) + json.dumps(run.state.snapshot(POL))
    assert "beneficiary list" not in text and "liaison chat" not in text
    assert set(run.state.snapshot(POL)["rooms"]) == {"team:pol-1", "component:police", "joint", "plenary"}


def test_a_police_team_never_receives_unreleased_injects_or_control_notes():
    run = busy_exercise()
    text = json.dumps(police_stream(run)) + json.dumps(run.state.snapshot(POL))
    for secret in ("SECRET-CONTROL-NOTE", "Riot at the market", "Governor calls", "edited", "CODE-"):
        assert secret not in text
    assert not any(f["type"].startswith("code.") or f["type"] in (ev.INJECT_HELD, ev.INJECT_EDITED)
                   for f in police_stream(run))


def test_addressed_teams_get_the_inject_without_notes_or_expected_actions():
    run = busy_exercise()
    frames = [f for e in run.log if (f := event_for_view(HUM.view, e)) and f["type"] == ev.INJECT_RELEASED]
    assert [f["payload"]["inject"]["id"] for f in frames] == ["I-1", "I-4", "I-6"]
    for f in frames:  # no notes, expected actions, objectives, timing or COP changes
        assert set(f["payload"]["inject"]) == {"id", "from", "to", "channel", "title", "body", "attachments"}
        assert set(f["payload"]) == {"inject"}
    inbox = run.state.snapshot(HUM)["injects"]
    assert [row["inject"]["id"] for row in inbox] == ["I-1", "I-4", "I-6"]
    assert "SECRET-CONTROL-NOTE" not in json.dumps(inbox)


def test_evaluators_see_everything_including_control_notes_but_not_join_codes():
    run = busy_exercise()
    snapshot = json.dumps(run.state.snapshot(EVAL))
    assert "SECRET-CONTROL-NOTE-1" in snapshot and "beneficiary list" in snapshot
    assert "CODE-" not in snapshot
    assert "CODE-pol-1" in json.dumps(run.state.snapshot(FAC))


def test_join_codes_stay_with_the_facilitator():
    run = CoreRun()
    run.join("CODE-pol-1", "Officer Dana", "p-dana")
    for view in (EVAL.view, POL.view):
        assert "CODE-" not in json.dumps([event_for_view(view, e) for e in run.log])
    assert "CODE-pol-1" in json.dumps([event_for_view(FAC.view, e) for e in run.log])


def test_a_team_never_learns_which_inject_changed_the_map():
    run = CoreRun()
    run.cmd(FAC, "clock.start")
    run.cmd(FAC, "inject.release", inject_id="I-6")  # changes town-bessa, which everyone sees
    frames = [f for e in run.log if (f := event_for_view(POL.view, e))]
    assert any(f["type"] == ev.COP_FEATURE_CHANGED for f in frames)
    assert "I-6" not in json.dumps(frames)


def test_evaluators_are_invisible_to_trainees():
    run = CoreRun()
    run.join("CODE-eval", "Quiet observer", "p-obs")
    run.join("CODE-pol-1", "Officer Dana", "p-dana")
    stream = police_stream(run)
    assert "Quiet observer" not in json.dumps(stream) + json.dumps(run.state.snapshot(POL))
    assert "Officer Dana" in json.dumps(run.state.snapshot(POL))


def test_sharing_a_feature_and_taking_it_back():
    run = CoreRun()
    [added] = run.cmd(HUM, "cop.add", feature={"kind": "incident", "name": "Convoy route", "geometry": POINT})
    fid = added.payload["feature"]["id"]
    assert event_for_view(MIL.view, added) is None
    [shared] = run.cmd(HUM, "cop.change", feature_id=fid, set={"visible_to": ["humanitarian", "military"]})
    assert event_for_view(MIL.view, shared)["payload"]["feature"]["name"] == "Convoy route"
    [hidden] = run.cmd(HUM, "cop.change", feature_id=fid, set={"visible_to": ["humanitarian"], "name": "Renamed"})
    frame = event_for_view(MIL.view, hidden)
    assert frame["type"] == ev.COP_FEATURE_REMOVED and frame["payload"] == {"id": fid}
    assert fid not in {f["id"] for f in run.state.snapshot(MIL)["cop"]}


def test_teams_change_only_what_they_own_and_cannot_probe_hidden_features():
    run = CoreRun()
    with pytest.raises(CommandError) as info:
        run.cmd(POL, "cop.change", feature_id="mil-coy", set={"name": "ours now"})
    assert info.value.code == "forbidden"  # visible to police, owned by mil-1
    for fid in ("hum-warehouse", "no-such-feature"):  # hidden and missing answer alike
        with pytest.raises(CommandError) as info:
            run.cmd(POL, "cop.remove", feature_id=fid)
        assert info.value.code == "not_found"
    run.cmd(MIL, "cop.change", feature_id="mil-coy", set={"geometry": {"type": "Point", "coordinates": [31.5, 4.5]}})
    with pytest.raises(CommandError) as info:
        run.cmd(MIL, "cop.change", feature_id="mil-coy", set={"owner": "mil-1"})
    assert info.value.code == "forbidden"


def test_rooms_refuse_non_readers_and_read_only_members():
    run = CoreRun()
    for room in ("team:hum-1", "liaison:hum-1~mil-1", "component:military", "nowhere"):
        with pytest.raises(CommandError) as info:
            run.cmd(POL, "room.post", room=room, text="hello")
        assert info.value.code == "not_found"
    with pytest.raises(CommandError) as info:
        run.cmd(EVAL, "room.post", room="joint", text="I am watching")
    assert info.value.code == "forbidden"
    with pytest.raises(CommandError) as info:
        run.cmd(CIV, "room.post", room="joint", text="x", **{"as": "The Governor"})
    assert info.value.code == "forbidden"
    [e] = run.cmd(FAC, "room.post", room="joint", text="We demand a meeting", **{"as": "Governor of Tamsa"})
    assert event_for_view(CIV.view, e)["payload"]["as"] == "Governor of Tamsa"


@pytest.mark.parametrize("command", [
    {"type": "room.post", "room": "joint"},
    {"type": "room.post", "room": "joint", "text": ""},
    {"type": "room.post", "room": "joint", "text": "x" * 4001},
    {"type": "room.post", "room": 7, "text": "x"},
    {"type": "cop.add", "feature": {"kind": "ufo", "name": "x", "geometry": POINT}},
    {"type": "cop.add", "feature": {"kind": "unit", "name": "x", "geometry": {"type": "Point", "coordinates": [500, 4]}}},
    {"type": "cop.add", "feature": {"kind": "unit", "name": "x", "geometry": POINT, "visible_to": ["martians"]}},
    {"type": "cop.add", "feature": "not a map"},
    {"type": "inject.ack"},
    {"type": "launch.missiles"},
])
def test_malformed_commands_get_a_clear_error_and_change_nothing(command):
    run = CoreRun()
    before = json.dumps(run.state.snapshot(FAC), sort_keys=True)
    with pytest.raises(CommandError) as info:
        run.append(__import__("exercise_server.core.commands", fromlist=["decide"]).decide(
            run.state, MIL, command, run.clock.now()))
    assert info.value.code in ("invalid", "unknown_type", "not_found")
    assert info.value.message
    assert json.dumps(run.state.snapshot(FAC), sort_keys=True) == before


def test_a_team_says_which_inject_it_answers_and_only_it_and_the_control_cell_learn_it():
    run = busy_exercise()  # I-1 went to hum-1; I-4 to hum-1 and mil-1
    events = run.cmd(HUM, "room.post", room="joint", text="Convoy rerouted", responds_to="I-4")
    assert [e.type for e in events] == [ev.ROOM_MESSAGE_POSTED, ev.INJECT_RESPONDED]
    assert events[1].payload == {"inject_id": "I-4", "team": "hum-1", "action": "message in joint"}
    answered = events[1]
    assert event_for_view(POL.view, answered) is None and event_for_view(MIL.view, answered) is None
    assert event_for_view(HUM.view, answered)["payload"]["inject_id"] == "I-4"
    # the message itself names no inject, so other readers of the joint room learn nothing
    assert "responds_to" not in events[0].payload and "I-4" not in json.dumps(event_for_view(POL.view, events[0]))
    rows = {r["inject"]["id"]: r for r in run.state.snapshot(HUM)["injects"]}
    assert rows["I-4"]["responded"] and not rows["I-1"]["responded"]
    assert all(not r["responded"] for r in run.state.snapshot(MIL)["injects"])
    control = {r["inject"]["id"]: r for r in run.state.snapshot(FAC)["injects"]}
    assert control["I-4"]["responses"]["hum-1"]["action"] == "message in joint"
    later = run.cmd(HUM, "decision.record", what="Reroute", why="bridge down", responds_to="I-4")
    assert later[-1].payload["action"] == "decision recorded"
    control = {r["inject"]["id"]: r for r in run.state.snapshot(FAC)["injects"]}
    assert control["I-4"]["responses"]["hum-1"]["seq"] == answered.seq  # the first answer is the one kept


@pytest.mark.parametrize("who, command, code", [
    (POL, {"type": "room.post", "room": "joint", "text": "x", "responds_to": "I-1"}, "not_found"),  # hum-1's
    (HUM, {"type": "room.post", "room": "joint", "text": "x", "responds_to": "I-2"}, "not_found"),  # held
    (HUM, {"type": "room.post", "room": "joint", "text": "x", "responds_to": "I-99"}, "not_found"),
    (HUM, {"type": "room.post", "room": "joint", "text": "x", "responds_to": 4}, "invalid"),
    (HUM, {"type": "inject.ack", "inject_id": "I-4", "responds_to": "I-4"}, "invalid"),
    (FAC, {"type": "room.post", "room": "joint", "text": "x", "responds_to": "I-1"}, "forbidden"),
    (EVAL, {"type": "room.post", "room": "joint", "text": "x", "responds_to": "I-1"}, "forbidden"),
    (HUM, {"type": "room.post", "room": "team:mil-1", "text": "x", "responds_to": "I-1"}, "not_found"),
])
def test_naming_an_inject_one_may_not_answer_is_refused_and_changes_nothing(who, command, code):
    from exercise_server.core.commands import decide
    run = busy_exercise()
    before = (len(run.log), json.dumps(run.state.snapshot(FAC), sort_keys=True))
    with pytest.raises(CommandError) as info:
        decide(run.state, who, command, run.clock.now())
    assert info.value.code == code and info.value.message
    assert (len(run.log), json.dumps(run.state.snapshot(FAC), sort_keys=True)) == before
