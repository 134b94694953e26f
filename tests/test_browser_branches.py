"""Branching in the scenario studio, in a real browser: a planner makes one inject wait for what a
team does and another go in place of an inject, in forms; the file it saves is what the format says
and passes validate."""

from __future__ import annotations

from playwright.sync_api import expect

from exercise_server.core.scenario_check import parse_scenario

from .test_browser_studio import api, sign_in, studio_server, tab  # noqa: F401 (studio_server: the fixture)


def test_a_planner_sets_a_branch_and_an_alternate_in_the_inject_editor(browser, studio_server):  # noqa: F811
    server = studio_server
    assert api(server, "POST", "/scenarios", **{"from": "template", "id": "branches", "title": "Branches"}).status_code == 201
    current = api(server, "GET", "/scenarios/branches").json()
    doc = current["document"]
    first = doc["msel"][0]
    doc["msel"] = [{**first, "id": f"I-0{n}", "at": f"+0:{n}0", "title": f"Inject {n}"} for n in (1, 2, 3)]
    assert api(server, "PUT", "/scenarios/branches", version=current["version"], document=doc).status_code == 200
    team = doc["teams"][0]["id"]
    page, errors = sign_in(browser, server)
    page.goto(server.base + "/control/studio/branches")
    tab(page, "msel")

    # I-02 waits for a decision recorded by the first team, then five minutes.
    page.click("#studio-msel tr[data-inject='I-02'] .edit-inject")
    page.select_option("#inject-trigger", "when")
    page.select_option("#condition-kind", "decision")
    page.select_option("#condition-team", team)
    page.fill("#inject-delay", "+0:05")
    expect(page.locator("#studio-msel tr[data-inject='I-02'] td").first).to_contain_text("when a decision recorded")
    # I-03 goes instead of I-01 if a request answering I-02 was accepted.
    page.click("#studio-msel tr[data-inject='I-03'] .edit-inject")
    page.select_option("#inject-trigger", "instead")
    page.select_option("#inject-instead-of", "I-01")
    page.select_option("#condition-kind", "request")
    page.select_option("#condition-outcome", "accepted")
    page.select_option("#condition-answering", "I-02")
    expect(page.locator("#studio-msel tr[data-inject='I-03'] td").first).to_contain_text("instead of I-01 if")
    page.click("#inject-done")
    page.click("#save")
    expect(page.locator("#save-state")).to_have_text("Saved")

    saved = api(server, "GET", "/scenarios/branches").json()["document"]
    assert saved["msel"][1]["at"] == {"when": {"decision": "recorded", "team": team}, "delay": "+0:05"}
    assert saved["msel"][2]["instead_of"] == "I-01" and "at" not in saved["msel"][2]
    assert saved["msel"][2]["when"] == {"request": "accepted", "inject": "I-02"}
    scenario, problems = parse_scenario(saved)
    assert problems == [] and scenario is not None and scenario.injects[2].instead_of == "I-01"
    assert errors.errors == []
    page.context.close()
