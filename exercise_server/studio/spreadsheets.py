"""An MSEL spreadsheet (.xlsx, .csv) uploaded to the studio, read by `exercise-server msel import`'s
importer (exercise_server/msel) into a new scenario: the injects from the sheet, the rest from a
scenario of the folder (`?into=<id>`) or the course template. Every row problem is listed and
nothing is written on a refusal.

This is the default of `uploads.SPREADSHEET_HANDLER`; the importer's mapping step (columns shown
and changed before the import) replaces it by setting that name to its own handler.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..msel.importer import build_scenario, id_from_name, load_base
from ..msel.problems import MselError
from ..msel.template import template_base
from ..scenarios import MAX_ATTACHMENT_BYTES
from .shelf import Shelf
from .uploads import UploadedFile, UploadRefused, UploadResult


def import_spreadsheet(upload: UploadedFile, shelf: Shelf) -> UploadResult:
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise UploadRefused(413, f"{upload.name}: an MSEL spreadsheet of more than 5 MB is not one this server reads")
    shelf.require_folder()
    stem = Path(upload.name).stem if upload.name else "msel"
    scenario_id = upload.query.get("id") or id_from_name(stem)
    title = upload.query.get("title") or None
    into = upload.query.get("into")
    if shelf.get(scenario_id) is not None:
        raise UploadRefused(409, f"a scenario {scenario_id!r} exists already: upload it under another id (?id=...)")
    into_file = shelf.get(into) if into else None
    if into and into_file is None:
        raise UploadRefused(404, f"no scenario {into!r} to take the setting, teams and map from")
    try:
        base = load_base(into_file.path) if into_file else template_base(title or stem)
        with tempfile.TemporaryDirectory() as tmp:
            sheet = Path(tmp) / f"{stem}{upload.suffix}"
            sheet.write_bytes(upload.data)
            result = build_scenario(
                sheet, base, shelf.folder / f"{scenario_id}.yaml", scenario_id=scenario_id, title=title
            )
    except MselError as exc:
        raise UploadRefused(
            422,
            f"{upload.name}: {len(exc.problems)} problem(s) in the sheet: nothing was saved",
            {
                "problems": [
                    {"row": p.row, "column": p.column, "letter": p.letter, "message": p.message} for p in exc.problems
                ],
                "warnings": exc.warnings,
            },
        ) from None
    entry = shelf.create(scenario_id, result.doc, result.text)
    return UploadResult(
        201,
        {
            "id": entry.id,
            "version": entry.version,
            "file": entry.path.name,
            "written": [entry.path.name],
            "injects": len(result.scenario.injects),
            "warnings": result.warnings,
        },
    )
