"""The mapping step of a spreadsheet upload, over HTTP and in the browser, on one real server: the
columns the importer recognised, a mapping chosen by hand and remembered for that header set,
every row problem listed with nothing written, an import into an existing scenario, the size cap,
nobody but the control cell able to tell the paths exist; then, in Chromium, a facilitator who
uploads a planner's HSEEP sheet whose message column the importer does not know, maps it by hand,
imports, and sees the inject's mode and controller on the control panel's MSEL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from exercise_server.core.scenario_check import load_scenario_file

from .browser import VIEWPORT, PageErrors
from .server_harness import ROOT, SECRET, ServerProcess
from .studio_harness import INJECTS, facilitator_client, scenarios_folder, snapshot

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return scenarios_folder(tmp_path_factory, FIXTURES / "mini.yaml", INJECTS / "demo.yaml")


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory, folder) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("import-ui") / "data", scenarios=(folder,)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def studio_client(studio_server) -> Iterator[tuple[ServerProcess, httpx.Client]]:
    with facilitator_client(studio_server) as client:
        yield studio_server, client


def sheet_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def post(client: httpx.Client, path: str, name: str, data: bytes, **fields: str) -> httpx.Response:
    return client.post(path, files={"file": (name, data, "text/csv")}, data=fields)


def test_the_preview_shows_the_columns_the_importer_recognised_and_the_rows_warnings(studio_client, folder):
    _, client = studio_client
    before = snapshot(folder)
    r = post(client, "/api/studio/import/preview", "hseep.csv", (FIXTURES / "msel" / "hseep-template.csv").read_bytes())
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(c["header"], c["field"]) for c in body["columns"]] == [
        ("MSEL Event #", "id"), ("Designated Scenario Time (H:MM)", "at"), ("Event Synopsis", "title"),
        ("Inject", "body"), ("Inject Mode", "mode"), ("From", "from"), ("To", "to"),
        ("Responsible Controller", "controller"), ("Expected Player Action", "expected"),
        ("Objective / Core Capability / Critical Task", "objectives"), ("Evaluator Special Instructions", "notes")]
    assert body["columns"][7]["samples"] == ["Maj. Dupont", "Ms. Ahmed", "Maj. Dupont"]
    assert body["header_row"] == 2 and body["rows"] == 5 and body["problems"] == []
    assert len([w for w in body["warnings"] if "kept as the inject's mode" in w]) == 4
    assert {"field": "controller", "header": "Controller", "required": False} in body["fields"]
    assert body["target"] == {"id": "hseep"} and body["remembered"] is False
    assert snapshot(folder) == before  # a preview writes nothing


def test_a_column_mapped_by_hand_imports_and_the_mapping_is_remembered_for_that_header_set(studio_client, folder):
    server, client = studio_client
    rows = [["Serial", "When", "How", "Who from", "Who to", "Scribble", "Owner"],
            ["1", "0:05", "Meeting", "OCHA", "hum-1", "The clusters meet at Lunda.", "Ana"],
            ["2", "0:15", "radio", "Bravo-6", "mil-1", "The bridge is closed.", "Ana"]]
    data = sheet_bytes(rows)
    preview = post(client, "/api/studio/import/preview", "planners.csv", data).json()
    mapping = [c["field"] for c in preview["columns"]]
    assert mapping == ["id", None, None, None, None, None, None]
    assert any("no column gives the Scenario Time" in p["message"] for p in preview["problems"])
    mapping = ["id", "at", "mode", "from", "to", "body", None]
    r = post(client, "/api/studio/import", "planners.csv", data, mapping=json.dumps(mapping), id="planners-day-1",
             title="Planners' day 1")
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "planners-day-1" and r.json()["file"] == "planners-day-1.yaml"
    assert any("'Meeting' is not a channel" in w for w in r.json()["warnings"])
    text = (folder / "planners-day-1.yaml").read_text(encoding="utf-8")
    assert "mode: Meeting" in text and "title: Planners' day 1" in text
    remembered = json.loads((server.data_dir / "msel-mappings.json").read_text(encoding="utf-8"))
    assert {"headers": rows[0], "mapping": mapping} in remembered.values()
    again = post(client, "/api/studio/import/preview", "same-headers.csv", sheet_bytes([r[::1] for r in rows[:2]]))
    assert again.json()["remembered"] is True
    assert [c["field"] for c in again.json()["columns"]] == mapping
    other = post(client, "/api/studio/import/preview", "other.csv", sheet_bytes([rows[0] + ["Extra"], rows[1] + ["x"]]))
    assert other.json()["remembered"] is False  # another header set


def test_broken_rows_are_all_listed_with_row_and_column_and_nothing_is_written(studio_client, folder):
    _, client = studio_client
    before = snapshot(folder)
    data = (FIXTURES / "msel" / "bad-rows.csv").read_bytes()
    preview = post(client, "/api/studio/import/preview", "bad-rows.csv", data).json()
    mapping = json.dumps([c["field"] for c in preview["columns"]])
    r = post(client, "/api/studio/import", "bad-rows.csv", data, mapping=mapping, id="bad-rows")
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["message"] == "bad-rows.csv: 7 rows with problems; nothing was saved"
    assert [(p["row"], p["column"], p["letter"]) for p in body["problems"]] == [
        (3, "Scenario Time", "B"), (5, "To", "E"), (6, "Inject No", "A"), (7, "Objectives", "I"),
        (7, "Modules", "J"), (8, "COP Changes", "L"), (9, "Scenario Time", "B"), (10, "Message", "G")]
    assert body["problems"] == preview["problems"]
    bad_mapping = post(client, "/api/studio/import", "bad-rows.csv", data, mapping='["id", "nonsense"]')
    assert bad_mapping.status_code == 422 and "the sheet has 12" in bad_mapping.json()["problems"][0]["message"]
    taken = post(client, "/api/studio/import", "hseep.csv", (FIXTURES / "msel" / "hseep-template.csv").read_bytes(),
                 mapping=json.dumps([c["field"] for c in post(
                     client, "/api/studio/import/preview", "hseep.csv",
                     (FIXTURES / "msel" / "hseep-template.csv").read_bytes()).json()["columns"]]), id="demo")
    assert taken.status_code == 409 and "exists already" in taken.json()["error"]["message"]
    said = post(client, "/api/studio/import/preview", "hseep.csv", (FIXTURES / "msel" / "hseep-template.csv").read_bytes(),
                id="demo").json()["problems"]
    assert said[0]["row"] is None and "a scenario 'demo' exists already" in said[0]["message"]
    too_big = post(client, "/api/studio/import/preview", "huge.csv", b"x" * (11 * 1024 * 1024))
    assert too_big.status_code == 413 and "larger than 10 MB" in too_big.json()["error"]["message"]
    outside = post(client, "/api/studio/import/preview", "bad-rows.csv", data, id="../outside")
    assert outside.status_code == 400 and "a scenario id is" in outside.json()["error"]["message"]
    odd = post(client, "/api/studio/import/preview", "msel.pdf", b"%PDF-1.4")
    assert odd.status_code == 415 and ".xlsx or .csv" in odd.json()["error"]["message"]
    assert snapshot(folder) == before


def test_a_french_seat_reads_the_rows_problems_in_french_and_an_english_one_in_english(studio_client, folder):
    server, _ = studio_client
    before = snapshot(folder)
    data = (FIXTURES / "msel" / "bad-rows.csv").read_bytes()
    said = {}
    token = {"Authorization": f"Bearer {server.facilitator_token()}"}
    for language, cookies, headers in (("fr", {"language": "fr"}, {}), ("fr-CA", {}, {"Accept-Language": "fr-CA"}),
                                       ("en", {}, {})):
        with httpx.Client(base_url=server.base, timeout=60, cookies=cookies, headers={**token, **headers}) as client:
            preview = post(client, "/api/studio/import/preview", "bad-rows.csv", data).json()
            said[language] = {(p["row"], p["column"]): p["message"] for p in preview["problems"]}
            mapping = json.dumps([c["field"] for c in preview["columns"]])
            refused = post(client, "/api/studio/import", "bad-rows.csv", data, mapping=mapping, id="bad-rows").json()
            said[language]["error"] = refused["error"]["message"]
            said[language]["warnings"] = preview["warnings"]
            assert refused["problems"] == preview["problems"]
    assert said["fr"][(5, "To")].startswith("destinataire inconnu 'mil-9' : utilisez les identifiants")
    assert said["fr"][(6, "Inject No")] == "« B-1 » est déjà utilisé à la ligne 2"
    assert said["fr"][(10, "Message")] == "vide"
    assert said["fr"]["error"] == "bad-rows.csv: 7 lignes avec des problèmes ; rien n'a été enregistré"
    assert any("« pigeon » n'est pas un canal : conservé comme mode" in w for w in said["fr"]["warnings"])
    assert said["fr-CA"] == said["fr"]  # the browser's Accept-Language, when it has chosen nothing
    with httpx.Client(base_url=server.base, timeout=60, cookies={"language": "fr"}, headers=token) as client:
        unmapped = post(client, "/api/studio/import/preview", "bad-rows.csv", data,
                        mapping=json.dumps([None] * 12)).json()
    assert "aucune colonne ne donne le champ Scenario Time" in [p["message"] for p in unmapped["problems"]]
    assert said["en"][(6, "Inject No")] == "'B-1' is also used on row 2"
    assert said["en"]["error"] == "bad-rows.csv: 7 rows with problems; nothing was saved"
    assert snapshot(folder) == before


def test_the_walkthroughs_20_rows_go_into_the_10_minute_demo_which_grows_to_hold_them(studio_client, folder):
    _, client = studio_client
    data = (FIXTURES / "msel" / "walkthrough-20.csv").read_bytes()
    preview = post(client, "/api/studio/import/preview", "w.csv", data, into="demo").json()
    assert preview["problems"] == [] and preview["target"]["into"] == "demo"
    mapping = json.dumps([c["field"] for c in preview["columns"]])
    stale = post(client, "/api/studio/import", "w.csv", data, mapping=mapping, into="demo", version="0123456789abcdef")
    assert stale.status_code == 409 and "nothing was saved" in stale.json()["error"]["message"]
    r = post(client, "/api/studio/import", "w.csv", data, mapping=mapping, into="demo",
             version=preview["target"]["version"])
    assert r.status_code == 201, r.text
    assert any("the new scenario lasts 1:00" in w for w in r.json()["warnings"])
    demo = load_scenario_file(folder / "demo.yaml")
    assert demo.duration == 3600 and [i.id for i in demo.injects] == [f"W-{n:02d}" for n in range(1, 21)]
    assert "# Ten-minute demonstration" in (folder / "demo.yaml").read_text(encoding="utf-8")  # its comments kept
    assert list((folder / ".history" / "demo").iterdir())  # the replaced version is kept


def test_the_studios_upload_of_a_spreadsheet_imports_it_as_recognised_or_lists_every_row_problem(studio_client, folder):
    _, client = studio_client
    hseep = (FIXTURES / "msel" / "hseep-template.csv").read_bytes()
    r = client.post("/api/studio/upload?id=hseep-upload", files={"file": ("hseep.csv", hseep, "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["written"] == ["hseep-upload.yaml"]
    assert [i.controller for i in load_scenario_file(folder / "hseep-upload.yaml").injects][:2] == [
        "Maj. Dupont", "Ms. Ahmed"]
    before = snapshot(folder)
    bad = client.post("/api/studio/upload?id=bad", files={"file": ("bad-rows.csv",
                                                                   (FIXTURES / "msel" / "bad-rows.csv").read_bytes())})
    assert bad.status_code == 422 and len(bad.json()["problems"]) == 8
    assert snapshot(folder) == before


def test_nobody_but_the_control_cell_can_tell_the_import_paths_exist(studio_client):
    server, _ = studio_client
    exercise, codes, token = server.open_exercise("demo")
    trainee = server.join(codes["mil-1"], "Trainee")["token"]
    evaluator = server.join(codes["evaluator"], "Evaluator")["token"]
    with httpx.Client(base_url=server.base) as anyone:
        unknown = anyone.get("/api/no-such-thing")
        for who, bearer in (("trainee", trainee), ("evaluator", evaluator), ("none", None), ("bad", "x.y")):
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            for method in ("GET", "POST", "PUT"):
                for path in ("/api/studio/import", "/api/studio/import/preview"):
                    r = anyone.request(method, path, headers=headers, content=b"Inject No\n1\n")
                    assert (r.status_code, r.text, r.headers["content-type"]) == (
                        unknown.status_code, unknown.text, unknown.headers["content-type"]), (who, method, path)


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
