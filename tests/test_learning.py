"""Knowledge checks and the feedback form: the scenario's `learning:` section checked, answers
recorded once per trainee for the control cell only, scored per participant, team and objective."""

from __future__ import annotations

from pathlib import Path

import pytest

from exercise_server.core import events as ev
from exercise_server.core.errors import CommandError
from exercise_server.core.metrics import compute
from exercise_server.core.scenario_check import load_scenario_file, parse_scenario_text
from exercise_server.report import render_metrics

from .core_harness import CIV, EVAL, FAC, HUM, MIL, CoreRun, trainee

CAPSTONE = Path(__file__).resolve().parents[1] / "injects" / "tamsa-river-crisis.yaml"
HUM2 = trainee("hum-1", "humanitarian", "second member of hum-1")
HUM2 = type(HUM2)(HUM2.role, HUM2.name, "p-hum-1-b", HUM2.team, HUM2.component)
RIGHT = {"k1": 1, "k2": 1, "k3": 1, "k4": "Humanitarian neutrality"}


@pytest.fixture(scope="module")
def capstone():
    return load_scenario_file(CAPSTONE)


def test_the_capstone_carries_a_knowledge_check_tied_to_its_objectives_and_a_feedback_form(capstone):
    check, feedback = capstone.learning.check, capstone.learning.feedback
    assert [q.kind for q in check] == ["choice", "choice", "choice", "short"]
    assert {q.objective for q in check} <= set(capstone.objectives)
    assert [q.kind for q in feedback] == ["scale", "scale", "text"]
    assert check[0].translations["fr"]["choices"][1].startswith("Uniquement en dernier recours")


def test_a_trainee_sees_the_questions_but_never_the_answers(capstone):
    run = CoreRun(capstone)
    section = run.state.snapshot(HUM)["scenario"]["learning"]
    assert [q["id"] for q in section["check"]] == ["k1", "k2", "k3", "k4"]
    assert all("answer" not in q and "accept" not in q for q in section["check"] + section["feedback"])
    assert "learning_answers" not in run.state.snapshot(HUM)
    control = run.state.snapshot(EVAL)["scenario"]["learning"]
    assert control["check"][0]["answer"] == 1 and control["check"][3]["accept"][0] == "neutral"


def answered(capstone) -> CoreRun:
    run = CoreRun(capstone)
    run.cmd(HUM, "learning.answer", form="pre", answers={"k1": 0, "k2": 1, "k3": 0, "k4": "no idea"})
    run.cmd(HUM2, "learning.answer", form="pre", answers={"k1": 1, "k2": 0})
    run.cmd(MIL, "learning.answer", form="pre", answers={"k1": 1, "k2": 1, "k3": 1, "k4": "impartiality"})
    run.cmd(FAC, "clock.start")
    run.cmd(FAC, "exercise.end")
    run.cmd(HUM, "learning.answer", form="post", answers=RIGHT)
    run.cmd(HUM2, "learning.answer", form="post", answers={**RIGHT, "k4": "   "})
    run.cmd(HUM, "learning.answer", form="feedback", answers={"f1": 4, "f2": 5, "f3": "More time on the RFA <b>"})
    run.cmd(MIL, "learning.answer", form="feedback", answers={"f1": 2})
    return run


def test_answers_are_recorded_for_the_control_cell_only_and_scored_per_participant_team_and_objective(capstone):
    run = answered(capstone)
    events = [e for e in run.log if e.type == ev.LEARNING_ANSWERED]
    assert len(events) == 7 and all(e.audience == ev.CONTROL_CELL for e in events)
    assert events[0].payload == {"form": "pre", "participant": "p-hum-1", "name": HUM.name, "team": "hum-1",
                                 "answers": {"k1": 0, "k2": 1, "k3": 0, "k4": "no idea"}}
    assert "k4" not in events[4].payload["answers"]  # a blank short answer is left unanswered
    assert len(run.state.snapshot(FAC)["learning_answers"]) == 7
    results = compute(run.log).learning
    people = {p["name"]: p for p in results["participants"]}
    assert (people[HUM.name]["pre"], people[HUM.name]["post"]) == (25, 100)
    assert (people[HUM2.name]["pre"], people[HUM2.name]["post"]) == (25, 75)
    assert (people[MIL.name]["pre"], people[MIL.name].get("post")) == (100, None)
    assert results["teams"]["hum-1"]["pre"] == 25 and results["teams"]["hum-1"]["post"] == 87.5
    assert results["teams"]["mil-1"]["post"] is None
    o3 = next(o for o in results["objectives"] if o["objective"] == "O3")  # k1 and k2
    assert (o3["pre"], o3["pre_answered"], o3["post"]) == (pytest.approx(100 * 4 / 6), 3, 100)
    o1 = next(o for o in results["objectives"] if o["objective"] == "O1")  # k4, short answer
    assert (o1["pre"], o1["post"]) == (pytest.approx(100 / 3), 50)
    f1, f2, f3 = results["feedback"]
    assert (f1["mean"], f1["count"], f2["count"], f3["texts"]) == (3, 2, 1, ["More time on the RFA <b>"])
    html = render_metrics(compute(run.log))
    part = html[html.index('<section id="learning">'):html.index('<section id="findings">')]
    assert "87,5" not in part and "88 %" in part and "25 %" in part and HUM2.name in part
    assert "More time on the RFA &lt;b&gt;" in part and "3,0 / 5" not in part and "3.0 / 5" in part


