"""The MSEL spreadsheet's columns, each declared once: its names, its grammar both ways, its width.

Adding a column is one `Column` in `COLUMNS` (in the order export writes them) and its line in
the table of docs/scenario-format.md ("MSEL spreadsheets"), which a test holds to this one.
A `translated` column has one more for each of the scenario's other languages, `Title (fr)`,
read and written with the column's own grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.scenario import CHANNELS, Inject, Scenario
from ..core.translations import LANGUAGE
from . import cells


@dataclass
class Row:
    """One spreadsheet row being read: what a cell's grammar may use besides its own text."""

    number: int  # the spreadsheet's row number
    scenario: Scenario  # the base the sheet is read into
    first_rows: dict[str, int]  # inject id -> the row that used it first, shared by the sheet's rows
    values: dict[str, Any] = field(default_factory=dict)  # the cells read so far, by key


@dataclass(frozen=True)
class Column:
    key: str  # the inject field it gives, as the scenario file names it
    header: str  # the name export writes
    aliases: tuple[str, ...]  # also accepted on import, in order of preference after the header
    help: str  # what the cell holds, as the docs' table says it
    width: int  # of the column in an exported workbook
    parse: Callable[[str, Row], Any]  # cell text -> the field's value; ValueError says what is wrong
    format: Callable[[Inject], str]  # the inject's field -> the cell text export writes
    required: str | None = None  # the problem an empty cell is; None: an empty cell leaves the field out
    when_empty: Callable[[Row], Any] | None = None  # the value of an empty cell, if it has one
    needs: tuple[str, ...] = ()  # cells its grammar reads; when one of them is wrong this one is not read
    hints: tuple[str, ...] = ()  # words of the scenario check's messages that are about this column
    # A row's cells are read in this order, and its problems listed in it: a cell read after
    # another may use its value (`needs`).
    reads: int = 1000
    translated: bool = False  # one more column per other language of the scenario: `Title (fr)`


