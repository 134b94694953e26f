"""The scenario studio's HTTP API (docs/studio-api.md): the control cell's only. Anyone else gets
the same 404 as a path the server does not have, for every studio path and method."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.access import FACILITATOR
from ..core.errors import Refusal
from ..core.scenario_check import parse_scenario
from ..msel.template import template_doc
from ..scenarios import Library
from ..studio import uploads
from ..studio.bundle import pack
from ..studio.document import NotAScenario, parse_text
from ..studio.shelf import Conflict, Invalid, ScenarioFile, Shelf, ShelfError
from ..studio.watch import LibraryWatch
from .context import AppContext
from .errors import HTTP_STATUS
from .http_api import bearer_session, error_response

log = logging.getLogger("exercise_server.studio")

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024  # a scenario as JSON (the largest bundled one is 0.2 MB)


def start_watch(app: Starlette) -> LibraryWatch:
    """The live library (studio/watch.py), started with the server (app.py's lifespan)."""
    ctx: AppContext = app.state.ctx
    watch = LibraryWatch(ctx.settings.scenario_paths, ctx.library)
    watch.start()
    watch.end_polls_on_signals()
    app.state.studio_watch = watch
    return watch


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _watch(request: Request) -> LibraryWatch:
    watch = getattr(request.app.state, "studio_watch", None)
    if watch is None:  # a server whose lifespan did not start one
        watch = start_watch(request.app)
    return watch


def _shelf(request: Request) -> Shelf:
    return Shelf(_ctx(request).settings.scenario_paths, on_change=_watch(request).poll)


_PARAMS = {
    "id": re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$"),  # a scenario's id, or its file's name
    "version": re.compile(r"^[0-9a-f]{16}$"),
}


def _param(request: Request, name: str) -> str:
    """A path parameter of the form it must have (never `..`): else the scenario does not exist."""
    value = str(request.path_params[name])
    if not _PARAMS[name].match(value):
        raise ShelfError("not_found", f"no such {'scenario' if name == 'id' else 'version'}")
    return value


def _refused(code: str, message: str, status: int | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}, **extra}, status_code=status or HTTP_STATUS.get(code, 400)
    )


Handler = Callable[[Request], Awaitable[Response]]


def studio(handler: Handler) -> Handler:
    """Map the studio's refusals to their JSON answers."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Conflict as exc:
            current = exc.current
            return _refused(
                "conflict",
                exc.message,
                version=current.version if current else None,
                changes=exc.changed,
                document=current.document() if current else None,
            )
        except Invalid as exc:
            return _refused("invalid", exc.message, 422, problems=[p.json() for p in exc.problems])
        except ShelfError as exc:
            return _refused(exc.code, exc.message)
        except uploads.UploadRefused as exc:
            return _refused("invalid" if exc.status != 409 else "conflict", exc.message, exc.status, **exc.extra)
        except Refusal as exc:
            return error_response(exc)
        except Exception:  # noqa: BLE001 - the client gets the documented body, the log the trace
            log.exception("%s %s failed", request.method, request.url.path)
            return _refused("internal", "an unexpected server fault")

    return wrapped


async def _read_capped(request: Request, cap: int) -> bytes:
    """The body, read in chunks and refused once past `cap` (what is past it is read and dropped,
    so the sender hears the refusal instead of a broken connection)."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > cap
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            too_large = True
        if not too_large:
            chunks.append(chunk)
    if too_large:
        raise uploads.UploadRefused(
            413, f"the upload is larger than {cap // (1024 * 1024)} MB: nothing was saved (attachments: 5 MB each)"
        )
    return b"".join(chunks)


async def _json(request: Request) -> dict[str, Any]:
    body = await _read_capped(request, MAX_DOCUMENT_BYTES)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ShelfError("invalid", "the body must be JSON") from None
    if not isinstance(data, dict):
        raise ShelfError("invalid", "the body must be a JSON object")
    return data


