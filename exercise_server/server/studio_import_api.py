"""The mapping step of an MSEL spreadsheet upload (docs/studio-import-api.md):
preview a sheet's columns and the field each gives, then import it with the mapping a person chose,
as a new scenario or into an existing one. The control cell's only: anyone else gets the same 404
as a path the server does not have."""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from ..core.access import FACILITATOR
from ..core.errors import Refusal
from ..core.scenario_fields import ID
from ..i18n import COOKIE, Catalogue, catalogues
from ..msel.importer import Base, build_scenario, id_from_name, load_base
from ..msel.mapping import (
    MAPPINGS_FILE,
    Mapping,
    MappingMemory,
    as_column_mapping,
    columns_of,
    fields,
    filled_rows,
    mapping_problems,
    recognised,
)
from ..msel.problems import MselError, RowProblem, worded
from ..msel.sheets import SPREADSHEET_SUFFIXES, Sheet, read_sheet_data
from ..msel.template import template_base
from ..studio.shelf import Invalid, Shelf, ShelfError
from .http_api import bearer_session
from .pages import Pages
from .studio_http import shelf_of

log = logging.getLogger("exercise_server.studio_import")

MAX_SHEET_BYTES = 10 * 1024 * 1024  # an MSEL of a thousand rows is well under 1 MB


class Refused(Exception):
    """An answer other than 200/201: status, code, message, and the problems and warnings found."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        problems: list[RowProblem] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.problems, self.warnings = problems or [], warnings or []

    def response(self, words: Catalogue) -> JSONResponse:
        return JSONResponse(
            {
                "error": {"code": self.code, "message": self.message},
                "problems": [problem_json(p, words) for p in self.problems],
                "warnings": [worded(w, words) for w in self.warnings],
            },
            status_code=self.status,
        )


def problem_json(problem: RowProblem, words: Catalogue) -> dict[str, Any]:
    """A row's problem for the browser, in the seat's language (`seat_words`)."""
    message = problem.in_language(words).message
    return {"row": problem.row, "column": problem.column, "letter": problem.letter, "message": message}


def seat_words(request: Request) -> Catalogue:
    """The catalogue of the language the studio's pages are in for this browser (its choice, else
    its Accept-Language): the rows' problems are worded in it."""
    i18n = catalogues()
    return i18n.get(i18n.choose(request.cookies.get(COOKIE), request.headers.get("accept-language")))


@dataclass
class Form:
    """What the browser sent: the file (name and bytes) and the other fields, as text."""

    name: str
    data: bytes
    fields: dict[str, str] = field(default_factory=dict)
    words: Catalogue = field(default_factory=lambda: catalogues().get(None))  # the seat's language


async def _read_capped(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > MAX_SHEET_BYTES + 64 * 1024
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        too_large = too_large or size > MAX_SHEET_BYTES + 64 * 1024
        if not too_large:
            chunks.append(chunk)
    if too_large:
        raise _too_large()
    return b"".join(chunks)


def _too_large() -> Refused:
    mb = MAX_SHEET_BYTES // (1024 * 1024)
    return Refused(
        413,
        "too_large",
        f"the spreadsheet is larger than {mb} MB: nothing was read. Save the MSEL sheet alone "
        "(without pictures or other sheets) as .xlsx or .csv",
    )


async def _form(request: Request) -> Form:
    """A multipart form (field `file` and text fields) or the file as the raw body (`?name=`)."""
    body = await _read_capped(request)
    ctype = request.headers.get("content-type", "")
    query = dict(request.query_params)
    if not ctype.lower().startswith("multipart/form-data"):
        return Form(query.get("name") or request.headers.get("x-file-name", ""), body, query)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
    )
    form = Form("", b"", dict(query))
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            form.name, form.data = part.get_filename() or form.name, data
        elif isinstance(name, str):
            form.fields[name] = data.decode("utf-8", errors="replace")
    if not form.name and not form.data:
        raise Refused(400, "invalid", "send the spreadsheet as the form field 'file'")
    if len(form.data) > MAX_SHEET_BYTES:
        raise _too_large()
    return form


