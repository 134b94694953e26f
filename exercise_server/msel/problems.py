"""What an import or export reports: problems at a spreadsheet's rows and columns, each in the
words of the catalogues (exercise_server/i18n/) so a French seat reads it in French."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..core.events import N_


class Words(Protocol):
    """A language's catalogue, as exercise_server/i18n's Catalogue gives it."""

    def gettext(self, message: str, **params: object) -> str: ...


class Said(ValueError):
    """A refusal a planner reads: a catalogued English message (`%(name)s` placeholders) and its
    values; `str()` is the English, `in_language` any catalogue's."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid, self.params = msgid, params
        super().__init__(msgid % params if params else msgid)

    def in_language(self, words: Words) -> str:
        return words.gettext(self.msgid, **self.params)


class Worded(str):
    """A message kept as its English text (warnings travel as strings) that words itself in any
    catalogue: `worded(text, words)`."""

    words_of: Callable[[Words], str]

    def __new__(cls, english: str, words_of: Callable[[Words], str]) -> Worded:
        text = super().__new__(cls, english)
        text.words_of = words_of
        return text


def warning(said: Said) -> Worded:
    """A warning a planner reads, in the catalogues' words."""
    return Worded(str(said), said.in_language)


def worded(text: str, words: Words) -> str:
    """`text` in the language of `words` when it knows its words, else as it is."""
    return text.words_of(words) if isinstance(text, Worded) else text


@dataclass(frozen=True)
class RowProblem:
    """A problem at a spreadsheet row (the header is row 1 unless a title row precedes it)."""

    row: int | None
    message: str
    column: str | None = None  # the column's header as written in the sheet
    letter: str | None = None
    said: Said | None = field(default=None, compare=False)  # the message as the catalogues word it

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else ""
        if self.column:
            col = f"{self.column} (column {self.letter})" if self.letter else self.column
            where = f"{where}, {col}" if where else col
        return f"{where}: {self.message}" if where else self.message

    def in_language(self, words: Words) -> RowProblem:
        """The same problem with its message in the language of `words` (a message the catalogues
        do not word stays as it is)."""
        return replace(self, message=self.said.in_language(words)) if self.said else self

    def line(self, words: Words) -> str:
        """`row 3, Time (column B): message` in the language of `words`."""
        message = self.in_language(words).message
        where = words.gettext(N_("row %(row)s"), row=self.row) if self.row is not None else ""
        if self.column:
            col = (
                words.gettext(N_("%(column)s (column %(letter)s)"), column=self.column, letter=self.letter)
                if self.letter
                else self.column
            )
            where = f"{where}, {col}" if where else col
        return f"{where}: {message}" if where else message


def said_at(row: int | None, said: Said) -> RowProblem:
    """A problem of the sheet as a whole (its header row, or none), in the catalogues' words."""
    return RowProblem(row, str(said), said=said)


class MselError(ValueError):
    """An import or export that was refused; nothing was written. `problems` says where and why."""

    def __init__(self, source: str, problems: list[RowProblem], warnings: list[str] | None = None) -> None:
        self.source = source
        self.problems = problems
        self.warnings = warnings or []
        super().__init__("\n".join(f"{source}: {p}" for p in problems))
