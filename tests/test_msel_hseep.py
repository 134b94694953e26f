"""The HSEEP MSEL template as planners fill it in: long headers, modes that are not channels,
controllers, objective cells by number; a base shorter than the MSEL, and --duration."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from exercise_server import cli
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.msel import cells
from exercise_server.msel.importer import build_scenario, load_base
from exercise_server.msel.problems import MselError
from exercise_server.msel.template import template_base

ROOT = Path(__file__).resolve().parents[1]
INJECTS = ROOT / "injects"
FIXTURES = ROOT / "tests" / "fixtures" / "msel"


@pytest.fixture
def run_cli(capsys):
    def run(*args: str | Path) -> tuple[int, str, str]:
        status = cli.main(["msel", *map(str, args)])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def hseep_sheet(folder: Path, suffix: str) -> Path:
    """The HSEEP-style fixture as the planner saved it: the CSV itself, or the same rows in a workbook."""
    source = FIXTURES / "hseep-template.csv"
    if suffix == ".csv":
        return source
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = "MSEL"
    with source.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            sheet.append(row)
    book.create_sheet("Cover").append(["Controller and Evaluator handbook"])
    path = folder / "hseep.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_hseep_template_imports_with_warnings_not_refusals(suffix, tmp_path):
    result = build_scenario(hseep_sheet(tmp_path, suffix), template_base(), tmp_path / "lunda.yaml")
    meeting, plenary, fax, radio, briefing = result.scenario.injects
    assert meeting.title == "Morning coordination meeting"  # Event Synopsis
    assert meeting.body.startswith("The OCHA Head of Office calls the clusters")  # Inject
    assert [(i.mode, i.channel) for i in result.scenario.injects] == [
        ("Face-to-face", "sitrep"), ("Plenary", "sitrep"), ("Fax", "email"), ("", "radio"), ("Briefing", "sitrep")]
    assert [i.controller for i in result.scenario.injects] == [
        "Maj. Dupont", "Ms. Ahmed", "Maj. Dupont", "Capt. Lee", "Ms. Ahmed"]
    assert [i.objectives for i in result.scenario.injects] == [("O4",), ("O4",), ("O5",), ("O2", "O3"), ()]
    assert meeting.expected == {"hum-1": ["Attend and share the access constraints"], "mil-1": ["Attend and listen"]}
    assert meeting.notes == "Watch who speaks first."  # Evaluator Special Instructions
    assert plenary.to["rooms"] == ["plenary"] and fax.offset == 20 * 60 and radio.sender == "Bravo-6"
    modes = [w for w in result.warnings if "is not a channel: kept as the inject's mode" in w]
    assert [w.split(":")[0] for w in modes] == [f"row {n}, Inject Mode (column E)" for n in (3, 4, 5, 7)]
    assert any(w.startswith("row 7, Objective / Core Capability / Critical Task (column J): no objective")
               for w in result.warnings), result.warnings
    assert "mode: Face-to-face" in result.text and "controller: Maj. Dupont" in result.text
    assert "objectives: []" not in result.text


@pytest.mark.parametrize("text, objectives", [
    ("Objective 4", ["O4"]), ("O4 - Analyze common challenges", ["O4"]), ("O4: Analyze", ["O4"]),
    ("Objective 2 / Operational Coordination / Critical Task 1", ["O2"]), ("O1 O4", ["O1", "O4"]),
    ("Obj. 3; Objective #5", ["O3", "O5"]), ("Objective O1\nCore Capability: Mass Care Services", ["O1"]),
    ("Operational Coordination", []),
])
def test_objective_cells_as_planners_write_them(text, objectives):
    assert cells.parse_objectives(text, template_base().scenario) == objectives


@pytest.mark.parametrize("text", ["Objective 9", "O9 - Unknown", "O4; O7"])
def test_an_objective_the_scenario_lacks_is_refused(text):
    with pytest.raises(ValueError, match="unknown objective"):
        cells.parse_objectives(text, template_base().scenario)


def test_a_channel_beside_a_mode_keeps_both_without_a_warning(tmp_path):
    sheet = tmp_path / "msel.csv"
    sheet.write_text("Inject No,Time,Channel,Mode,From,To,Message\n1,0:05,email,Meeting,OCHA,hum-1,Minutes.\n"
                     "2,0:06,,E-mail,OCHA,hum-1,A mode that names a channel is the channel.\n"
                     "3,0:07,pigeon,Meeting,OCHA,hum-1,Both a mode and a wrong channel.\n", encoding="utf-8")
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    assert [str(p).split(":")[0] for p in info.value.problems] == ["row 4, Channel (column C)"]
    sheet.write_text("\n".join(sheet.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    result = build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    assert [(i.channel, i.mode) for i in result.scenario.injects] == [("email", "Meeting"), ("email", "")]
    assert not [w for w in result.warnings if "not a channel" in w]


def test_the_walkthroughs_20_rows_into_the_10_minute_demo_extend_its_duration_with_a_warning(tmp_path, run_cli):
    """The UX walkthrough's case: the README's command refused 15 of 20 rows (the demo lasts 0:10)."""
    for sub in ("basemaps", "attachments"):
        (tmp_path / sub).symlink_to(INJECTS / sub)
    out = tmp_path / "lunda-20.yaml"
    status, stdout, stderr = run_cli("import", FIXTURES / "walkthrough-20.csv", "--into", INJECTS / "demo.yaml",
                                     "-o", out)
    assert status == 0, stdout + stderr
    assert "the MSEL runs past the end of" in stderr and "(duration 0:10): the new scenario lasts 1:00" in stderr
    scenario = load_scenario_file(out)
    assert len(scenario.injects) == 20 and scenario.duration == 3600
    assert scenario.features == load_scenario_file(INJECTS / "demo.yaml").features


def test_duration_sets_it_and_an_inject_after_it_is_refused_with_its_row(tmp_path, run_cli):
    for sub in ("basemaps", "attachments"):
        (tmp_path / sub).symlink_to(INJECTS / sub)
    out = tmp_path / "lunda-20.yaml"
    sheet = FIXTURES / "walkthrough-20.csv"
    status, stdout, stderr = run_cli("import", sheet, "--into", INJECTS / "demo.yaml", "-o", out, "--duration", "1:30")
    assert status == 0 and "runs past the end" not in stderr
    assert load_scenario_file(out).duration == 90 * 60
    out.unlink()
    status, stdout, stderr = run_cli("import", sheet, "--into", INJECTS / "demo.yaml", "-o", out, "--duration", "0:45")
    assert status == 1 and not out.exists()
    assert [line.split(":")[1].strip() for line in stdout.splitlines()] == ["row 20, Scenario Time (column B)",
                                                                            "row 21, Scenario Time (column B)"]
    assert "falls after the end of the exercise (duration 0:45)" in stdout
    status, stdout, stderr = run_cli("import", sheet, "--template", "-o", out, "--duration", "an hour")
    assert status == 1 and "is not of the form H:MM" in stdout and not out.exists()


def test_a_workbook_that_unpacks_to_more_than_an_msel_needs_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from exercise_server.msel import sheets

    path = hseep_sheet(tmp_path, ".xlsx")
    assert len(build_scenario(path, template_base(), tmp_path / "x.yaml").scenario.injects) == 5
    monkeypatch.setattr(sheets, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(MselError, match="more than an MSEL needs"):
        build_scenario(path, template_base(), tmp_path / "x.yaml")
    with pytest.raises(MselError, match="cannot open the workbook"):
        sheets.read_sheet_data("broken.xlsx", b"PK\x03\x04 not really a zip")


def test_addressees_by_their_names_as_planners_write_them():
    template = template_base().scenario
    assert cells.parse_to("Humanitarian community; Syndicate 1: UN Police; joint", template) == {
        "components": ["humanitarian"], "teams": ["pol-1"], "rooms": ["joint"]}
    demo = load_base(INJECTS / "demo.yaml").scenario
    assert cells.parse_to("OCHA sub-office and clusters, Bessa", demo) == {"teams": ["hum-1"]}  # a comma in it
    assert cells.parse_to("Composante militaire de l'UNSMN (Secteur Ouest)", demo) == {"components": ["military"]}
    with pytest.raises(ValueError, match="unknown addressee 'The press'"):
        cells.parse_to("The press", demo)


def test_expected_actions_labelled_by_a_component_or_team_name():
    template = template_base().scenario
    to = cells.parse_to("Humanitarian community; UN Police", template)
    assert cells.parse_expected("Humanitarian community: Share the access constraints\nUN Police:\n- Patrol\n"
                                "Note: this line has a colon", to, template) == {
        "humanitarian": ["Share the access constraints"], "police": ["Patrol", "Note: this line has a colon"]}
