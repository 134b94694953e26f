"""Role cards per person inside a team: in the scenario format, handed to their team and visible to
the control cell; a hidden agenda only on the printed card and to the control cell; another team
cannot read them, from outside either."""

from __future__ import annotations

import json

import httpx
import pytest

from exercise_server.core.scenario_check import parse_scenario_text

from .core_harness import CIV, EVAL, FAC, HUM, MIL, MINI, POL, CoreRun
from .server_harness import Client, ServerProcess

SECRET = "SECRET-HIDDEN-AGENDA-HUM"


def test_a_team_holds_its_own_cards_without_hidden_agendas_and_the_control_cell_every_card_whole():
    run = CoreRun()
    cards = lambda who: run.state.snapshot(who)["scenario"]["role_cards"]  # noqa: E731
    assert [c["id"] for c in cards(HUM)] == ["hum-cmcoord"]
    # teammates share a view: the agenda reaches its holder on paper (the handout), not on screen
    assert cards(HUM)[0]["hidden_agenda"] == "" and cards(HUM)[0]["hidden_agenda_on_paper"] is True
    assert SECRET not in json.dumps(run.state.snapshot(HUM))
    assert [c["id"] for c in cards(MIL)] == ["mil-commander"] and cards(MIL)[0]["hidden_agenda_on_paper"] is False
    assert {c["id"] for c in cards(FAC)} == {c["id"] for c in cards(EVAL)} == {"hum-cmcoord", "mil-commander"}
    assert next(c for c in cards(FAC) if c["id"] == "hum-cmcoord")["hidden_agenda"].startswith(SECRET)
    for who in (POL, CIV):
        assert cards(who) == [] and SECRET not in json.dumps(run.state.snapshot(who))


@pytest.mark.parametrize("card,expected", [
    ("{id: c1, team: nav-1, role: r, mandate: m, legal_basis: l, red_lines: x}", "unknown team 'nav-1'"),
    ("{id: c1, team: hum-1, role: r, mandate: m, legal_basis: l}", "missing required key 'red_lines'"),
    ("{id: c1, team: hum-1, role: r, mandate: m, legal_basis: l, red_lines: x, secret: y}", "unknown key 'secret'"),
    ("{id: c1, team: hum-1, role: '', mandate: m, legal_basis: l, red_lines: x}", "role"),
])
def test_a_malformed_role_card_is_a_problem_at_its_line(card, expected):
    text = MINI.read_text(encoding="utf-8").replace("role_cards:\n", f"role_cards:\n  - {card}\n", 1)
    scenario, problems = parse_scenario_text(text)
    assert scenario is None and any(expected in p.message for p in problems), problems


def test_two_cards_with_one_id_are_a_problem():
    text = MINI.read_text(encoding="utf-8").replace("  - id: mil-commander\n", "  - id: hum-cmcoord\n", 1)
    scenario, problems = parse_scenario_text(text)
    assert scenario is None and any("duplicate role card id" in p.message for p in problems)


@pytest.fixture
def server(tmp_path):
    s = ServerProcess(tmp_path / "data").start()
    yield s
    s.stop()


async def test_another_team_s_token_cannot_read_a_role_card_from_outside(server):
    exercise, codes, fac_token = server.open_exercise()
    hum_token = server.join(codes["hum-1"], "Amina")["token"]
    hum = await Client(server, exercise, hum_token).connect()
    assert hum.snapshot["scenario"]["role_cards"][0]["hidden_agenda_on_paper"] is True
    assert SECRET not in json.dumps(hum.snapshot)
    fac = await Client(server, exercise, fac_token).connect()
    assert len(fac.snapshot["scenario"]["role_cards"]) == 2
    sheet = httpx.get(f"{server.base}/api/exercises/{exercise}/role-cards", headers={"Authorization": f"Bearer {fac_token}"})
    assert sheet.status_code == 200 and SECRET in sheet.text  # the printed cards the control cell hands out
    for trainee_token in (hum_token, "not-a-token"):  # the sheet is the control cell's: refused as codes are
        r = httpx.get(f"{server.base}/api/exercises/{exercise}/role-cards", headers={"Authorization": f"Bearer {trainee_token}"})
        codes_r = httpx.get(f"{server.base}/api/exercises/{exercise}/codes", headers={"Authorization": f"Bearer {trainee_token}"})
        assert (r.status_code, SECRET in r.text) == (codes_r.status_code, False) and r.status_code >= 400
    token = server.join(codes["pol-1"], "Insp Kay")["token"]
    seen: list[str] = []
    for last_seq in (None, 0, 10**6):  # a fresh snapshot, a resume from the start, a snapshot again
        pol = await Client(server, exercise, token).connect(last_seq=last_seq)
        await pol.ok("room.post", room="joint", text="anything for us?")
        seen.append(json.dumps(pol.snapshot) + json.dumps(pol.events))
        await pol.close()
    headers = {"Authorization": f"Bearer {token}"}
    for path in (f"/api/exercises/{exercise}", f"/api/exercises/{exercise}/replay", f"/team/{exercise}",
                 f"/api/exercises/{exercise}/report", f"/api/exercises/{exercise}/export",
                 f"/api/exercises/{exercise}/role-cards", f"/control/{exercise}/handout"):
        r = httpx.get(f"{server.base}{path}", headers=headers, cookies={"token": token})
        seen.append(r.text)
    assert SECRET not in "".join(seen) and "Sector Commander" not in "".join(seen)
    await hum.close(), await fac.close()
