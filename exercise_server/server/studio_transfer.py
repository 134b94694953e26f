"""The scenario studio's files in and out (docs/studio-api.md, "Upload and download"): uploads of
scenarios, zips, spreadsheets, attachments and base maps; downloads as YAML, zip, XLSX, CSV."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.scenario_check import parse_scenario
from ..msel.exporter import export_msel
from ..studio import uploads
from ..studio.bundle import pack
from ..studio.document import parse_text
from ..studio.shelf import ScenarioFile, ShelfError
from .studio_http import path_param, shelf_of, studio, uploaded_file


@studio
async def upload(request: Request) -> Response:
    uploaded = await uploaded_file(request)
    result = uploads.receive(uploaded, shelf_of(request))
    return JSONResponse(result.body, status_code=result.status)


@studio
async def download(request: Request) -> Response:
    entry = shelf_of(request).require(path_param(request, "id"))
    fmt = request.query_params.get("format", "yaml")
    if fmt == "yaml":
        return _attachment(entry.text.encode("utf-8"), "application/yaml", entry.path.name)
    if fmt == "zip":
        return _attachment(pack(entry.path, entry.text), "application/zip", f"{entry.path.stem}.zip")
    if fmt in ("xlsx", "csv"):
        return _msel_export(entry, fmt)
    raise ShelfError("invalid", "format must be yaml, zip, xlsx or csv")


def _msel_export(entry: ScenarioFile, fmt: str) -> Response:
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
    shelf = shelf_of(request)
    entry = shelf.require(path_param(request, "id"))
    uploaded = await uploaded_file(request)
    replace = request.query_params.get("replace") in ("1", "true")
    target = uploads.store_attachment(entry.path.parent, uploaded.name, uploaded.data, replace)
    shelf.on_change()
    return JSONResponse({"file": target.name, "bytes": len(uploaded.data)}, status_code=201)


@studio
async def upload_basemap(request: Request) -> Response:
    shelf = shelf_of(request)
    uploaded = await uploaded_file(request)
    name = request.query_params.get("name") or uploaded.name.removesuffix(".geojson")
    replace = request.query_params.get("replace") in ("1", "true")
    uploads.store_basemap(shelf.require_folder(), name, uploaded.data, replace)
    shelf.on_change()
    return JSONResponse({"basemap": name}, status_code=201)


@studio
async def basemap(request: Request) -> Response:
    """A base map of the scenarios folder by name, for a scenario not saved yet (the page
    `/basemaps/{name}.geojson` serves only those of scenarios the server has loaded)."""
    path = shelf_of(request).require_folder() / "basemaps" / f"{path_param(request, 'id')}.geojson"
    if not path.is_file():
        raise ShelfError("not_found", "no such base map in the scenarios folder")
    return Response(path.read_bytes(), media_type="application/geo+json", headers={"Cache-Control": "no-store"})


@studio
async def files(request: Request) -> Response:
    folder = shelf_of(request).folder

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
