"""What an import or export reports: problems at a spreadsheet's rows and columns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowProblem:
    """A problem at a spreadsheet row (the header is row 1 unless a title row precedes it)."""

    row: int | None
    message: str
    column: str | None = None  # the column's header as written in the sheet
    letter: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else ""
        if self.column:
            col = f"{self.column} (column {self.letter})" if self.letter else self.column
            where = f"{where}, {col}" if where else col
        return f"{where}: {self.message}" if where else self.message


class MselError(ValueError):
    """An import or export that was refused; nothing was written. `problems` says where and why."""

    def __init__(self, source: str, problems: list[RowProblem], warnings: list[str] | None = None) -> None:
        self.source = source
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(f"{source}: {p}" for p in problems))
