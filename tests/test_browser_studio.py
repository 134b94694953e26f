"""The scenario studio in a real browser, used as a facilitator who has never seen YAML would: every
step through the pages, nothing through the API. What it wrote is then checked as a file: it passes
`exercise-server validate` and a load and unchanged save leaves it byte for byte as it was."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect

from . import studio_harness
from .browser import SCREENSHOTS, PageErrors, connected, join, screenshot
from .server_harness import ROOT
from .studio_harness import INJECTS, studio_sign_in

TITLE = "Floods at Kora"
ID = "floods-at-kora"
HUMANITARIANS = "Syndicate 1: humanitarian community"  # the course template's humanitarian team


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory):
    """A server whose scenarios folder is a fresh one holding the demo, its base map and its files."""
    with studio_harness.studio_server(tmp_path_factory, INJECTS / "demo.yaml") as s:
        yield s


def sign_in(browser, server) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    page, errors = studio_sign_in(browser, server)
    page.on("dialog", lambda dialog: dialog.accept())
    return page, errors


def tab(page: Page, section: str) -> None:
    page.click(f"#studio-tabs button[data-section='{section}']")
    expect(page.locator(f"#section-{section}")).to_be_visible()


def last_row(page: Page, section: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#section-{section} .studio-row").last


def click_map(page: Page, x: float, y: float) -> None:
    """A click at a fraction of the map's width and height."""
    box = page.locator("#studio-map").bounding_box()
    assert box
    page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def draw(page: Page, tool: str, points: list[tuple[float, float]], name: str, kind: str | None = None) -> None:
    page.click(tool)
    for x, y in points:
        click_map(page, x, y)
    if tool != "#add-point":
        page.click("#studio-map .done-drawing")
    row = page.locator("#feature-list .feature-row").last
    row.locator(".feature-name").fill(name)
    if kind:
        row.locator(".feature-kind").select_option(kind)


