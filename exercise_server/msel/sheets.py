"""Reading a planner's spreadsheet: CSV in its usual dialects or an XLSX workbook, its header row
found and matched to the MSEL's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.events import N_
from ..core.translations import LANGUAGE
from .cells import hms
from .columns import BY_KEY, COLUMNS, header_key, header_of, split_key
from .problems import MselError, RowProblem, Said, said_at, warning


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


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
# What a workbook may unpack to (its XML): a thousand-row MSEL is a few MB; a zip bomb is refused
# before openpyxl reads it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def read_sheet(path: str | Path) -> Sheet:
    """Read a .csv or .xlsx MSEL; find the header row (a title row above it is allowed)."""
    path = Path(path)
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return read_sheet_data(path.name, b"")
    return read_sheet_data(path.name, path.read_bytes())


def read_sheet_data(name: str, data: bytes, *, any_header: bool = False) -> Sheet:
    """A .csv or .xlsx MSEL named `name` (an upload's file name) from its bytes. `any_header`: when
    no row names the MSEL's columns, the first filled row is the header (for a mapping by hand)."""
    suffix = Path(name).suffix.lower()
    warnings: list[str] = []
    if suffix in (".xlsx", ".xlsm"):
        tables = [_xlsx_rows(name, data)]
    elif suffix in (".csv", ".txt", ".tsv"):
        tables = _csv_tables(data, warnings)
    else:
        raise MselError(
            name,
            [
                said_at(
                    None,
                    Said(N_("cannot read %(kind)s: save the MSEL as .csv or .xlsx"), kind=suffix)
                    if suffix
                    else Said(N_("cannot read a file without extension: save the MSEL as .csv or .xlsx")),
                )
            ],
        )
    read = [[(number, [cell_text(v) for v in values]) for number, values in raw] for raw in tables]
    for rows in read:
        for number, cells in rows[:10]:
            known = {hit[0] for c in cells if c.strip() and (hit := header_key(c))}
            if len(known) >= 3 and "id" in known:
                return _sheet(name, number, rows, warnings)
    if any_header:
        rows = max(read, key=_widest)
        first = next((number for number, cells in rows if any(c.strip() for c in cells)), None)
        if first is not None:
            return _sheet(name, first, rows, warnings)
    raise MselError(
        name,
        [
            said_at(
                1,
                Said(
                    N_("no header row found in the first 10 rows: expected column names such as %(names)s"),
                    names=", ".join(c.header for c in COLUMNS),
                ),
            )
        ],
    )


def _widest(rows: list[tuple[int, list[str]]]) -> int:
    """How many filled cells the fullest of the first ten rows has: the delimiter that splits a CSV best."""
    return max((len([c for c in cells if c.strip()]) for _, cells in rows[:10]), default=0)


def _sheet(name: str, header_row: int, rows: list[tuple[int, list[str]]], warnings: list[str]) -> Sheet:
    header = next(cells for number, cells in rows if number == header_row)
    data = [(n, c) for n, c in rows if n > header_row]
    return Sheet(name, header_row, [c.strip() for c in header], data, tuple(warnings))


def _csv_tables(data: bytes, warnings: list[str]) -> list[list[tuple[int, list[Any]]]]:
    """The file read with each usual delimiter (comma, semicolon as Excel writes in many locales, tab)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append(
            warning(Said(N_("the file is not UTF-8; read it as Windows-1252 (save as 'CSV UTF-8' to avoid this)")))
        )
    return [list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=d), 1)) for d in (",", ";", "\t")]


def _xlsx_rows(name: str, data: bytes) -> list[tuple[int, list[Any]]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    def refused(message: str) -> MselError:
        return MselError(name, [RowProblem(None, message)])

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refused(f"cannot open the workbook: {exc}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise refused(
            f"the workbook unpacks to {unpacked // (1024 * 1024)} MB, more than an MSEL needs "
            f"({MAX_UNPACKED_BYTES // (1024 * 1024)} MB at most): save the MSEL sheet alone"
        )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
        sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == "msel"), book.worksheets[0])
        return [(i, list(values)) for i, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)]
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, IndexError) as exc:
        raise refused(f"cannot open the workbook: {exc}") from None


@dataclass(frozen=True)
class SheetColumns:
    """Where each column is in a sheet, and the header it has there."""

    index: dict[str, int]  # column key -> column index
    names: dict[str, str]  # column key -> header as written

    def cell(self, cells: list[str], key: str) -> str:
        i = self.index.get(key)
        return cells[i] if i is not None and i < len(cells) else ""

    def problem(self, row: int | None, message: str | ValueError, key: str | None) -> RowProblem:
        """A problem at `row`, in the column `key` gives if the sheet has it (a `Said` keeps its words)."""
        i = self.index.get(key) if key else None
        return RowProblem(
            row,
            str(message),
            self.names.get(key) if key else None,
            column_letter(i) if i is not None else None,
            message if isinstance(message, Said) else None,
        )


# A mapping chosen by hand: by column index, the field (a column's key, `title (fr)` for a language
# column) or None for a column to ignore.
ColumnMapping = dict[int, str | None]


def map_columns(sheet: Sheet, mapping: ColumnMapping | None = None) -> tuple[SheetColumns, list[RowProblem], list[str]]:
    """Match headers to columns; the best-ranked alias wins when several give one column. With a
    `mapping`, each column gives the field it names there (and columns it leaves out are ignored)."""
    if mapping is not None:
        return _mapped_columns(sheet, mapping)
    problems: list[RowProblem] = []
    warnings: list[str] = []
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for i, header in enumerate(sheet.header):
        if not header:
            continue
        hit = header_key(header)
        if hit is None:
            warnings.append(
                warning(
                    Said(
                        N_("column %(letter)s '%(header)s' is not an MSEL column; ignored"),
                        letter=column_letter(i),
                        header=header,
                    )
                )
            )
            continue
        candidates.setdefault(hit[0], []).append((hit[1], i, header))
    index, names = {}, {}
    for key, found in candidates.items():
        found.sort()
        if len(found) > 1 and found[0][0] == found[1][0]:
            problems.append(
                said_at(
                    sheet.header_row,
                    Said(
                        N_("columns %(first)s and %(second)s both give the %(field)s; keep one"),
                        first=column_letter(found[0][1]),
                        second=column_letter(found[1][1]),
                        field=header_of(key),
                    ),
                )
            )
            continue
        rank, i, header = found[0]
        index[key], names[key] = i, header
        for _, j, other in found[1:]:
            warnings.append(
                warning(
                    Said(
                        N_("column %(letter)s '%(header)s' is ignored: column %(other)s '%(its)s' gives the %(field)s"),
                        letter=column_letter(j),
                        header=other,
                        other=column_letter(i),
                        its=header,
                        field=header_of(key),
                    )
                )
            )
    for column in COLUMNS:
        if column.required and not any(key in candidates for key in (column.key, *column.instead)):
            problems.append(
                said_at(
                    sheet.header_row,
                    Said(
                        N_("no '%(column)s' column (also accepted: %(aliases)s)"),
                        column=column.header,
                        aliases=", ".join(column.aliases),
                    ),
                )
            )
    return SheetColumns(index, names), problems, warnings


def field_problem(key: str) -> str | None:
    """Why `key` is not a field a column may give (a column's key, or `title (fr)`), or None."""
    base, language = split_key(key)
    column = BY_KEY.get(base)
    if column is None:
        return f"{key!r} is not a field of an inject: use one of {', '.join(BY_KEY)}"
    if language is not None and (not column.translated or not LANGUAGE.match(language)):
        return f"{key!r}: only {', '.join(c.key for c in COLUMNS if c.translated)} take a language, as `title (fr)`"
    return None


def _mapped_columns(sheet: Sheet, mapping: ColumnMapping) -> tuple[SheetColumns, list[RowProblem], list[str]]:
    problems: list[RowProblem] = []
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, key in sorted(mapping.items()):
        if key is None:
            continue
        header = sheet.header[i] if 0 <= i < len(sheet.header) else ""
        where = f"column {column_letter(i)}" + (f" {header!r}" if header else "")
        if not 0 <= i < len(sheet.header):
            problems.append(RowProblem(sheet.header_row, f"{where}: the sheet has no such column"))
        elif problem := field_problem(key):
            problems.append(RowProblem(sheet.header_row, f"{where}: {problem}"))
        elif key in index:
            problems.append(
                said_at(
                    sheet.header_row,
                    Said(
                        N_("columns %(first)s and %(second)s both give the %(field)s; keep one"),
                        first=column_letter(index[key]),
                        second=column_letter(i),
                        field=header_of(key),
                    ),
                )
            )
        else:
            index[key], names[key] = i, header or column_letter(i)
    for column in COLUMNS:
        if column.required and not any(key in index for key in (column.key, *column.instead)):
            problems.append(said_at(sheet.header_row, Said(N_("no column gives the %(field)s"), field=column.header)))
    ignored = [i for i, header in enumerate(sheet.header) if header and mapping.get(i) is None]
    warnings: list[str] = [
        warning(Said(N_("column %(letter)s '%(header)s' is ignored"), letter=column_letter(i), header=sheet.header[i]))
        for i in ignored
    ]
    return SheetColumns(index, names), problems, warnings
