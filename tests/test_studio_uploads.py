"""Scenario files in and out of the studio on a real server: YAML and zip round trips, the MSEL
as a spreadsheet, and uploads refused with a clear message and nothing written."""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest

from .server_harness import ServerProcess
from .studio_harness import INJECTS, facilitator_client, scenarios_folder, snapshot


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return scenarios_folder(tmp_path_factory, INJECTS / "demo.yaml")


@pytest.fixture(scope="module")
def studio(tmp_path_factory, folder) -> Iterator[tuple[ServerProcess, httpx.Client]]:
    server = ServerProcess(tmp_path_factory.mktemp("studio") / "data", scenarios=(folder,)).start()
    with facilitator_client(server) as client:
        yield server, client
    server.stop()


def upload(client: httpx.Client, name: str, data: bytes, ctype: str = "application/octet-stream", **query: str):
    return client.post("/api/studio/upload", params={"name": name, **query}, content=data, headers={"Content-Type": ctype})


def test_a_yaml_scenario_downloaded_and_uploaded_again_is_the_same_file(studio, folder):
    _, client = studio
    r = client.get("/api/studio/scenarios/demo/download?format=yaml")
    assert r.status_code == 200
    assert r.content == (folder / "demo.yaml").read_bytes()
    assert "attachment" in r.headers["content-disposition"]
    up = upload(client, "demo.yaml", r.content, "application/yaml", id="demo-again")
    assert up.status_code == 201, up.text
    assert up.json()["written"] == ["demo-again.yaml"]
    again = (folder / "demo-again.yaml").read_text()
    assert again == r.text.replace("id: demo\n", "id: demo-again\n")
    listed = {s["id"]: s for s in client.get("/api/studio/scenarios").json()["scenarios"]}
    assert listed["demo-again"]["loaded"]
    # as a form's file field too, the way a browser sends it
    form = client.post(
        "/api/studio/upload",
        params={"id": "demo-form"},
        files={"file": ("demo.yaml", r.content, "application/yaml")},
    )
    assert form.status_code == 201, form.text
    assert (folder / "demo-form.yaml").read_text() == r.text.replace("id: demo\n", "id: demo-form\n")
    # a file without an id is named after its file name
    named = upload(client, "My Exercise (v2).yaml", r.content.replace(b"id: demo\n", b""), "application/yaml")
    assert named.status_code == 201, named.text
    assert named.json()["id"] == "my-exercise-v2" and (folder / "my-exercise-v2.yaml").exists()


def test_a_zip_carries_the_scenario_its_base_map_and_attachments(studio, folder):
    server, client = studio
    r = client.get("/api/studio/scenarios/demo/download?format=zip")
    assert r.status_code == 200
    names = sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist())
    assert names == ["attachments/lunda-bridge-relocation-plan.fr.md", "attachments/lunda-bridge-relocation-plan.md",
                     "basemaps/nalora.geojson", "demo.yaml"]
    # a zip whose base map and attachment (in English and in French) the folder lacks: everything
    # arrives, byte for byte, and the scenario keeps its file per language
    z = zipfile.ZipFile(io.BytesIO(r.content))
    renamed = {
        "zipped.yaml": z.read("demo.yaml")
        .replace(b"lunda-bridge-relocation-plan.fr.md", b"plan-from-zip.fr.md")
        .replace(b"lunda-bridge-relocation-plan.md", b"plan-from-zip.md")
        .replace(b"basemap: nalora", b"basemap: nalora-from-zip"),
        "attachments/plan-from-zip.md": z.read("attachments/lunda-bridge-relocation-plan.md"),
        "attachments/plan-from-zip.fr.md": z.read("attachments/lunda-bridge-relocation-plan.fr.md"),
        "basemaps/nalora-from-zip.geojson": z.read("basemaps/nalora.geojson"),
    }
    up = upload(client, "zipped.zip", zip_of(renamed), "application/zip", id="zipped")
    assert up.status_code == 201, up.text
    assert sorted(up.json()["written"]) == sorted(renamed)
    for name, data in renamed.items():
        if name != "zipped.yaml":
            assert (folder / name).read_bytes() == data
    back = zipfile.ZipFile(io.BytesIO(client.get("/api/studio/scenarios/zipped/download?format=zip").content))
    assert sorted(back.namelist()) == sorted(renamed)
    assert b"file: {en: plan-from-zip.md, fr: plan-from-zip.fr.md}" in back.read("zipped.yaml")
    assert server.open_exercise("zipped")[0].startswith("zipped-")
    # the same zip under another id: the identical files are shared, not written twice
    up = upload(client, "demo.zip", r.content, "application/zip", id="demo-zipped")
    assert up.status_code == 201, up.text
    assert up.json()["written"] == ["demo-zipped.yaml"]


