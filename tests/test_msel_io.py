"""MSEL spreadsheets: what planners export they can edit and import back; bad rows never reach a file."""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from exercise_server import cli
from exercise_server.core.scenario import Scenario
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.msel import cells
from exercise_server.msel.columns import COLUMNS
from exercise_server.msel.exporter import export_msel, msel_rows
from exercise_server.msel.files import dump_yaml
from exercise_server.msel.importer import Base, build_scenario, load_base
from exercise_server.msel.problems import MselError
from exercise_server.msel.template import template_base

ROOT = Path(__file__).resolve().parents[1]
INJECTS = ROOT / "injects"
FIXTURES = ROOT / "tests" / "fixtures" / "msel"
BUNDLED = sorted(INJECTS.glob("*.yaml"))


@pytest.fixture
def run_cli(capsys):
    """`exercise-server msel ARGS` in this process: exit status, stdout, stderr."""
    def run(*args: str | Path) -> tuple[int, str, str]:
        status = cli.main(["msel", *map(str, args)])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def meaning(scenario: Scenario) -> list[dict]:
    """An inject's meaning: every field, with text compared without surrounding whitespace."""
    out = []
    for inj in scenario.injects:
        fields = dict(vars(inj))
        for key in ("title", "body", "notes", "sender"):
            fields[key] = fields[key].strip()
        fields["expected"] = {k: [" ".join(a.split()) for a in v] for k, v in inj.expected.items()}
        out.append(fields)
    return out


def files_beside(folder: Path) -> None:
    """The base maps and attachments a bundled scenario needs, copied beside a scenario written to `folder`."""
    for sub in ("basemaps", "attachments"):
        shutil.copytree(INJECTS / sub, folder / sub)


# -- round trips -----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BUNDLED, ids=[p.stem for p in BUNDLED])
def bundled(request) -> Base:
    return load_base(request.param)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_bundled_scenario_survives_export_and_import_unchanged(bundled, suffix, tmp_path):
    sheet = tmp_path / f"msel{suffix}"
    export_msel(bundled.scenario, sheet)
    result = build_scenario(sheet, bundled, bundled.path)
    assert result.warnings == []
    assert result.scenario.injects == bundled.scenario.injects
    assert meaning(result.scenario) == meaning(bundled.scenario)
    everything_but_msel = {k: v for k, v in result.doc.items() if k != "msel"}
    assert everything_but_msel == {k: v for k, v in bundled.doc.items() if k != "msel"}


def test_the_cli_exports_csv_and_xlsx_that_import_back_to_the_same_scenario(tmp_path, run_cli):
    source = INJECTS / "demo.yaml"
    files_beside(tmp_path)
    for suffix in (".csv", ".xlsx"):
        sheet = tmp_path / f"demo{suffix}"
        out = tmp_path / f"demo-from{suffix.replace('.', '-')}.yaml"
        status, stdout, stderr = run_cli("export", source, "-o", sheet)
        assert status == 0, stdout + stderr
        status, stdout, stderr = run_cli("import", sheet, "--into", source, "-o", out)
        assert status == 0, stdout + stderr
        assert f"wrote {out}: ok" in stdout
        again = load_scenario_file(out)
        assert again.id == out.stem  # the base has an id; the copy takes its own file's name
        assert again.injects == load_scenario_file(source).injects


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_expected_actions_for_all_teams_survive_the_round_trip(suffix, tmp_path):
    base = load_base(INJECTS / "demo.yaml")
    doc = {**base.doc, "msel": [{**base.doc["msel"][0], "expected": {"all": ["Read it", "Tell your commander"]}},
                                *base.doc["msel"][1:]]}
    source = tmp_path / "demo-all.yaml"
    source.write_text(dump_yaml(doc), encoding="utf-8")
    files_beside(tmp_path)
    scenario = load_scenario_file(source)
    assert scenario.injects[0].expected == {"all": ["Read it", "Tell your commander"]}
    sheet = tmp_path / f"msel{suffix}"
    export_msel(scenario, sheet)
    again = build_scenario(sheet, load_base(source), source).scenario
    assert again.injects == scenario.injects


