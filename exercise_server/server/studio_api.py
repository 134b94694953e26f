"""The scenario studio's HTTP API (docs/studio-api.md): the control cell's only. Anyone else gets
the same 404 as a path the server does not have, for every studio path and method. Scenarios,
their history and the live library's changes here; files in and out in studio_transfer.py."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.access import FACILITATOR
from ..core.errors import Refusal
from ..core.yamlsrc import plain
from ..msel.template import template_doc
from ..scenarios import Library
from ..studio.document import NotAScenario, parse_text
from ..studio.shelf import ScenarioFile, ShelfError
from . import studio_transfer as transfer
from .http_api import bearer_session
from .studio_http import app_context, json_body, library_watch, path_param, shelf_of, start_watch, studio

__all__ = ["ROUTES", "start_watch"]


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
    shelf, watch = shelf_of(request), library_watch(request)
    library = app_context(request).library
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
    return JSONResponse(_full(shelf_of(request).require(path_param(request, "id"))))


@studio
async def validate(request: Request) -> Response:
    data = await json_body(request)
    raw = data.get("id")
    sid = raw if isinstance(raw, str) else "scenario"
    shelf = shelf_of(request)
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
    data = await json_body(request)
    shelf = shelf_of(request)
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
    data = await json_body(request)
    version = data.get("version")
    if not isinstance(version, str):
        raise ShelfError("invalid", "say which version the document was based on ('version')")
    entry = shelf_of(request).save(path_param(request, "id"), version, data.get("document"))
    return JSONResponse({"version": entry.version, "file": entry.path.name})


@studio
async def delete_scenario(request: Request) -> Response:
    version = request.query_params.get("version")
    if not version:
        raise ShelfError("invalid", "say which version you delete (?version=), so a newer one is not lost")
    deleted = shelf_of(request).delete(path_param(request, "id"), version)
    return JSONResponse({"deleted": path_param(request, "id"), "version": deleted})


@studio
async def history(request: Request) -> Response:
    shelf, sid = shelf_of(request), path_param(request, "id")
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
    shelf, sid, version = shelf_of(request), path_param(request, "id"), path_param(request, "version")
    text = shelf.version_text(sid, version)
    if text is None:
        raise ShelfError("not_found", f"no version {version} of {sid!r}")
    try:
        doc = parse_text(text)
    except NotAScenario:
        doc = None
    problems = shelf.check(doc, sid) if doc is not None else []
    return JSONResponse(
        {"id": sid, "version": version, "document": plain(doc), "problems": [p.json() for p in problems]}
    )


@studio
async def restore(request: Request) -> Response:
    data = await json_body(request)
    base = data.get("version")
    entry = shelf_of(request).restore(
        path_param(request, "id"), path_param(request, "version"), base if isinstance(base, str) else None
    )
    return JSONResponse({"version": entry.version, "file": entry.path.name})


@studio
async def changes(request: Request) -> Response:
    watch = library_watch(request)
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
        Route("/scenarios/{id}/download", transfer.download, methods=["GET"]),
        Route("/scenarios/{id}/attachments", transfer.upload_attachment, methods=["POST"]),
        Route("/basemaps", transfer.upload_basemap, methods=["POST"]),
        Route("/basemaps/{id}", transfer.basemap, methods=["GET"]),
        Route("/files", transfer.files, methods=["GET"]),
        Route("/validate", validate, methods=["POST"]),
        Route("/upload", transfer.upload, methods=["POST"]),
        Route("/changes", changes, methods=["GET"]),
    ]
)

ROUTES = [Mount("/api/studio", app=ControlCellOnly(_STUDIO))]