def _read_id(text: str, row: Row) -> str:
    iid = text.strip()
    if iid in row.first_rows:
        raise ValueError(f"{iid!r} is also used on row {row.first_rows[iid]}")
    row.first_rows[iid] = row.number
    return iid


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "Inject No",
        (
            "Inject Number",
            "Inject #",
            "Inject ID",
            "MSEL No",
            "MSEL #",
            "MSEL Number",
            "Event No",
            "Event Number",
            "Serial",
            "No",
            "Number",
            "Ref",
        ),
        help="the inject id (`I-07`, `12`), unique",
        width=9,
        parse=_read_id,
        format=lambda inj: inj.id,
        required="empty: every inject needs a number or id",
        hints=("id",),
        reads=10,
    ),
    Column(
        "at",
        "Scenario Time",
        (
            "Designated Scenario Time",
            "Scenario Offset",
            "Offset",
            "At",
            "Inject Time",
            "Delivery Time",
            "Time",
            "Real Time",
        ),
        help="see below",
        width=24,
        parse=lambda text, row: cells.parse_time(text.strip(), row.scenario.start),
        format=cells.format_time,
        required="empty: write a time such as 0:05, manual, or a condition",
        hints=("after the end", "condition", "delay", "offset"),
        reads=20,
    ),
    Column(
        "channel",
        "Channel",
        (
            "Inject Mode",
            "Inject Means",
            "Event/Channel",
            "Event Channel",
            "Mode",
            "Means",
            "Method",
            "Delivery Method",
            "Medium",
        ),
        help="see below",
        width=9,
        parse=lambda text, row: cells.parse_channel(text.strip()),
        format=lambda inj: inj.channel,
        required=f"empty: use one of {', '.join(CHANNELS)}",
        hints=("channel",),
        reads=60,
    ),
    Column(
        "from",
        "From",
        ("Sender", "Source", "Originator", "Inject From", "Sent By"),
        help="the sender in the fiction",
        width=28,
        parse=lambda text, row: text.strip(),
        format=lambda inj: inj.sender,
        required="empty",
        hints=("from",),
        reads=30,
        translated=True,
    ),
    Column(
        "to",
        "To",
        (
            "Recipient",
            "Recipients",
            "Addressee",
            "Addressees",
            "Inject To",
            "Player",
            "Players",
            "Receiver",
            "Audience",
            "Sent To",
        ),
        help="ids separated by `;` (or `,`): each a component, team or room id of the base "
        "(`humanitarian; mil-1; joint`)",
        width=22,
        parse=lambda text, row: cells.parse_to(text, row.scenario),
        format=lambda inj: cells.format_to(inj.to),
        required="empty: list who receives it",
        hints=("to.", "addressee"),
        reads=50,
    ),
    Column(
        "title",
        "Title",
        ("Subject", "Event", "Event Title", "Event Synopsis", "Synopsis", "Inject Title", "Heading", "Summary"),
        help="if empty, the first line of the message, shortened",
        width=36,
        parse=lambda text, row: text.strip(),
        format=lambda inj: inj.title,
        when_empty=lambda row: cells.title_from(row.values["body"]),
        needs=("body",),
        hints=("title",),
        reads=70,
        translated=True,
    ),
    Column(
        "body",
        "Message",
        ("Message Text", "Body", "Text", "Inject Text", "Content", "Event Description", "Description", "Details"),
        help="the inject's Markdown text",
        width=70,
        parse=lambda text, row: cells.clean_text(text),
        format=lambda inj: inj.body.strip(),
        required="empty",
        hints=("body",),
        reads=40,
        translated=True,
    ),
    Column(
        "expected",
        "Expected Action",
        (
            "Expected Actions",
            "Expected Participant Response",
            "Expected Player Response",
            "Expected Player Action",
            "Expected Response",
            "Expected Outcome",
            "Expected",
        ),
        help="see below",
        width=60,
        parse=lambda text, row: cells.parse_expected(text, row.values["to"], row.scenario),
        format=lambda inj: cells.format_expected(inj.expected),
        needs=("to",),
        hints=("expected",),
        reads=90,
        translated=True,
    ),
    Column(
        "objectives",
        "Objectives",
        (
            "Objective",
            "Objective(s)",
            "Objective/Capability",
            "Objectives/Capabilities",
            "Course Objective",
            "Course Objectives",
            "Capability",
            "Capabilities",
            "Core Capability",
        ),
        help="objective ids separated by `;`, `,` or spaces; text after an id is ignored (`O1 - Define CIMIC; O4`)",
        width=11,
        parse=lambda text, row: cells.parse_objectives(text, row.scenario),
        format=lambda inj: cells.format_objectives(inj.objectives),
        hints=("objective",),
        reads=100,
    ),
    Column(
        "modules",
        "Modules",
        ("Module", "Module(s)", "Course Module", "Course Modules"),
        help="course module numbers 1-8: `3; 4`, `3, 4`, `M3`, `Module 3`",
        width=9,
        parse=lambda text, row: cells.parse_modules(text),
        format=lambda inj: cells.format_modules(inj.modules),
        hints=("module",),
        reads=110,
    ),
    Column(
        "notes",
        "Notes",
        (
            "Note",
            "Evaluator Notes",
            "Controller Notes",
            "Control Notes",
            "Facilitator Notes",
            "EXCON Notes",
            "Remarks",
            "Comments",
        ),
        help="control-only notes",
        width=45,
        parse=lambda text, row: cells.clean_text(text),
        format=lambda inj: inj.notes.strip(),
        hints=("notes",),
        reads=120,
        translated=True,
    ),
    Column(
        "cop",
        "COP Changes",
        ("COP Change", "COP", "COP Changes (JSON)", "Map Changes", "Map Change"),
        help='the inject\'s `cop` list as JSON, e.g. `[{"remove": "cp-kilo-22"}]`',
        width=30,
        parse=lambda text, row: cells.parse_cop(text),
        format=lambda inj: cells.format_cop(inj.cop),
        hints=("cop",),
        reads=80,
    ),
    Column(
        "attachments",
        "Attachments",
        ("Attachment", "Attached Files", "Files", "Enclosures", "Annexes"),
        help="one file a line, `access-map.pdf: Access constraints map` (or the file name alone); "
        "the files must be in `attachments/` beside the output file",
        width=30,
        parse=lambda text, row: cells.parse_attachments(text),
        format=lambda inj: cells.format_attachments(inj.attachments),
        hints=("attachment",),
        reads=130,
        translated=True,
    ),
    Column(
        "respond_within",
        "Respond Within",
        ("Answer Within", "Answer Time", "Response Time", "Time to Respond", "Respond By"),
        help="the exercise time a team has to answer, `0:15` (empty: the scenario's; docs/dashboard.md)",
        width=12,
        parse=lambda text, row: cells.parse_answer_time(text),
        format=lambda inj: cells.hms(int(inj.respond_within)) if inj.respond_within is not None else "",
        hints=("respond_within",),
        reads=140,
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
READ_ORDER = tuple(sorted(COLUMNS, key=lambda c: c.reads))
assert all(BY_KEY[k].reads < c.reads for c in COLUMNS for k in c.needs), "a column is read after those it needs"

# A header as written -> (the column's key, its rank: 0 for the header, then the aliases in order).
ALIAS: dict[str, tuple[str, int]] = {}
for _column in COLUMNS:
    for _rank, _name in enumerate((_column.header, *_column.aliases)):
        ALIAS.setdefault(cells.normalise_header(_name), (_column.key, _rank))

_QUOTED = re.compile(r"'[^']*'")
_IN_LANGUAGE = re.compile(r"^(.*?)\s*\(\s*([A-Za-z]{2,3})\s*\)\s*$")
# In an `Expected Action (fr)` cell, an action of the default column that has no translation.
UNTRANSLATED_ACTION = "…"


def language_key(key: str, language: str) -> str:
    """The key of a column's language column: `title (fr)`."""
    return f"{key} ({language})"


def split_key(key: str) -> tuple[str, str | None]:
    """`title (fr)` -> (title, fr); `title` -> (title, None)."""
    m = _IN_LANGUAGE.match(key)
    return (m.group(1), m.group(2)) if m else (key, None)


def header_of(key: str) -> str:
    base, language = split_key(key)
    return BY_KEY[base].header + (f" ({language})" if language else "")


def header_key(header: str) -> tuple[str, int] | None:
    """The column a header gives, and its rank (0 for the export name, then the aliases in order);
    a translated column's header with a language after it, `Message (fr)`, gives `body (fr)`."""
    hit = ALIAS.get(cells.normalise_header(header))
    if hit is not None:
        return hit
    m = _IN_LANGUAGE.match(header)
    if m and (hit := ALIAS.get(cells.normalise_header(m.group(1)))) and BY_KEY[hit[0]].translated:
        language = m.group(2).lower()
        return (language_key(hit[0], language), hit[1]) if LANGUAGE.match(language) else None
    return None


def sheet_columns(scenario: Scenario) -> list[tuple[Column, str | None]]:
    """The columns export writes, in order: each translated one followed by one per other language."""
    others = [lang for lang in scenario.languages if lang != scenario.default_language]
    return [(c, lang) for c in COLUMNS for lang in (None, *(others if c.translated else ()))]


def inject_in(inject: Inject, language: str) -> Inject:
    """The inject with its translated fields in `language` ("" where it has none): what the
    language columns' cells hold, written by the columns' own `format`."""
    texts = inject.translations.get(language, {})
    expected = {
        key: [a if isinstance(a, str) else UNTRANSLATED_ACTION for a in actions]
        for key, actions in texts.get("expected", {}).items()
    }
    return replace(
        inject,
        sender=texts.get("from", ""),
        title=texts.get("title", ""),
        body=texts.get("body", ""),
        notes=texts.get("notes", ""),
        expected=expected,
        attachments=tuple(
            {"file": a["file"], "title": a["translations"][language]["title"]}
            for a in inject.attachments
            if language in a.get("translations", {})
        ),
    )


def column_of_message(message: str) -> str | None:
    """The column a scenario-check message is about: the one whose hint comes first in it.

    Quoted values (ids, names) are left out, so an inject id such as `cop-1` points nowhere.
    """
    text = _QUOTED.sub("''", message.lower())
    found = [(at, c.key) for c in COLUMNS for word in c.hints if (at := text.find(word)) >= 0]
    return min(found, key=lambda hit: hit[0])[1] if found else None