def sheet_cells(sheet: Path) -> list[dict[str, str]]:
    """The rows of an exported CSV or XLSX, by header."""
    if sheet.suffix == ".xlsx":
        rows = [[c or "" for c in r] for r in openpyxl.load_workbook(sheet).worksheets[0].iter_rows(values_only=True)]
    else:
        with sheet.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_expected_actions_keep_their_weight_and_objectives_in_both_languages_through_the_sheet(suffix, tmp_path):
    base = load_base(INJECTS / "demo.yaml")
    first = base.doc["msel"][0]
    # The bundled actions are already linked ({action, objectives, weight}): keep their text only.
    mil, pol = (first["expected"][key][0]["action"] for key in ("mil-1", "pol-1"))
    linked = {
        "mil-1": [{"action": mil, "objectives": ["O3", "O5"], "weight": "critical"}, "Report to the JOC"],
        "pol-1": [{"action": pol, "objectives": []}],
    }
    doc = {**base.doc, "msel": [{**first, "expected": linked}, *base.doc["msel"][1:]]}
    source = tmp_path / "demo-linked.yaml"
    source.write_text(dump_yaml(doc), encoding="utf-8")
    files_beside(tmp_path)
    scenario = load_scenario_file(source)
    sheet = tmp_path / f"msel{suffix}"
    export_msel(scenario, sheet)
    row = sheet_cells(sheet)[0]
    assert row["Expected Action"].splitlines() == [
        f"mil-1: [critical] {mil['en']} (O3, O5)", "mil-1: Report to the JOC", f"pol-1: {pol['en']} ()"]
    assert row["Expected Action (fr)"].splitlines() == [f"mil-1: {mil['fr']}", "mil-1: …", f"pol-1: {pol['fr']}"]
    again = build_scenario(sheet, load_base(source), source)
    assert again.warnings == []
    assert again.scenario.injects == scenario.injects
    assert again.doc["msel"][0]["expected"] == linked
    inject = again.scenario.injects[0]
    assert [(a.weight, a.objectives) for a in inject.actions_of("mil-1")] == [("critical", ("O3", "O5")),
                                                                               ("desirable", ("O4",))]
    assert inject.translations["fr"]["expected"]["mil-1"] == [mil["fr"], None]


def test_an_expected_action_cell_reads_its_weight_and_objectives_and_refuses_unknown_ones():
    scenario = load_base(INJECTS / "demo.yaml").scenario
    to = {"teams": ["mil-1"]}
    read = cells.parse_expected("- [Critical] Call OCHA (by radio)\n- Brief the JOC (O3; o5)\n- [desirable] Log it ()",
                                to, scenario)
    assert read == {"mil-1": [{"action": "Call OCHA (by radio)", "weight": "critical"},
                              {"action": "Brief the JOC", "objectives": ["O3", "O5"]},
                              {"action": "Log it", "objectives": [], "weight": "desirable"}]}
    assert cells.parse_expected("mil-1: Call OCHA", to, scenario) == {"mil-1": ["Call OCHA"]}  # plain stays plain
    for cell, message in (("[vital] Call OCHA", "[vital]: an expected action's weight is [critical] or [desirable]"),
                          ("Call OCHA (O9)", "unknown objective 'O9'"),
                          ("[critical] (O3)", "an expected action has a weight or objectives but no text")):
        with pytest.raises(ValueError, match=re.escape(message)):
            cells.parse_expected(cell, to, scenario)


def test_written_files_keep_the_mode_of_the_file_they_replace_or_get_the_usual_one(tmp_path, run_cli):
    source = tmp_path / "demo.yaml"
    source.write_bytes((INJECTS / "demo.yaml").read_bytes())
    files_beside(tmp_path)
    source.chmod(0o644)
    sheet = tmp_path / "demo.csv"
    assert run_cli("export", source, "-o", sheet)[0] == 0
    assert run_cli("import", sheet, "--into", source, "-o", source)[0] == 0
    assert source.stat().st_mode & 0o777 == 0o644
    umask = os.umask(0o022)
    os.umask(umask)
    assert sheet.stat().st_mode & 0o777 == 0o666 & ~umask


def test_export_without_a_file_prints_csv_a_planner_can_read(run_cli):
    status, stdout, stderr = run_cli("export", INJECTS / "demo.yaml")
    assert status == 0, stderr
    rows = list(csv.reader(stdout.splitlines()))
    assert rows[0][:3] == ["Inject No", "Scenario Time", "Channel"]
    assert rows[1][:3] == ["D-01", "0:01", "sitrep"]


