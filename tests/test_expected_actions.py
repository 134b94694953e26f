"""Expected actions each linked to the objectives they evidence and weighted: the scenario format
(plain text still an action), validate's refusals at the field, the evaluator's checklist, the
report, the control cell's edits and the studio's unchanged round trip; and an inject's COP change
of every field of a feature, as the studio's inject editor writes it."""

from __future__ import annotations

import json

import pytest

from exercise_server.core import events as ev
from exercise_server.core.errors import CommandError
from exercise_server.core.metrics import compute
from exercise_server.core.scenario import ExpectedAction, Scenario
from exercise_server.core.scenario_check import parse_scenario_text
from exercise_server.core.yamlsrc import plain
from exercise_server.report import render_metrics
from exercise_server.studio.document import check_document, parse_text
from exercise_server.studio.yamltext import write_document

from .core_harness import EVAL, FAC, HUM, MINI, POL, CoreRun

PLAIN = "    expected: {hum-1: [Share the access constraint in the joint room]}\n"
LINKED = """\
    expected:
      hum-1:
        - action: Share the access constraint in the joint room
          objectives: [O1, O5]
          weight: critical
        - Tell the military liaison officer
        - {action: Log the road as blocked on the COP}
        - {action: Ask OCHA for a detour, objectives: [], weight: desirable}
"""


def mini_text(expected: str = LINKED) -> str:
    text = MINI.read_text(encoding="utf-8")
    assert PLAIN in text
    return text.replace(PLAIN, expected, 1)


def linked_scenario(expected: str = LINKED) -> Scenario:
    scenario, problems = parse_scenario_text(mini_text(expected), "mini")
    assert not problems and scenario is not None, problems
    return scenario


def test_an_action_links_the_objectives_it_evidences_and_its_weight_and_plain_text_still_is_an_action():
    inject = linked_scenario().inject("I-1")
    assert inject is not None and inject.objectives == ("O5",)
    assert inject.expected == {"hum-1": [
        "Share the access constraint in the joint room", "Tell the military liaison officer",
        "Log the road as blocked on the COP", "Ask OCHA for a detour"]}
    assert inject.actions_of("hum-1") == (
        ExpectedAction("Share the access constraint in the joint room", ("O1", "O5"), "critical"),
        ExpectedAction("Tell the military liaison officer", ("O5",), "desirable"),  # plain: the inject's objectives
        ExpectedAction("Log the road as blocked on the COP", ("O5",), "desirable"),  # no objectives key: the same
        ExpectedAction("Ask OCHA for a detour", (), "desirable"),  # an explicit empty list: none
    )


def test_a_file_with_plain_actions_only_reads_as_before():
    text = MINI.read_text(encoding="utf-8")
    scenario, problems = parse_scenario_text(text, "mini")
    assert not problems and scenario is not None
    inject = scenario.inject("I-1")
    assert inject is not None
    assert inject.actions_of("hum-1") == (ExpectedAction("Share the access constraint in the joint room", ("O5",)),)


def test_a_linked_action_may_be_worded_in_each_language():
    text = mini_text("""\
    expected:
      hum-1:
        - action: {en: Share the access constraint, fr: Partager la contrainte d'accès}
          objectives: [O1]
          weight: critical
""").replace("start: ", "languages: [en, fr]\nstart: ", 1)
    scenario, problems = parse_scenario_text(text, "mini")
    assert not problems and scenario is not None, problems
    inject = scenario.inject("I-1")
    assert inject is not None
    assert inject.actions_of("hum-1") == (ExpectedAction("Share the access constraint", ("O1",), "critical"),)
    assert inject.translations["fr"]["expected"] == {"hum-1": ["Partager la contrainte d'accès"]}


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ("{action: Escort, objectives: [O9]}", "objectives", "unknown objective 'O9'; the objectives are O1, O5"),
        ("{action: Escort, weight: vital}", "weight", "weight must be critical or desirable, not 'vital'"),
        ("{action: Escort, weigth: critical}", "weigth", "unknown key 'weigth'"),
        ("{action: '', weight: critical}", "action", "action must be non-empty text"),
    ],
)
def test_validate_refuses_an_unknown_objective_or_weight_at_the_field(action: str, field: str, message: str):
    text = mini_text(f"    expected: {{hum-1: [Share the constraint, {action}]}}\n")
    scenario, problems = parse_scenario_text(text, "mini")
    assert scenario is None
    [problem] = problems
    assert problem.line == text.splitlines().index(f"    expected: {{hum-1: [Share the constraint, {action}]}}") + 1
    assert message in problem.message and "inject 'I-1' expected 'hum-1' action 2" in problem.message
    [found] = [p for p in check_document(parse_text(text), None, "mini") if p.severity == "error"]
    assert found.path == ["msel", 0, "expected", "hum-1", 1, field]


