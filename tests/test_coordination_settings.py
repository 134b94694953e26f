"""A scenario's coordination settings (guideline, ocha_team): checked by validate, shown in every
view's snapshot, and set in the bundled scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from exercise_server.core.scenario_check import load_scenario_file, parse_scenario_text

from .core_harness import FAC, HUM, MINI, CoreRun

ROOT = Path(__file__).resolve().parent.parent


def with_keys(lines: str) -> str:
    return MINI.read_text(encoding="utf-8").replace("guideline: mcda\nocha_team: hum-1\n", lines, 1)


@pytest.mark.parametrize("lines,expected", [
    ("guideline: nato\n", "guideline must be oslo"),
    ("ocha_team: mil-1\n", "ocha_team 'mil-1' must be the id of a humanitarian team"),
    ("ocha_team: ocha\n", "ocha_team 'ocha' must be the id of a humanitarian team"),
])
def test_a_wrong_coordination_setting_is_a_problem_at_its_line(lines, expected):
    scenario, problems = parse_scenario_text(with_keys(lines))
    assert scenario is None
    assert any(expected in p.message for p in problems), problems


def test_without_settings_the_scenario_names_both_guidelines_and_no_coordination_team():
    scenario, problems = parse_scenario_text(with_keys(""))
    assert scenario is not None and (scenario.guideline, scenario.ocha_team) == ("", None), problems


def test_every_view_reads_the_settings_the_request_form_names():
    run = CoreRun()
    for who in (FAC, HUM):
        scenario = run.state.snapshot(who)["scenario"]
        assert (scenario["guideline"], scenario["ocha_team"]) == ("mcda", "hum-1")


def test_the_bundled_scenarios_name_their_guideline_and_coordination_team():
    guidelines = {}
    for path in sorted((ROOT / "injects").glob("*.yaml")):
        scenario = load_scenario_file(path)
        assert scenario.ocha_team == "hum-1", path.name
        guidelines[path.stem] = scenario.guideline
    assert guidelines.pop("module-3-floods-at-lake-oru") == "oslo"  # a disaster in peacetime
    assert set(guidelines.values()) == {"mcda"}  # the Tamsa conflict: a complex emergency
