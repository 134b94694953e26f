"""An attachment's file in each language (docs/scenario-format.md, "Attachments"): the format, what
`validate` and the studio say of a language's file, and which file a reader is given (core only)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exercise_server.core.scenario import attachment_file, attachment_files
from exercise_server.core.scenario_check import load_scenario_file, parse_scenario_text
from exercise_server.core.translations import Shown
from exercise_server.msel import cells
from exercise_server.msel.exporter import export_msel
from exercise_server.msel.importer import build_scenario, load_base
from exercise_server.scenarios import MAX_ATTACHMENT_BYTES, check_file
from exercise_server.studio.document import problems_of_text
from tests.core_harness import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
BILINGUAL = FIXTURES / "bilingual.yaml"
PER_LANGUAGE = "file: {en: kora-road-assessment.txt, fr: kora-road-assessment.fr.txt}"


def with_file(file: str) -> str:
    text = BILINGUAL.read_text(encoding="utf-8")
    assert PER_LANGUAGE in text
    return text.replace(PER_LANGUAGE, f"file: {file}")


def beside(tmp_path: Path, text: str) -> Path:
    """The scenario written with the fixtures' attachments beside it."""
    shutil.copytree(FIXTURES / "attachments", tmp_path / "attachments")
    path = tmp_path / "bilingual.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_attachment_names_its_file_in_each_language_and_its_title_in_each():
    scenario, problems = parse_scenario_text(BILINGUAL.read_text(encoding="utf-8"))
    assert scenario is not None, problems
    attachment = scenario.inject("I-1").attachments[0]
    assert attachment["file"] == "kora-road-assessment.txt"  # the default's file names the attachment
    assert attachment["translations"]["fr"] == {"title": "Évaluation de la route, Kora",
                                                "file": "kora-road-assessment.fr.txt"}
    assert attachment_files(attachment) == ["kora-road-assessment.txt", "kora-road-assessment.fr.txt"]
    assert not any("file has no translation" in p.message for p in scenario.missing_translations)


def test_a_reader_gets_the_file_of_their_language_or_the_default_one_and_is_told_it_fell_back():
    scenario, _ = parse_scenario_text(BILINGUAL.read_text(encoding="utf-8"))
    assert scenario is not None
    attachment = scenario.inject("I-1").attachments[0]
    assert attachment_file(attachment, "fr", "en") == Shown("kora-road-assessment.fr.txt", "fr", False)
    assert attachment_file(attachment, "en", "en") == Shown("kora-road-assessment.txt", "en", False)
    plain = {"file": "road.pdf", "title": "Road", "translations": {"fr": {"title": "Route"}}}
    assert attachment_file(plain, "fr", "en") == Shown("road.pdf", "en", True)


def test_a_plain_file_name_stays_valid_and_validate_lists_its_missing_language_as_a_warning():
    scenario, problems = parse_scenario_text(with_file("kora-road-assessment.txt"))
    assert scenario is not None, problems
    attachment = scenario.inject("I-1").attachments[0]
    assert attachment["file"] == "kora-road-assessment.txt" and "file" not in attachment["translations"]["fr"]
    assert any("attachment 'kora-road-assessment.txt': file has no translation in fr" in p.message
               for p in scenario.missing_translations)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("{en: kora-road-assessment.txt, fr: kora-road-assessment.fr.html}",
         "attachment 'kora-road-assessment.fr.html' (its fr file) must be a file name in attachments/ ending in"),
        ("{en: kora-road-assessment.txt, fr: ../mini.yaml}", "attachment '../mini.yaml' (its fr file) must be"),
        ("{en: kora-road-assessment.txt, de: kora-road-assessment.de.txt}",
         "file in 'de', a language the scenario does not declare (en, fr)"),
        ("{fr: kora-road-assessment.fr.txt}", "file has no text in the default language 'en'"),
        ('{en: kora-road-assessment.txt, fr: ""}', "file in 'fr' is empty"),
    ],
)
def test_validate_refuses_a_bad_file_in_a_language_and_names_it(file, message):
    scenario, problems = parse_scenario_text(with_file(file))
    assert scenario is None
    assert any(message in p.message for p in problems), problems