def test_the_msel_downloads_as_a_spreadsheet_and_as_csv(studio):
    _, client = studio
    x = client.get("/api/studio/scenarios/demo/download?format=xlsx")
    assert x.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(x.content))["MSEL"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 6 and "D-01" in rows[1]
    c = client.get("/api/studio/scenarios/demo/download?format=csv")
    assert c.status_code == 200
    assert len(list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))) == 7
    assert client.get("/api/studio/scenarios/demo/download?format=pdf").status_code == 400


def test_an_msel_spreadsheet_downloaded_and_uploaded_again_gives_the_same_injects(studio, folder):
    _, client = studio
    x = client.get("/api/studio/scenarios/demo/download?format=xlsx").content
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    up = upload(client, "demo-msel.xlsx", x, xlsx, into="demo", id="demo-from-sheet")
    assert up.status_code == 201, up.text
    assert up.json()["injects"] == 6
    demo = client.get("/api/studio/scenarios/demo").json()["document"]
    back = client.get("/api/studio/scenarios/demo-from-sheet").json()
    assert not [p for p in back["problems"] if p["severity"] == "error"]
    assert [(i["id"], i["channel"], i["to"]) for i in back["document"]["msel"]] == [
        (i["id"], i["channel"], i["to"]) for i in demo["msel"]
    ]
    # a sheet with a broken row: every problem at its row and column, nothing written
    book = openpyxl.load_workbook(io.BytesIO(x))
    sheet = book["MSEL"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("To") + 1, value="nobody-here")
    sheet.cell(row=4, column=header.index("Scenario Time") + 1, value="yesterday")
    buffer = io.BytesIO()
    book.save(buffer)
    before = snapshot(folder)
    bad = upload(client, "broken.xlsx", buffer.getvalue(), xlsx, into="demo", id="broken-sheet")
    assert bad.status_code == 422, bad.text
    rows = {(p["row"], p["column"]) for p in bad.json()["problems"]}
    assert {(3, "To"), (4, "Scenario Time")} <= rows
    assert "nothing was saved" in bad.json()["error"]["message"]
    assert snapshot(folder) == before


