"""The improvement plan as a spreadsheet: CSV (UTF-8 with the mark Excel needs) and an XLSX workbook
whose cells are all text, written as the MSEL's are (msel/exporter.py), and an XLSX or CSV read back
into rows, so a plan edited in Excel returns unchanged where nobody touched it."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .core.improvement_plan import FIELDS, Finding
from .msel.problems import MselError
from .msel.sheets import column_letter, read_sheet_data

HEADERS = {
    "finding": "Finding",
    "scope": "Scope",
    "objective": "Objective",
    "capability": "Capability",
    "text": "Area for improvement",
    "root_cause": "Root cause",
    "recommendation": "Recommendation",
    "owner": "Owner",
    "start": "Start",
    "due": "Due",
    "status": "Status",
    "evidence": "Evidence",
}
WIDTHS = {"text": 50, "root_cause": 40, "recommendation": 40, "evidence": 40, "capability": 24, "owner": 20}
COLUMNS = (*FIELDS, "evidence")


class PlanFileError(ValueError):
    """A sheet that is not an improvement plan."""


def table(findings: Sequence[Finding]) -> list[list[str]]:
    return [[HEADERS[c] for c in COLUMNS]] + [[str(getattr(f, c)) for c in COLUMNS] for f in findings]


def plan_csv(findings: Sequence[Finding]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(table(findings))
    return buffer.getvalue().encode("utf-8-sig")


def plan_xlsx(findings: Sequence[Finding], title: str) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Improvement plan"
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(table(findings), 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text, never a formula or a date, so it reads back unchanged
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    for c, key in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(c)].width = WIDTHS.get(key, 14)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    about.append([f"Improvement plan: {title}"])
    about.append(["Scope: participants (findings on the teams) or course (fix the scenario or the course)."])
    about.append(["Status: open, in_progress, complete, cancelled (proposed: suggested by the log, not adopted)."])
    about.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_plan(name: str, data: bytes) -> list[dict[str, str]]:
    """The rows of a plan sheet (.xlsx or .csv), keyed by field; PlanFileError if it is not one."""
    try:
        sheet = read_sheet_data(name, data, any_header=True)
    except MselError as exc:
        raise PlanFileError(str(exc)) from None
    by_header = {v.casefold(): k for k, v in HEADERS.items()}
    keys = [by_header.get(h.strip().casefold()) for h in sheet.header]
    missing = [HEADERS[k] for k in FIELDS if k not in keys]
    if missing:
        raise PlanFileError(f"{name}: not an improvement plan (no column {', '.join(missing)})")
    rows = []
    for _, cells in sheet.rows:
        row = {k: (cells[i] if i < len(cells) else "").strip() for i, k in enumerate(keys) if k}
        if any(row.values()):
            rows.append(row)
    return rows
