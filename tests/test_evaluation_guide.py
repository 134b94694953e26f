"""The exercise evaluation guide in the scenario format: what validate refuses (with the field path),
and capability targets met or missed from the log exactly as their thresholds say, pauses included."""

from __future__ import annotations

import pytest

from exercise_server.core.metrics import compute
from exercise_server.core.scenario_check import parse_scenario_text
from exercise_server.studio.document import check_document, parse_text

from .core_harness import EVAL, FAC, HUM, MIL, MINI, CoreRun

GUIDE = """
evaluation:
  targets:
    - id: convoy-warning
      capability: {en: Information sharing, fr: Partage de l'information}
      objectives: [O5]
      text: The access report reaches the military team within 10 minutes
      measure: informed
      inject: I-1
      teams: [mil-1]
      within_minutes: 10
    - id: convoy-warning-fast
      text: The access report reaches the military team within 9 minutes
      measure: informed
      inject: I-1
      teams: [military]
      within_minutes: 9
    - id: ack-fast
      capability: Information sharing
      text: OCHA's access report is acknowledged within 2 minutes
      measure: acknowledge
      inject: I-1
      teams: [humanitarian]
      within_minutes: 2
    - id: police-told
      text: The police hear of the access report within 20 minutes
      measure: informed
      inject: I-1
      teams: [pol-1]
      within_minutes: 20
    - id: governor-answered
      text: The Governor's call is answered within 15 minutes
      measure: answer
      inject: I-3
      teams: [all]
      within_minutes: 15
  critical_tasks:
    - id: ct-last-resort
      capability: Information sharing
      text: Use military assets only as a last resort
      source: Oslo Guidelines Rev. 1.1 (2007), para. 5
      objectives: [O5]
      teams: [humanitarian]
  pitfalls:
    - id: pf-escort
      text: Asks for an armed escort at once
      objectives: [O5]
      teams: [hum-1]
      injects: [I-1]
"""


def guided(extra: str = GUIDE) -> str:
    return MINI.read_text(encoding="utf-8").replace("format: 1\n", "format: 1\nlanguages: [en, fr]\n", 1) + extra


def load(extra: str = GUIDE):
    scenario, problems = parse_scenario_text(guided(extra), "mini")
    assert not problems, problems
    return scenario


def problems_of(extra: str) -> list[tuple[list, str]]:
    found = check_document(parse_text(guided(extra)), None, "mini")
    return [(p.path, p.message) for p in found if p.severity == "error"]


def test_the_guide_is_read_with_its_targets_tasks_pitfalls_and_translations():
    guide = load().evaluation
    assert [t.id for t in guide.targets][:2] == ["convoy-warning", "convoy-warning-fast"]
    warning = guide.target("convoy-warning")
    assert (warning.measure, warning.inject, warning.teams, warning.within) == ("informed", "I-1", ("mil-1",), 600.0)
    assert warning.translations == {"fr": {"capability": "Partage de l'information"}}
    assert guide.target("governor-answered").teams == ("mil-1", "pol-1", "hum-1", "civ-1")
    assert guide.capabilities() == ["Information sharing"]
    assert guide.critical_tasks[0].source == "Oslo Guidelines Rev. 1.1 (2007), para. 5"
    assert guide.critical_tasks[0].teams == ("hum-1",)
    assert guide.pitfall("pf-escort").injects == ("I-1",)
    assert [t.id for t in guide.for_team("pol-1").targets] == ["police-told", "governor-answered"]


def test_a_scenario_without_a_guide_has_an_empty_one():
    scenario, problems = parse_scenario_text(MINI.read_text(encoding="utf-8"), "mini")
    assert not problems and scenario is not None
    assert scenario.evaluation.targets == () and scenario.evaluation.pitfalls == ()


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("measure: informed", "measure: heard", ["evaluation", "targets", 0, "measure"], "'heard' is not one of"),
        ("inject: I-1", "inject: I-99", ["evaluation", "targets", 0, "inject"], "no inject 'I-99'"),
        ("within_minutes: 10", "within_minutes: soon", ["evaluation", "targets", 0, "within_minutes"], "minutes"),
        ("objectives: [O5]", "objectives: [O9]", ["evaluation", "targets", 0, "objectives"], "unknown objective"),
        (
            "      source: Oslo Guidelines Rev. 1.1 (2007), para. 5\n",
            "",
            ["evaluation", "critical_tasks", 0],
            "missing required key 'source'",
        ),
        ("injects: [I-1]", "injects: [I-42]", ["evaluation", "pitfalls", 0, "injects"], "no inject 'I-42'"),
    ],
)
def test_validate_refuses_a_broken_guide_at_the_field_path(old, new, path, words):
    broken = GUIDE.replace(old, new, 1)
    found = problems_of(broken)
    assert any(p == path and words in message for p, message in found), found
    assert any(message.startswith(".".join(["evaluation", f"{path[1]}[{path[2]}]"])) for _, message in found)
    scenario, problems = parse_scenario_text(guided(broken), "mini")
    assert scenario is None and problems


