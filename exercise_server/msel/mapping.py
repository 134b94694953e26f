"""The mapping step of a spreadsheet upload: which field each column of a sheet gives, as the
importer recognised it or as a person chose it, and the choice remembered for that header set.

A mapping is a list with one entry per column of the sheet's header row: a field (a column's key,
`title (fr)` for a language column) or None for a column to ignore. It is remembered in a small
JSON file in the server's data directory, keyed by a hash of the normalised headers, so the same
planners' template maps itself the next time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import normalise_header
from .columns import COLUMNS, header_of, language_key
from .files import write_text_atomically
from .problems import RowProblem
from .sheets import ColumnMapping, Sheet, column_letter, field_problem, map_columns

Mapping = list[str | None]  # by column index: the field, or None to ignore the column
MAPPINGS_FILE = "msel-mappings.json"
REMEMBERED = 200  # header sets remembered; the oldest is forgotten first
SAMPLES = 3  # cells shown under each column in the mapping dialog


def header_set_key(header: list[str]) -> str:
    """The key a sheet's mapping is remembered under: the hash of its normalised headers."""
    names = [normalise_header(h) for h in header]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256(json.dumps(names).encode("utf-8")).hexdigest()[:24]


def recognised(sheet: Sheet) -> Mapping:
    """The field the importer gives each column by its header (None: not recognised, or another
    column gives that field under a better name)."""
    columns, _, _ = map_columns(sheet)
    out: Mapping = [None] * len(sheet.header)
    for key, index in columns.index.items():
        out[index] = key
    return out


def as_column_mapping(mapping: Mapping) -> ColumnMapping:
    return dict(enumerate(mapping))


def mapping_problems(sheet: Sheet, mapping: Any) -> list[RowProblem]:
    """Why `mapping` (as the browser sent it) is not a mapping of this sheet's columns."""
    if not isinstance(mapping, list) or not all(m is None or isinstance(m, str) for m in mapping):
        return [RowProblem(None, "the mapping must be a list with a field name or null for each column")]
    if len(mapping) != len(sheet.header):
        return [
            RowProblem(
                sheet.header_row,
                f"the mapping names {len(mapping)} columns and the sheet has {len(sheet.header)}: upload it again",
            )
        ]
    return [
        RowProblem(sheet.header_row, f"column {column_letter(i)}: {problem}")
        for i, key in enumerate(mapping)
        if key and (problem := field_problem(key))
    ]


def fields(languages: list[str], default_language: str) -> list[dict[str, Any]]:
    """The fields a column may give, in the order export writes them, with one per other
    language after each translated one: what the mapping dialog offers."""
    out = []
    for column in COLUMNS:
        out.append({"field": column.key, "header": column.header, "required": bool(column.required)})
        if column.translated:
            for language in languages:
                if language != default_language:
                    key = language_key(column.key, language)
                    out.append({"field": key, "header": header_of(key), "required": False})
    return out


def samples(sheet: Sheet, index: int) -> list[str]:
    """The first few filled cells of a column, shortened, as the dialog shows them."""
    out = []
    for _, cells in sheet.rows:
        text = " ".join(cells[index].split()) if index < len(cells) else ""
        if text:
            out.append(text if len(text) <= 60 else text[:59] + "…")
        if len(out) == SAMPLES:
            break
    return out


def filled_rows(sheet: Sheet) -> int:
    return sum(1 for _, cells in sheet.rows if any(c.strip() for c in cells))


@dataclass
class MappingMemory:
    """The mappings chosen by hand, by header set, in `path` (None: kept in memory only)."""

    path: Path | None
    _lock = threading.Lock()

    def __post_init__(self) -> None:
        self._memory: dict[str, dict[str, Any]] = {}

    def _read(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return self._memory
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, sheet: Sheet) -> Mapping | None:
        """The mapping remembered for this sheet's headers, if one is and it still fits them."""
        entry = self._read().get(header_set_key(sheet.header))
        mapping = entry.get("mapping") if isinstance(entry, dict) else None
        if mapping is None or mapping_problems(sheet, mapping):
            return None
        return list(mapping)

    def remember(self, sheet: Sheet, mapping: Mapping) -> None:
        with self._lock:
            data = self._read()
            key = header_set_key(sheet.header)
            data.pop(key, None)
            data[key] = {"headers": sheet.header, "mapping": mapping}
            while len(data) > REMEMBERED:
                data.pop(next(iter(data)))
            if self.path is None:
                self._memory = data
            else:
                write_text_atomically(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def columns_of(sheet: Sheet, mapping: Mapping) -> list[dict[str, Any]]:
    """Each column of the header row, the field it gives and a few of its cells."""
    return [
        {
            "header": header or column_letter(i),
            "letter": column_letter(i),
            "field": mapping[i],
            "samples": samples(sheet, i),
        }
        for i, header in enumerate(sheet.header)
    ]
