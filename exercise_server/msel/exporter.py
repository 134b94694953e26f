"""Exporting a scenario's MSEL: one row per inject, each column written by its declaration, to
CSV (what Excel opens as UTF-8) or an XLSX workbook whose cells are all text."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ..core.scenario import Scenario
from ..core.translations import written_payload
from .columns import inject_in, sheet_columns
from .files import replace_atomically
from .problems import MselError, RowProblem
from .sheets import column_letter


def msel_rows(scenario: Scenario) -> list[list[str]]:
    """The header and one row per inject, in MSEL order; a translated column is followed by its
    language columns (`Title (fr)`) when the scenario declares other languages."""
    columns = sheet_columns(scenario)
    header = [c.header + (f" ({lang})" if lang else "") for c, lang in columns]
    injects = [replace(i, cop=written_payload(i.cop, scenario.default_language)) for i in scenario.injects]
    return [header] + [
        [c.format(inject_in(inject, lang) if lang else inject) for c, lang in columns] for inject in injects
    ]


def write_csv(scenario: Scenario, stream: TextIO) -> None:
    csv.writer(stream).writerows(msel_rows(scenario))


def export_csv(scenario: Scenario, path: Path) -> None:
    buffer = io.StringIO(newline="")
    write_csv(scenario, buffer)
    # utf-8-sig: Excel reads a CSV file as UTF-8 only with the byte-order mark.
    data = buffer.getvalue().encode("utf-8-sig")
    replace_atomically(path, lambda tmp: tmp.write_bytes(data))


def export_xlsx(scenario: Scenario, path: Path) -> None:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]  # a new workbook's one sheet
    sheet.title = "MSEL"
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(msel_rows(scenario), 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text, never a formula or a number, so it re-imports unchanged
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    for c, (column, _) in enumerate(sheet_columns(scenario)):
        sheet.column_dimensions[column_letter(c)].width = column.width
    sheet.freeze_panes = "B2"
    about = book.create_sheet("About")
    for line in (
        [f"MSEL of scenario {scenario.id!r}: {scenario.title}"],
        ["Edit the MSEL sheet, then import it back with:"],
        [f"exercise-server msel import THIS.xlsx --into injects/{scenario.id}.yaml -o injects/{scenario.id}.yaml"],
        ["Columns and their accepted values: docs/scenario-format.md, section 'MSEL spreadsheets'."],
    ):
        about.append(line)
    about.column_dimensions["A"].width = 110
    replace_atomically(path, book.save)


def export_msel(scenario: Scenario, path: str | Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        export_csv(scenario, path)
    elif suffix == ".xlsx":
        export_xlsx(scenario, path)
    else:
        raise MselError(path.name, [RowProblem(None, "write the MSEL to a .csv or .xlsx file")])
