"""The mapping step in the browser, end to end: a facilitator uploads a planner's HSEEP sheet whose
message column the importer does not know, maps it by hand, imports, and sees the inject's mode and
controller on the control panel's MSEL of an exercise opened from the new scenario."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from exercise_server.core.scenario_check import load_scenario_file

from .browser import VIEWPORT, PageErrors
from .server_harness import ROOT, SECRET, ServerProcess

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("scenarios") / "injects"
    target.mkdir()
    shutil.copy(FIXTURES / "mini.yaml", target)
    return target


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory, folder) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("import-ui") / "data", scenarios=(folder,)).start()
    yield server
    server.stop()


def test_a_facilitator_maps_an_unknown_column_imports_and_sees_mode_and_controller(browser, studio_server, folder,
                                                                                    tmp_path):
    with (FIXTURES / "msel" / "hseep-template.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][3] = "Scribble"  # the message column under a header the importer does not know
    sheet = tmp_path / "lunda-msel.csv"
    with sheet.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)

    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = PageErrors(page)
    page.goto(studio_server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    page.wait_for_url("**/control")
    page.goto(studio_server.base + "/control/studio/import")
    page.set_input_files("#import-file", str(sheet))
    scribble = page.get_by_label("D: Scribble")
    expect(scribble).to_have_value("")  # not recognised: ignored
    expect(page.get_by_label("H: Responsible Controller")).to_have_value("controller")
    expect(page.locator(".import-problems li").first).to_contain_text("no column gives the Message")
    scribble.select_option("body")
    expect(page.locator(".import-problems")).to_have_count(0)
    expect(page.locator(".import-warnings summary")).to_contain_text("5 warnings")
    page.get_by_label("Id (file name)").fill("lunda-msel")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-done")).to_contain_text("Saved as lunda-msel.")
    scenario = load_scenario_file(folder / "lunda-msel.yaml")
    assert scenario.injects[0].body.startswith("The OCHA Head of Office calls the clusters")

    token = studio_server.facilitator_token()
    opened = httpx.post(f"{studio_server.base}/api/exercises", json={"scenario": "lunda-msel"},
                        headers={"Authorization": f"Bearer {token}"})
    assert opened.status_code == 201, opened.text
    page.goto(f"{studio_server.base}/control/{opened.json()['exercise']}")
    row = page.locator("#msel-table tr[data-inject='1']")
    expect(row.locator(".inject-mode")).to_have_text("mode: Face-to-face")
    expect(row.locator(".inject-controller")).to_have_text("controller: Maj. Dupont")
    assert errors.errors == []
    page.context.close()
