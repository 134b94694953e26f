"""The studio's Coordination, Evaluation and Knowledge check tabs, and the handout's sheet of printed
role cards, at a phone's, a laptop's and a projector's size: no horizontal scrolling, every action
reachable, no critical or serious axe-core violation (test_browser_layout.py's checks). Each with the
bundled scenario that fills it: the module 1-2 exercise's seven role cards, the Tamsa scenario's
evaluation guide and knowledge check, both in two languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import facilitator
from .server_harness import ServerProcess
from .studio_harness import INJECTS, scenarios_folder
from .test_browser_layout import LAPTOP, PHONE, PROJECTOR, check

SIZES = [PHONE, LAPTOP, PROJECTOR]
BESSA = "module-1-2-who-does-what-in-bessa"
TAMSA = "tamsa-river-crisis"
STUDIO_ACTIONS = ["#studio-tabs button", "#save", "#download"]
ROW_ACTIONS = [".studio-row .remove-row"]


@pytest.fixture(scope="module")
def layout_server(tmp_path_factory):
    folder = scenarios_folder(tmp_path_factory, INJECTS / f"{BESSA}.yaml", INJECTS / f"{TAMSA}.yaml")
    s = ServerProcess(tmp_path_factory.mktemp("layout") / "data", scenarios=(folder,)).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def control(browser, layout_server):
    """The control panel of an exercise of the module 1-2 scenario: its page signs the studio in too."""
    exercise, _, _ = layout_server.open_exercise(BESSA)
    page, errors = facilitator(browser, layout_server, exercise)
    yield exercise, page
    page.context.close()
    assert errors.errors == []


def studio_tab(page, section: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(LAPTOP)
    page.click(f"#studio-tabs button[data-section='{section}']")
    expect(page.locator(f"#section-{section} h2")).to_be_visible()


def test_the_coordination_tab_with_seven_role_cards_fits_a_phone_a_laptop_and_a_projector(layout_server, control):
    _, panel = control
    page = panel.context.new_page()
    page.goto(f"{layout_server.base}/control/studio/{BESSA}")
    expect(page.locator("#sc-title")).to_be_visible()
    studio_tab(page, "coordination")
    expect(page.locator("[data-path='role_cards'] > li")).to_have_count(7)
    problems = check(page, "studio coordination", SIZES,
                     [*STUDIO_ACTIONS, *ROW_ACTIONS, "[data-add='role_cards']", ".coordination-guideline"])
    page.close()
    assert not problems, "\n".join(problems)


def test_the_evaluation_and_knowledge_check_tabs_fit_a_phone_a_laptop_and_a_projector(layout_server, control):
    _, panel = control
    page = panel.context.new_page()
    page.goto(f"{layout_server.base}/control/studio/{TAMSA}")
    expect(page.locator("#sc-title")).to_be_visible()
    studio_tab(page, "evaluation")
    expect(page.locator("[data-path='evaluation.targets'] > li")).to_have_count(6)
    problems = check(page, "studio evaluation", SIZES,
                     [*STUDIO_ACTIONS, *ROW_ACTIONS, ".studio-row .move-down", "[data-add='evaluation.targets']",
                      "[data-add='evaluation.critical_tasks']", "[data-add='evaluation.pitfalls']", ".target-inject"])
    studio_tab(page, "learning")
    expect(page.locator("[data-path='learning.knowledge_check'] > li")).to_have_count(4)
    problems += check(page, "studio knowledge check", SIZES,
                      [*STUDIO_ACTIONS, *ROW_ACTIONS, ".add-choice", ".question-answer", ".question-accept",
                       "[data-add='learning.knowledge_check']", "[data-add='learning.feedback']"])
    page.close()
    assert not problems, "\n".join(problems)


def test_the_handouts_sheet_of_seven_role_cards_fits_a_phone_a_laptop_and_a_projector(layout_server, control):
    exercise, panel = control
    page = panel.context.new_page()
    page.goto(f"{layout_server.base}/control/{exercise}/handout")
    expect(page.locator("#role-card-sheet .role-card")).to_have_count(7)
    expect(page.locator(".slip").first).to_be_visible()
    problems = check(page, "handout role cards", SIZES, ["#print", "#role-card-sheet .role-card h3"])
    page.close()
    assert not problems, "\n".join(problems)


def test_the_evaluation_and_knowledge_check_tabs_fit_in_french_too(browser, layout_server, control):
    """French labels run longer, and a button's name must still hold its visible text (axe)."""
    exercise, _ = control
    panel, errors = facilitator(browser, layout_server, exercise)
    page = panel.context.new_page()
    page.goto(f"{layout_server.base}/control/studio/{TAMSA}")
    expect(page.locator("#sc-title")).to_be_visible()
    page.select_option("#seat-language", "fr")
    expect(page.locator("#studio-tabs button[data-section='evaluation']")).to_have_text("Évaluation")
    problems = []
    for section in ("evaluation", "learning"):
        studio_tab(page, section)
        problems += check(page, f"studio {section} in French", [PHONE, PROJECTOR],
                          [*STUDIO_ACTIONS, *ROW_ACTIONS, ".studio-row .move-down"])
    panel.context.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)