async def _uploaded(request: Request) -> uploads.UploadedFile:
    """The uploaded file: a raw body (its name in ?name= or X-File-Name) or multipart field `file`."""
    data = await _read_capped(request, uploads.MAX_UPLOAD_BYTES)
    ctype = request.headers.get("content-type", "")
    query = dict(request.query_params)
    name = query.get("name") or request.headers.get("x-file-name", "")
    if ctype.lower().startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + data
        )
        for part in message.iter_parts() if message.is_multipart() else ():
            if part.get_param("name", header="content-disposition") == "file":
                payload = part.get_payload(decode=True)
                return uploads.UploadedFile(
                    part.get_filename() or name,
                    part.get_content_type(),
                    payload if isinstance(payload, bytes) else b"",
                    query,
                )
        raise ShelfError("invalid", "send the file as the form field 'file'")
    return uploads.UploadedFile(name, ctype, data, query)


def _summary(entry: ScenarioFile, library: Library) -> dict[str, Any]:
    """One line of the list; its counts from the library the server loaded (a save reloads it at
    once, a change on disk within a second), else from a check of the file."""
    scenario = library.scenarios.get(entry.id)
    failed = next((f for f in library.failed if f.path == entry.path), None)
    if scenario is not None and library.folders.get(entry.id) == entry.path.parent:
        errors, warnings = 0, len(scenario.missing_translations)
    elif failed is not None:
        errors, warnings = len(failed.problems), 0
    else:
        problems = entry.problems()
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
    return {
        "id": entry.id,
        "title": entry.title(),
        "file": entry.path.name,
        "version": entry.version,
        "problems": errors,
        "warnings": warnings,
        "modified": entry.modified,
        "loaded": scenario is not None,
    }


def _full(entry: ScenarioFile) -> dict[str, Any]:
    return {
        "id": entry.id,
        "file": entry.path.name,
        "version": entry.version,
        "document": entry.document(),
        "problems": [p.json() for p in entry.problems()],
    }


# -- the handlers --------------------------------------------------------------------


@studio
async def list_scenarios(request: Request) -> Response:
    shelf, watch = _shelf(request), _watch(request)
    library = _ctx(request).library
    return JSONResponse(
        {
            "scenarios": [_summary(f, library) for f in shelf.files()],
            "deleted": [
                {"id": sid, "version": v.version, "deleted": v.saved, "title": _title(v.text(), sid)}
                for sid, v in shelf.deleted()
            ],
            "changes": watch.changes,
            "folder": str(shelf.folder),
        }
    )


def _title(text: str, default: str) -> str:
    try:
        doc = parse_text(text)
    except NotAScenario:
        return default
    title = doc.get("title") if isinstance(doc, dict) else None
    return title if isinstance(title, str) else default


@studio
async def get_scenario(request: Request) -> Response:
    return JSONResponse(_full(_shelf(request).require(_param(request, "id"))))


@studio
async def validate(request: Request) -> Response:
    data = await _json(request)
    raw = data.get("id")
    sid = raw if isinstance(raw, str) else "scenario"
    shelf = _shelf(request)
    entry = shelf.get(sid)
    problems = shelf.check(data.get("document"), sid, entry.path.parent if entry else None)
    return JSONResponse({"problems": [p.json() for p in problems]})


def _starter_inject() -> dict[str, Any]:
    return {
        "id": "I-01",
        "at": "manual",
        "from": "Exercise control",
        "to": {"rooms": ["plenary"]},
        "channel": "email",
        "title": "Start of the exercise",
        "body": "Replace this inject with the first one of your MSEL.\n",
    }


@studio
async def create_scenario(request: Request) -> Response:
    data = await _json(request)
    shelf = _shelf(request)
    sid, title, source = data.get("id"), data.get("title"), data.get("from")
    text = None
    if "document" in data:
        document = data["document"]
        if not isinstance(sid, str) and isinstance(document, dict):
            sid = document.get("id")
    elif source == "template":
        if not isinstance(title, str) or not title.strip():
            raise ShelfError("invalid", "give the new scenario a title")
        document = {"format": 1, **template_doc(title.strip()), "msel": [_starter_inject()]}
        document["setting"] = (
            "Replace this text with the setting: the country, what has happened, and the situation at the start.\n"
        )
    elif isinstance(source, str):
        original = shelf.require(source)
        document = original.document()
        if not isinstance(document, dict):
            raise ShelfError("invalid", f"{original.path.name} is not a scenario the studio can copy")
        text = original.text
        new_title = (
            title.strip() if isinstance(title, str) and title.strip() else f"{document.get('title', source)} (copy)"
        )
        if new_title != document.get("title"):
            document = {**document, "title": new_title}
    else:
        raise ShelfError(
            "invalid", "say what the scenario starts from: 'template', an existing scenario, or a document"
        )
    if not isinstance(sid, str):
        raise ShelfError("invalid", "give the new scenario an id (lowercase letters, digits and '-')")
    entry = shelf.create(sid, document, text)
    return JSONResponse({"id": entry.id, "version": entry.version, "file": entry.path.name}, status_code=201)


