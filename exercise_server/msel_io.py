"""MSEL spreadsheets: import a planner's CSV or XLSX into a scenario, export a scenario's MSEL back.

A spreadsheet holds only the MSEL; the rest of a scenario (setting, teams, rooms, COP) comes from a
base scenario or the built-in course template. An import writes nothing unless every row is right
and the resulting scenario validates. The columns are documented in docs/scenario-format.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from .core.scenario import ALL, CHANNELS, COURSE_MODULES, Inject, Scenario
from .core.scenario_check import parse_scenario, parse_scenario_text
from .core.timefmt import format_dday, format_duration, format_offset, parse_exercise_time, parse_offset
from .core.yamlsrc import LinedList, YamlSyntaxError, load_lined, plain
from .scenarios import attachment_path, attachment_problem, basemap_path, basemap_problem, check_file


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name export writes
    aliases: tuple[str, ...]  # also accepted on import, in order of preference after the header


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
    ),
    Column("from", "From", ("Sender", "Source", "Originator", "Inject From", "Sent By")),
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
    ),
    Column(
        "title",
        "Title",
        ("Subject", "Event", "Event Title", "Event Synopsis", "Synopsis", "Inject Title", "Heading", "Summary"),
    ),
    Column(
        "body",
        "Message",
        ("Message Text", "Body", "Text", "Inject Text", "Content", "Event Description", "Description", "Details"),
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
    ),
    Column("modules", "Modules", ("Module", "Module(s)", "Course Module", "Course Modules")),
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
    ),
    Column("cop", "COP Changes", ("COP Change", "COP", "COP Changes (JSON)", "Map Changes", "Map Change")),
    Column("attachments", "Attachments", ("Attachment", "Attached Files", "Files", "Enclosures", "Annexes")),
)
REQUIRED = ("id", "at", "channel", "from", "to", "body")
HEADER_OF = {c.key: c.header for c in COLUMNS}

# Words planners use for the way an inject reaches the players, normalised like headers.
CHANNEL_WORDS = {
    "email": ("email", "mail", "memo", "letter", "fax", "message"),
    "radio": ("radio", "radiomessage", "radiocall", "vhf", "hf", "net"),
    "phone": ("phone", "telephone", "phonecall", "call", "mobile", "satphone", "sms", "text"),
    "media": (
        "media",
        "news",
        "press",
        "pressrelease",
        "article",
        "tv",
        "television",
        "newspaper",
        "socialmedia",
        "broadcast",
        "radiobroadcast",
    ),
    "sitrep": ("sitrep", "situationreport", "report", "spotrep", "briefing"),
    "map": ("map", "cop", "mapupdate", "copupdate", "mapchange"),
}
_CHANNEL = {word: channel for channel, words in CHANNEL_WORDS.items() for word in words}
assert set(CHANNEL_WORDS) == set(CHANNELS)

COURSE_OBJECTIVES = {
    "O1": "Define Civil-Military Coordination (CIMIC) in the context of peacekeeping operations.",
    "O2": "Understand the distinct mandates, roles, and cultures of military, police, and civilian components.",
    "O3": "Identify the key principles and guidelines governing civil-military interaction in UN missions.",
    "O4": "Analyze common challenges and best practices for effective CIMIC in various operational scenarios.",
    "O5": "Develop practical skills for communication, negotiation, and coordination with diverse actors in a "
    "peacekeeping environment.",
}
TEMPLATE_TEAMS = (
    ("mil-1", "Syndicate 1: military component", "military"),
    ("pol-1", "Syndicate 1: UN Police", "police"),
    ("hum-1", "Syndicate 1: humanitarian community", "humanitarian"),
    ("civ-1", "Syndicate 1: mission civilian component", "civilian"),
)

_OFFSET = re.compile(r"^\+?\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
_CONDITION = re.compile(
    r"^after\s+(\S+)\s+(released|acknowledged)(?:\s*\+\s*(\d{1,3}:[0-5]\d(?::[0-5]\d)?))?$", re.IGNORECASE
)
_KEYED_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")
_BULLET = re.compile(r"^(?:[-*\u2022\u2013]\s+)")
_WORD = re.compile(r"[A-Za-z0-9._-]+")


# -- problems --------------------------------------------------------------------------------


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


# -- reading a sheet -------------------------------------------------------------------------


def normalise_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("#", "no"))


_ALIAS: dict[str, tuple[str, int]] = {}
for _col in COLUMNS:
    for _rank, _name in enumerate((_col.header,) + _col.aliases):
        _ALIAS.setdefault(normalise_header(_name), (_col.key, _rank))


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
        return _hms(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, dt.timedelta):
        return _hms(int(value.total_seconds()))
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return str(value)


def _hms(seconds: int) -> str:
    return format_offset(seconds).lstrip("+")


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
            known = {_ALIAS[n][0] for n in map(normalise_header, cells) if n in _ALIAS}
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


# -- the base scenario -----------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """What a spreadsheet lacks: a scenario's setting, teams, rooms and COP."""

    doc: dict[str, Any]
    scenario: Scenario
    source: str
    path: Path | None = None  # None for the built-in template


