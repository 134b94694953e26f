"""Reading a planner's spreadsheet: CSV in its usual dialects or an XLSX workbook, its header row
found and matched to the MSEL's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import hms, normalise_header
from .columns import ALIAS, COLUMNS, header_key, header_of
from .problems import MselError, RowProblem


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_text(value: Any) -> str:
    """A cell as the text a planner sees; spreadsheet numbers and times become their usual writing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.time):
        return hms(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, dt.timedelta):
        return hms(int(value.total_seconds()))
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return str(value)


@dataclass(frozen=True)
class Sheet:
    source: str
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cell texts)
    warnings: tuple[str, ...] = ()


def read_sheet(path: str | Path) -> Sheet:
    """Read a .csv or .xlsx MSEL; find the header row (a title row above it is allowed)."""
    path = Path(path)
    suffix = path.suffix.lower()
    warnings: list[str] = []
    if suffix in (".xlsx", ".xlsm"):
        tables = [_xlsx_rows(path)]
    elif suffix in (".csv", ".txt", ".tsv"):
        tables = _csv_tables(path, warnings)
    else:
        raise MselError(
            path.name,
            [RowProblem(None, f"cannot read {suffix or 'a file without extension'}: save the MSEL as .csv or .xlsx")],
        )
    for raw in tables:
        rows = [(number, [cell_text(v) for v in values]) for number, values in raw]
        for number, cells in rows[:10]:
            known = {ALIAS[n][0] for n in map(normalise_header, cells) if n in ALIAS}
            if len(known) >= 3 and "id" in known:
                data = [(n, c) for n, c in rows if n > number]
                return Sheet(path.name, number, [c.strip() for c in cells], data, tuple(warnings))
    raise MselError(
        path.name,
        [
            RowProblem(
                1,
                "no header row found in the first 10 rows: expected column names "
                "such as " + ", ".join(c.header for c in COLUMNS),
            )
        ],
    )


def _csv_tables(path: Path, warnings: list[str]) -> list[list[tuple[int, list[Any]]]]:
    """The file read with each usual delimiter (comma, semicolon as Excel writes in many locales, tab)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append("the file is not UTF-8; read it as Windows-1252 (save as 'CSV UTF-8' to avoid this)")
    return [list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=d), 1)) for d in (",", ";", "\t")]


def _xlsx_rows(path: Path) -> list[tuple[int, list[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise MselError(path.name, [RowProblem(None, f"cannot open the workbook: {exc}")]) from None
    sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == "msel"), book.worksheets[0])
    return [(i, list(values)) for i, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)]


@dataclass(frozen=True)
class SheetColumns:
    """Where each column is in a sheet, and the header it has there."""

    index: dict[str, int]  # column key -> column index
    names: dict[str, str]  # column key -> header as written

    def cell(self, cells: list[str], key: str) -> str:
        i = self.index.get(key)
        return cells[i] if i is not None and i < len(cells) else ""

    def problem(self, row: int | None, message: str, key: str | None) -> RowProblem:
        """A problem at `row`, in the column `key` gives if the sheet has it."""
        i = self.index.get(key) if key else None
        return RowProblem(
            row, message, self.names.get(key) if key else None, column_letter(i) if i is not None else None
        )


def map_columns(sheet: Sheet) -> tuple[SheetColumns, list[RowProblem], list[str]]:
    """Match headers to columns; the best-ranked alias wins when several give one column."""
    problems: list[RowProblem] = []
    warnings: list[str] = []
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for i, header in enumerate(sheet.header):
        if not header:
            continue
        hit = header_key(header)
        if hit is None:
            warnings.append(f"column {column_letter(i)} {header!r} is not an MSEL column; ignored")
            continue
        candidates.setdefault(hit[0], []).append((hit[1], i, header))
    index, names = {}, {}
    for key, found in candidates.items():
        found.sort()
        if len(found) > 1 and found[0][0] == found[1][0]:
            problems.append(
                RowProblem(
                    sheet.header_row,
                    f"columns {column_letter(found[0][1])} and "
                    f"{column_letter(found[1][1])} both give the {header_of(key)}; keep one",
                )
            )
            continue
        rank, i, header = found[0]
        index[key], names[key] = i, header
        for _, j, other in found[1:]:
            warnings.append(
                f"column {column_letter(j)} {other!r} is ignored: column {column_letter(i)} "
                f"{header!r} gives the {header_of(key)}"
            )
    for column in COLUMNS:
        if column.required and column.key not in candidates:
            problems.append(
                RowProblem(
                    sheet.header_row, f"no {column.header!r} column (also accepted: {', '.join(column.aliases)})"
                )
            )
    return SheetColumns(index, names), problems, warnings
