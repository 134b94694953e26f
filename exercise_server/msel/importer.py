"""Importing a planner's MSEL: each filled row becomes one inject, merged into a base (a scenario
or the course template) and checked as a whole scenario; nothing is written unless all of it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.events import N_
from ..core.scenario import INJECT_OPTIONAL, INJECT_REQUIRED, Problem, Scenario, attachment_files
from ..core.scenario_check import parse_scenario_text
from ..core.timefmt import format_duration, parse_duration, parse_offset
from ..core.yamlsrc import LinedList, YamlSyntaxError, load_lined, plain
from ..scenarios import attachment_path, attachment_problem, basemap_path, basemap_problem, check_file
from .columns import BY_KEY, READ_ORDER, UNTRANSLATED_ACTION, Row, column_of_message, split_key
from .files import dump_yaml
from .problems import MselError, RowProblem, Said, Worded, warning
from .sheets import ColumnMapping, Sheet, SheetColumns, map_columns, read_sheet

MselItem = dict[str, Any]  # one inject as the scenario file writes it
_KEY_ORDER = INJECT_REQUIRED + INJECT_OPTIONAL
assert set(BY_KEY) <= set(_KEY_ORDER), "every column gives an inject's key"


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


@dataclass(frozen=True)
class ImportResult:
    doc: dict[str, Any]
    text: str  # the YAML that is (or would be) written
    scenario: Scenario
    warnings: list[str]


# -- rows to injects -------------------------------------------------------------------------


@dataclass
class ItemsRead:
    items: list[MselItem] = field(default_factory=list)  # the rows without a problem
    rows: list[int] = field(default_factory=list)  # the spreadsheet row of each item
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)  # rows read, with something the planner should know


def read_items(sheet: Sheet, columns: SheetColumns, scenario: Scenario) -> ItemsRead:
    """Each filled row -> one MSEL item; problems name the row and the column."""
    read = ItemsRead()
    first_rows: dict[str, int] = {}
    for number, cells in sheet.rows:
        if not any(c.strip() for c in cells):
            continue
        row = Row(number, scenario, first_rows)
        problems = _read_row(row, cells, columns)
        read.warnings += [columns.problem(number, message, key) for key, message in row.warnings]
        if problems:
            read.problems += problems
            continue
        read.items.append(_alternate({key: row.values[key] for key in _KEY_ORDER if key in row.values}))
        read.rows.append(number)
    read.problems += _missing_conditions(read, columns, first_rows)
    if not read.items and not read.problems:
        read.problems.append(RowProblem(None, "no injects: every row below the header is empty"))
    read.problems.sort(key=lambda p: p.row or 0)
    return read


def _read_row(row: Row, cells: list[str], columns: SheetColumns) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for column in READ_ORDER:
        if not all(key in row.values for key in column.needs):
            continue  # what it needs is wrong, and already said
        text = columns.cell(cells, column.key)
        if text.strip():
            try:
                value = column.parse(text, row)
                if value is not None:  # None: the cell holds nothing for the field (said in a warning)
                    row.values[column.key] = value
            except ValueError as exc:
                problems.append(columns.problem(row.number, exc, column.key))
        elif column.required is not None and not any(key in row.values for key in column.instead):
            problems.append(columns.problem(row.number, Said(column.required), column.key))
        elif column.when_empty is not None:
            row.values[column.key] = column.when_empty(row)
    for key in columns.index:  # the language columns, `Title (fr)`: read with their column's grammar
        base, language = split_key(key)
        text = columns.cell(cells, key)
        if language is None or not text.strip() or not all(k in row.values for k in BY_KEY[base].needs):
            continue
        if base not in row.values:  # its own cell is wrong (and said so) or empty
            if not columns.cell(cells, base).strip():
                problems.append(
                    columns.problem(
                        row.number, Said(N_("a translation of an empty %(column)s"), column=BY_KEY[base].header), key
                    )
                )
            continue
        try:
            translate(row.values, base, language, BY_KEY[base].parse(text, row), row.scenario.default_language)
        except ValueError as exc:
            problems.append(columns.problem(row.number, exc, key))
    return problems


def translate(values: dict[str, Any], key: str, language: str, text: Any, default_language: str) -> None:
    """Add a language column's value to the field it translates, as a scenario file writes it:
    `{en: ..., fr: ...}`; expected actions each, the same labels in the same order."""
    if language == default_language:
        raise ValueError(f"{default_language} is the scenario's default language: its text goes in the column itself")
    if key == "attachments":  # `file: title` lines, each a title of a file the default column lists
        by_file = {_languages(a["file"], default_language)[default_language]: a for a in values[key]}
        for attachment in text:
            if attachment["file"] not in by_file:
                raise ValueError(f"{attachment['file']!r} is not in the Attachments column")
            own = by_file[attachment["file"]]
            if "language_file" in attachment:  # `a.md (a.fr.md)`: the file in this language
                own["file"] = {**_languages(own["file"], default_language), language: attachment["language_file"]}
                if attachment["title"] == attachment["file"]:  # no title given: only the file is translated
                    continue
            own["title"] = {**_languages(own["title"], default_language), language: attachment["title"]}
        return
    if key != "expected":
        values[key] = {**_languages(values[key], default_language), language: text}
        return
    expected = values[key]
    for label, actions in text.items():
        if len(actions) != len(expected.get(label, [])):
            raise ValueError(
                f"{label!r} has {len(actions)} actions here and {len(expected.get(label, []))} in the default "
                f"language: translate each, in the same order ({UNTRANSLATED_ACTION} for one left untranslated)"
            )
        expected[label] = [
            _translated_action(own, other["action"] if isinstance(other, dict) else other, language, default_language)
            for own, other in zip(expected[label], actions, strict=True)
        ]


def _translated_action(action: Any, text: str, language: str, default_language: str) -> Any:
    """An expected action with its text in `language` too (a linked action's `action` field)."""
    if text == UNTRANSLATED_ACTION:
        return action
    if isinstance(action, dict) and "action" in action:
        return {**action, "action": {**_languages(action["action"], default_language), language: text}}
    return {**_languages(action, default_language), language: text}


def _languages(value: Any, default_language: str) -> dict[str, Any]:
    return value if isinstance(value, dict) else {default_language: value}


def sheet_languages(columns: SheetColumns) -> list[str]:
    """The languages of the sheet's language columns, in the order they come."""
    found = [split_key(key)[1] for key in sorted(columns.index, key=columns.index.__getitem__)]
    return list(dict.fromkeys(lang for lang in found if lang))


def _alternate(item: MselItem) -> MselItem:
    """An alternate's Scenario Time (`instead of I-07 when ...`) gives its own keys, and no `at`."""
    at = item.get("at")
    if isinstance(at, dict) and "instead_of" in at:
        return {**{k: v for k, v in item.items() if k != "at"}, **at}
    return item


def _after(item: MselItem) -> str | None:
    """The inject a condition of the older form (`after I-03 released`) names."""
    at = item.get("at")
    return at.get("after") if isinstance(at, dict) else None


def _missing_conditions(read: ItemsRead, columns: SheetColumns, first_rows: dict[str, int]) -> list[RowProblem]:
    """A condition on an inject that no row has (a row with problems still has its id)."""
    return [
        columns.problem(number, f"condition on {_after(item)!r}, which is not in the MSEL", "at")
        for item, number in zip(read.items, read.rows, strict=True)
        if _after(item) is not None and _after(item) not in first_rows
    ]


# -- building and checking the new scenario --------------------------------------------------


def build_scenario(
    sheet_path: str | Path | Sheet,
    base: Base,
    out: str | Path,
    *,
    scenario_id: str | None = None,
    title: str | None = None,
    duration: str | None = None,
    mapping: ColumnMapping | None = None,
) -> ImportResult:
    """Read the sheet, merge it into the base and validate; raises MselError listing every bad row.

    `duration` sets the new scenario's; without it, a base shorter than the MSEL is extended (with a
    warning). `mapping` gives each column's field by the sheet's column index (None: ignored) instead
    of the names the importer recognises."""
    out = Path(out)
    sheet = sheet_path if isinstance(sheet_path, Sheet) else read_sheet(sheet_path)
    columns, problems, warnings = map_columns(sheet, mapping)
    warnings += sheet.warnings
    if duration is not None and (problem := _duration_problem(duration)):
        problems.append(RowProblem(None, problem))
    if problems:
        raise MselError(sheet.source, problems, warnings)
    read = read_items(sheet, columns, base.scenario)
    warnings += [Worded(str(w), w.line) for w in read.warnings]
    if read.problems and not read.items:
        raise MselError(sheet.source, read.problems, warnings)
    doc = _scenario_doc(base, read.items, out, scenario_id, title)
    if missing_injects := _evaluation_left_out(doc, read.items):
        warnings.append(
            warning(
                Said(
                    N_(
                        "the evaluation guide of %(base)s names injects this MSEL does not have (%(ids)s): "
                        "it is left out of the new scenario"
                    ),
                    base=base.source,
                    ids=", ".join(missing_injects),
                )
            )
        )
    if duration is not None:
        doc["duration"] = format_duration(parse_duration(duration))
    elif base.path is not None and (longer := _extended_duration(base.scenario.duration, read.items)):
        doc["duration"] = longer
        warnings.append(
            warning(
                Said(
                    N_(
                        "the MSEL runs past the end of %(base)s (duration %(duration)s): the new scenario lasts "
                        "%(longer)s (set it with --duration)"
                    ),
                    base=base.source,
                    duration=format_duration(base.scenario.duration),
                    longer=longer,
                )
            )
        )
    undeclared = [lang for lang in sheet_languages(columns) if lang not in base.scenario.languages]
    if undeclared:  # the sheet's language columns declare their languages
        doc["languages"] = [*base.scenario.languages, *undeclared]
    origin = f"base {base.path.name}" if base.path else "the course template"
    text = f"# Imported from {sheet.source} with `exercise-server msel import` ({origin}).\n" + dump_yaml(doc)
    scenario, core_problems = parse_scenario_text(text, default_id=id_from_name(out.stem))
    located = _locate(text, core_problems, read.rows, columns, base)
    if read.problems:  # the whole-scenario checks ran on the good rows: list both kinds in one pass
        raise MselError(sheet.source, sorted(read.problems + _not_dropped(located, read), key=_row), warnings)
    if core_problems or scenario is None:
        raise MselError(sheet.source, located, warnings)
    missing = _missing_files(scenario, out, read.rows, columns)
    if missing:
        raise MselError(sheet.source, missing, warnings)
    return ImportResult(doc, text, scenario, warnings)


def _duration_problem(text: str) -> str | None:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return None if seconds > 0 else f"duration {text!r} must be longer than 0:00"


def _extended_duration(duration: float, items: list[MselItem]) -> str | None:
    """The duration a base needs to hold the MSEL (its last timed inject plus ten minutes, on five
    minutes), or None if it already does."""
    offsets = [int(parse_offset(i["at"])) for i in items if isinstance(i.get("at"), str) and i["at"] != "manual"]
    if not offsets or max(offsets) <= duration:
        return None
    return _template_duration(items)


def _row(problem: RowProblem) -> int:
    return problem.row or 0


def _scenario_doc(
    base: Base, items: list[MselItem], out: Path, scenario_id: str | None, title: str | None
) -> dict[str, Any]:
    """The base's document with the sheet's MSEL, the id and title it takes in `out`."""
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
    return doc


def _evaluation_left_out(doc: dict[str, Any], items: list[MselItem]) -> list[str]:
    """The base's evaluation guide is written for the base's MSEL: when it names injects the new MSEL
    lacks, it is left out of `doc` (the injects it named are returned, for the warning)."""
    guide = doc.get("evaluation")
    if not isinstance(guide, dict):
        return []
    named = {t.get("inject") for t in guide.get("targets") or [] if isinstance(t, dict)}
    named |= {i for p in guide.get("pitfalls") or [] if isinstance(p, dict) for i in p.get("injects") or []}
    missing = sorted(str(i) for i in named - {None} - {item.get("id") for item in items})
    if missing:
        del doc["evaluation"]
    return missing


def _not_dropped(located: list[RowProblem], read: ItemsRead) -> list[RowProblem]:
    """Leave out conditions on a row dropped for its problems: that row already says why."""
    good = {item["id"] for item in read.items}
    dropped = {after for item in read.items if (after := _after(item))} - good
    return [p for p in located if not any(f"condition on missing inject {i!r}" in p.message for i in dropped)]


def _missing_files(scenario: Scenario, out: Path, rows: list[int], columns: SheetColumns) -> list[RowProblem]:
    """The base map and attachments the new scenario names must sit beside `out`."""
    if scenario.basemap:
        problem = basemap_problem(basemap_path(out, scenario.basemap))
        if problem:
            return [RowProblem(None, f"{problem} (the base map must sit in basemaps/ beside {out.name})")]
    return [
        columns.problem(rows[i], f"{problem} ({out.name} is written to {out.parent})", "attachments")
        for i, inject in enumerate(scenario.injects)
        for a in inject.attachments
        for name in attachment_files(a)
        if (problem := attachment_problem(attachment_path(out.parent, name)))
    ]


def id_from_name(name: str) -> str:
    """A scenario id from a file name: `My Exercise (v2)` -> `my-exercise-v2`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63] or "imported"


def _template_duration(items: list[MselItem]) -> str:
    offsets = [int(parse_offset(i["at"])) for i in items if isinstance(i.get("at"), str) and i["at"] != "manual"]
    last = max(offsets, default=0) + 600
    return format_duration(-(-int(last) // 300) * 300)


def _locate(text: str, problems: list[Problem], rows: list[int], columns: SheetColumns, base: Base) -> list[RowProblem]:
    """Map the validator's `line` problems back to spreadsheet rows and, where the message says, columns."""
    try:
        doc = load_lined(text)
    except YamlSyntaxError:  # cannot happen for text we dumped; keep the message anyway
        doc = {}
    msel = doc.get("msel") if isinstance(doc, dict) else None
    starts = msel.item_lines if isinstance(msel, LinedList) else []
    out = []
    for p in problems:
        index = max((i for i, line in enumerate(starts) if line <= p.line), default=None)
        if index is None:
            out.append(RowProblem(None, f"{base.source}: {p.message}"))
        else:
            out.append(columns.problem(rows[index], p.message, column_of_message(p.message.split(": ", 1)[-1])))
    return out