def test_validate_refuses_a_target_on_teams_the_measure_cannot_concern():
    addressed = GUIDE.replace(
        "measure: acknowledge\n      inject: I-1\n      teams: [humanitarian]",
        "measure: acknowledge\n      inject: I-1\n      teams: [police]",
    )
    assert any("pol-1 do not receive I-1" in m for _, m in problems_of(addressed))
    informed = GUIDE.replace("teams: [mil-1]", "teams: [hum-1]", 1)
    assert any("hum-1 receive I-1 themselves" in m for _, m in problems_of(informed))
    duplicate = GUIDE.replace("id: pf-escort", "id: ack-fast")
    assert any("duplicate id 'ack-fast'" in m for _, m in problems_of(duplicate))


def paused_run() -> CoreRun:
    """I-1 reaches hum-1 at +0:05 (300 s); control pauses an hour of wall time in the middle."""
    run = CoreRun(load())
    run.cmd(FAC, "clock.start")
    run.advance(300)  # ex 300: I-1 released to hum-1
    run.advance(60)  # ex 360
    run.cmd(FAC, "clock.pause")
    run.clock.advance(3600)  # an hour of wall time, none of exercise time
    run.cmd(HUM, "inject.ack", inject_id="I-1")  # ex 360: 60 s after the release
    run.cmd(HUM, "room.post", room="team:hum-1", text="Tell the military?")  # hum-1's own room: reaches no one
    run.cmd(FAC, "clock.resume")
    run.advance(540)  # ex 900: 600 s after the release
    run.cmd(HUM, "room.post", room="liaison:hum-1~mil-1", text="Road to Kora blocked")
    return run


def results(run: CoreRun) -> dict[tuple[str, str], dict]:
    return {(r["target"], r["team"]): r for r in compute(run.log).targets}


def test_a_target_is_met_or_missed_exactly_at_its_threshold_in_exercise_time_across_a_pause():
    run = paused_run()
    got = results(run)
    warning = got[("convoy-warning", "mil-1")]
    assert (warning["status"], warning["after"], warning["by"]) == ("met", 600.0, "hum-1")  # 10 min, 70 by the wall
    assert got[("convoy-warning-fast", "mil-1")]["status"] == "missed"  # the same 600 s against 9 minutes
    assert (got[("ack-fast", "hum-1")]["status"], got[("ack-fast", "hum-1")]["after"]) == ("met", 60.0)
    assert got[("governor-answered", "civ-1")]["status"] == "not_released"


def test_a_target_stays_open_until_its_threshold_passes_then_is_missed():
    run = paused_run()
    assert results(run)[("police-told", "pol-1")]["status"] == "open"  # 600 s of 1200, nothing yet
    run.advance(600)  # ex 1500: 1200 s after the release
    assert results(run)[("police-told", "pol-1")]["status"] == "open"  # exactly 20 minutes: not yet past
    run.cmd(EVAL, "observation.record", text="Police still unaware", rating=2, objective="O5")
    run.advance(1)
    run.cmd(EVAL, "observation.record", text="Still unaware", rating=2, objective="O5")
    assert results(run)[("police-told", "pol-1")]["status"] == "missed"


def test_a_message_from_the_team_itself_or_from_control_does_not_inform_it():
    run = paused_run()
    run.cmd(FAC, "room.post", room="joint", text="Road to Kora is blocked (control)")
    run.cmd(MIL, "room.post", room="joint", text="We have it")
    assert results(run)[("police-told", "pol-1")]["by"] == "mil-1"


def test_the_capstone_carries_a_guide_with_sources_for_every_critical_task():
    from exercise_server.core.scenario_check import load_scenario_file

    guide = load_scenario_file(MINI.parent.parent.parent / "injects" / "tamsa-river-crisis.yaml").evaluation
    assert len(guide.targets) >= 5 and len(guide.pitfalls) >= 5
    assert all(task.source for task in guide.critical_tasks)
    assert all(t.translations.get("fr", {}).get("text") for t in guide.targets)
    assert {t.measure for t in guide.targets} >= {"informed", "answer", "acknowledge"}
