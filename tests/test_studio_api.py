"""The scenario studio's storage through its HTTP API, on a real server over loopback: saves that
keep the file's bytes, versions that stop two facilitators overwriting each other, refusals that
write nothing, history and restore, and a scenarios folder that stays the source of truth."""

from __future__ import annotations

import copy
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .server_harness import ServerProcess
from .studio_harness import INJECTS, facilitator_client, snapshot


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("scenarios") / "injects"
    shutil.copytree(INJECTS, target)
    return target


@pytest.fixture(scope="module")
def studio(tmp_path_factory, folder) -> Iterator[tuple[ServerProcess, httpx.Client]]:
    server = ServerProcess(tmp_path_factory.mktemp("studio") / "data", scenarios=(folder,)).start()
    with facilitator_client(server) as client:
        yield server, client
    server.stop()


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_every_bundled_scenario_saved_unchanged_keeps_its_file_byte_for_byte(studio, folder):
    _, client = studio
    listed = client.get("/api/studio/scenarios").json()
    ids = {s["id"]: s for s in listed["scenarios"]}
    assert len(ids) == len(list(INJECTS.glob("*.yaml")))
    assert all(s["problems"] == 0 and s["loaded"] for s in ids.values())
    for sid, summary in ids.items():
        before = (folder / summary["file"]).read_bytes()
        got = client.get(f"/api/studio/scenarios/{sid}").json()
        assert got["version"] == summary["version"]
        assert not [p for p in got["problems"] if p["severity"] == "error"]
        r = client.put(f"/api/studio/scenarios/{sid}", json={"version": got["version"], "document": got["document"]})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == got["version"]
        assert (folder / summary["file"]).read_bytes() == before
    assert not (folder / ".history" / "demo").exists()  # nothing changed: no version to keep


def test_an_edited_inject_changes_only_its_own_lines_and_comments_stay(studio, folder):
    _, client = studio
    original = (folder / "module-6-the-clinic-at-sebe.yaml").read_text()
    got = client.get("/api/studio/scenarios/module-6-the-clinic-at-sebe").json()
    doc = got["document"]
    doc["msel"][2]["title"] = "A new title for the third inject"
    r = client.put("/api/studio/scenarios/module-6-the-clinic-at-sebe", json={"version": got["version"], "document": doc})
    assert r.status_code == 200, r.text
    now = (folder / "module-6-the-clinic-at-sebe.yaml").read_text()
    assert "A new title for the third inject" in now
    kept = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert kept and all(line in now.splitlines() for line in kept)
    old_lines, new_lines = set(original.splitlines()), set(now.splitlines())
    assert len(old_lines - new_lines) < 25  # the one inject, not the file
    assert client.get("/api/studio/scenarios/module-6-the-clinic-at-sebe").json()["document"] == doc


def test_the_second_of_two_saves_on_one_version_is_refused_with_what_changed(studio, folder):
    _, client = studio
    got = client.get("/api/studio/scenarios/module-7-the-mirek-checkpoint").json()
    first, second = copy.deepcopy(got["document"]), copy.deepcopy(got["document"])
    first["title"] = "Saved first"
    first["msel"][0]["channel"] = "radio" if first["msel"][0]["channel"] != "radio" else "email"
    second["title"] = "Saved second"
    ok = client.put(
        "/api/studio/scenarios/module-7-the-mirek-checkpoint", json={"version": got["version"], "document": first}
    )
    assert ok.status_code == 200
    files = snapshot(folder)
    late = client.put(
        "/api/studio/scenarios/module-7-the-mirek-checkpoint", json={"version": got["version"], "document": second}
    )
    assert late.status_code == 409, late.text
    body = late.json()
    assert body["error"]["code"] == "conflict"
    assert body["version"] == ok.json()["version"]
    paths = {tuple(c["path"]): c for c in body["changes"]}
    assert paths[("title",)] == {"path": ["title"], "before": got["document"]["title"], "now": "Saved first"}
    assert ("msel", 0, "channel") in paths
    assert body["document"]["title"] == "Saved first"
    assert snapshot(folder) == files


def test_a_save_with_problems_lists_every_one_at_its_field_and_writes_nothing(studio, folder):
    _, client = studio
    got = client.get("/api/studio/scenarios/demo").json()
    doc = copy.deepcopy(got["document"])
    doc["msel"][3]["title"] = ""
    doc["msel"][1]["channel"] = "carrier pigeon"
    doc["teams"][0]["component"] = "navy"
    doc["msel"][0]["attachments"] = [{"file": "missing-plan.pdf", "title": "Plan"}]
    files = snapshot(folder)
    r = client.put("/api/studio/scenarios/demo", json={"version": got["version"], "document": doc})
    assert r.status_code == 422, r.text
    problems = [p for p in r.json()["problems"] if p["severity"] == "error"]
    paths = [p["path"] for p in problems]
    assert ["msel", 3, "title"] in paths
    assert ["msel", 1, "channel"] in paths
    assert ["teams", 0, "component"] in paths
    assert ["msel", 0, "attachments", 0] in paths
    assert all(p["message"] for p in problems)
    assert snapshot(folder) == files
    checked = client.post("/api/studio/validate", json={"id": "demo", "document": doc}).json()["problems"]
    assert [p["path"] for p in checked if p["severity"] == "error"] == paths


