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

from ..core.events import N_
from ..core.scenario import CHANNELS, Inject, Scenario
from ..core.translations import LANGUAGE
from . import cells
from .problems import Said


@dataclass
class Row:
    """One spreadsheet row being read: what a cell's grammar may use besides its own text."""

    number: int  # the spreadsheet's row number
    scenario: Scenario  # the base the sheet is read into
    first_rows: dict[str, int]  # inject id -> the row that used it first, shared by the sheet's rows
    values: dict[str, Any] = field(default_factory=dict)  # the cells read so far, by key
    warnings: list[tuple[str, str | Said]] = field(default_factory=list)  # (column key, message): read, but said


@dataclass(frozen=True)
class Column:
    key: str  # the inject field it gives, as the scenario file names it
    header: str  # the name export writes
    aliases: tuple[str, ...]  # also accepted on import, in order of preference after the header
    help: str  # what the cell holds, as the docs' table says it
    width: int  # of the column in an exported workbook
    # cell text -> the field's value (None: nothing for the field); ValueError says what is wrong
    parse: Callable[[str, Row], Any]
    format: Callable[[Inject], str]  # the inject's field -> the cell text export writes
    required: str | None = None  # the problem an empty cell is; None: an empty cell leaves the field out
    instead: tuple[str, ...] = ()  # columns that, given, make a required one not required (`when_empty` then)
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
        raise Said(N_("'%(id)s' is also used on row %(row)s"), id=iid, row=row.first_rows[iid])
    row.first_rows[iid] = row.number
    return iid


def _read_channel(text: str, row: Row) -> str:
    """A Channel cell: one of our channels, or a mode of delivery (face-to-face, fax) kept as the
    inject's `mode` with a warning when the sheet has no Mode column filled for the row."""
    channel = cells.channel_of(text)
    if channel is not None:
        return channel
    if "mode" in row.values:
        raise Said(
            N_("'%(text)s' is not a channel: use one of %(channels)s (the mode of delivery goes in its own column)"),
            text=text,
            channels=", ".join(CHANNELS),
        )
    row.values["mode"] = " ".join(text.split())
    return _mode_channel(row, "channel")


def _channel_of_mode(row: Row) -> str:
    """An empty Channel cell beside a Mode cell: the mode's channel if it names one, else a default."""
    mode = row.values["mode"]
    channel = cells.channel_of(mode)
    if channel is not None:  # `Inject Mode: E-mail`: the mode is the channel, nothing more to keep
        del row.values["mode"]
        return channel
    return _mode_channel(row, "mode")


def _mode_channel(row: Row, key: str) -> str:
    mode = row.values["mode"]
    channel = cells.channel_for_mode(mode)
    row.warnings.append(
        (
            key,
            Said(
                N_(
                    "'%(mode)s' is not a channel: kept as the inject's mode (shown to the control cell), delivered "
                    "to the players' inbox as %(channel)s (write one of %(channels)s in a Channel column to choose)"
                ),
                mode=mode,
                channel=channel,
                channels=", ".join(CHANNELS),
            ),
        )
    )
    return channel