def test_exported_xlsx_cells_are_text_so_excel_changes_nothing(tmp_path):
    sheet = tmp_path / "tamsa.xlsx"
    export_msel(load_scenario_file(INJECTS / "tamsa-river-crisis.yaml"), sheet)
    book = openpyxl.load_workbook(sheet)
    assert book.sheetnames[0] == "MSEL"
    cells = [c for row in book["MSEL"].iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)
    times = [row[1] for row in book["MSEL"].iter_rows(min_row=2, values_only=True)]
    assert "after I-09 acknowledged" in times and "after I-12 released +0:10" in times and "manual" in times


# -- what planners write ---------------------------------------------------------------------


def test_a_planners_csv_with_aliased_reordered_and_extra_columns_imports():
    result = build_scenario(FIXTURES / "planner-aliases.csv", template_base(), INJECTS / "planner-aliases.yaml")
    sc = result.scenario
    assert [w for w in result.warnings if "not an MSEL column" in w] == [
        "column A 'Owner' is not an MSEL column; ignored", "column M 'Status' is not an MSEL column; ignored"]
    assert [i.id for i in sc.injects] == ["1", "2", "3", "4", "5"]
    assert [i.channel for i in sc.injects] == ["sitrep", "email", "phone", "media", "map"]
    first, convoy, governor, radio, cleared = sc.injects
    assert first.offset == 120 and first.title == "Morning situation report"
    assert first.body == ("**SITREP, 06:00.** Armed men attacked Sebe village overnight.\n"
                          "A WFP convoy left Bessa at 05:00.\n")
    assert first.expected == {"mil-1": ["Check own dispositions on the map"],
                              "pol-1": ["Assess the effect on Kora camp"],
                              "hum-1": ["Confirm the convoy's position"],
                              "civilian": ["Start human rights monitoring"]}
    assert first.objectives == ("O1", "O4") and first.modules == (4,)
    assert convoy.to == {"components": ["humanitarian"], "teams": ["mil-1"], "rooms": []}
    shared = ["Decide the access approach, escort only as a last resort", "Keep each other informed"]
    assert convoy.expected == {"humanitarian": shared, "mil-1": shared}
    assert convoy.modules == (3, 4)
    assert (governor.after, governor.when, governor.delay) == ("2", "acknowledged", 300)
    assert governor.expected == {"civ-1": ["Listen and commit nothing", "Inform the humanitarians"]}
    assert governor.modules == (7,) and governor.notes == "Play the Governor: proud, reasonable."
    assert radio.manual and radio.expected == {}
    assert cleared.title == "The roadblock at Kilo 22 is gone; MSR1 is open."  # from the message
    assert cleared.to == {"components": [], "teams": ["mil-1"], "rooms": ["joint"]}
    assert set(cleared.expected) == {"mil-1", "pol-1", "hum-1", "civ-1"}
    assert cleared.objectives == ("O4",)
    assert result.doc["duration"] == "0:30" and result.doc["modules"] == [3, 4, 5, 6, 7]


def test_a_semicolon_csv_from_a_european_excel_imports():
    sc = build_scenario(FIXTURES / "planner-semicolon.csv", template_base(), INJECTS / "x.yaml").scenario
    roadblock, access = sc.injects
    assert roadblock.offset == 300 and roadblock.channel == "radio" and roadblock.to["teams"] == ["mil-1"]
    assert access.offset == 15 * 60 + 30 and access.objectives == ("O3", "O5")
    assert access.expected == {"hum-1": ["Share them in the joint room"], "pol-1": ["Note them"]}


def test_an_excel_workbook_with_a_cover_sheet_title_row_and_time_cells_imports():
    result = build_scenario(FIXTURES / "planner-msel.xlsx", template_base(), INJECTS / "x.yaml")
    sc = result.scenario
    assert "column C 'Real Time' is not an MSEL column; ignored" in result.warnings  # the clock, not the offset
    assert [i.id for i in sc.injects] == ["1", "2", "3", "4"]
    assert [i.offset for i in sc.injects] == [180, 720, None, 3900]
    assert [i.channel for i in sc.injects] == ["sitrep", "phone", "email", "radio"]
    assert sc.injects[2].after == "2" and sc.injects[2].when == "acknowledged"
    assert sc.injects[3].objectives == ("O2", "O3") and sc.injects[1].modules == (3,)
    assert sc.injects[0].expected["civ-1"] == ["Brief the Head of Office"]