def test_validate_says_which_languages_file_is_missing_or_too_large_at_its_line(tmp_path):
    text = with_file("{en: kora-road-assessment.txt, fr: evaluation-route.fr.txt}")
    path = beside(tmp_path, text)
    checked = check_file(path)
    assert checked.scenario is None
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "evaluation-route.fr.txt" in row)
    assert [(p.line, p.message) for p in checked.problems] == [
        (line, "inject 'I-1': attachment evaluation-route.fr.txt: no such file in attachments/ beside the scenario")]
    (tmp_path / "attachments" / "evaluation-route.fr.txt").write_bytes(b"x" * (MAX_ATTACHMENT_BYTES + 1))
    message = check_file(path).problems[0].message
    assert "evaluation-route.fr.txt" in message and "more than the" in message
    (tmp_path / "attachments" / "evaluation-route.fr.txt").write_text("ok", encoding="utf-8")
    assert check_file(path).scenario is not None
    cli = subprocess.run([sys.executable, "-m", "exercise_server", "validate", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 0, cli.stdout + cli.stderr


def test_the_studio_puts_a_missing_languages_file_at_that_languages_field(tmp_path):
    text = with_file("{en: kora-road-assessment.txt, fr: absent.fr.txt}")
    path = beside(tmp_path, text)
    problems = [p for p in problems_of_text(text, path.parent, "bilingual") if "absent.fr.txt" in p.message]
    assert [p.path for p in problems] == [["msel", 0, "attachments", 0, "file", "fr"]], problems
    bad = [p for p in problems_of_text(with_file("{en: kora-road-assessment.txt, fr: a.exe}"), path.parent,
                                       "bilingual") if "'a.exe' (its fr file) must be a file name" in p.message]
    assert [p.path for p in bad] == [["msel", 0, "attachments", 0, "file", "fr"]], bad


def test_a_language_column_of_the_msel_sheet_gives_that_languages_file_in_parentheses():
    cell = "- cimic-glossary.md (cimic-glossary.fr.md): Glossaire CIMIC\nroad.pdf (route.pdf)\nmap.png: Carte"
    parsed = cells.parse_attachments(cell)
    assert parsed == [
        {"file": "cimic-glossary.md", "title": "Glossaire CIMIC", "language_file": "cimic-glossary.fr.md"},
        {"file": "road.pdf", "title": "road.pdf", "language_file": "route.pdf"},  # the file alone: no title
        {"file": "map.png", "title": "Carte"},
    ]
    assert cells.format_attachments([
        {"file": "cimic-glossary.md", "title": "Glossaire  CIMIC", "language_file": "cimic-glossary.fr.md"},
        {"file": "road.pdf", "title": "", "language_file": "route.pdf"},
        {"file": "map.png", "title": "Carte"},
    ]) == "cimic-glossary.md (cimic-glossary.fr.md): Glossaire CIMIC\nroad.pdf (route.pdf)\nmap.png: Carte"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_attachment_with_only_its_file_translated_survives_the_msel_sheet(suffix, tmp_path):
    text = BILINGUAL.read_text(encoding="utf-8").replace(
        'title: {en: "Road assessment, Kora", fr: "Évaluation de la route, Kora"}', 'title: "Road assessment, Kora"')
    source = beside(tmp_path, text)
    scenario = load_scenario_file(source)
    assert scenario.inject("I-1").attachments[0]["translations"] == {"fr": {"file": "kora-road-assessment.fr.txt"}}
    sheet = tmp_path / f"msel{suffix}"
    export_msel(scenario, sheet)
    result = build_scenario(sheet, load_base(source), source)
    assert result.scenario is not None and result.scenario.injects == scenario.injects
