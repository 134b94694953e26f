"""A phone line: role-played calls between a team and a persona the control cell plays happen in a
logged room (rooms.phone in the scenario format; the control cell posts as the persona)."""

from __future__ import annotations

import pytest

from exercise_server.core import events as ev
from exercise_server.core.access import event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.scenario_check import parse_scenario_text

from .core_harness import FAC, HUM, MIL, MINI, POL, CoreRun

PERSONAS = """personas:
  - {id: dembo, name: Colonel Dembo, role: NDF commander at Kilo 22}
"""
ROOM = "phone:hum-1~dembo"


def scenario_text(phone: str = "    - {team: hum-1, persona: dembo}\n") -> str:
    text = MINI.read_text(encoding="utf-8").replace("teams:\n", PERSONAS + "teams:\n", 1)
    return text.replace("rooms:\n  liaison:\n", f"rooms:\n  phone:\n{phone}  liaison:\n", 1)


def run_of() -> CoreRun:
    scenario, problems = parse_scenario_text(scenario_text())
    assert scenario is not None, problems
    run = CoreRun(scenario)
    run.cmd(FAC, "clock.start")
    return run


def test_a_team_calls_a_control_persona_on_a_logged_line_only_it_and_control_read():
    run = run_of()
    room = run.scenario.rooms[ROOM]
    assert (room.kind, room.name, set(room.readers)) == ("phone", "Phone: Colonel Dembo", {"hum-1"})
    assert ROOM in run.state.snapshot(HUM)["rooms"] and ROOM in run.state.snapshot(FAC)["rooms"]
    assert ROOM not in run.state.snapshot(MIL)["rooms"]
    (call,) = run.cmd(HUM, "room.post", room=ROOM, text="Colonel, our convoy passes Kilo 22 at ten.")
    (answer,) = run.cmd(FAC, "room.post", room=ROOM, text="Nobody told me of any convoy.", **{"as": "Colonel Dembo"})
    assert answer.payload["as"] == "Colonel Dembo" and answer.type == ev.ROOM_MESSAGE_POSTED
    for e in (call, answer):
        assert event_for_view(HUM.view, e) is not None and event_for_view(POL.view, e) is None
    with pytest.raises(CommandError) as exc:
        run.cmd(MIL, "room.post", room=ROOM, text="listening in")
    assert exc.value.code in ("forbidden", "not_found")


@pytest.mark.parametrize("phone,expected", [
    ("    - {team: nav-1, persona: dembo}\n", "unknown team 'nav-1'"),
    ("    - {team: hum-1, persona: nobody}\n", "unknown persona 'nobody'"),
    ("    - {team: hum-1}\n", "missing required key 'persona'"),
    ("    - {team: hum-1, persona: dembo}\n    - {team: hum-1, persona: dembo}\n", "duplicate phone line"),
])
def test_a_wrong_phone_line_is_a_problem_at_its_line(phone, expected):
    scenario, problems = parse_scenario_text(scenario_text(phone))
    assert scenario is None and any(expected in p.message for p in problems), problems