def test_the_into_base_gives_teams_rooms_and_cop_and_checks_cop_changes(tmp_path):
    sheet = tmp_path / "extra.csv"
    sheet.write_text(
        "Inject No,Time,Mode,From,To,Message,Expected Action,COP Changes\n"
        'X-1,0:04,map,JOC,"liaison:hum-1~mil-1",The bridge is closed.,"mil-1: Tell hum-1\nhum-1: Reroute",'
        '"[{""change"": ""cp-lunda-bridge"", ""set"": {""properties"": {""status"": ""closed""}}}]"\n',
        encoding="utf-8")
    sc = build_scenario(sheet, load_base(INJECTS / "demo.yaml"), INJECTS / "bridge.yaml").scenario  # not written
    (inject,) = sc.injects
    assert inject.to["rooms"] == ["liaison:hum-1~mil-1"]
    assert inject.cop == ({"change": "cp-lunda-bridge", "set": {"properties": {"status": "closed"}}},)
    assert sc.features == load_scenario_file(INJECTS / "demo.yaml").features


# -- what is refused -------------------------------------------------------------------------


def test_a_sheet_with_bad_rows_is_refused_row_by_row_and_nothing_is_written(tmp_path, run_cli):
    out = tmp_path / "bad.yaml"
    out.write_text("# the planner's previous version\n", encoding="utf-8")
    status, stdout, stderr = run_cli("import", FIXTURES / "bad-rows.csv", "--template", "-o", out)
    assert status == 1
    lines = stdout.splitlines()
    expected = [
        ("row 3, Scenario Time (column B)", "'five past' is not a time"),
        ("row 5, To (column E)", "unknown addressee 'mil-9'"),
        ("row 6, Inject No (column A)", "'B-1' is also used on row 2"),
        ("row 7, Objectives (column I)", "unknown objective 'O9'"),
        ("row 7, Modules (column J)", "module 9 is not a course module"),
        ("row 8, COP Changes (column L)", "not valid JSON"),
        ("row 9, Scenario Time (column B)", "condition on 'X-99', which is not in the MSEL"),
        ("row 10, Message (column G)", "empty"),
    ]
    assert len(lines) == len(expected), stdout
    for line, (where, what) in zip(lines, expected):
        assert line.startswith(f"bad-rows.csv: {where}: "), line
        assert what in line, line
    assert "7 rows with problems; nothing written" in stderr
    assert "row 4, Channel (column C): 'pigeon' is not a channel: kept as the inject's mode" in stderr  # a warning
    assert out.read_text(encoding="utf-8") == "# the planner's previous version\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]  # no temporary file left behind


def test_a_french_planner_reads_the_rows_problems_in_french(tmp_path, run_cli):
    out = tmp_path / "bad.yaml"
    status, stdout, stderr = run_cli("import", FIXTURES / "bad-rows.csv", "--template", "-o", out, "--language", "fr")
    assert status == 1
    lines = stdout.splitlines()
    assert lines[0].startswith("bad-rows.csv: ligne 3, Scenario Time (colonne B): « five past » n'est pas une heure")
    assert lines[1].startswith("bad-rows.csv: ligne 5, To (colonne E): destinataire inconnu 'mil-9'")
    assert lines[2] == "bad-rows.csv: ligne 6, Inject No (colonne A): « B-1 » est déjà utilisé à la ligne 2"
    assert lines[3].startswith("bad-rows.csv: ligne 7, Objectives (colonne I): objectif inconnu « O9 »")
    assert lines[4] == "bad-rows.csv: ligne 7, Modules (colonne J): le module 9 n'est pas un module du cours (1 à 8)"
    assert lines[-1] == "bad-rows.csv: ligne 10, Message (colonne G): vide"
    assert "bad-rows.csv: 7 lignes avec des problèmes ; rien n'a été écrit" in stderr
    assert "ligne 4, Channel (colonne C): « pigeon » n'est pas un canal : conservé comme mode" in stderr  # a warning
    assert not out.exists()
    status, _, stderr = run_cli("import", FIXTURES / "bad-rows.csv", "--template", "-o", out, "--language", "xx")
    assert status == 2 and "--language must be one of en, fr" in stderr