def test_a_facilitator_builds_a_20_inject_exercise_in_the_browser_and_a_team_receives_its_first_inject(
    browser, studio_server
):
    server = studio_server
    page, errors = sign_in(browser, server)
    page.click("#studio-link")
    page.fill("#new-title", TITLE)
    expect(page.locator("#new-id")).to_have_value(ID)
    page.click("#new-scenario")
    expect(page.locator("#studio-title")).to_have_text(TITLE)

    # The scenario: setting, times, the base map.
    page.fill("#section-scenario textarea", "## Floods\nThe **Tamsa** has burst its banks at Kora.")
    expect(page.locator("#section-scenario .markdown-preview strong")).to_have_text("Tamsa")
    page.fill("#sc-start", "D+2 07:00")
    page.fill("#sc-duration", "2:00")
    page.select_option("#sc-basemap", "nalora")

    # Four teams (the template's), one renamed; two extra rooms and a liaison line.
    tab(page, "people")
    expect(page.locator("#section-people .team-name")).to_have_count(4)
    page.locator("#section-people .team-name").nth(0).fill("Sector West HQ")
    tab(page, "rooms")
    for name, room_id, readers, writer in (
        ("Security cell", "security-cell", ["military", "police"], "mil-1"),
        ("Cluster meeting", "cluster-meeting", ["humanitarian", "civilian"], "hum-1"),
    ):
        page.click("[data-add='rooms.extra']")
        row = page.locator("[data-path='rooms.extra'] > li").last
        row.locator(".room-name").fill(name)
        row.locator(".room-id").fill(room_id)
        for reader in readers:
            row.locator(f"[data-path$='.read'] input[value='{reader}']").check()
        row.locator(f"[data-path$='.write'] input[value='{writer}']").check()
    page.click("[data-add='rooms.liaison']")

    # Three personas.
    tab(page, "personas")
    for name, role, org, pid in (
        ("Amina Diallo", "Head of Office", "OCHA Kora", "ocha-hoo"),
        ("Col. Petrov", "Sector commander", "UNSMN Sector West", "sector-cdr"),
        ("Governor Okello", "Governor", "Tamsa province", "governor"),
    ):
        page.click("[data-add='personas']")
        row = last_row(page, "personas")
        row.locator(".persona-name").fill(name)
        row.locator(".persona-role").fill(role)
        row.locator(".persona-org").fill(org)
        row.locator(".persona-id").fill(pid)

    # Five features on the map: three points, a route and an area.
    tab(page, "map")
    expect(page.locator("#studio-map .base-road").first).to_be_attached()
    draw(page, "#add-point", [(0.45, 0.40)], "Kora bridge", "checkpoint")
    draw(page, "#add-point", [(0.60, 0.30)], "Flooded school", "incident")
    draw(page, "#add-point", [(0.30, 0.62)], "Relief warehouse", "camp")
    draw(page, "#draw-line", [(0.20, 0.20), (0.35, 0.35), (0.50, 0.45)], "Evacuation route")
    draw(page, "#draw-area", [(0.62, 0.55), (0.75, 0.55), (0.70, 0.70)], "Flooded area")
    expect(page.locator("#feature-list .feature-row")).to_have_count(5)
    screenshot(page, "studio-map")

    # The MSEL: the template's first inject made the humanitarians' radio message, 19 more added
    # (the last one conditional), one with a file.
    tab(page, "msel")
    page.click("#studio-msel tr[data-inject='I-01'] .edit-inject")
    page.select_option("#inject-trigger", "time")
    page.fill("#inject-at", "+0:05")
    page.uncheck("#inject-to input[value='rooms:plenary']")
    page.check("#inject-to input[value='teams:hum-1']")
    page.select_option("#inject-from", "ocha-hoo")
    page.select_option("#inject-channel", "radio")
    page.check("[data-path='msel.0.objectives'] input[value='O4']")
    # Two actions expected of the humanitarians: the first critical and evidencing O2 as well.
    page.click(".add-action[data-team='hum-1']")
    expect(page.locator("[data-path='msel.0.expected.hum-1.0.action']")).to_be_focused()
    page.keyboard.insert_text("Share the access constraint in the joint room")
    first = page.locator("[data-path='msel.0.expected.hum-1.0']")
    first.locator(".expected-weight").select_option("critical")
    expect(first.locator("[data-path$='.objectives'] input[value='O4']")).to_be_checked()  # the inject's, until changed
    first.locator("[data-path$='.objectives'] input[value='O2']").check()
    page.click(".add-action[data-team='hum-1']")
    page.keyboard.insert_text("Tell the military liaison officer")
    page.fill("#inject-title", "Flood report 1")
    page.fill("#inject-editor textarea", "Water level report number **1**.")
    for n in range(2, 21):
        page.click("#add-inject")
        # The editor opens on the title, the Markdown text after it: typed as fast as a paste.
        page.keyboard.insert_text(f"Flood report {n}")
        page.keyboard.press("Tab")
        page.keyboard.insert_text(f"Water level report number **{n}**.")
    expect(page.locator("#inject-id")).to_have_value("I-20")
    page.select_option("#inject-trigger", "after")
    page.select_option("#inject-after", "I-03")
    page.select_option("#inject-when", "acknowledged")
    page.fill("#inject-delay", "+0:05")
    page.click("#studio-msel tr[data-inject='I-03'] .edit-inject")
    page.set_input_files(
        "#inject-file",
        files=[{"name": "road-survey.csv", "mimeType": "text/csv", "buffer": b"road,state\nMSR1,flooded\n"}],
    )
    expect(page.locator("#inject-editor [role=status]")).to_contain_text("attached")
    # I-02 closes the bridge when released: renamed, made an incident the military own and see, moved.
    page.click("#studio-msel tr[data-inject='I-02'] .edit-inject")
    page.select_option("#cop-change-feature", index=0)  # Kora bridge, the first feature drawn
    page.click("#cop-change-edit")
    change = page.locator("#inject-editor .cop-change-edit")
    expect(change.locator(".change-name")).to_be_focused()
    page.keyboard.insert_text("Kora bridge (closed)")
    change.locator(".change-kind").select_option("incident")
    change.locator(".change-owner").select_option("mil-1")
    change.locator("[data-path$='.set.visible_to'] input[value='military']").check()
    change.locator(".change-properties").fill("status: closed\nwater_level: 3")
    change.locator(".change-pick").click()
    expect(page.locator("#section-map")).to_be_visible()
    click_map(page, 0.47, 0.42)
    expect(page.locator("#inject-editor .change-geometry")).to_have_text("Moves to the place or shape picked on the map.")
    if SCREENSHOTS:  # the editor of the first inject, below the timeline and the table
        page.click("#studio-msel tr[data-inject='I-01'] .edit-inject")
        screenshot(page, "studio-inject", full_page=True)
    page.click("#inject-done")
    expect(page.locator("#studio-msel tbody tr")).to_have_count(20)
    expect(page.locator("#studio-timeline .marker")).to_have_count(19)

    page.click("#save")
    expect(page.locator("#studio-message")).not_to_be_empty()
    assert page.locator("#problems").is_hidden(), page.locator("#problems").inner_text()
    expect(page.locator("#save-state")).to_have_text("Saved")
    expect(page.locator("#problems")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "studio-msel")

    # An exercise of it, from the control home: the first inject reaches the humanitarian team.
    page.goto(server.base + "/control")
    page.click(f"#scenario-table tr[data-scenario='{ID}'] button")
    connected(page)
    code = page.locator("#code-table tr", has_text=HUMANITARIANS).locator(".code").inner_text()
    team, team_errors = join(browser, server, code, "Amina")
    page.locator("#msel-table tr[data-inject='I-01']").get_by_role("button", name="Release now").click()
    expect(team.locator(".inject-item[data-inject='I-01']")).to_be_visible()
    assert errors.errors == [] and team_errors.errors == []

    # The file it wrote: what was built, valid, and unchanged by a load and save.
    path = server.folder / f"{ID}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(doc["msel"]) == 20 and len(doc["teams"]) == 4 and len(doc["personas"]) == 3
    assert len(doc["rooms"]["extra"]) == 2 and len(doc["cop"]["features"]) == 5
    assert {f["geometry"]["type"] for f in doc["cop"]["features"]} == {"Point", "LineString", "Polygon"}
    assert doc["msel"][2]["attachments"] == [{"file": "road-survey.csv", "title": "road-survey"}]
    assert (server.folder / "attachments" / "road-survey.csv").read_bytes() == b"road,state\nMSR1,flooded\n"
    assert doc["msel"][19]["at"] == {"after": "I-03", "when": "acknowledged", "delay": "+0:05"}
    assert doc["msel"][0]["from"] == "ocha-hoo" and doc["msel"][0]["to"] == {"teams": ["hum-1"]}
    assert doc["msel"][0]["objectives"] == ["O4"]
    [closing] = doc["msel"][1]["cop"]
    moved = closing["set"].pop("geometry")
    assert closing == {"change": doc["cop"]["features"][0]["id"], "set": {
        "name": "Kora bridge (closed)", "kind": "incident", "owner": "mil-1", "visible_to": ["military"],
        "properties": {"status": "closed", "water_level": 3}}}
    assert moved["type"] == "Point" and moved["coordinates"] != doc["cop"]["features"][0]["geometry"]["coordinates"]
    assert doc["msel"][0]["expected"] == {"hum-1": [
        {"action": "Share the access constraint in the joint room", "objectives": ["O2", "O4"], "weight": "critical"},
        "Tell the military liaison officer",
    ]}
    checked = subprocess.run(
        [sys.executable, "-m", "exercise_server", "validate", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    before = path.read_bytes()
    headers = {"Authorization": f"Bearer {server.facilitator_token()}"}
    loaded = httpx.get(f"{server.base}/api/studio/scenarios/{ID}", headers=headers).json()
    saved = httpx.put(
        f"{server.base}/api/studio/scenarios/{ID}",
        headers=headers,
        json={"version": loaded["version"], "document": loaded["document"]},
    )
    assert saved.status_code == 200, saved.text
    assert path.read_bytes() == before
    team.context.close()
    page.context.close()


def test_the_studio_is_linked_from_the_control_home_and_refuses_an_unknown_scenario(browser, studio_server):
    page, errors = sign_in(browser, studio_server)
    page.goto(studio_server.base + "/control/studio/no-such-scenario")
    expect(page.locator("#studio-main")).to_contain_text("No such scenario")
    page.context.close()
    assert [e for e in errors.errors if "404" not in e] == []


def api(server, method: str, path: str, **body):  # type: ignore[no-untyped-def]
    """The studio API as the other facilitator's browser (or a script) would use it."""
    headers = {"Authorization": f"Bearer {server.facilitator_token()}"}
    return httpx.request(method, f"{server.base}/api/studio{path}", headers=headers, json=body or None)


def test_injects_are_retimed_on_the_timeline_and_a_save_over_a_newer_file_shows_what_changed(browser, studio_server):
    server = studio_server
    assert (
        api(server, "POST", "/scenarios", **{"from": "template", "id": "drills", "title": "Drills"}).status_code == 201
    )
    current = api(server, "GET", "/scenarios/drills").json()
    doc = current["document"]
    first = doc["msel"][0]
    doc["msel"] = [{**first, "id": "I-01", "at": "+0:10"}, {**first, "id": "I-02", "at": "+0:20", "title": "Second"}]
    version = api(server, "PUT", "/scenarios/drills", version=current["version"], document=doc).json()["version"]
    page, errors = sign_in(browser, server)
    page.goto(server.base + "/control/studio/drills")
    tab(page, "msel")

    # From the keyboard: two minutes on, then ten.
    marker = page.locator("#studio-timeline .marker[data-inject='I-01']")
    marker.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#studio-msel tr[data-inject='I-01'] td").first).to_have_text("+0:22")
    expect(page.locator("#studio-timeline .marker[data-inject='I-01']")).to_be_focused()
    # With the mouse: I-02 dragged to the middle of the hour.
    lane = page.locator("#studio-timeline .lane").bounding_box()
    box = page.locator("#studio-timeline .marker[data-inject='I-02']").bounding_box()
    assert lane and box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(lane["x"] + lane["width"] * 0.4, box["y"] + 5, steps=4)
    page.mouse.move(lane["x"] + lane["width"] * 0.5, box["y"] + 5, steps=4)
    page.mouse.up()
    expect(page.locator("#studio-msel tr[data-inject='I-02'] td").first).to_have_text("+0:30")

    # A point placed from the keyboard: the map takes the focus, Enter places it under the cross.
    tab(page, "map")
    page.click("#add-point")
    expect(page.locator("#studio-map")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#feature-list .feature-row input[type=number]").first).not_to_have_value("")
    page.keyboard.type("Assembly point")  # the focus is on the new feature's name
    expect(page.locator("#feature-list .feature-name")).to_have_value("Assembly point")
    # A line drawn west to east, then reshaped: its first point dragged east of its last.
    draw(page, "#draw-line", [(0.3, 0.3), (0.6, 0.3)], "Convoy route")
    page.locator("#feature-list .feature-row").last.locator(".reshape").click()
    handle = page.locator("#studio-map .vertex-handle").first.bounding_box()
    map_box = page.locator("#studio-map").bounding_box()
    assert handle and map_box
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(map_box["x"] + 0.7 * map_box["width"], map_box["y"] + 0.3 * map_box["height"], steps=5)
    page.mouse.up()
    expect(page.locator("#save-state")).to_have_text("Unsaved changes")

    # Another facilitator saves a new title meanwhile: this save is refused with what changed.
    other = {**doc, "title": "Drills, revised"}
    assert api(server, "PUT", "/scenarios/drills", version=version, document=other).status_code == 200
    page.click("#save")
    expect(page.locator("#conflict")).to_contain_text("Drills, revised")
    page.click("#conflict-keep-mine")
    expect(page.locator("#save-state")).to_have_text("Saved")
    saved = api(server, "GET", "/scenarios/drills").json()
    assert [x["at"] for x in saved["document"]["msel"]] == ["+0:22", "+0:30"]
    route = saved["document"]["cop"]["features"][-1]["geometry"]["coordinates"]
    assert route[0][0] > route[1][0]  # the reshaped line

    # A change of the file on disk shows at once; the history restores the version before it.
    path = server.folder / "drills.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Drills", "title: Drills from git"), encoding="utf-8"
    )
    expect(page.locator("#studio-title")).to_have_text("Drills from git")
    tab(page, "history")
    page.locator("#history-table tr", has_text="Drills").locator(".restore").first.click()
    expect(page.locator("#studio-message")).to_contain_text("Restored")
    assert [e for e in errors.errors if "409 (Conflict)" not in e] == []  # the browser logs the refused save
    page.context.close()


def test_a_scenario_uploaded_shows_its_problems_at_their_fields_downloads_and_is_deleted_after_a_question(
    browser, studio_server, tmp_path
):
    server = studio_server
    page, errors = sign_in(browser, server)
    page.goto(server.base + "/control/studio")
    expect(page.locator("#studio-table tr[data-scenario='demo']")).to_be_visible()
    source = (ROOT / "injects" / "demo.yaml").read_text(encoding="utf-8").replace("id: demo", "id: lunda-upload")
    page.set_input_files("#upload-file", files=[{"name": "lunda-upload.yaml", "mimeType": "application/yaml",
                                                 "buffer": source.encode()}])
    expect(page.locator("#studio-title")).to_have_text("Demo: a morning at Lunda bridge (10 minutes)")

    # A problem is shown under its field and refuses the save, listed with the others.
    page.fill("#sc-duration", "0:03")
    expect(page.locator("#problems")).to_contain_text("after the end")
    page.click("#save")
    expect(page.locator("#studio-message")).to_contain_text("Not saved")
    page.click("#problems .go-to >> nth=0")
    expect(page.locator("#section-msel .field-problem").first).to_be_visible()
    tab(page, "scenario")
    page.fill("#sc-duration", "0:10")
    expect(page.locator("#problems")).to_be_hidden()

    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.endswith(".yaml")
    page.click("a[href='/control/studio']")
    page.click("#studio-table tr[data-scenario='lunda-upload'] .delete")  # the question is accepted (sign_in)
    expect(page.locator("#studio-table tr[data-scenario='lunda-upload']")).to_have_count(0)
    page.click("#deleted-table tr[data-scenario='lunda-upload'] .restore")
    expect(page.locator("#studio-table tr[data-scenario='lunda-upload']")).to_be_visible()
    page.click("#studio-table tr[data-scenario='demo'] .duplicate")
    expect(page.locator("#studio-title")).to_have_text("Demo: a morning at Lunda bridge (10 minutes) (copy)")
    assert [e for e in errors.errors if "422" not in e] == []  # the refused save, as the browser logs it
    page.context.close()


def test_the_coordination_settings_and_role_cards_are_edited_in_forms(browser, studio_server):
    """The guidelines, OCHA's team, hazard flags and a role card set in the studio's Coordination tab
    reach the file, which checks; an empty hidden agenda is left out of it."""
    server = studio_server
    assert api(server, "POST", "/scenarios", **{"from": "template", "id": "cards", "title": "Cards"}).status_code == 201
    page, errors = sign_in(browser, server)
    page.goto(server.base + "/control/studio/cards")
    tab(page, "coordination")
    section = page.locator("#section-coordination")
    section.locator(".coordination-guideline").select_option("mcda")
    humanitarian = section.locator(".coordination-ocha option").nth(1).get_attribute("value")
    section.locator(".coordination-ocha").select_option(humanitarian)
    section.locator(".coordination-hazards").select_option("off")
    for role, agenda in (("CMCoord officer", "Wants the convoy to leave before the forum"), ("Sector Commander", "")):
        page.click("[data-add='role_cards']")
        row = last_row(page, "coordination")
        row.locator(".card-role").fill(role)
        row.locator(".card-team").select_option(humanitarian)
        row.locator(".card-mandate").fill("Coordinates with the mission")
        row.locator(".card-legal").fill("GA resolution 46/182")
        row.locator(".card-red-lines").fill("No armed escort without the HC")
        row.locator(".card-agenda").fill(agenda)
    page.click("#save")
    expect(page.locator("#save-state")).to_have_text("Saved")
    doc = api(server, "GET", "/scenarios/cards").json()["document"]
    assert (doc["guideline"], doc["ocha_team"], doc["hazard_flags"]) == ("mcda", humanitarian, "off")
    assert [c["role"] for c in doc["role_cards"]] == ["CMCoord officer", "Sector Commander"]
    assert doc["role_cards"][0]["hidden_agenda"].startswith("Wants") and "hidden_agenda" not in doc["role_cards"][1]
    check = subprocess.run([sys.executable, "-m", "exercise_server", "validate", str(server.folder / "cards.yaml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert errors.errors == []
