"""A scenario document and its YAML text, without a server: problems at field paths from
validate's checker, edits that leave the rest of the file's bytes alone, what changed between two
versions, and personas."""

from __future__ import annotations

import copy
import difflib
from collections import Counter
from pathlib import Path

import pytest

from exercise_server.core.scenario_check import load_scenario_file, parse_scenario
from exercise_server.core.yamlsrc import plain
from exercise_server.scenarios import check_file
from exercise_server.studio.document import changes, check_document, parse_text
from exercise_server.studio.yamltext import write_document

from .server_harness import ROOT

BUNDLED = sorted((ROOT / "injects").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_a_bundled_scenario_written_back_unchanged_is_the_same_bytes_and_one_edit_is_one_hunk(path: Path):
    text = path.read_text(encoding="utf-8")
    doc = plain(parse_text(text))
    assert write_document(doc, text) == text
    edited = copy.deepcopy(doc)
    edited["msel"][1]["title"] = "Retitled by the studio"
    new = write_document(edited, text)
    assert plain(parse_text(new)) == edited
    hunks = [line for line in difflib.unified_diff(text.splitlines(), new.splitlines(), n=0) if line.startswith("@@")]
    assert len(hunks) == 1  # the one inject's lines, nothing else
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        line for line in new.splitlines() if line.startswith("#")
    ]


def test_the_studio_finds_what_validate_finds_and_says_at_which_field(tmp_path: Path):
    text = (ROOT / "injects" / "demo.yaml").read_text(encoding="utf-8")
    broken = (
        text.replace("channel: sitrep", "channel: pigeon")
        .replace("component: police}", "component: navy}")
        .replace("duration: \"0:10\"", "duration: 10")
    )
    path = tmp_path / "demo.yaml"
    path.write_text(broken, encoding="utf-8")
    for sub in ("attachments", "basemaps"):
        (tmp_path / sub).symlink_to(ROOT / "injects" / sub)
    ours = [p for p in check_document(parse_text(broken), tmp_path, "demo") if p.severity == "error"]
    theirs = check_file(path).problems
    assert [(p.line, p.message) for p in ours] == [(p.line, p.message) for p in theirs]
    paths = {tuple(p.path) for p in ours}
    assert {("msel", 0, "channel"), ("teams", 1, "component"), ("duration",)} <= paths
    # the same document as the browser sends it (JSON, no lines): the same paths
    again = check_document(plain(parse_text(broken)), tmp_path, "demo")
    assert {tuple(p.path) for p in again if p.severity == "error"} == paths


def test_an_inject_added_before_another_is_one_change_not_a_shifted_msel():
    before = {"msel": [{"id": "I-1", "title": "a"}, {"id": "I-2", "title": "b"}, {"id": "I-3", "title": "c"}]}
    now = {"msel": [{"id": "I-0", "title": "new"}, {"id": "I-1", "title": "a"}, {"id": "I-2", "title": "B"}]}
    assert changes(before, now) == [
        {"path": ["msel", 0], "now": {"id": "I-0", "title": "new"}},
        {"path": ["msel", 2, "title"], "before": "b", "now": "B"},
        {"path": ["msel", 2], "before": {"id": "I-3", "title": "c"}},
    ]


def test_what_changed_names_each_field_with_both_values():
    before = {"title": "A", "msel": [{"id": "I-1", "title": "x"}], "teams": [1, 2]}
    now = {"title": "B", "msel": [{"id": "I-1", "title": "y", "notes": "n"}], "teams": [1]}
    assert changes(before, now) == [
        {"path": ["title"], "before": "A", "now": "B"},
        {"path": ["msel", 0, "title"], "before": "x", "now": "y"},
        {"path": ["msel", 0, "notes"], "now": "n"},
        {"path": ["teams"], "before": [1, 2], "now": [1]},
    ]


def test_an_inject_from_a_persona_reads_as_the_persona_in_each_language():
    demo = load_scenario_file(ROOT / "injects" / "demo.yaml")
    assert [p.id for p in demo.personas] == ["governor", "ocha-head", "bravo-6"]
    governor = demo.personas[0]
    assert governor.translations["fr"]["name"] == "Gouverneure de la province de Tamsa"
    assert governor.translations["fr"]["role"] and governor.organisation and governor.notes
    d04 = demo.inject("D-04")
    assert d04 is not None and d04.sender == "Governor of Tamsa Province"
    assert d04.translations["fr"]["from"] == "Gouverneure de la province de Tamsa"
    d01 = demo.inject("D-01")
    assert d01 is not None and d01.sender == "UNSMN Sector West Joint Operations Centre"  # plain text still works


