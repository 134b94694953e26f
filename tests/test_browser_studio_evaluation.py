"""The studio's Evaluation and Knowledge check tabs in a real browser, used as a trainer who has
never seen YAML would: an evaluation guide and a knowledge check built in forms, a problem shown at
its field, and the file they wrote checked: it passes `exercise-server validate` and holds what was
typed. The bundled Tamsa scenario, with both sections in two languages, opens, shows them whole, and
saves byte for byte; an English text edited keeps its French."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect

from exercise_server.core.evaluation_guide import MEASURES

from . import studio_harness
from .browser import screenshot
from .studio_harness import INJECTS, studio_sign_in

TAMSA = INJECTS / "tamsa-river-crisis.yaml"


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory):
    with studio_harness.studio_server(tmp_path_factory, TAMSA) as s:
        yield s


def tab(page: Page, section: str) -> None:
    page.click(f"#studio-tabs button[data-section='{section}']")
    expect(page.locator(f"#section-{section}")).to_be_visible()


def rows(page: Page, path: str):  # type: ignore[no-untyped-def]
    return page.locator(f"[data-path='{path}'] > li")


def validate(path) -> None:  # type: ignore[no-untyped-def]
    checked = subprocess.run(
        [sys.executable, "-m", "exercise_server", "validate", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def save(page: Page) -> None:
    page.click("#save")
    expect(page.locator("#save-state")).to_have_text("Saved")
    expect(page.locator("#studio-message")).to_have_text("Saved.")


def test_a_trainer_builds_an_evaluation_guide_and_a_knowledge_check_in_forms_and_the_file_validates(
    browser, studio_server
):
    server = studio_server
    headers = {"Authorization": f"Bearer {server.facilitator_token()}"}
    made = httpx.post(f"{server.base}/api/studio/scenarios", headers=headers,
                      json={"from": "template", "id": "graded", "title": "Graded"})
    assert made.status_code == 201, made.text
    page, errors = studio_sign_in(browser, server, "graded")

    # Two capability targets, the second moved above the first; the measures are the code's.
    tab(page, "evaluation")
    section = page.locator("#section-evaluation")
    expect(section.locator(".meta").first).to_be_visible()
    for text, minutes in (("The humanitarians acknowledge the start within 5 minutes", "5"),
                          ("The military acknowledge the start within 3 minutes", "3")):
        page.click("[data-add='evaluation.targets']")
        expect(rows(page, "evaluation.targets").last.locator(".target-text")).to_be_focused()
        page.keyboard.insert_text(text)
        row = rows(page, "evaluation.targets").last
        row.locator(".target-minutes").fill(minutes)
        row.locator(".target-inject").select_option("I-01")
        row.locator(".item-capability").fill("Security information sharing")
    first, second = rows(page, "evaluation.targets").nth(0), rows(page, "evaluation.targets").nth(1)
    assert first.locator(".target-measure option").evaluate_all("(os) => os.map((o) => o.value)") == list(MEASURES)
    first.locator("[data-path$='.teams'] input[value='hum-1']").check()
    first.locator("[data-path$='.objectives'] input[value='O4']").check()
    second.locator(".item-id").fill("military-start")
    second.locator("[data-path$='.teams'] input[value='mil-1']").check()
    # A problem of the guide is written under its field: the military receive I-01 themselves.
    second.locator(".target-measure").select_option("informed")
    problem = second.locator("[data-path$='.teams'] .field-problem")
    expect(problem).to_contain_text("receive I-01 themselves")
    expect(page.locator("#studio-tabs button[data-section='evaluation'] .badge")).to_have_text("1")
    second.locator(".target-measure").select_option("acknowledge")
    expect(problem).to_have_count(0)
    second.locator(".move-up").click()
    expect(rows(page, "evaluation.targets").nth(0).locator(".item-id")).to_have_value("military-start")
    expect(rows(page, "evaluation.targets").nth(0).locator(".move-down")).to_be_focused()

    # A critical task with its doctrine source, and a pitfall likely at I-01.
    page.click("[data-add='evaluation.critical_tasks']")
    page.keyboard.insert_text("Request military assets only as a last resort")
    task = rows(page, "evaluation.critical_tasks").last
    task.locator(".task-source").fill("Oslo Guidelines, Rev. 1.1 (2007), para. 5")
    task.locator("[data-path$='.teams'] input[value='humanitarian']").check()
    task.locator("[data-path$='.objectives'] input[value='O3']").check()
    page.click("[data-add='evaluation.pitfalls']")
    page.keyboard.insert_text("Asks for an armed escort before the civilian options are weighed")
    pitfall = rows(page, "evaluation.pitfalls").last
    pitfall.locator("[data-path$='.injects'] input[value='I-01']").check()
    pitfall.locator("[data-path$='.teams'] input[value='hum-1']").check()

    # The knowledge check: a multiple-choice question with three choices, the second right; a short
    # answer; the feedback form: a rating and a free text.
    tab(page, "learning")
    page.click("[data-add='learning.knowledge_check']")
    page.keyboard.insert_text("When may a humanitarian organisation use military assets?")
    question = rows(page, "learning.knowledge_check").last
    question.locator(".question-objective").select_option("O3")
    question.locator(".add-choice").click()
    for n, choice in enumerate(("Whenever they are faster", "Only as a last resort", "When the Force Commander approves")):
        rows(page, "learning.knowledge_check").last.locator(".choice-text").nth(n).fill(choice)
    # A fourth choice made the right one, then removed: the right answer is to be picked again.
    question = rows(page, "learning.knowledge_check").last
    question.locator(".add-choice").click()
    expect(question.locator(".choice-text").nth(3)).to_be_focused()
    page.keyboard.insert_text("Never")
    question.locator(".question-answer").select_option("4")
    question.locator(".remove-choice").nth(3).click()
    question = rows(page, "learning.knowledge_check").last
    expect(question.locator(".question-answer")).to_have_value("")
    expect(question.locator(".field-problem")).to_contain_text("answer must be the number of the right choice")
    question.locator(".question-answer").select_option("2")
    expect(question.locator(".field-problem")).to_have_count(0)
    expect(question.locator(".question-answer option[value='2']")).to_have_text("2. Only as a last resort")
    page.click("[data-add='learning.knowledge_check']")
    page.keyboard.insert_text("In one word, which principle keeps aid apart from the mission's aims?")
    short = rows(page, "learning.knowledge_check").last
    short.locator(".question-objective").select_option("O1")
    short.locator(".question-kind").select_option("short")
    short = rows(page, "learning.knowledge_check").last
    short.locator(".question-accept").fill("neutral, impartial")
    page.click("[data-add='learning.feedback']")
    page.keyboard.insert_text("How useful was this exercise for your work?")
    page.click("[data-add='learning.feedback']")
    page.keyboard.insert_text("What one thing would you change?")
    rows(page, "learning.feedback").last.locator(".feedback-kind").select_option("text")
    expect(rows(page, "learning.feedback").last.locator(".feedback-scale")).to_have_count(0)
    save(page)
    assert errors.errors == []

    path = server.folder / "graded.yaml"
    validate(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["evaluation"] == {
        "targets": [
            {"id": "military-start", "text": "The military acknowledge the start within 3 minutes",
             "measure": "acknowledge", "inject": "I-01", "teams": ["mil-1"], "within_minutes": 3,
             "capability": "Security information sharing"},
            {"id": "target", "text": "The humanitarians acknowledge the start within 5 minutes",
             "measure": "acknowledge", "inject": "I-01", "teams": ["hum-1"], "within_minutes": 5,
             "capability": "Security information sharing", "objectives": ["O4"]},
        ],
        "critical_tasks": [{"id": "task", "text": "Request military assets only as a last resort",
                            "source": "Oslo Guidelines, Rev. 1.1 (2007), para. 5", "teams": ["humanitarian"],
                            "objectives": ["O3"]}],
        "pitfalls": [{"id": "pitfall", "text": "Asks for an armed escort before the civilian options are weighed",
                      "injects": ["I-01"], "teams": ["hum-1"]}],
    }
    assert doc["learning"] == {
        "knowledge_check": [
            {"id": "k1", "objective": "O3", "question": "When may a humanitarian organisation use military assets?",
             "choices": ["Whenever they are faster", "Only as a last resort", "When the Force Commander approves"],
             "answer": 2},
            {"id": "k2", "objective": "O1",
             "question": "In one word, which principle keeps aid apart from the mission's aims?",
             "accept": ["neutral", "impartial"]},
        ],
        "feedback": [
            {"id": "f1", "question": "How useful was this exercise for your work?", "scale": 5},
            {"id": "f2", "question": "What one thing would you change?"},
        ],
    }
    page.context.close()


def test_the_tamsa_guide_and_knowledge_check_show_whole_save_unchanged_and_keep_their_french(browser, studio_server):
    server = studio_server
    path = server.folder / "tamsa-river-crisis.yaml"
    before = path.read_bytes()
    page, errors = studio_sign_in(browser, server, "tamsa-river-crisis")
    tab(page, "evaluation")
    expect(rows(page, "evaluation.targets")).to_have_count(6)
    expect(rows(page, "evaluation.critical_tasks")).to_have_count(6)
    expect(rows(page, "evaluation.pitfalls")).to_have_count(6)
    target = rows(page, "evaluation.targets").first
    expect(target.locator(".target-text")).to_have_value(
        "The Kilo 22 roadblock on MSR1 (I-03) reaches the humanitarian team within 10 minutes")
    expect(target.locator(".target-measure")).to_have_value("informed")
    expect(target.locator(".target-inject")).to_have_value("I-03")
    expect(target.locator("[data-path$='.teams'] input[value='hum-1']")).to_be_checked()
    page.locator("#section-evaluation h2").scroll_into_view_if_needed()
    screenshot(page, "studio-evaluation")
    task = rows(page, "evaluation.critical_tasks").first  # for two components, not teams
    expect(task.locator("[data-path$='.teams'] input[value='humanitarian']")).to_be_checked()
    tab(page, "learning")
    expect(rows(page, "learning.knowledge_check")).to_have_count(4)
    expect(rows(page, "learning.knowledge_check").first.locator(".question-answer")).to_have_value("2")
    expect(rows(page, "learning.knowledge_check").last.locator(".question-accept")).to_have_value(
        "neutral, impartial, independen, neutre, indépendan")
    expect(rows(page, "learning.feedback").last.locator(".feedback-scale")).to_have_count(0)

    # Typed and typed back: saved, the file is byte for byte as it was.
    question = rows(page, "learning.feedback").first.locator(".question-text")
    question.press("End")
    question.press("x")
    expect(page.locator("#save-state")).to_have_text("Unsaved changes")
    question.press("Backspace")
    save(page)
    assert path.read_bytes() == before

    # The first target's English changed: its French stays, and nothing else of the file moves.
    tab(page, "evaluation")
    rows(page, "evaluation.targets").first.locator(".target-text").fill("The Kilo 22 roadblock reaches hum-1 in time")
    save(page)
    validate(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["evaluation"]["targets"][0]["text"] == {
        "en": "The Kilo 22 roadblock reaches hum-1 in time",
        "fr": "Le barrage du Kilo 22 sur la MSR1 (I-03) parvient à l'équipe humanitaire en 10 minutes au plus",
    }
    changed = [(a, b) for a, b in zip(before.decode().splitlines(), path.read_text(encoding="utf-8").splitlines(),
                                       strict=True) if a != b]
    assert changed == [("        en: The Kilo 22 roadblock on MSR1 (I-03) reaches the humanitarian team within 10 minutes",
                        "        en: The Kilo 22 roadblock reaches hum-1 in time")]
    assert errors.errors == []
    page.context.close()


def test_a_section_written_by_hand_in_another_shape_is_named_not_edited_over(browser, studio_server):
    """A file edited by hand whose guide's targets are not a list, and whose learning section is a
    list: both tabs say so where the problems are shown, and draw no form that would write over it."""
    server = studio_server
    headers = {"Authorization": f"Bearer {server.facilitator_token()}"}
    made = httpx.post(f"{server.base}/api/studio/scenarios", headers=headers,
                      json={"from": "template", "id": "handmade", "title": "Handmade"})
    assert made.status_code == 201, made.text
    path = server.folder / "handmade.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "evaluation:\n  targets: later\nlearning: [k1]\n",
                    encoding="utf-8")
    page, errors = studio_sign_in(browser, server, "handmade")
    tab(page, "evaluation")
    expect(page.locator("#section-evaluation")).to_contain_text("not written in the form the studio edits")
    expect(page.locator("#section-evaluation .field-problem")).to_contain_text("evaluation.targets must be a list")
    expect(page.locator("#section-evaluation [data-add]")).to_have_count(0)
    tab(page, "learning")
    expect(page.locator("#section-learning")).to_contain_text("not written in the form the studio edits")
    expect(page.locator("#section-learning .field-problem")).to_be_visible()
    assert errors.errors == []
    page.context.close()