def _read_objectives(text: str, row: Row) -> list[str] | None:
    found = cells.parse_objectives(text, row.scenario)
    if not found:
        row.warnings.append(
            (
                "objectives",
                Said(
                    N_("no objective of the scenario in '%(text)s': the inject has none"), text=" ".join(text.split())
                ),
            )
        )
    return found or None


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
            "Inject/Event No",
            "Event/Inject No",
            "MSEL Event No",
            "MSEL Event #",
        ),
        help="the inject id (`I-07`, `12`), unique",
        width=9,
        parse=_read_id,
        format=lambda inj: inj.id,
        required=N_("empty: every inject needs a number or id"),
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
            "Scenario Date/Time",
            "Exercise Time",
            "Inject Scenario Time",
        ),
        help="see below",
        width=24,
        parse=lambda text, row: cells.parse_time(text.strip(), row.scenario.start),
        format=cells.format_time,
        required=N_("empty: write a time such as 0:05, manual, or a condition"),
        hints=("after the end", "condition", "delay", "offset"),
        reads=20,
    ),
    Column(
        "channel",
        "Channel",
        ("Event Channel", "Event/Channel", "Medium", "Inject Channel"),
        help="see below",
        width=9,
        parse=lambda text, row: _read_channel(text.strip(), row),
        format=lambda inj: inj.channel,
        required=N_("empty: use one of email, radio, phone, media, sitrep, map, or write the mode of delivery"),
        instead=("mode",),
        when_empty=lambda row: _channel_of_mode(row),
        needs=(),
        hints=("channel",),
        reads=60,
    ),
    Column(
        "mode",
        "Mode",
        (
            "Inject Mode",
            "Mode of Delivery",
            "Delivery Mode",
            "Inject Method",
            "Inject Means",
            "Means",
            "Method",
            "Delivery Method",
            "Inject Type",
        ),
        help="how it is delivered when that is not a channel (face-to-face, meeting, fax): kept with a "
        "warning, see below",
        width=14,
        parse=lambda text, row: " ".join(text.split()),
        format=lambda inj: inj.mode,
        hints=("mode",),
        reads=55,
    ),
    Column(
        "from",
        "From",
        ("Sender", "Source", "Originator", "Inject From", "Sent By"),
        help="the sender in the fiction",
        width=28,
        parse=lambda text, row: text.strip(),
        format=lambda inj: inj.sender,
        required=N_("empty"),
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
            "Intended Player",
            "Intended Players",
            "Recipient/Player",
            "Player/Recipient",
        ),
        help="ids or names separated by `;` (or `,`): each a component, team or room of the base "
        "(`humanitarian; mil-1; joint`, `Humanitarian community`)",
        width=22,
        parse=lambda text, row: cells.parse_to(text, row.scenario),
        format=lambda inj: cells.format_to(inj.to),
        required=N_("empty: list who receives it"),
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
        (
            "Message Text",
            "Body",
            "Text",
            "Inject Text",
            "Inject",
            "Inject Description",
            "Inject/Event Description",
            "Inject Details",
            "Content",
            "Event Description",
            "Description",
            "Details",
        ),
        help="the inject's Markdown text",
        width=70,
        parse=lambda text, row: cells.clean_text(text),
        format=lambda inj: inj.body.strip(),
        required=N_("empty"),
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
            "Expected Player Actions",
            "Expected Participant Action",
            "Expected Participant Actions",
            "Expected Response",
            "Expected Outcome",
            "Expected",
        ),
        help="see below",
        width=60,
        parse=lambda text, row: cells.parse_expected(text, row.values["to"], row.scenario),
        format=cells.format_expected,
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
            "Objective/Core Capability/Critical Task",
            "Objectives/Core Capabilities/Critical Tasks",
            "Objective/Core Capability",
            "Exercise Objective",
            "Exercise Objectives",
            "Objectives/Capabilities",
            "Course Objective",
            "Course Objectives",
            "Capability",
            "Capabilities",
            "Core Capability",
        ),
        help="objective ids separated by `;`, `,` or spaces, `Objective 4`, `O4 - text`; see below",
        width=11,
        parse=lambda text, row: _read_objectives(text, row),
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
            "Evaluator Special Instructions",
            "Special Instructions",
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
        "controller",
        "Controller",
        (
            "Responsible Controller",
            "Controller/Injector",
            "Injector/Controller",
            "Injector",
            "Injected By",
            "Delivered By",
            "Control Cell Member",
            "Responsible Facilitator",
            "Facilitator",
        ),
        help="the control-cell member who delivers it (shown on the control panel's MSEL)",
        width=18,
        parse=lambda text, row: " ".join(text.split()),
        format=lambda inj: inj.controller,
        hints=("controller",),
        reads=125,
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
assert ", ".join(CHANNELS) in str(BY_KEY["channel"].required), "the Channel column names every channel"

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
    return loose_header_key(header)


_REMARK = re.compile(r"\([^)]*\)|\[[^\]]*\]|[:*]+\s*$")
_HEADER_PARTS = re.compile(r"\s*(?:/|\||&|\+|\s-\s|\band\b)\s*", re.IGNORECASE)
_LOOSE_RANK = 50  # a header read by its parts ranks after every header named in full


def loose_header_key(header: str) -> tuple[str, int] | None:
    """A long header read by its parts, as HSEEP templates write them: a remark in brackets left
    out (`Designated Scenario Time (hh:mm)`), then the first part separated by `/`, `|`, `&` or
    ` - ` that names a column (`Objective / Core Capability / Critical Task` gives the objectives,
    `Recipient / Player Position` the addressees)."""
    plain = _REMARK.sub(" ", header).strip()
    hit = ALIAS.get(cells.normalise_header(plain))
    if hit is None:
        for part in _HEADER_PARTS.split(plain):
            hit = ALIAS.get(cells.normalise_header(part))
            if hit is not None:
                break
    return (hit[0], _LOOSE_RANK + hit[1]) if hit is not None else None


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
            {
                "file": a["file"],
                "title": own.get("title", ""),
                **({"language_file": own["file"]} if "file" in own else {}),
            }
            for a in inject.attachments
            if (own := a.get("translations", {}).get(language))
        ),
    )


def column_of_message(message: str) -> str | None:
    """The column a scenario-check message is about: the one whose hint comes first in it.

    Quoted values (ids, names) are left out, so an inject id such as `cop-1` points nowhere.
    """
    text = _QUOTED.sub("''", message.lower())
    found = [(at, c.key) for c in COLUMNS for word in c.hints if (at := text.find(word)) >= 0]
    return min(found, key=lambda hit: hit[0])[1] if found else None