@studio
async def save_scenario(request: Request) -> Response:
    data = await _json(request)
    version = data.get("version")
    if not isinstance(version, str):
        raise ShelfError("invalid", "say which version the document was based on ('version')")
    entry = _shelf(request).save(_param(request, "id"), version, data.get("document"))
    return JSONResponse({"version": entry.version, "file": entry.path.name})


@studio
async def delete_scenario(request: Request) -> Response:
    version = request.query_params.get("version")
    if not version:
        raise ShelfError("invalid", "say which version you delete (?version=), so a newer one is not lost")
    deleted = _shelf(request).delete(_param(request, "id"), version)
    return JSONResponse({"deleted": _param(request, "id"), "version": deleted})


@studio
async def history(request: Request) -> Response:
    shelf, sid = _shelf(request), _param(request, "id")
    entry = shelf.get(sid)
    versions = shelf.versions(sid)
    if entry is None and not versions:
        raise ShelfError("not_found", f"no scenario {sid!r}")
    listed = []
    if entry is not None:
        listed.append(
            {
                "version": entry.version,
                "saved": entry.modified,
                "title": entry.title(),
                "bytes": len(entry.text.encode()),
                "current": True,
            }
        )
    for v in versions:
        if entry is not None and v.version == entry.version:
            continue
        text = v.text()
        listed.append(
            {
                "version": v.version,
                "saved": v.saved,
                "title": _title(text, sid),
                "bytes": len(text.encode()),
                "current": False,
            }
        )
    return JSONResponse({"id": sid, "current": entry.version if entry else None, "versions": listed})


@studio
async def history_version(request: Request) -> Response:
    shelf, sid, version = _shelf(request), _param(request, "id"), _param(request, "version")
    text = shelf.version_text(sid, version)
    if text is None:
        raise ShelfError("not_found", f"no version {version} of {sid!r}")
    try:
        doc = parse_text(text)
    except NotAScenario:
        doc = None
    problems = shelf.check(doc, sid) if doc is not None else []
    from ..core.yamlsrc import plain

    return JSONResponse(
        {"id": sid, "version": version, "document": plain(doc), "problems": [p.json() for p in problems]}
    )


@studio
async def restore(request: Request) -> Response:
    data = await _json(request)
    base = data.get("version")
    entry = _shelf(request).restore(
        _param(request, "id"), _param(request, "version"), base if isinstance(base, str) else None
    )
    return JSONResponse({"version": entry.version, "file": entry.path.name})


@studio
async def upload(request: Request) -> Response:
    uploaded = await _uploaded(request)
    result = uploads.receive(uploaded, _shelf(request))
    return JSONResponse(result.body, status_code=result.status)


@studio
async def download(request: Request) -> Response:
    entry = _shelf(request).require(_param(request, "id"))
    fmt = request.query_params.get("format", "yaml")
    if fmt == "yaml":
        return _attachment(entry.text.encode("utf-8"), "application/yaml", entry.path.name)
    if fmt == "zip":
        return _attachment(pack(entry.path, entry.text), "application/zip", f"{entry.path.stem}.zip")
    if fmt in ("xlsx", "csv"):
        return _msel_export(entry, fmt)
    raise ShelfError("invalid", "format must be yaml, zip, xlsx or csv")


