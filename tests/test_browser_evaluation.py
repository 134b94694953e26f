"""The evaluators' work in a real browser: a pitfall ticked in the evaluator view, the evaluation
page refusing a final rating to anyone but the lead evaluator and adopting a proposed finding."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from .browser import facilitator, join
from .server_harness import MINI, ServerProcess

GUIDED = MINI.parent / "guided.yaml"


@pytest.fixture(scope="module")
def guided_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("guided-browser") / "data", scenarios=(MINI, GUIDED)).start()
    yield s
    s.stop()


def test_an_evaluator_ticks_a_pitfall_and_the_lead_s_page_keeps_ratings_for_the_lead(browser, guided_server):
    exercise, codes, fac_token = guided_server.open_exercise("guided")
    auth = {"Authorization": f"Bearer {fac_token}"}
    control, control_errors = facilitator(browser, guided_server, exercise)
    evaluator, evaluator_errors = join(browser, guided_server, codes["evaluator"], "Ms Berg")
    control.locator("#msel-table tr", has_text="Access report").locator("button", has_text="Release now").click()
    evaluator.click(".inject-item[data-inject='I-1']")
    seen = evaluator.locator(".pitfalls button", has_text="Humanitarian syndicate")
    seen.click()
    expect(seen).to_have_attribute("aria-pressed", "true")
    ticks = httpx.get(f"{guided_server.base}/api/exercises/{exercise}/evaluation", headers=auth).json()
    assert any(e["kind"] == "pitfall" for i in ticks["items"] for e in i["evidence"])

    page = control.context.new_page()
    page.goto(f"{guided_server.base}/evaluation/{exercise}")
    item = page.locator(".rating-item").first
    item.locator("textarea").fill("Shared late")
    item.locator("button[type=submit]").click()
    expect(page.locator("#evaluation-error")).not_to_be_empty()  # the facilitator is not the lead evaluator
    proposed = page.locator("#plan-rows .plan-row").first
    proposed.locator("input[name=owner]").fill("Sector West CIMIC")
    proposed.locator("button[type=submit]").click()
    expect(page.locator("#plan-rows .plan-row h3").first).to_contain_text("IP-1")
    plan = httpx.get(f"{guided_server.base}/api/exercises/{exercise}/improvement-plan", headers=auth).json()
    assert plan["findings"][0]["owner"] == "Sector West CIMIC"
    assert control_errors.errors == [] and evaluator_errors.errors == []