def load_base(path: str | Path) -> Base:
    path = Path(path)
    checked = check_file(path)
    if checked.scenario is None:
        raise MselError(str(path), [RowProblem(None, f"line {p.line}: {p.message}") for p in checked.problems])
    return Base(dict(checked.scenario.doc), checked.scenario, str(path), path)


def template_doc(title: str) -> dict[str, Any]:
    """The course template: the five course objectives, the four components, one syndicate."""
    return {
        "format": 1,
        "title": title,
        "setting": "Imported from a planner's MSEL. Replace this text with the setting: the country, what has "
        "happened, and the situation at the start.\n",
        "start": "D+0 08:00",
        "duration": "1:00",
        "objectives": dict(COURSE_OBJECTIVES),
        "teams": [{"id": tid, "name": name, "component": comp} for tid, name, comp in TEMPLATE_TEAMS],
        "briefings": {
            comp: "## Your situation\nTo be written by the exercise planners.\n" for _, _, comp in TEMPLATE_TEAMS
        },
    }


def template_base(title: str = "Imported MSEL") -> Base:
    doc = template_doc(title)
    placeholder = [
        {
            "id": "placeholder",
            "at": "manual",
            "from": "control",
            "to": {"rooms": ["plenary"]},
            "channel": "email",
            "title": "placeholder",
            "body": "placeholder",
        }
    ]
    scenario, problems = parse_scenario({**doc, "msel": placeholder}, "template")
    assert scenario is not None, problems
    return Base(doc, scenario, "the course template")


# -- rows to injects -------------------------------------------------------------------------


def parse_time(text: str, start: float | None = None) -> Any:
    """A Scenario Time cell -> the `at` of an inject; ValueError says what is wrong. With the
    scenario's `start`, a scenario time (D+3 06:10) is read as the offset from it."""
    text = " ".join(text.split())
    if text.lower() == "manual":
        return "manual"
    if start is not None and text[:1] in "Dd":
        offset = parse_exercise_time(text, start)
        if offset < 0:
            raise ValueError(f"{text!r} is before the exercise starts ({format_dday(start)})")
        return format_offset(offset)
    m = _OFFSET.match(text)
    if m:
        h, mnt, s = m.groups()
        return format_offset(int(h) * 3600 + int(mnt) * 60 + int(s or 0))
    m = _CONDITION.match(text)
    if m:
        after, when, delay = m.groups()
        at: dict[str, Any] = {"after": after, "when": when.lower()}
        if delay:
            at["delay"] = parse_time(delay)
        return at
    raise ValueError(
        f"{text!r} is not a time (0:05 or +0:05 after the start, or a scenario time such as D+1 08:05), "
        "manual, or a condition such as "
        "'after I-03 released +0:10' or 'after I-03 acknowledged'"
    )


def format_time(inject: Inject) -> str:
    if inject.manual:
        return "manual"
    if inject.after:
        delay = f" +{_hms(int(inject.delay))}" if inject.delay else ""
        return f"after {inject.after} {inject.when}{delay}"
    return _hms(int(inject.offset or 0))