def _msel_export(entry: ScenarioFile, fmt: str) -> Response:
    import tempfile
    from pathlib import Path

    from ..msel.exporter import export_msel

    doc = parse_text(entry.text)
    scenario, problems = parse_scenario(doc, entry.path.stem)
    if scenario is None:
        raise ShelfError("invalid", f"the scenario has {len(problems)} problem(s): fix them before exporting its MSEL")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{entry.path.stem}.{fmt}"
        export_msel(scenario, path)
        data = path.read_bytes()
    ctype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(data, ctype, f"{entry.path.stem}-msel.{fmt}")


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@studio
async def upload_attachment(request: Request) -> Response:
    shelf = _shelf(request)
    entry = shelf.require(_param(request, "id"))
    uploaded = await _uploaded(request)
    replace = request.query_params.get("replace") in ("1", "true")
    target = uploads.store_attachment(entry.path.parent, uploaded.name, uploaded.data, replace)
    shelf.on_change()
    return JSONResponse({"file": target.name, "bytes": len(uploaded.data)}, status_code=201)


@studio
async def upload_basemap(request: Request) -> Response:
    shelf = _shelf(request)
    uploaded = await _uploaded(request)
    name = request.query_params.get("name") or uploaded.name.removesuffix(".geojson")
    replace = request.query_params.get("replace") in ("1", "true")
    uploads.store_basemap(shelf.folder, name, uploaded.data, replace)
    shelf.on_change()
    return JSONResponse({"basemap": name}, status_code=201)


@studio
async def files(request: Request) -> Response:
    folder = _shelf(request).folder

    def listing(sub: str) -> list[Any]:
        try:
            return sorted((p for p in (folder / sub).iterdir() if p.is_file()), key=lambda p: p.name)
        except OSError:
            return []

    return JSONResponse(
        {
            "attachments": [{"file": p.name, "bytes": p.stat().st_size} for p in listing("attachments")],
            "basemaps": [p.stem for p in listing("basemaps") if p.suffix == ".geojson"],
        }
    )


@studio
async def changes(request: Request) -> Response:
    watch = _watch(request)
    raw = request.query_params.get("since", "")
    since = int(raw) if raw.isdigit() else -1
    if since == -1 or since != watch.changes:
        return JSONResponse({"changes": watch.changes, "changed": since != -1, "waiting": watch.waiting})
    # Until a change, the end of the window, shutdown, or the browser leaving (a page closed).
    waiting = asyncio.ensure_future(watch.wait(since))
    leaving = asyncio.ensure_future(_disconnected(request))
    await asyncio.wait({waiting, leaving}, return_when=asyncio.FIRST_COMPLETED)
    leaving.cancel()
    if not waiting.done():
        waiting.cancel()
        return Response(status_code=204)
    now = waiting.result()
    return JSONResponse({"changes": now, "changed": now != since, "waiting": watch.waiting})


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class ControlCellOnly:
    """Lets the facilitator's requests through; to anyone else the studio does not exist: the same
    404 (Starlette's, for a path it has no route for) for every path and method under it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            try:
                session = bearer_session(request, "")
            except Refusal:
                session = None
            if session is None or session.role != FACILITATOR:
                raise HTTPException(status_code=404)
        await self.app(scope, receive, send)


_STUDIO = Router(
    [
        Route("/scenarios", list_scenarios, methods=["GET"]),
        Route("/scenarios", create_scenario, methods=["POST"]),
        Route("/scenarios/{id}", get_scenario, methods=["GET"]),
        Route("/scenarios/{id}", save_scenario, methods=["PUT"]),
        Route("/scenarios/{id}", delete_scenario, methods=["DELETE"]),
        Route("/scenarios/{id}/history", history, methods=["GET"]),
        Route("/scenarios/{id}/history/{version}", history_version, methods=["GET"]),
        Route("/scenarios/{id}/history/{version}/restore", restore, methods=["POST"]),
        Route("/scenarios/{id}/download", download, methods=["GET"]),
        Route("/scenarios/{id}/attachments", upload_attachment, methods=["POST"]),
        Route("/basemaps", upload_basemap, methods=["POST"]),
        Route("/files", files, methods=["GET"]),
        Route("/validate", validate, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/changes", changes, methods=["GET"]),
    ]
)

ROUTES = [Mount("/api/studio", app=ControlCellOnly(_STUDIO))]