def test_problems_only_the_whole_scenario_shows_still_name_the_row_and_column(tmp_path):
    sheet = tmp_path / "msel.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Inject No", "Scenario Time", "Channel", "From", "To", "Message", "Expected Action", "COP Changes"])
        w.writerow(["A", "0:01", "email", "OCHA", "hum-1", "Fine.", "hum-1: Read it", ""])
        w.writerow(["B", "0:02", "email", "OCHA", "hum-1", "To hum-1 only.", "mil-1: Do something", ""])
        w.writerow(["C", "0:03", "map", "JOC", "joint", "Map.", "", '[{"remove": "no-such-feature"}]'])
        w.writerow(["D", "after E released", "email", "OCHA", "hum-1", "Cycle.", "", ""])
        w.writerow(["E", "after D released", "email", "OCHA", "hum-1", "Cycle.", "", ""])
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    found = [str(p) for p in info.value.problems]
    assert any(p.startswith("row 3, Expected Action (column G): ") and "'mil-1', which is not an addressee" in p
               for p in found), found
    assert any(p.startswith("row 4, COP Changes (column H): ") and "no-such-feature" in p for p in found), found
    assert any(p.startswith("row 5, Scenario Time (column B): ") and "cycle" in p for p in found), found
    assert not (tmp_path / "x.yaml").exists()


def test_row_problems_and_whole_scenario_problems_are_listed_in_one_pass(tmp_path):
    sheet = tmp_path / "msel.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Inject No", "Scenario Time", "Channel", "From", "To", "Message", "Expected Action"])
        w.writerow(["A", "five past", "email", "OCHA", "hum-1", "Bad time.", ""])
        w.writerow(["B", "0:02", "email", "OCHA", "hum-1", "To hum-1 only.", "mil-1: Do something"])
        w.writerow(["C", "after A released", "email", "OCHA", "hum-1", "After the bad row.", ""])
        w.writerow(["D", "after E released", "email", "OCHA", "hum-1", "Cycle.", ""])
        w.writerow(["E", "after D released", "email", "OCHA", "hum-1", "Cycle.", ""])
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    found = [str(p) for p in info.value.problems]
    assert [p.split(":")[0] for p in found] == ["row 2, Scenario Time (column B)", "row 3, Expected Action (column G)",
                                                "row 5, Scenario Time (column B)"], found
    assert "cycle" in found[2] and not any("row 4" in p for p in found), found  # C waits on A: A's row says why
    assert not (tmp_path / "x.yaml").exists()


def test_with_a_duration_a_time_past_the_end_is_refused_not_read_as_a_later_offset(tmp_path):
    """A clock time in a Time column (09:03) would become +9:03: past the end, so it is refused."""
    sheet = tmp_path / "msel.csv"
    sheet.write_text("Inject No,Time,Mode,From,To,Message\nX-1,09:03,radio,JOC,mil-1,The bridge is closed.\n"
                     "X-2,D+3 07:10,radio,JOC,mil-1,A scenario time is read against the start.\n", encoding="utf-8")
    with pytest.raises(MselError) as info:
        build_scenario(sheet, load_base(INJECTS / "tamsa-river-crisis.yaml"), tmp_path / "x.yaml", duration="3:00")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("row 2, Time (column B): ") and "falls after the end of the exercise" in problem


def test_attachments_are_read_from_their_column_and_must_be_beside_the_output(tmp_path):
    sheet = tmp_path / "msel.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Inject No", "Time", "Mode", "From", "To", "Message", "Annexes"])
        w.writerow(["X-1", "0:04", "email", "OCHA", "hum-1", "The plan is attached.",
                    "- lunda-bridge-relocation-plan.md: Relocation plan\nroad.pdf"])
    files_beside(tmp_path)
    with pytest.raises(MselError) as info:
        build_scenario(sheet, load_base(INJECTS / "demo.yaml"), tmp_path / "x.yaml")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("row 2, Annexes (column G): attachment road.pdf: no such file"), problem
    (tmp_path / "attachments" / "road.pdf").write_bytes(b"%PDF-1.4\n")
    (inject,) = build_scenario(sheet, load_base(INJECTS / "demo.yaml"), tmp_path / "x.yaml").scenario.injects
    assert inject.attachments == ({"file": "lunda-bridge-relocation-plan.md", "title": "Relocation plan"},
                                  {"file": "road.pdf", "title": "road.pdf"})


