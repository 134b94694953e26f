"""In Chromium: the control home's scenario list follows the scenarios folder without a reload,
and the control panel's Post as offers the scenario's personas."""

from __future__ import annotations

import shutil
import threading
import time

import httpx
import pytest
from playwright.sync_api import expect

from .browser import PageErrors
from .server_harness import ROOT, SECRET, ServerProcess


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios") / "injects"
    folder.mkdir()
    shutil.copy(ROOT / "injects" / "demo.yaml", folder)
    shutil.copytree(ROOT / "injects" / "basemaps", folder / "basemaps")
    shutil.copytree(ROOT / "injects" / "attachments", folder / "attachments")
    server = ServerProcess(tmp_path_factory.mktemp("studio-browser") / "data", scenarios=(folder,)).start()
    yield server, folder
    server.stop()


def test_a_scenario_added_on_disk_appears_on_the_control_home_and_personas_are_offered_in_post_as(browser, live):
    server, folder = live
    page = browser.new_context().new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    expect(page.locator("#scenario-table tr[data-scenario='demo']")).to_be_visible()
    text = (folder / "demo.yaml").read_text(encoding="utf-8")
    (folder / "pulled.yaml").write_text(
        text.replace("id: demo\n", "id: pulled\n").replace("Demo: a morning", "Pulled from git: a morning"),
        encoding="utf-8",
    )
    row = page.locator("#scenario-table tr[data-scenario='pulled']")
    # no reload: the page heard of the change (the folder is looked at each second; a loaded
    # machine may take longer to parse the file)
    expect(row).to_contain_text("Pulled from git", timeout=20_000)
    (folder / "pulled.yaml").unlink()
    expect(row).to_have_count(0, timeout=20_000)
    page.click("#scenario-table tr[data-scenario='demo'] button")
    expect(page.locator("#connection")).to_have_text("connected")
    options = page.locator("#actors option")
    expect(options.first).to_have_attribute("value", "Governor of Tamsa Province")
    expect(options.first).to_have_attribute("label", "Head of the provincial administration · Tamsa provincial authorities")
    values = options.evaluate_all("(os) => os.map((o) => o.value)")
    assert values[:3] == [
        "Governor of Tamsa Province",
        "OCHA Head of Sub-Office, Bessa",
        "Company commander, Kora (call sign Bravo-6)",
    ]
    assert "UNSMN Sector West Joint Operations Centre" in values  # the other senders still offered
    assert len(values) == len(set(values))
    assert not errors.errors, errors.errors
    page.context.close()


def test_a_waiting_long_poll_does_not_hold_the_server_when_it_stops(live):
    """The last test of the module: it stops the server. Stopped with SIGTERM, the server answers
    the control home's pending long poll at once and exits cleanly (not killed after the harness's
    10 seconds, which a long poll's 25-second window would otherwise cost)."""
    server, _ = live
    token = server.facilitator_token()
    headers = {"Authorization": f"Bearer {token}"}
    since = httpx.get(f"{server.base}/api/studio/changes", headers=headers).json()["changes"]
    answers: list[httpx.Response] = []
    poll = threading.Thread(
        target=lambda: answers.append(
            httpx.get(f"{server.base}/api/studio/changes?since={since}", headers=headers, timeout=60)
        )
    )
    poll.start()
    deadline = time.monotonic() + 20
    while httpx.get(f"{server.base}/api/studio/changes", headers=headers).json()["waiting"] < 1:
        assert time.monotonic() < deadline, "the long poll never reached the server"
        time.sleep(0.05)
    server.stop()
    poll.join(30)
    assert server.proc is not None and server.proc.returncode != -9, "killed: the long poll held the shutdown"
    assert server.log_lines("Application shutdown complete")
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["changes"] == since and not answers[0].json()["changed"]