def parse_channel(text: str) -> str:
    word = normalise_header(text)
    if word in _CHANNEL:
        return _CHANNEL[word]
    raise ValueError(
        f"{text!r} is not a channel: use one of {', '.join(CHANNELS)} "
        "(or e-mail, telephone, news, press, situation report, ...)"
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def parse_to(text: str, scenario: Scenario) -> dict[str, list[str]]:
    """`humanitarian; mil-1; joint` -> {components: [...], teams: [...], rooms: [...]}."""
    components = {c.id for c in scenario.components}
    teams = {t.id for t in scenario.teams}
    out: dict[str, list[str]] = {"components": [], "teams": [], "rooms": []}
    unknown = []
    for name in _split(text):
        key = name.lower()
        kind = (
            "components"
            if key in components
            else "teams"
            if key in teams
            else "rooms"
            if key in scenario.rooms
            else None
        )
        if kind is None:
            unknown.append(name)
        elif key not in out[kind]:
            out[kind].append(key)
    if unknown:
        known = sorted(components) + [t.id for t in scenario.teams] + list(scenario.rooms)
        raise ValueError(
            f"unknown addressee {', '.join(map(repr, unknown))}: use the ids of components, teams and "
            f"rooms ({', '.join(known)})"
        )
    if not any(out.values()):
        raise ValueError("no addressee")
    return {k: v for k, v in out.items() if v}


def format_to(to: dict[str, list[str]]) -> str:
    return "; ".join(list(to.get("components", [])) + list(to.get("teams", [])) + list(to.get("rooms", [])))


def default_expected_keys(to: dict[str, list[str]], scenario: Scenario) -> list[str]:
    """Who an unlabelled expected action applies to: the listed components and teams, then room readers."""
    keys = list(to.get("components", [])) + list(to.get("teams", []))
    covered = scenario.teams_of(keys)
    readers = scenario.audience({"rooms": list(to.get("rooms", []))})
    return keys + [t.id for t in scenario.teams if t.id in readers and t.id not in covered]


def parse_expected(text: str, to: dict[str, list[str]], scenario: Scenario) -> dict[str, list[str]]:
    """Lines `mil-1: action` (or `mil-1:` then action lines, or `all: action` for every addressed team);
    text without labels applies to every addressee."""
    ids = {c.id for c in scenario.components} | {t.id for t in scenario.teams} | {ALL}
    out: dict[str, list[str]] = {}
    shared: list[str] = []
    current: str | None = None
    for raw in text.split("\n"):
        line = _BULLET.sub("", raw.strip()).strip()
        if not line:
            continue
        m = _KEYED_LINE.match(line)
        if m and m.group(1).lower() in ids:
            current = m.group(1).lower()
            out.setdefault(current, [])
            action = _BULLET.sub("", m.group(2).strip()).strip()
            if action:
                out[current].append(action)
        elif current is None:
            shared.append(line)
        else:
            out[current].append(line)
    empty = [key for key, actions in out.items() if not actions]
    if empty:
        raise ValueError(f"{empty[0]!r} has no action after it")
    if shared:
        for key in default_expected_keys(to, scenario):
            out[key] = shared + out.get(key, [])
    return out


def format_expected(expected: dict[str, list[str]]) -> str:
    return "\n".join(f"{key}: {' '.join(action.split())}" for key, actions in expected.items() for action in actions)


def parse_objectives(text: str, scenario: Scenario) -> list[str]:
    """`O1; O4`, `O1, O4`, `O1 O4`, or `O1 - Define CIMIC; O4: Analyze ...` -> [O1, O4]."""
    known = {k.lower(): k for k in scenario.objectives}
    out: list[str] = []
    for part in _split(text):
        words = _WORD.findall(part)
        chosen = words if all(w.lower() in known for w in words) else words[:1]
        for word in chosen:
            if word.lower() not in known:
                raise ValueError(
                    f"unknown objective {word!r}: this scenario's objectives are {', '.join(scenario.objectives)}"
                )
            if known[word.lower()] not in out:
                out.append(known[word.lower()])
    return out


def parse_modules(text: str) -> list[int]:
    """`3; 4`, `3, 4`, `M3 M4` or `Module 3` -> [3, 4]."""
    rest = re.sub(r"(?i)\bmodules?\b|\bm(?=\d)|\d+|[\s,;.]", "", text)
    if rest:
        raise ValueError(f"{text!r} is not a list of course module numbers such as '3; 4'")
    out = []
    for number in map(int, re.findall(r"\d+", text)):
        if not 1 <= number <= COURSE_MODULES:
            raise ValueError(f"module {number} is not a course module (1 to {COURSE_MODULES})")
        if number not in out:
            out.append(number)
    return out


def parse_cop(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError('must be a JSON list of changes, e.g. [{"remove": "cp-3"}]')
    return value


def parse_attachments(text: str) -> list[dict[str, str]]:
    """One file a line, `file.pdf: Title` or just `file.pdf` (the scenario check says what is wrong)."""
    out = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line.strip()).strip()
        if line:
            name, _, title = line.partition(":")
            out.append({"file": name.strip(), "title": title.strip() or name.strip()})
    return out


def format_attachments(attachments: Iterable[dict[str, str]]) -> str:
    return "\n".join(f"{a['file']}: {' '.join(a['title'].split())}" for a in attachments)


def format_cop(cop: Iterable[dict[str, Any]]) -> str:
    cop = list(cop)
    return json.dumps(cop, ensure_ascii=False) if cop else ""


def clean_text(text: str) -> str:
    """Trimmed; a text of several lines ends with one newline, as YAML `|` blocks do."""
    text = text.strip()
    return text + "\n" if "\n" in text else text


def title_from(body: str) -> str:
    first = re.sub(r"[*_#>`]", "", body.strip().split("\n", 1)[0]).strip()
    if len(first) <= 80:
        return first
    return first[:80].rsplit(" ", 1)[0] + "..."


@dataclass
class _Columns:
    index: dict[str, int]  # field key -> column index
    names: dict[str, str]  # field key -> header as written


def map_columns(sheet: Sheet) -> tuple[_Columns, list[RowProblem], list[str]]:
    """Match headers to fields; the best-ranked alias wins when several columns give one field."""
    problems: list[RowProblem] = []
    warnings: list[str] = []
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for i, header in enumerate(sheet.header):
        if not header:
            continue
        hit = _ALIAS.get(normalise_header(header))
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
                    f"{column_letter(found[1][1])} both give the {HEADER_OF[key]}; keep one",
                )
            )
            continue
        rank, i, header = found[0]
        index[key], names[key] = i, header
        for _, j, other in found[1:]:
            warnings.append(
                f"column {column_letter(j)} {other!r} is ignored: column {column_letter(i)} "
                f"{header!r} gives the {HEADER_OF[key]}"
            )
    for key in REQUIRED:
        if key not in candidates:
            column = next(c for c in COLUMNS if c.key == key)
            problems.append(
                RowProblem(
                    sheet.header_row, f"no {column.header!r} column (also accepted: {', '.join(column.aliases)})"
                )
            )
    return _Columns(index, names), problems, warnings