def zip_of(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_bad_uploads_say_why_and_write_nothing(studio, folder):
    _, client = studio
    demo = (folder / "demo.yaml").read_bytes()
    before = snapshot(folder)
    cases = [
        (upload(client, "notes.yaml", b"just: [a, list\n", "application/yaml"), 400, "not a scenario"),
        (upload(client, "list.yaml", b"- a\n- b\n", "application/yaml"), 400, "not a scenario"),
        (upload(client, "photo.yaml", b"\xff\xd8\xff\xe0 jpeg", "application/yaml"), 400, "not a scenario"),
        (upload(client, "page.html", b"<html></html>", "text/html"), 415, "upload a scenario"),
        (upload(client, "demo.yaml", demo, "application/yaml"), 409, "exists already"),
        (
            upload(client, "evil.zip", zip_of({"demo.yaml": demo, "../../outside.md": b"x"}), "application/zip"),
            400,
            "'..'",
        ),
        (
            upload(client, "abs.zip", zip_of({"/tmp/evil.yaml": demo}), "application/zip"),
            400,
            "absolute path",
        ),
        (
            upload(client, "link.zip", zip_of({"x.yaml": demo}, links=("attachments/passwd.txt",)), "application/zip"),
            400,
            "symbolic link",
        ),
        (
            upload(
                client,
                "types.zip",
                zip_of({"x.yaml": demo, "attachments/run.html": b"<script></script>"}),
                "application/zip",
            ),
            400,
            "must be named",
        ),
        (
            upload(
                client,
                "other.zip",
                zip_of({"x.yaml": demo, "attachments/lunda-bridge-relocation-plan.md": b"other bytes"}),
                "application/zip",
                id="x-other",
            ),
            409,
            "other content",
        ),
        (upload(client, "broken.zip", b"PK\x03\x04 not really", "application/zip"), 400, "not a zip"),
        (upload(client, "big.yaml", b"#" * (50 * 1024 * 1024), "application/yaml"), 413, "larger than 25 MB"),
    ]
    for r, status, words in cases:
        assert r.status_code == status, (words, r.text)
        assert words in r.json()["error"]["message"], r.text
    # a scenario with problems: every one listed, and the document for the editor; nothing written
    broken = demo.replace(b"channel: sitrep", b"channel: telegraph").replace(b"id: demo\n", b"id: demo-broken\n")
    r = upload(client, "demo-broken.yaml", broken, "application/yaml")
    assert r.status_code == 422
    assert ["msel", 0, "channel"] in [p["path"] for p in r.json()["problems"]]
    assert r.json()["document"]["id"] == "demo-broken"
    assert snapshot(folder) == before


def test_an_attachment_is_uploaded_in_place_within_validate_s_limits(studio, folder):
    _, client = studio
    before = snapshot(folder)

    def attach(name: str, data: bytes, **query: str) -> httpx.Response:
        return client.post(
            "/api/studio/scenarios/demo/attachments", params={"name": name, **query}, content=data
        )

    for r, status in (
        (attach("macro.exe", b"MZ"), 415),
        (attach("page.html", b"<html>"), 415),
        (attach("../escape.pdf", b"%PDF"), 400),
        (attach("huge.pdf", b"%" * (5 * 1024 * 1024 + 1)), 413),
        (attach("lunda-bridge-relocation-plan.md", b"someone else's plan"), 409),
    ):
        assert r.status_code == status, r.text
        assert r.json()["error"]["message"]
    assert snapshot(folder) == before
    ok = attach("convoy-route.pdf", b"%PDF-1.4 a route")
    assert ok.status_code == 201, ok.text
    assert (folder / "attachments" / "convoy-route.pdf").read_bytes() == b"%PDF-1.4 a route"
    files = client.get("/api/studio/files").json()
    assert "convoy-route.pdf" in [f["file"] for f in files["attachments"]] and "nalora" in files["basemaps"]
    got = client.get("/api/studio/scenarios/demo").json()
    doc = got["document"]
    doc["msel"][0]["attachments"] = [{"file": "convoy-route.pdf", "title": "Convoy route"}]
    saved = client.put("/api/studio/scenarios/demo", json={"version": got["version"], "document": doc})
    assert saved.status_code == 200, saved.text
    assert ["attachments/convoy-route.pdf"] == [
        n for n in zipfile.ZipFile(io.BytesIO(client.get("/api/studio/scenarios/demo/download?format=zip").content)).namelist()
        if n == "attachments/convoy-route.pdf"
    ]


def test_a_base_map_is_uploaded_as_geojson_and_nothing_else(studio, folder):
    _, client = studio
    before = snapshot(folder)

    def basemap(name: str, data: bytes) -> httpx.Response:
        return client.post("/api/studio/basemaps", params={"name": name}, content=data)

    nalora = (folder / "basemaps" / "nalora.geojson").read_bytes()
    for r, status in (
        (basemap("broken", b"{not json"), 400),
        (basemap("list", b"[1, 2]"), 400),
        (basemap("../escape", nalora), 400),
        (basemap("nalora", b'{"type": "FeatureCollection", "features": []}'), 409),
    ):
        assert r.status_code == status, r.text
        assert r.json()["error"]["message"]
    assert snapshot(folder) == before
    ok = basemap("empty-country", b'{"type": "FeatureCollection", "features": []}')
    assert ok.status_code == 201, ok.text
    assert "empty-country" in client.get("/api/studio/files").json()["basemaps"]
    # read back by name before any scenario uses it (the studio's map of a scenario not saved yet)
    assert client.get("/api/studio/basemaps/empty-country").json() == {"type": "FeatureCollection", "features": []}
    for name in ("no-such-map", "%2e%2e%2fdemo", ".hidden"):
        assert client.get(f"/api/studio/basemaps/{name}").status_code == 404, name