def test_personas_are_checked_like_the_rest_of_the_document():
    doc = plain(parse_text((ROOT / "injects" / "demo.yaml").read_text(encoding="utf-8")))
    doc["personas"] = [
        {"id": "governor", "name": {"en": "Governor", "de": "Gouverneur"}},
        {"id": "governor", "name": "Another"},
        {"id": "Press", "name": "Radio Tamsa"},
        {"id": "radio", "role": "Journalist"},
        {"id": "mayor", "name": "Mayor", "rank": "high"},
    ]
    problems = [p for p in check_document(doc, None, "demo") if p.severity == "error"]
    at = {tuple(p.path): p.message for p in problems}
    assert ("personas", 0, "name", "de") in at
    assert "duplicate persona id" in at[("personas", 1, "id")]
    assert ("personas", 2, "id") in at
    assert "missing required key 'name'" in at[("personas", 3)]
    assert "unknown key 'rank'" in at[("personas", 4, "rank")]
    scenario, found = parse_scenario(doc, "demo")
    assert scenario is None and len(found) == len(problems)


def test_a_server_given_scenario_files_only_edits_them_but_adds_none_beside_them(tmp_path: Path):
    from exercise_server.studio.shelf import Shelf, ShelfError

    mini = tmp_path / "mini.yaml"
    mini.write_text((ROOT / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "attachments").symlink_to(ROOT / "tests" / "fixtures" / "attachments")
    shelf = Shelf([mini])
    entry = shelf.files()[0]
    doc = plain(parse_text(entry.text))
    with pytest.raises(ShelfError, match="started with scenario files, not a folder"):
        shelf.create("another", doc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attachments", "mini.yaml"]
    doc["title"] = "Edited in place"
    saved = shelf.save(entry.id, entry.version, doc)
    assert "Edited in place" in mini.read_text(encoding="utf-8") and saved.version != entry.version


def test_the_evaluation_guide_and_knowledge_check_edited_in_forms_change_their_own_lines_and_name_their_fields():
    """What the studio's Evaluation and Knowledge check tabs do to Tamsa's sections: two pitfalls
    swapped, a question turned from short answer to multiple choice, a French text kept beside a new
    English one; the rest of the file keeps its bytes. A problem of either section is named by the
    field path the tabs give their controls (`evaluation.targets.0.within_minutes`)."""
    text = (ROOT / "injects" / "tamsa-river-crisis.yaml").read_text(encoding="utf-8")
    doc = plain(parse_text(text))
    edited = copy.deepcopy(doc)
    pitfalls = edited["evaluation"]["pitfalls"]
    pitfalls[0], pitfalls[1] = pitfalls[1], pitfalls[0]
    edited["evaluation"]["targets"][0]["text"]["en"] = "The roadblock reaches the humanitarians in time"
    short = edited["learning"]["knowledge_check"][3]
    del short["accept"]
    short.update(choices=["Neutrality", "Force protection"], answer=1)
    new = write_document(edited, text)
    assert plain(parse_text(new)) == edited
    assert not [p for p in check_document(parse_text(new), None, "tamsa") if p.severity == "error"]
    gone = Counter(text.splitlines()) - Counter(new.splitlines())  # the pitfalls moved whole: their lines stay
    assert sorted(gone.elements()) == [
        "        en: The Kilo 22 roadblock on MSR1 (I-03) reaches the humanitarian team within 10 minutes",
        "      accept: [neutral, impartial, independen, neutre, indépendan]",
    ]
    broken = copy.deepcopy(doc)
    broken["evaluation"]["targets"][0]["within_minutes"] = 0
    broken["evaluation"]["critical_tasks"][1]["objectives"] = ["O9"]
    broken["learning"]["knowledge_check"][0]["answer"] = 5
    broken["learning"]["feedback"][0]["scale"] = 11
    paths = {tuple(p.path) for p in check_document(broken, None, "tamsa") if p.severity == "error"}
    assert paths == {("evaluation", "targets", 0, "within_minutes"), ("evaluation", "critical_tasks", 1, "objectives"),
                     ("learning", "knowledge_check", 0, "answer"), ("learning", "feedback", 0, "scale")}