def test_the_studio_writes_a_linked_file_back_unchanged_byte_for_byte():
    text = mini_text()
    doc = plain(parse_text(text))
    assert write_document(doc, text) == text


def released_linked_run() -> CoreRun:
    run = CoreRun(linked_scenario())
    run.cmd(FAC, "clock.start")
    run.advance(300)
    assert run.released_ids() == ["I-1"]
    return run


def test_the_evaluator_reads_each_action_with_its_objectives_and_weight_and_trainees_never_do():
    run = released_linked_run()
    [released] = [e for e in run.log if e.type == ev.INJECT_RELEASED]
    links = released.payload["inject"]["expected_links"]
    assert links == {"hum-1": [
        {"objectives": ["O1", "O5"], "weight": "critical"},
        {"objectives": ["O5"], "weight": "desirable"},
        {"objectives": ["O5"], "weight": "desirable"},
        {"objectives": [], "weight": "desirable"},
    ]}
    [row] = [r for r in run.state.snapshot(EVAL)["injects"] if r["inject"]["id"] == "I-1"]
    assert row["inject"]["expected_links"] == links
    trainee = json.dumps(run.state.snapshot(HUM))
    assert "expected_links" not in trainee and "critical" not in trainee
    items = run.state.checklist()
    assert [(i["action"], i["objectives"], i["weight"]) for i in items] == [
        (0, ["O1", "O5"], "critical"), (1, ["O5"], "desirable"), (2, ["O5"], "desirable"), (3, [], "desirable")]


def test_the_report_shows_each_actions_objectives_and_weight():
    run = released_linked_run()
    run.cmd(EVAL, "expectation.mark", inject_id="I-1", team="hum-1", action=0, status="not_met")
    html = render_metrics(compute(run.log))
    section = html[html.index('<section id="expected">'):html.index('<section id="observations">')]
    assert "<th>Objectives</th><th>Weight</th>" in section
    assert '<td>O1, O5</td><td class="weight-critical">critical</td>' in section
    assert '<td>O5</td><td class="weight-desirable">desirable</td>' in section
    plan = html[html.index('<section id="improvement-plan">'):]  # the annex, last
    # the action not met evidences its own objectives: a finding proposed under each (one row per objective)
    assert plan.count("1 expected actions not met") == 2 and "<td>O1</td>" in plan and "<td>O5</td>" in plan


def test_a_live_edit_of_the_actions_sends_their_links_and_keeps_to_plain_text():
    run = CoreRun(linked_scenario())
    [edited] = run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"objectives": ["O1"]})
    assert edited.payload["expected_links"]["hum-1"] == [  # the linked action keeps its own; plain ones follow
        {"objectives": ["O1", "O5"], "weight": "critical"}, {"objectives": ["O1"], "weight": "desirable"},
        {"objectives": ["O1"], "weight": "desirable"}, {"objectives": [], "weight": "desirable"}]
    [edited] = run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"expected": {"hum-1": ["Call the police"]}})
    assert edited.payload["expected_links"] == {"hum-1": [{"objectives": ["O1"], "weight": "desirable"}]}
    assert "expected_links" not in run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"title": "New"})[0].payload
    with pytest.raises(CommandError) as err:
        run.cmd(FAC, "inject.edit", inject_id="I-1", changes={"expected": {"hum-1": [
            {"action": "Call", "objectives": ["O1"], "weight": "critical"}]}})
    assert err.value.code == "invalid"  # the control panel edits text; links are the studio's


def test_an_injects_cop_change_renames_rekinds_moves_and_hands_over_a_feature_at_release():
    """The change the studio's inject editor writes (docs/scenario-format.md, "COP changes")."""
    text = MINI.read_text(encoding="utf-8").replace(
        "        set: {properties: {status: tense}}\n",
        "        set: {name: Bessa (cut off), kind: incident, owner: hum-1, visible_to: [humanitarian],\n"
        "              properties: {status: flooded}, geometry: {type: Point, coordinates: [31.05, 4.55]}}\n")
    scenario, problems = parse_scenario_text(text, "mini")
    assert not problems and scenario is not None, problems
    run = CoreRun(scenario)
    run.cmd(FAC, "inject.release", inject_id="I-6")
    town = run.state.cop["town-bessa"]
    assert (town["name"], town["kind"], town["owner"], town["visible_to"]) == (
        "Bessa (cut off)", "incident", "hum-1", ["humanitarian"])
    assert town["properties"] == {"status": "flooded"}
    assert town["geometry"] == {"type": "Point", "coordinates": [31.05, 4.55]}
    assert "town-bessa" not in json.dumps(run.state.snapshot(POL)["cop"])  # no longer visible to the police
