"""Uploads to the studio: a YAML scenario, a zip of a scenario folder, an attachment, a base map,
or (through the importer's seam) an MSEL spreadsheet. Each is checked whole before anything is
written; a refusal says why and leaves the folder as it was.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.scenario import ATTACHMENT_TYPES
from ..core.scenario_fields import ID
from ..core.yamlsrc import plain
from ..msel.importer import id_from_name
from ..scenarios import MAX_ATTACHMENT_BYTES
from .bundle import BundleError, attachments_of, geojson_problem, unpack
from .document import FieldProblem, NotAScenario, check_document, errors, parse_text
from .shelf import Invalid, Shelf, ShelfError, write_atomically

# The largest upload read (a zip of a scenario with its attachments); a larger body is refused
# while it streams in, and nothing of it is kept.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


@dataclass
class UploadedFile:
    name: str  # the file's name as the browser gave it ("" if none)
    content_type: str
    data: bytes
    query: dict[str, str] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass
class UploadResult:
    status: int
    body: dict[str, Any]


class UploadRefused(Exception):
    """An upload refused with an HTTP status and a message a person can act on; nothing written."""

    def __init__(self, status: int, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra or {}


# The importer's seam: an MSEL spreadsheet (.xlsx, .csv) goes to this function when it is set
# (the mapping step of exercise_server/msel, branch `importer`); it writes through `shelf.create`
# only. None: spreadsheets.import_spreadsheet, `msel import` with the course template or `?into=`.
SPREADSHEET_HANDLER: Callable[[UploadedFile, Shelf], UploadResult] | None = None

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_ZIP_TYPES = ("application/zip", "application/x-zip-compressed")
_SHEET_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def kind_of(upload: UploadedFile) -> str | None:
    """'yaml', 'zip', 'spreadsheet', or None: by the file's name first, then its type."""
    ctype = upload.content_type.split(";")[0].strip().lower()
    if upload.suffix in (".yaml", ".yml"):
        return "yaml"
    if upload.suffix == ".zip":
        return "zip"
    if upload.suffix in (".xlsx", ".csv"):
        return "spreadsheet"
    if upload.suffix:
        return None
    if ctype in _YAML_TYPES:
        return "yaml"
    if ctype in _ZIP_TYPES:
        return "zip"
    if ctype in _SHEET_TYPES:
        return "spreadsheet"
    return None


def receive(upload: UploadedFile, shelf: Shelf) -> UploadResult:
    kind = kind_of(upload)
    if kind == "yaml":
        return _scenario_upload(upload, shelf, _yaml_text(upload), {})
    if kind == "zip":
        try:
            bundle = unpack(upload.data)
        except BundleError as exc:
            raise UploadRefused(400, f"{upload.name or 'the zip'}: {exc}") from None
        return _scenario_upload(upload, shelf, bundle.text, bundle.files)
    if kind == "spreadsheet":
        if SPREADSHEET_HANDLER is not None:
            return SPREADSHEET_HANDLER(upload, shelf)
        from .spreadsheets import import_spreadsheet  # it imports this module

        return import_spreadsheet(upload, shelf)
    raise UploadRefused(
        415,
        f"{upload.name or 'this file'}: upload a scenario (.yaml), a zip of a scenario folder or an MSEL (.xlsx, .csv)",
    )


def _yaml_text(upload: UploadedFile) -> str:
    try:
        return upload.data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused(400, f"{upload.name or 'the file'}: not a scenario (not UTF-8 text)") from None