def rows_to_items(
    sheet: Sheet, scenario: Scenario
) -> tuple[list[dict[str, Any]], list[int], list[RowProblem], list[str]]:
    """Each filled row -> one MSEL item; problems name the row and the column."""
    columns, problems, warnings = map_columns(sheet)
    if problems:
        return [], [], problems, warnings + list(sheet.warnings)
    items: list[dict[str, Any]] = []
    rows: list[int] = []
    first_row: dict[str, int] = {}
    for number, cells in sheet.rows:
        if not any(c.strip() for c in cells):
            continue
        row_problems: list[RowProblem] = []

        def cell(key: str) -> str:
            i = columns.index.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        def fail(key: str, message: str) -> None:
            i = columns.index.get(key)
            row_problems.append(
                RowProblem(
                    number, message, columns.names.get(key, HEADER_OF[key]), column_letter(i) if i is not None else None
                )
            )

        def parsed(key: str, parse: Any, *args: Any) -> Any:
            try:
                return parse(*args)
            except ValueError as exc:
                fail(key, str(exc))
                return None

        item: dict[str, Any] = {}
        iid = cell("id").strip()
        if not iid:
            fail("id", "empty: every inject needs a number or id")
        elif iid in first_row:
            fail("id", f"{iid!r} is also used on row {first_row[iid]}")
        else:
            first_row[iid] = number
        item["id"] = iid
        at_text = cell("at").strip()
        item["at"] = (
            parsed("at", parse_time, at_text, scenario.start)
            if at_text
            else fail("at", "empty: write a time such as 0:05, manual, or a condition")
        )
        for key in ("from", "body"):
            if not cell(key).strip():
                fail(key, "empty")
        item["from"] = cell("from").strip()
        to = (
            parsed("to", parse_to, cell("to"), scenario)
            if cell("to").strip()
            else fail("to", "empty: list who receives it")
        )
        item["to"] = to
        channel_text = cell("channel").strip()
        item["channel"] = (
            parsed("channel", parse_channel, channel_text)
            if channel_text
            else fail("channel", f"empty: use one of {', '.join(CHANNELS)}")
        )
        body = clean_text(cell("body"))
        item["title"] = cell("title").strip() or title_from(body)
        item["body"] = body
        if cell("cop").strip():
            item["cop"] = parsed("cop", parse_cop, cell("cop"))
        if cell("expected").strip() and to:
            item["expected"] = parsed("expected", parse_expected, cell("expected"), to, scenario)
        if cell("objectives").strip():
            item["objectives"] = parsed("objectives", parse_objectives, cell("objectives"), scenario)
        if cell("modules").strip():
            item["modules"] = parsed("modules", parse_modules, cell("modules"))
        if cell("notes").strip():
            item["notes"] = clean_text(cell("notes"))
        if cell("attachments").strip():
            item["attachments"] = parse_attachments(cell("attachments"))
        if row_problems:
            problems += row_problems
            continue
        items.append(item)
        rows.append(number)
    for item, number in zip(items, rows):
        at = item["at"]
        if isinstance(at, dict) and at["after"] not in first_row:
            i = columns.index["at"]
            problems.append(
                RowProblem(
                    number,
                    f"condition on {at['after']!r}, which is not in the MSEL",
                    columns.names["at"],
                    column_letter(i),
                )
            )
    if not items and not problems:
        problems.append(RowProblem(None, "no injects: every row below the header is empty"))
    problems.sort(key=lambda p: p.row or 0)
    return items, rows, problems, warnings + list(sheet.warnings)


