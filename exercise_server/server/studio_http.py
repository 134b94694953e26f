"""What the scenario studio's handlers share: the shelf and the live library of the request's
server, path parameters of the right form, the studio's refusals as JSON, request bodies read
within a cap (docs/studio-api.md)."""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.errors import Refusal
from ..studio import uploads
from ..studio.shelf import Conflict, Invalid, Shelf, ShelfError
from ..studio.watch import LibraryWatch
from .context import AppContext
from .errors import HTTP_STATUS
from .http_api import error_response

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


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def library_watch(request: Request) -> LibraryWatch:
    watch = getattr(request.app.state, "studio_watch", None)
    if watch is None:  # a server whose lifespan did not start one
        watch = start_watch(request.app)
    return watch


def shelf_of(request: Request) -> Shelf:
    return Shelf(app_context(request).settings.scenario_paths, on_change=library_watch(request).poll)


_PARAMS = {
    "id": re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$"),  # a scenario's id, or its file's name
    "version": re.compile(r"^[0-9a-f]{16}$"),
}


def path_param(request: Request, name: str) -> str:
    """A path parameter of the form it must have (never `..`): else the scenario does not exist."""
    value = str(request.path_params[name])
    if not _PARAMS[name].match(value):
        raise ShelfError("not_found", f"no such {'scenario' if name == 'id' else 'version'}")
    return value


def refused(code: str, message: str, status: int | None = None, **extra: Any) -> JSONResponse:
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
            return refused(
                "conflict",
                exc.message,
                version=current.version if current else None,
                changes=exc.changed,
                document=current.document() if current else None,
            )
        except Invalid as exc:
            return refused("invalid", exc.message, 422, problems=[p.json() for p in exc.problems])
        except ShelfError as exc:
            return refused(exc.code, exc.message)
        except uploads.UploadRefused as exc:
            return refused("invalid" if exc.status != 409 else "conflict", exc.message, exc.status, **exc.extra)
        except Refusal as exc:
            return error_response(exc)
        except Exception:  # noqa: BLE001 - the client gets the documented body, the log the trace
            log.exception("%s %s failed", request.method, request.url.path)
            return refused("internal", "an unexpected server fault")

    return wrapped


async def read_capped(request: Request, cap: int) -> bytes:
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


async def json_body(request: Request) -> dict[str, Any]:
    body = await read_capped(request, MAX_DOCUMENT_BYTES)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ShelfError("invalid", "the body must be JSON") from None
    if not isinstance(data, dict):
        raise ShelfError("invalid", "the body must be a JSON object")
    return data


async def uploaded_file(request: Request) -> uploads.UploadedFile:
    """The uploaded file: a raw body (its name in ?name= or X-File-Name) or multipart field `file`."""
    data = await read_capped(request, uploads.MAX_UPLOAD_BYTES)
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