def test_a_sheet_without_the_required_columns_is_refused_at_its_header(tmp_path):
    sheet = tmp_path / "msel.csv"
    sheet.write_text("Inject No,Title,Notes,Owner\n1,Something,,Ana\n", encoding="utf-8")
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    messages = [str(p) for p in info.value.problems]
    assert "row 1: no 'Scenario Time' column (also accepted: Designated Scenario Time" in messages[0]
    assert {m.split("'")[1] for m in messages} == {"Scenario Time", "Channel", "From", "To", "Message"}


def test_two_equally_named_columns_for_one_field_are_ambiguous(tmp_path):
    sheet = tmp_path / "msel.csv"
    sheet.write_text("Inject No,Time,Channel,From,To,Message,Notes,Notes\n1,0:01,email,A,hum-1,B,x,y\n",
                     encoding="utf-8")
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "x.yaml")
    assert str(info.value.problems[0]) == "row 1: columns G and H both give the Notes; keep one"


def test_other_file_types_and_stray_sheets_are_refused(tmp_path):
    (tmp_path / "msel.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(MselError, match="save the MSEL as .csv or .xlsx"):
        build_scenario(tmp_path / "msel.xls", template_base(), tmp_path / "x.yaml")
    (tmp_path / "notes.csv").write_text("just,some,notes\n1,2,3\n", encoding="utf-8")
    with pytest.raises(MselError, match="no header row found"):
        build_scenario(tmp_path / "notes.csv", template_base(), tmp_path / "x.yaml")


# -- the cell grammar ------------------------------------------------------------------------


@pytest.mark.parametrize("text, at", [
    ("0:05", "+0:05"), ("+0:05", "+0:05"), ("00:05", "+0:05"), ("1:30", "+1:30"), ("0:02:30", "+0:02:30"),
    ("Manual", "manual"), ("after I-03 released", {"after": "I-03", "when": "released"}),
    ("after I-03 Acknowledged + 0:10", {"after": "I-03", "when": "acknowledged", "delay": "+0:10"}),
])
def test_scenario_time_cells(text, at):
    assert cells.parse_time(text) == at


@pytest.mark.parametrize("text", ["", "5 past", "0:5", "after I-03", "after I-03 sent", "D+3 06:00"])
def test_scenario_time_cells_that_are_refused(text):
    with pytest.raises(ValueError):
        cells.parse_time(text)


@pytest.mark.parametrize("word, channel", [
    ("E-mail", "email"), ("email", "email"), ("Radio", "radio"), ("Telephone", "phone"), ("Phone call", "phone"),
    ("News", "media"), ("Press", "media"), ("Situation report", "sitrep"), ("SITREP", "sitrep"), ("Map", "map"),
])
def test_channel_words_planners_use(word, channel):
    assert cells.parse_channel(word) == channel


# -- the column table and its docs -----------------------------------------------------------


def test_the_docs_list_every_column_as_columns_py_declares_it():
    """docs/scenario-format.md's table of columns: one line per column, in export order, with its
    header, whether it is required, and what it holds as `columns.py` says it."""
    text = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    table = text.split("### Columns", 1)[1].split("\n\n", 2)[1]
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table.splitlines()[2:]]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (c.header, "yes" if c.required else "no", c.help) for c in COLUMNS]
    for row, column in zip(rows, COLUMNS):
        named = {name.strip() for name in row[1].split(", ")}
        written = {n for n in named if "(" not in n or n in column.aliases}
        assert written <= set(column.aliases), (column.header, written - set(column.aliases))
    translated = text.split("**Language columns**", 1)[1].split("\n\n", 1)[0]
    for column in COLUMNS:
        assert (f"`{column.header} (fr)`" in translated) == column.translated, column.header


# -- language columns ------------------------------------------------------------------------

BILINGUAL = ROOT / "tests" / "fixtures" / "bilingual.yaml"