# -- building and checking the new scenario --------------------------------------------------


_COLUMN_HINTS = (
    ("attachment", "attachments"),
    ("after the end", "at"),
    ("expected", "expected"),
    ("cop", "cop"),
    ("condition", "at"),
    ("delay", "at"),
    ("offset", "at"),
    ("to.", "to"),
    ("addressee", "to"),
    ("objective", "objectives"),
    ("module", "modules"),
    ("channel", "channel"),
    ("title", "title"),
    ("body", "body"),
    ("from", "from"),
    ("notes", "notes"),
    ("id", "id"),
)


def _hint(message: str) -> str | None:
    lowered = message.lower()
    return next((key for word, key in _COLUMN_HINTS if word in lowered), None)


@dataclass(frozen=True)
class ImportResult:
    doc: dict[str, Any]
    text: str  # the YAML that is (or would be) written
    scenario: Scenario
    warnings: list[str]


def build_scenario(
    sheet_path: str | Path, base: Base, out: str | Path, *, scenario_id: str | None = None, title: str | None = None
) -> ImportResult:
    """Read the sheet, merge it into the base and validate; raises MselError listing every bad row."""
    sheet_path, out = Path(sheet_path), Path(out)
    sheet = read_sheet(sheet_path)
    items, rows, problems, warnings = rows_to_items(sheet, base.scenario)
    if problems and not items:
        raise MselError(sheet.source, problems, warnings)
    doc = {k: v for k, v in plain(base.doc).items() if k != "msel"}
    same_file = base.path is not None and base.path.resolve() == out.resolve()
    if scenario_id:
        doc["id"] = scenario_id
    elif ("id" in doc or id_from_name(out.stem) != out.stem) and not same_file:
        doc["id"] = id_from_name(out.stem)
    if title:
        doc["title"] = title
    if base.path is None:
        doc["duration"] = _template_duration(items)
        modules = sorted({m for item in items for m in item.get("modules", [])})
        if modules:
            doc["modules"] = modules
    doc["msel"] = items
    origin = f"base {base.path.name}" if base.path else "the course template"
    text = f"# Imported from {sheet_path.name} with `exercise-server msel import` ({origin}).\n" + dump_yaml(doc)
    scenario, core_problems = parse_scenario_text(text, default_id=id_from_name(out.stem))
    located = _locate(text, core_problems, rows, sheet, base)
    if problems:  # the whole-scenario checks ran on the good rows: list both kinds in one pass
        good = {item["id"] for item in items}
        dropped = {item["at"]["after"] for item in items if isinstance(item["at"], dict)} - good
        located = [p for p in located if not any(f"condition on missing inject {i!r}" in p.message for i in dropped)]
        raise MselError(sheet.source, sorted(problems + located, key=lambda p: p.row or 0), warnings)
    if core_problems or scenario is None:
        raise MselError(sheet.source, located, warnings)
    if scenario.basemap:
        problem = basemap_problem(basemap_path(out, scenario.basemap))
        if problem:
            raise MselError(
                sheet.source,
                [RowProblem(None, f"{problem} (the base map must sit in basemaps/ beside {out.name})")],
                warnings,
            )
    columns, _, _ = map_columns(sheet)
    where = columns.index.get("attachments")
    missing = [
        RowProblem(
            rows[i],
            f"{problem} ({out.name} is written to {out.parent})",
            columns.names.get("attachments"),
            column_letter(where) if where is not None else None,
        )
        for i, inject in enumerate(scenario.injects)
        for a in inject.attachments
        if (problem := attachment_problem(attachment_path(out.parent, a["file"])))
    ]
    if missing:
        raise MselError(sheet.source, missing, warnings)
    return ImportResult(doc, text, scenario, warnings)


