"""A trainee answers the knowledge check in the team view, in a real browser; the answers reach the
control cell only (an evaluator's WebSocket), and the form says it was sent, also after a reload."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from .browser import join
from .server_harness import Client, ServerProcess
from .test_learning import CAPSTONE


@pytest.fixture(scope="module")
def capstone_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("learning") / "data", scenarios=(CAPSTONE,)).start()
    yield server
    server.stop()


def test_a_trainee_answers_the_knowledge_check_in_the_team_view(browser, capstone_server):
    server = capstone_server
    exercise, codes, _ = server.open_exercise("tamsa-river-crisis")
    eval_token = server.join(codes["evaluator"], "Dr Evans")["token"]
    page, errors = join(browser, server, codes["hum-1"], "Ms Aid")
    box = page.locator("#learning")
    expect(box).to_be_visible()
    box.locator("summary").click()
    form = page.locator("#learning-pre")
    expect(form.locator("[data-question]")).to_have_count(4)
    expect(form).to_contain_text("Only as a last resort")
    form.locator('[data-question="k1"] input[value="1"]').check()
    form.locator('[data-question="k4"] textarea').fill("Neutrality")
    form.locator("button[type=submit]").click()
    expect(page.locator('.learning-sent[data-form="pre"]')).to_be_visible()
    expect(page.locator("#learning-post")).to_be_visible()

    async def control_sees() -> dict:
        evaluator = await Client(server, exercise, eval_token).connect()
        await evaluator.close()
        return evaluator.snapshot

    with ThreadPoolExecutor(1) as pool:
        snapshot = pool.submit(asyncio.run, control_sees()).result()
    [row] = snapshot["learning_answers"]
    assert (row["form"], row["name"], row["answers"]) == ("pre", "Ms Aid", {"k1": 1, "k4": "Neutrality"})
    page.reload()
    page.locator("#learning summary").click()
    expect(page.locator('.learning-sent[data-form="pre"]')).to_be_visible()
    assert errors.errors == []