def _sheet(form: Form) -> Sheet:
    if Path(form.name).suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise Refused(415, "invalid", f"{form.name or 'this file'}: upload the MSEL as a spreadsheet (.xlsx or .csv)")
    try:
        return read_sheet_data(form.name, form.data, any_header=True)
    except MselError as exc:
        raise Refused(400, "invalid", f"{exc.source}: the file cannot be read as an MSEL", exc.problems) from None


def _memory(request: Request) -> MappingMemory:
    data_dir = request.app.state.ctx.settings.data_dir
    memory = getattr(request.app.state, "msel_mappings", None)
    if memory is None:
        memory = MappingMemory(Path(data_dir) / MAPPINGS_FILE if data_dir is not None else None)
        request.app.state.msel_mappings = memory
    return memory


@dataclass(frozen=True)
class Target:
    base: Base
    out: Path
    scenario_id: str | None  # the new scenario's id; None when importing into `into`
    into: str | None = None
    version: str | None = None  # the version of `into` the import replaces


def _target(shelf: Shelf, form: Form, name: str) -> Target:
    """Where the sheet goes: `into` an existing scenario (its MSEL replaced), else a new scenario
    `id` (default: from the file's name) on the course template."""
    into = form.fields.get("into", "").strip()
    if into:
        try:
            entry = shelf.require(into)
        except ShelfError as exc:
            raise Refused(404, "not_found", exc.message) from None
        try:
            base = load_base(entry.path)
        except MselError as exc:
            raise Refused(
                422, "invalid", f"{into} has problems of its own: fix them in the editor first", exc.problems
            ) from None
        return Target(base, entry.path, None, into, form.fields.get("version") or entry.version)
    scenario_id = form.fields.get("id", "").strip() or id_from_name(Path(name).stem)
    if not ID.match(scenario_id):
        raise Refused(400, "invalid", f"{scenario_id!r}: a scenario id is 1 to 63 lowercase letters, digits and '-'")
    title = form.fields.get("title", "").strip() or Path(name).stem.replace("-", " ").replace("_", " ").capitalize()
    return Target(template_base(title), shelf.folder / f"{scenario_id}.yaml", scenario_id)


def _build(sheet: Sheet, target: Target, mapping: Mapping, duration: str | None) -> Any:
    return build_scenario(
        sheet,
        target.base,
        target.out,
        scenario_id=target.scenario_id,
        mapping=as_column_mapping(mapping),
        duration=duration or None,
    )


def _mapping_of(form: Form, sheet: Sheet) -> Mapping:
    try:
        mapping = json.loads(form.fields.get("mapping", ""))
    except ValueError:
        raise Refused(400, "invalid", "the mapping must be JSON: a field name or null for each column") from None
    problems = mapping_problems(sheet, mapping)
    if problems:
        raise Refused(422, "invalid", "the mapping does not fit the sheet", problems)
    return list(mapping)


def preview(form: Form, shelf: Shelf, memory: MappingMemory) -> dict[str, Any]:
    sheet = _sheet(form)
    target = _target(shelf, form, form.name)
    chosen = _mapping_of(form, sheet) if form.fields.get("mapping") else None  # the dialog's, after a change
    remembered = None if chosen else memory.get(sheet)
    mapping = chosen or remembered or recognised(sheet)
    try:
        result = _build(sheet, target, mapping, form.fields.get("duration"))
        problems, warnings = [], result.warnings
    except MselError as exc:
        problems, warnings = exc.problems, exc.warnings
    if target.scenario_id and shelf.get(target.scenario_id) is not None:
        problems = [
            RowProblem(None, f"a scenario {target.scenario_id!r} exists already: choose another id, or import into it"),
            *problems,
        ]
    scenario = target.base.scenario
    return {
        "file": form.name,
        "header_row": sheet.header_row,
        "columns": columns_of(sheet, mapping),
        "fields": fields(list(scenario.languages), scenario.default_language),
        "remembered": remembered is not None,
        "rows": filled_rows(sheet),
        "target": {"into": target.into, "version": target.version} if target.into else {"id": target.scenario_id},
        "problems": [problem_json(p, form.words) for p in problems],
        "warnings": [worded(w, form.words) for w in warnings],
    }