def id_from_name(name: str) -> str:
    """A scenario id from a file name: `My Exercise (v2)` -> `my-exercise-v2`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63] or "imported"


def _template_duration(items: list[dict[str, Any]]) -> str:
    offsets = [_seconds(i["at"]) for i in items if isinstance(i["at"], str) and i["at"] != "manual"]
    last = max(offsets, default=0) + 600
    return format_duration(-(-int(last) // 300) * 300)


def _seconds(offset: str) -> int:
    return int(parse_offset(offset))


def _locate(text: str, problems: list, rows: list[int], sheet: Sheet, base: Base) -> list[RowProblem]:
    """Map the validator's `line` problems back to spreadsheet rows and, where the message says, columns."""
    try:
        doc = load_lined(text)
    except YamlSyntaxError:  # cannot happen for text we dumped; keep the message anyway
        doc = {}
    msel = doc.get("msel") if isinstance(doc, dict) else None
    starts = msel.item_lines if isinstance(msel, LinedList) else []
    columns, _, _ = map_columns(sheet)
    out = []
    for p in problems:
        index = max((i for i, line in enumerate(starts) if line <= p.line), default=None)
        if index is None:
            out.append(RowProblem(None, f"{base.source}: {p.message}"))
            continue
        key = _hint(p.message.split(": ", 1)[-1])
        col = columns.index.get(key) if key else None
        out.append(
            RowProblem(
                rows[index],
                p.message,
                columns.names.get(key) if key else None,
                column_letter(col) if col is not None else None,
            )
        )
    return out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter when installed
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else '"' if _OFFSET.match(value) or value.startswith("D+") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flat = all(
        isinstance(v, (int, float)) or (isinstance(v, str) and len(v) < 40 and not re.search(r"\s", v)) for v in value
    )
    nested = value and all(isinstance(v, list) and all(isinstance(x, (int, float, list)) for x in v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(flat or nested))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write beside `path`, then rename over it: a reader never sees half a file, a failure leaves none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    # Created as any new file is (0666 less the umask), unlike mkstemp's private 0600.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(tmp)
        if path.exists():  # a replaced file keeps its mode
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    _replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


# -- export ----------------------------------------------------------------------------------


def msel_rows(scenario: Scenario) -> list[list[str]]:
    """The header and one row per inject, in MSEL order."""
    out = [[c.header for c in COLUMNS]]
    for inj in scenario.injects:
        values = {
            "id": inj.id,
            "at": format_time(inj),
            "channel": inj.channel,
            "from": inj.sender,
            "to": format_to(inj.to),
            "title": inj.title,
            "body": inj.body.strip(),
            "expected": format_expected(inj.expected),
            "objectives": "; ".join(inj.objectives),
            "modules": "; ".join(map(str, inj.modules)),
            "notes": inj.notes.strip(),
            "cop": format_cop(inj.cop),
            "attachments": format_attachments(inj.attachments),
        }
        out.append([values[c.key] for c in COLUMNS])
    return out


def write_csv(scenario: Scenario, stream: TextIO) -> None:
    csv.writer(stream).writerows(msel_rows(scenario))


def export_csv(scenario: Scenario, path: Path) -> None:
    buffer = io.StringIO(newline="")
    write_csv(scenario, buffer)
    # utf-8-sig: Excel reads a CSV file as UTF-8 only with the byte-order mark.
    data = buffer.getvalue().encode("utf-8-sig")
    _replace_atomically(path, lambda tmp: tmp.write_bytes(data))


_WIDTHS = {
    "id": 9,
    "at": 24,
    "channel": 9,
    "from": 28,
    "to": 22,
    "title": 36,
    "body": 70,
    "expected": 60,
    "objectives": 11,
    "modules": 9,
    "notes": 45,
    "cop": 30,
    "attachments": 30,
}


def export_xlsx(scenario: Scenario, path: Path) -> None:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(msel_rows(scenario), 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # text, never a formula or a number, so it re-imports unchanged
            cell.alignment = wrap
            if r == 1:
                cell.font = Font(bold=True)
    for c, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(c)].width = _WIDTHS[column.key]
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
    _replace_atomically(path, book.save)


def export_msel(scenario: Scenario, path: str | Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        export_csv(scenario, path)
    elif suffix == ".xlsx":
        export_xlsx(scenario, path)
    else:
        raise MselError(path.name, [RowProblem(None, "write the MSEL to a .csv or .xlsx file")])
