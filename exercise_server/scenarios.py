"""Finding and checking scenario files on disk (used by `validate` and by the server)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .core.scenario import Problem, Scenario, attachment_files
from .core.scenario_check import parse_scenario_text


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    scenario: Scenario | None
    problems: list[Problem]


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted; keep files as given."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            out.append(path)
    return out


def basemap_path(scenario_file: Path, name: str) -> Path:
    return scenario_file.parent / "basemaps" / f"{name}.geojson"


MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # an inject's file, opened on a classroom's Wi-Fi


def attachment_path(folder: Path, name: str) -> Path:
    """An inject's attachment: in `attachments/` of the scenario file's folder."""
    return folder / "attachments" / name


def check_file(path: Path) -> CheckedFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return CheckedFile(path, None, [Problem(1, f"cannot read the file: {exc}")])
    scenario, problems = parse_scenario_text(text, default_id=path.stem)
    if scenario is None:
        return CheckedFile(path, scenario, problems)
    lines = text.splitlines()
    found: list[Problem] = []
    if scenario.basemap:
        problem = basemap_problem(basemap_path(path, scenario.basemap))
        if problem:
            found.append(Problem(next((i for i, row in enumerate(lines, 1) if row.startswith("basemap:")), 1), problem))
    for inject in scenario.injects:
        for attachment in inject.attachments:
            for name in attachment_files(attachment):  # each language's file
                problem = attachment_problem(attachment_path(path.parent, name))
                if problem:
                    line = next((i for i, row in enumerate(lines, 1) if name in row), 1)
                    found.append(Problem(line, f"inject {inject.id!r}: {problem}"))
    return CheckedFile(path, None, found) if found else CheckedFile(path, scenario, problems)


def attachment_problem(path: Path) -> str | None:
    try:
        size = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    if size is None:
        return f"attachment {path.name}: no such file in {path.parent.name}/ beside the scenario"
    if size > MAX_ATTACHMENT_BYTES:
        return f"attachment {path.name}: {size:,} bytes, more than the {MAX_ATTACHMENT_BYTES:,} an attachment may have"
    return None


def basemap_problem(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"basemap {path.name}: cannot read it as JSON ({exc})"
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return f"basemap {path.name}: must be a GeoJSON FeatureCollection"
    return None


@dataclass
class Library:
    """The scenarios a server offers, the files that failed, and the base maps they draw on."""

    scenarios: dict[str, Scenario]
    failed: list[CheckedFile]
    basemaps: dict[str, Path]  # name -> GeoJSON file
    folders: dict[str, Path] = field(default_factory=dict)  # scenario id -> the folder of its file

    def attachment(self, scenario_id: str, name: str) -> Path | None:
        """The file of an attachment of `scenario_id`, if this server has that scenario."""
        folder = self.folders.get(scenario_id)
        return attachment_path(folder, name) if folder is not None else None


def load_library(paths: Iterable[str | Path], check: Callable[[Path], CheckedFile] = check_file) -> Library:
    """Every valid scenario by id; a file that fails is not loaded at all. (`check`: the studio's
    live library passes one that remembers the files that did not change.)"""
    library = Library({}, [], {})
    for path in scenario_files(paths):
        checked = check(path)
        if checked.scenario is None:
            library.failed.append(checked)
        elif checked.scenario.id in library.scenarios:
            library.failed.append(
                CheckedFile(path, None, [Problem(1, f"scenario id {checked.scenario.id!r} is used twice")])
            )
        else:
            library.scenarios[checked.scenario.id] = checked.scenario
            library.folders[checked.scenario.id] = path.parent
            if checked.scenario.basemap:
                library.basemaps[checked.scenario.basemap] = basemap_path(path, checked.scenario.basemap)
    return library


def summary(scenario: Scenario) -> str:
    return (
        f"{scenario.id}: {scenario.title!r}, {len(scenario.teams)} teams, {len(scenario.rooms)} rooms, "
        f"{len(scenario.features)} COP features, {len(scenario.injects)} injects"
        + (f", in {', '.join(scenario.languages)}" if len(scenario.languages) > 1 else "")
        + (f", {len(scenario.missing_translations)} missing translations" if scenario.missing_translations else "")
    )