def bilingual_beside(folder: Path) -> Path:
    source = folder / "bilingual.yaml"
    shutil.copy(BILINGUAL, source)
    shutil.copytree(ROOT / "tests" / "fixtures" / "attachments", folder / "attachments")
    return source


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_bilingual_msel_survives_export_and_import_with_its_french_columns(suffix, tmp_path):
    source = bilingual_beside(tmp_path)
    scenario = load_scenario_file(source)
    sheet = tmp_path / f"msel{suffix}"
    export_msel(scenario, sheet)
    with sheet.open("rb") if suffix == ".xlsx" else sheet.open(encoding="utf-8-sig", newline="") as f:
        header = next(openpyxl.load_workbook(f).worksheets[0].iter_rows(values_only=True)) if suffix == ".xlsx" \
            else next(csv.reader(f))
    assert [h for h in header if h.endswith("(fr)")] == [
        "From (fr)", "Title (fr)", "Message (fr)", "Expected Action (fr)", "Notes (fr)", "Attachments (fr)"]
    result = build_scenario(sheet, load_base(source), source)
    assert result.warnings == []
    assert result.scenario.injects == scenario.injects
    i1 = result.scenario.inject("I-1")
    assert i1.translations["fr"]["title"] == "Rapport sur l'accès"
    assert i1.translations["fr"]["expected"]["hum-1"] == ["Signaler la contrainte d'accès dans la salle commune", None]
    assert i1.attachments[0]["translations"] == {
        "fr": {"title": "Évaluation de la route, Kora", "file": "kora-road-assessment.fr.txt"}}
    cell = msel_rows(scenario)[1][header.index("Attachments (fr)")]
    assert cell == "kora-road-assessment.txt (kora-road-assessment.fr.txt): Évaluation de la route, Kora"


def write_csv_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_planners_sheet_with_french_columns_imports_into_the_template_and_declares_french(tmp_path):
    sheet = write_csv_rows(tmp_path / "planners.csv", [
        ["Inject No", "Time", "Channel", "From", "Sender (FR)", "To", "Subject", "Message", "Message (fr)",
         "Expected Action", "Expected Action (fr)"],
        ["1", "0:05", "radio", "Police HQ", "QG de la police", "pol-1", "Riot", "A crowd gathers.",
         "Une foule se rassemble.", "pol-1: Send a patrol", "pol-1: Envoyer une patrouille"],
    ])
    result = build_scenario(sheet, template_base(), tmp_path / "new.yaml")
    assert result.scenario.languages == ("en", "fr")
    inject = result.scenario.injects[0]
    assert (inject.sender, inject.translations["fr"]["from"]) == ("Police HQ", "QG de la police")
    assert inject.translations["fr"]["body"] == "Une foule se rassemble."
    assert inject.translations["fr"]["expected"] == {"pol-1": ["Envoyer une patrouille"]}
    assert "title" not in inject.translations["fr"]  # no Title (fr): listed by validate, not refused
    assert any("title has no translation in fr" in w.message for w in result.scenario.missing_translations)


def test_french_cells_that_do_not_match_their_column_are_refused_by_row_and_column(tmp_path):
    sheet = write_csv_rows(tmp_path / "bad.csv", [
        ["Inject No", "Time", "Channel", "From", "To", "Title", "Message", "Notes", "Notes (fr)", "Expected Action",
         "Expected Action (fr)", "Title (en)"],
        ["1", "0:05", "radio", "HQ", "pol-1", "Riot", "A crowd.", "", "Note secrète", "", "", ""],
        ["2", "0:06", "radio", "HQ", "pol-1", "Riot", "A crowd.", "", "", "pol-1: Patrol\npol-1: Report",
         "pol-1: Patrouiller", ""],
        ["3", "0:07", "radio", "HQ", "pol-1", "Riot", "A crowd.", "", "", "", "", "Riot again"],
    ])
    with pytest.raises(MselError) as info:
        build_scenario(sheet, template_base(), tmp_path / "new.yaml")
    found = {(p.row, p.column): p.message for p in info.value.problems}
    assert "a translation of an empty Notes" in found[(2, "Notes (fr)")]
    assert "'pol-1' has 1 actions here and 2 in the default language" in found[(3, "Expected Action (fr)")]
    assert "en is the scenario's default language" in found[(4, "Title (en)")]
    assert not (tmp_path / "new.yaml").exists()