def test_a_report_without_a_learning_section_has_no_such_part():
    assert '<section id="learning">' not in render_metrics(compute(CoreRun().log))


@pytest.mark.parametrize("who, fields, code", [
    (EVAL, {"form": "pre", "answers": {"k1": 1}}, "forbidden"),
    (FAC, {"form": "pre", "answers": {"k1": 1}}, "forbidden"),
    (HUM, {"form": "pre", "answers": {"k1": 1}}, "conflict"),  # answered already
    (CIV, {"form": "during", "answers": {"k1": 1}}, "invalid"),
    (CIV, {"form": "pre", "answers": {}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"k1": None, "k4": "  "}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"k9": 1}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"f1": 3}}, "invalid"),  # a feedback question in the check
    (CIV, {"form": "pre", "answers": {"k1": 3}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"k1": True}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"k1": "1"}}, "invalid"),
    (CIV, {"form": "pre", "answers": {"k4": "x" * 1001}}, "invalid"),
    (CIV, {"form": "pre", "answers": [1, 1]}, "invalid"),
    (CIV, {"form": "feedback", "answers": {"f1": 6}}, "invalid"),
    (CIV, {"form": "feedback", "answers": {"f1": 0}}, "invalid"),
    (CIV, {"form": "feedback", "answers": {"f3": 5}}, "invalid"),
])
def test_a_wrong_answer_is_refused_with_a_code_and_changes_nothing(capstone, who, fields, code):
    run = CoreRun(capstone)
    run.cmd(HUM, "learning.answer", form="pre", answers={"k1": 1})
    head = run.state.head
    with pytest.raises(CommandError) as err:
        run.cmd(who, "learning.answer", **fields)
    assert err.value.code == code
    assert run.state.head == head


def test_a_scenario_without_a_learning_section_refuses_answers():
    with pytest.raises(CommandError) as err:
        CoreRun().cmd(HUM, "learning.answer", form="pre", answers={"k1": 1})
    assert err.value.code == "not_found"


BASE = CAPSTONE.read_text(encoding="utf-8")
SECTION = BASE[BASE.index("\nlearning:"):]


@pytest.mark.parametrize("section, message", [
    ("learning: [1]\n", "learning must be a mapping"),
    ("learning:\n  quiz: []\n", "unknown"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, choices: [a, b], answer: 3, objective: O1}\n",
     "answer must be the number of the right choice, 1 to 2"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, choices: [a, b], answer: 1, objective: O9}\n",
     "objective must be one of the scenario's"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, objective: O1}\n", "give either choices"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, choices: [a], answer: 1, objective: O1}\n",
     "choices must list 2 to 8"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, accept: [], objective: O1}\n", "accept must list"),
    ("learning:\n  knowledge_check:\n    - {id: k1, question: Q, accept: [a], objective: O1}\n"
     "    - {id: k1, question: R, accept: [b], objective: O1}\n", "duplicate question id 'k1'"),
    ("learning:\n  feedback:\n    - {id: f1, question: Q, scale: 1}\n", "scale must be a whole number from 2"),
    ("learning:\n  feedback:\n    - {id: f1, question: {de: Frage}}\n", "does not declare"),
])
def test_validate_names_the_line_of_a_broken_learning_section(section, message):
    text = BASE.replace(SECTION, "\n" + section)
    scenario, problems = parse_scenario_text(text)
    assert scenario is None
    assert any(message in p.message for p in problems), [p.message for p in problems]
    assert all(p.line > BASE[:BASE.index("\nlearning:")].count("\n") for p in problems)


def test_a_syndicate_report_compares_its_class_side_by_side(capstone):
    from exercise_server.report import render

    first, second = answered(capstone), CoreRun(capstone, exercise="ex-2")
    second.cmd(HUM, "learning.answer", form="pre", answers=RIGHT)
    html = render(first.log, peers=[second.log])
    part = html[html.index('<section id="syndicates">'):html.index('<section id="summary">')]
    assert "Syndicate 1" in part and "Syndicate 2" in part and "ex-2" in part
    assert "67 % / 100 %" in part and "100 % / —" in part  # O3 (k1, k2): before / after
    assert '<section id="syndicates">' not in render(first.log)
