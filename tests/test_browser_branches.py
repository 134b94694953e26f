"""Branching in a real browser: in the scenario studio a planner makes one inject wait for what a team
does and another go in place of an inject, in forms (the file it saves is what the format says and
passes validate); the control panel says what a pending branch waits for, and which was taken and why."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from exercise_server.core.scenario_check import parse_scenario

from .browser import facilitator
from .server_harness import Client, ServerProcess
from .test_branches import BRANCHING
from .test_branches_server import request
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


@pytest.fixture(scope="module")
def branching_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("branching") / "data", scenarios=(BRANCHING,)).start()
    yield s
    s.stop()


def test_the_control_panel_says_what_a_pending_branch_waits_for_and_which_was_taken_and_why(browser, branching_server):
    server = branching_server
    exercise, codes, fac_token = server.open_exercise("branching")
    fac, fac_errors = facilitator(browser, server, exercise)
    row = lambda iid: fac.locator(f"#msel-table tr[data-inject='{iid}']")  # noqa: E731
    expect(row("B-2")).to_contain_text("when a request for assistance from Humanitarian syndicate declined +0:05",
                                       timeout=30_000)
    expect(row("B-6")).to_contain_text("when no message in Joint civil-military coordination room for 20 min, after B-1")
    expect(row("B-7a")).to_contain_text("instead of B-7 if a request for assistance accepted, answering B-1")

    async def play() -> None:  # the humanitarians' request answering B-1 is accepted
        control = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Ms Aid")["token"]).connect()
        mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj Lee")["token"]).connect()
        await control.ok("clock.start")
        await control.ok("clock.jump", to="+0:06")
        await hum.event("inject.released")
        await request(hum, mil, "accepted", responds_to="B-1")
        await control.ok("clock.jump", to="+0:45")
        await control.until(lambda f: f["type"] == "event" and f["event"]["type"] == "inject.released"
                            and f["event"]["payload"]["inject"]["id"] == "B-7a")
        for c in (control, hum, mil):
            await c.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API runs a loop in this thread
        pool.submit(asyncio.run, play()).result()
    expect(row("B-7")).to_contain_text("replaced", timeout=30_000)  # the page hears it live (a loaded machine)
    expect(row("B-7").locator(".branch")).to_contain_text(
        "replaced by B-7a: a request for assistance accepted, answering B-1 (RFA-hum-1-1, D+3")
    expect(row("B-7a").locator(".branch")).to_contain_text("released instead of B-7: a request for assistance accepted")
    expect(row("B-6").locator(".branch")).to_contain_text("released because of no message in")
    fac.reload()  # the same from a snapshot
    expect(row("B-7").locator(".branch")).to_contain_text("replaced by B-7a", timeout=30_000)
    assert fac_errors.errors == []
    fac.context.close()