def _scenario_upload(upload: UploadedFile, shelf: Shelf, text: str, files: dict[str, bytes]) -> UploadResult:
    name = upload.name or "the file"
    shelf.require_folder()
    try:
        lined = parse_text(text)
    except NotAScenario as exc:
        raise UploadRefused(400, f"{name}: not a scenario ({exc})") from None
    if not isinstance(lined, dict) or not ({"msel", "title"} & set(lined)):
        raise UploadRefused(400, f"{name}: not a scenario (a scenario file is a mapping with a title and an msel)")
    document = plain(lined)
    stem = id_from_name(Path(upload.name).stem) if upload.name else ""
    scenario_id = upload.query.get("id") or (document.get("id") if isinstance(document.get("id"), str) else stem)
    if not isinstance(scenario_id, str) or not ID.match(scenario_id):
        raise UploadRefused(
            400, f"{name}: give the scenario an id (lowercase letters, digits and '-'), e.g. ?id=my-exercise"
        )
    if shelf.get(scenario_id) is not None:
        raise UploadRefused(409, f"a scenario {scenario_id!r} exists already: upload it under another id (?id=...)")
    problems = check_document(lined, None, scenario_id) + _missing_files(lined, shelf.folder, files)
    if errors(problems):
        raise UploadRefused(
            422,
            f"{name}: the scenario has {len(errors(problems))} problem(s): nothing was saved",
            {"problems": [p.json() for p in problems], "document": document},
        )
    written = _place(shelf.folder, files)
    try:
        entry = shelf.create(scenario_id, document, text)
    except (ShelfError, Invalid) as exc:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        extra = {"problems": [p.json() for p in exc.problems]} if isinstance(exc, Invalid) else {}
        raise UploadRefused(409 if exc.code == "conflict" else 422, exc.message, extra) from None
    return UploadResult(
        201,
        {
            "id": entry.id,
            "version": entry.version,
            "file": entry.path.name,
            "written": [entry.path.name, *(str(p.relative_to(shelf.folder)) for p in written)],
        },
    )


def _missing_files(doc: Any, folder: Path, files: dict[str, bytes]) -> list[FieldProblem]:
    """The attachments and base map a scenario names that are neither in the upload nor in the folder."""
    present = {n for n in files} | {f"attachments/{p.name}" for p in _listing(folder / "attachments")}
    present |= {f"basemaps/{p.name}" for p in _listing(folder / "basemaps")}
    out = []
    for name in attachments_of(doc):
        if f"attachments/{name}" not in present:
            out.append(
                FieldProblem(["msel"], 1, f"attachment {name}: no such file in the zip's attachments/ or the folder's")
            )
    basemap = doc.get("basemap")
    if isinstance(basemap, str) and f"basemaps/{basemap}.geojson" not in present:
        out.append(
            FieldProblem(["basemap"], 1, f"basemap {basemap}: no such file in the zip's basemaps/ or the folder's")
        )
    return out


def _listing(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []


def _place(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the upload's files beside the scenarios; refuse (before writing any) a name the folder
    holds with other bytes. Returns the files written (those already there, identical, are not)."""
    todo = []
    for name, data in files.items():
        target = folder / name
        if target.is_symlink() or (target.exists() and target.read_bytes() != data):
            raise UploadRefused(409, f"{name} exists beside the scenarios with other content: rename it in the zip")
        if not target.exists():
            todo.append((target, data))
    written = []
    for target, data in todo:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data)
        written.append(target)
    return written


def store_attachment(folder: Path, name: str, data: bytes, replace: bool) -> Path:
    """An inject's file into `attachments/`, with the limits `validate` enforces."""
    suffix = Path(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise UploadRefused(
            415, f"{name}: an attachment must be one of {', '.join(ATTACHMENT_TYPES)} (nothing a browser would run)"
        )
    if not _FILE_NAME.match(name):
        raise UploadRefused(400, f"{name!r}: name an attachment with letters, digits, '.', '-' and '_' only")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise UploadRefused(
            413, f"{name}: {len(data):,} bytes, more than the {MAX_ATTACHMENT_BYTES:,} an attachment may have"
        )
    target = folder / "attachments" / name
    if target.is_symlink() or (target.exists() and not replace and target.read_bytes() != data):
        raise UploadRefused(409, f"{name} exists already with other content: rename the file or replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
    return target


def store_basemap(folder: Path, name: str, data: bytes, replace: bool) -> Path:
    if not ID.match(name):
        raise UploadRefused(400, f"{name!r}: name a base map with lowercase letters, digits and '-'")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise UploadRefused(
            413, f"{name}: {len(data):,} bytes, more than the {MAX_ATTACHMENT_BYTES:,} a base map may have"
        )
    problem = geojson_problem(data)
    if problem:
        raise UploadRefused(400, f"basemap {name}: {problem}")
    target = folder / "basemaps" / f"{name}.geojson"
    if target.is_symlink() or (target.exists() and not replace and target.read_bytes() != data):
        raise UploadRefused(409, f"basemap {name} exists already with other content: rename it or replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
    return target
