"""A scenario folder as one zip file (the scenario, its base map, the attachments it uses), out
and back in. Going in, a member is refused unless it is one of those three things, by a plain
relative name, of a size and type `validate` accepts: nothing outside the scenarios folder can be
written, and nothing is written at all unless every member passes.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.scenario import ATTACHMENT_TYPES, attachment_files
from ..core.yamlsrc import plain
from ..scenarios import MAX_ATTACHMENT_BYTES, attachment_path, basemap_path
from .document import NotAScenario, parse_text

MAX_MEMBERS = 200
MAX_SCENARIO_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class BundleError(ValueError):
    """A zip refused, with what a person can act on."""


@dataclass
class Bundle:
    """What a zip holds, checked: the scenario's text and the files to put beside it."""

    scenario_name: str
    text: str
    document: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # "attachments/x.pdf" | "basemaps/y.geojson" -> bytes


def attachments_of(document: Any) -> list[str]:
    """The attachment file names the document's injects list (each language's)."""
    out: list[str] = []
    msel = document.get("msel") if isinstance(document, dict) else None
    for item in msel if isinstance(msel, list) else []:
        files = item.get("attachments") if isinstance(item, dict) else None
        for entry in files if isinstance(files, list) else []:
            for name in attachment_files(entry if isinstance(entry, dict) else {"file": entry}):
                if _NAME.match(name) and name not in out:
                    out.append(name)
    return out


def pack(scenario_file: Path, text: str) -> bytes:
    """The zip of a scenario: `<id>.yaml`, `basemaps/<name>.geojson`, `attachments/<file>` (those present)."""
    document = plain(parse_text(text))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(scenario_file.name, text.encode("utf-8"))
        basemap = document.get("basemap") if isinstance(document, dict) else None
        if isinstance(basemap, str) and _NAME.match(basemap):
            path = basemap_path(scenario_file, basemap)
            if path.is_file():
                z.write(path, f"basemaps/{path.name}")
        for name in attachments_of(document):
            path = attachment_path(scenario_file.parent, name)
            if path.is_file():
                z.write(path, f"attachments/{name}")
    return buffer.getvalue()


def _member_kind(info: zipfile.ZipInfo) -> str:
    """'dir', 'file', or refused (a link, a device)."""
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        raise BundleError(f"{info.filename}: a symbolic link; a scenario zip holds plain files only")
    if info.is_dir():
        return "dir"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        raise BundleError(f"{info.filename}: not a plain file")
    return "file"


def unpack(data: bytes) -> Bundle:
    """Read and check a zip of a scenario folder; BundleError says what is wrong with it."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BundleError(f"not a zip file ({exc})") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BundleError(f"{len(infos)} files in the zip: a scenario zip holds at most {MAX_MEMBERS}")
        total = 0
        scenarios: list[zipfile.ZipInfo] = []
        files: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\\" in name:
                raise BundleError(f"{name}: an absolute path; a scenario zip holds relative paths only")
            parts = name.rstrip("/").split("/")
            if any(p in ("..", ".", "") for p in parts):
                raise BundleError(f"{name}: a path with '..' or an empty part; nothing was written")
            if _member_kind(info) == "dir":
                if parts not in (["attachments"], ["basemaps"]):
                    raise BundleError(f"{name}: a scenario zip has only attachments/ and basemaps/ as folders")
                continue
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise BundleError(f"more than {MAX_UNPACKED_BYTES:,} bytes unpacked: too large for a scenario")
            if len(parts) == 1 and Path(name).suffix in (".yaml", ".yml"):
                if info.file_size > MAX_SCENARIO_BYTES:
                    raise BundleError(f"{name}: {info.file_size:,} bytes, more than a scenario file may have")
                scenarios.append(info)
            elif len(parts) == 2 and parts[0] == "attachments":
                suffix = Path(parts[1]).suffix.lower()
                if not _NAME.match(parts[1]) or suffix not in ATTACHMENT_TYPES:
                    raise BundleError(
                        f"{name}: an attachment must be named with letters, digits, '.', '-', '_' and end in "
                        f"{', '.join(ATTACHMENT_TYPES)}"
                    )
                if info.file_size > MAX_ATTACHMENT_BYTES:
                    raise BundleError(
                        f"{name}: {info.file_size:,} bytes, more than the {MAX_ATTACHMENT_BYTES:,} "
                        "an attachment may have"
                    )
                files.append((name, info))
            elif len(parts) == 2 and parts[0] == "basemaps" and parts[1].endswith(".geojson"):
                if not _NAME.match(parts[1]) or info.file_size > MAX_ATTACHMENT_BYTES:
                    raise BundleError(f"{name}: a base map is a GeoJSON file of at most {MAX_ATTACHMENT_BYTES:,} bytes")
                files.append((name, info))
            else:
                raise BundleError(
                    f"{name}: not part of a scenario folder (one .yaml scenario, attachments/<file>, "
                    "basemaps/<name>.geojson)"
                )
        if len(scenarios) != 1:
            raise BundleError(
                "no scenario (.yaml file) at the top of the zip"
                if not scenarios
                else f"{len(scenarios)} scenario files in the zip: upload one scenario at a time"
            )
        try:
            text = _read(z, scenarios[0]).decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError(f"{scenarios[0].filename}: not UTF-8 text") from None
        try:
            document = plain(parse_text(text))
        except NotAScenario as exc:
            raise BundleError(f"{scenarios[0].filename}: not YAML ({exc})") from None
        if not isinstance(document, dict):
            raise BundleError(f"{scenarios[0].filename}: not a scenario (a scenario file is a YAML mapping)")
        bundle = Bundle(scenarios[0].filename, text, document)
        for name, info in files:
            bundle.files[name] = _read(z, info)
        for name, content in bundle.files.items():
            if name.startswith("basemaps/"):
                problem = geojson_problem(content)
                if problem:
                    raise BundleError(f"{name}: {problem}")
        return bundle


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, no more than it declares (a zip bomb lies about its size)."""
    with z.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise BundleError(f"{info.filename}: its size does not match the zip's directory")
    return data


def geojson_problem(content: bytes) -> str | None:
    """What `validate` says of a base map (scenarios.basemap_problem), for bytes not yet written."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"cannot read it as JSON ({exc})"
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        return "must be a GeoJSON FeatureCollection"
    return None