def import_sheet(form: Form, shelf: Shelf, memory: MappingMemory) -> dict[str, Any]:
    sheet = _sheet(form)
    mapping = _mapping_of(form, sheet)
    target = _target(shelf, form, form.name)
    try:
        result = _build(sheet, target, mapping, form.fields.get("duration"))
    except MselError as exc:
        rows = {p.row for p in exc.problems if p.row is not None and p.row != sheet.header_row}
        words = form.words
        counted = (
            words.ngettext("%(num)d row with problems", "%(num)d rows with problems", len(rows))
            if rows
            else words.gettext("problems")
        )
        nothing = words.gettext("%(counted)s; nothing was saved", counted=counted)
        message = f"{exc.source}: {nothing}"
        raise Refused(422, "invalid", message, exc.problems, exc.warnings) from None
    try:
        if target.into:
            entry = shelf.save(target.into, target.version, result.doc)
        else:
            assert target.scenario_id is not None
            entry = shelf.create(target.scenario_id, result.doc, result.text)
    except Invalid as exc:  # the studio's own check: a file the import does not know of
        raise Refused(
            422,
            "invalid",
            exc.message,
            [RowProblem(None, f"{'.'.join(map(str, p.path))}: {p.message}") for p in exc.problems],
            result.warnings,
        ) from None
    except ShelfError as exc:
        raise Refused(409 if exc.code == "conflict" else 400, exc.code, exc.message, [], result.warnings) from None
    memory.remember(sheet, mapping)
    warnings = [worded(w, form.words) for w in result.warnings]
    return {"id": entry.id, "version": entry.version, "file": entry.path.name, "warnings": warnings}


ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def control_cell_only(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint the facilitator alone may know of: any other token, a bad one or none gets
    the same 404 as a path the server does not have, whatever the method (the studio's rule)."""

    async def wrapped(request: Request) -> Response:
        try:
            session = bearer_session(request, "")
        except Refusal:
            session = None
        if session is None or session.role != FACILITATOR:
            raise HTTPException(status_code=404)
        if request.method != "POST":
            return JSONResponse(
                {"error": {"code": "invalid", "message": "POST the spreadsheet"}},
                status_code=405,
                headers={"Allow": "POST"},
            )
        try:
            return await handler(request)
        except Refused as exc:
            return exc.response(seat_words(request))

    return wrapped


@control_cell_only
async def preview_endpoint(request: Request) -> Response:
    form = await _form(request)
    form.words = seat_words(request)
    return JSONResponse(await run_in_threadpool(preview, form, shelf_of(request), _memory(request)))


@control_cell_only
async def import_endpoint(request: Request) -> Response:
    form = await _form(request)
    form.words = seat_words(request)
    body = await run_in_threadpool(import_sheet, form, shelf_of(request), _memory(request))
    return JSONResponse(body, status_code=201)


def _pages(request: Request) -> Pages:
    """The templates of every language with the static files' hashed URLs (made once per app)."""
    app = request.app
    pages: Pages | None = getattr(app.state, "import_pages", None)
    if pages is None:
        static = next(r.app for r in app.routes if isinstance(r, Mount) and r.name == "static")
        pages = Pages(app.state.ctx.settings)
        for env in pages.envs.values():
            env.globals["static"] = static
        app.state.import_pages = pages
    return pages


async def import_page(request: Request) -> Response:
    """The mapping step on a page of its own (the studio's list opens it in place): it carries no
    data; its module calls the API above with the facilitator's token."""
    return _pages(request).render(request, "_studio_import.html")


# In app.py's route table before the studio's pages (`/control/studio/{scenario}`) and its API
# mount (`/api/studio`), which would take these paths.
ROUTES = [
    Route("/control/studio/import", import_page),
    Route("/api/studio/import/preview", preview_endpoint, methods=ANY_METHOD),
    Route("/api/studio/import", import_endpoint, methods=ANY_METHOD),
]