def test_history_keeps_each_replaced_version_and_restores_one(studio, folder):
    _, client = studio
    sid = "module-5-coordination-in-varo"
    v0 = client.get(f"/api/studio/scenarios/{sid}").json()
    original = (folder / f"{sid}.yaml").read_bytes()
    doc = copy.deepcopy(v0["document"])
    doc["title"] = "Second version"
    v1 = client.put(f"/api/studio/scenarios/{sid}", json={"version": v0["version"], "document": doc}).json()
    doc["title"] = "Third version"
    v2 = client.put(f"/api/studio/scenarios/{sid}", json={"version": v1["version"], "document": doc}).json()
    listed = client.get(f"/api/studio/scenarios/{sid}/history").json()
    assert [v["version"] for v in listed["versions"]] == [v2["version"], v1["version"], v0["version"]]
    assert [v["title"] for v in listed["versions"]][1:] == ["Second version", v0["document"]["title"]]
    assert listed["versions"][0]["current"] and not listed["versions"][1]["current"]
    old = client.get(f"/api/studio/scenarios/{sid}/history/{v0['version']}").json()
    assert old["document"] == v0["document"]
    stale = client.post(f"/api/studio/scenarios/{sid}/history/{v0['version']}/restore", json={"version": v1["version"]})
    assert stale.status_code == 409
    r = client.post(f"/api/studio/scenarios/{sid}/history/{v0['version']}/restore", json={"version": v2["version"]})
    assert r.status_code == 200, r.text
    assert (folder / f"{sid}.yaml").read_bytes() == original
    assert r.json()["version"] == v0["version"]
    again = client.get(f"/api/studio/scenarios/{sid}/history").json()
    assert {v["version"] for v in again["versions"]} == {v0["version"], v1["version"], v2["version"]}


def test_a_deleted_scenario_leaves_the_library_and_comes_back_restored(studio, folder):
    server, client = studio
    sid = "module-8-handing-over-kora"
    original = (folder / f"{sid}.yaml").read_bytes()
    version = client.get(f"/api/studio/scenarios/{sid}").json()["version"]
    assert client.delete(f"/api/studio/scenarios/{sid}?version=0000000000000000").status_code == 409
    assert (folder / f"{sid}.yaml").exists()
    r = client.delete(f"/api/studio/scenarios/{sid}?version={version}")
    assert r.status_code == 200, r.text
    assert not (folder / f"{sid}.yaml").exists()
    assert client.get(f"/api/studio/scenarios/{sid}").status_code == 404
    listed = client.get("/api/studio/scenarios").json()
    assert sid not in {s["id"] for s in listed["scenarios"]}
    assert {"id": sid, "version": version}.items() <= next(d for d in listed["deleted"] if d["id"] == sid).items()
    assert sid not in {s["id"] for s in client.get("/api/scenarios").json()["scenarios"]}
    taken = client.post("/api/studio/scenarios", json={"from": "template", "id": sid, "title": "Reuse"})
    assert taken.status_code == 409  # the id is the deleted one's until it is restored or forgotten
    r = client.post(f"/api/studio/scenarios/{sid}/history/{version}/restore", json={})
    assert r.status_code == 200, r.text
    assert (folder / f"{sid}.yaml").read_bytes() == original
    assert sid in {s["id"] for s in client.get("/api/scenarios").json()["scenarios"]}
    assert server.open_exercise(sid)[0].startswith(sid)


def test_new_from_the_course_template_and_duplicate_open_as_exercises(studio, folder):
    server, client = studio
    r = client.post("/api/studio/scenarios", json={"from": "template", "id": "my-first", "title": "My first exercise"})
    assert r.status_code == 201, r.text
    got = client.get("/api/studio/scenarios/my-first").json()
    assert got["document"]["title"] == "My first exercise" and got["document"]["id"] == "my-first"
    assert not [p for p in got["problems"] if p["severity"] == "error"]
    dup = client.post("/api/studio/scenarios", json={"from": "demo", "id": "demo-copy"})
    assert dup.status_code == 201, dup.text
    text = (folder / "demo-copy.yaml").read_text()
    assert text.startswith("# Ten-minute demonstration")  # the copy keeps the original's comments
    assert "id: demo-copy" in text and "(copy)" in text
    assert client.post("/api/studio/scenarios", json={"from": "demo", "id": "demo-copy"}).status_code == 409
    assert client.post("/api/studio/scenarios", json={"from": "demo", "id": "Bad Id"}).status_code == 400
    assert server.open_exercise("my-first")[0].startswith("my-first-")
    exercise = server.open_exercise("demo-copy")[0]
    assert exercise.startswith("demo-copy-")
    # the running exercise keeps its scenario, and its attachments, once the scenario is deleted
    attachment = f"/api/exercises/{exercise}/injects/D-02/attachments/lunda-bridge-relocation-plan.md"
    assert client.get(attachment).status_code == 200
    version = client.get("/api/studio/scenarios/demo-copy").json()["version"]
    assert client.delete(f"/api/studio/scenarios/demo-copy?version={version}").status_code == 200
    assert "demo-copy" not in {s["id"] for s in client.get("/api/scenarios").json()["scenarios"]}
    assert client.get(attachment).content == (folder / "attachments" / "lunda-bridge-relocation-plan.md").read_bytes()
    assert client.get(f"/api/exercises/{exercise}/codes").status_code == 200


def test_a_path_that_is_not_an_id_names_no_scenario(studio, folder):
    _, client = studio
    before = snapshot(folder)
    for path in (
        "/api/studio/scenarios/%2e%2e",
        "/api/studio/scenarios/%2e%2e/history",
        "/api/studio/scenarios/.history/download",
        "/api/studio/scenarios/demo/history/..%2f..%2fdemo",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/api/studio/scenarios/%2e%2e/history/0123456789abcdef/restore", json={}).status_code == 404
    assert snapshot(folder) == before


def test_a_file_changed_added_or_removed_on_disk_shows_without_a_restart(studio, folder):
    _, client = studio

    def library() -> dict[str, dict]:
        return {s["id"]: s for s in client.get("/api/scenarios").json()["scenarios"]}

    token = client.get("/api/studio/scenarios").json()["changes"]
    text = (folder / "demo.yaml").read_text()
    (folder / "from-git.yaml").write_text(text.replace("id: demo", "id: from-git").replace("Demo: a morning", "Pulled"))
    answer = client.get(f"/api/studio/changes?since={token}").json()  # the long poll returns on the change
    assert answer["changed"] and answer["changes"] > token
    assert wait_for(lambda: "from-git" in library())
    assert library()["from-git"]["title"].startswith("Pulled")
    studio_view = client.get("/api/studio/scenarios/from-git").json()
    (folder / "from-git.yaml").write_text(text.replace("id: demo", "id: from-git").replace("Demo: a morning", "Edited"))
    assert wait_for(lambda: library()["from-git"]["title"].startswith("Edited"))
    stale = client.put(
        "/api/studio/scenarios/from-git",
        json={"version": studio_view["version"], "document": studio_view["document"]},
    )
    assert stale.status_code == 409  # the file changed on disk since the studio read it
    assert {"path": ["title"]}.items() <= stale.json()["changes"][0].items()
    (folder / "from-git.yaml").unlink()
    assert wait_for(lambda: "from-git" not in library())
    assert client.get("/api/studio/scenarios/from-git").status_code == 404


def test_nobody_but_the_control_cell_can_tell_the_studio_exists(studio):
    server, client = studio
    exercise, codes, token = server.open_exercise("demo")
    trainee = server.join(codes["mil-1"], "Trainee")["token"]
    evaluator = server.join(codes["evaluator"], "Evaluator")["token"]
    plenary = httpx.post(
        f"{server.base}/api/exercises/{exercise}/plenary", headers={"Authorization": f"Bearer {token}"}
    ).json()["token"]
    anyone = httpx.Client(base_url=server.base)  # one client: a new one per request costs more than the request
    unknown = anyone.get("/api/no-such-thing")
    assert unknown.status_code == 404
    requests = [
        ("GET", "/api/studio/scenarios"),
        ("GET", "/api/studio/scenarios/demo"),
        ("PUT", "/api/studio/scenarios/demo"),
        ("DELETE", "/api/studio/scenarios/demo?version=x"),
        ("POST", "/api/studio/scenarios"),
        ("POST", "/api/studio/validate"),
        ("POST", "/api/studio/upload"),
        ("GET", "/api/studio/scenarios/demo/history"),
        ("POST", "/api/studio/scenarios/demo/history/abc/restore"),
        ("GET", "/api/studio/scenarios/demo/download?format=zip"),
        ("POST", "/api/studio/scenarios/demo/attachments?name=x.pdf"),
        ("GET", "/api/studio/changes"),
        ("GET", "/api/studio/files"),
        ("PATCH", "/api/studio/scenarios"),
        ("GET", "/api/studio/no-such-path"),
    ]
    for who, bearer in (("trainee", trainee), ("evaluator", evaluator), ("plenary", plenary), ("none", None), ("bad", "x.y")):
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        for method, path in requests:
            r = anyone.request(method, path, headers=headers, content=b'{"document": {}}')
            assert (r.status_code, r.text, r.headers["content-type"]) == (
                unknown.status_code,
                unknown.text,
                unknown.headers["content-type"],
            ), (who, method, path)
    anyone.close()
    assert client.get("/api/studio/scenarios/demo").status_code == 200
