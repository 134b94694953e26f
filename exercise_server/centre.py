"""The training centre's details for certificates of participation: `centre.toml`.

Looked for at `--centre PATH`, else `centre.toml` in the data directory. Every field is optional
(docs/facilitating-a-class.md, "Attendance and certificates", shows the file):

    [centre]
    name = "Regional Peace Operations Training Centre"
    place = "Accra"
    logo = "logo.png"            # PNG, JPEG or SVG, beside this file; at most 512 KiB
    [course]
    title = "Civil-military coordination in UN peacekeeping"
    dates = "3-7 March 2027"     # else the days the person attended
    modules = ["Module 3 ...", "Module 4 ..."]   # else the exercises the person attended
    [signature]
    name = "Col. A. Mensah"
    title = "Commandant"
"""

from __future__ import annotations

import base64
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 512 * 1024


class CentreError(ValueError):
    """The centre file cannot be read: the message says where and why."""


@dataclass(frozen=True)
class Centre:
    name: str = ""
    place: str = ""
    logo: str = ""  # a data: URL (the page's CSP allows data: images; nothing else is fetched)
    course: str = ""
    dates: str = ""
    modules: list[str] = field(default_factory=list)
    signatory: str = ""
    signatory_title: str = ""
    source: str = ""  # the file it was read from ("" if none)

    def public(self) -> dict[str, Any]:
        return dict(vars(self))


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise CentreError(f"{where}: {key} must be text")
    return value.strip()


def load_centre(path: Path | None) -> Centre:
    """The centre read from `path`; an empty Centre if there is no file. Raises CentreError."""
    if path is None or not path.is_file():
        return Centre()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CentreError(f"{path}: {exc}") from None
    centre, course, sign = (doc.get(k, {}) for k in ("centre", "course", "signature"))
    if not all(isinstance(t, dict) for t in (centre, course, sign)):
        raise CentreError(f"{path}: [centre], [course] and [signature] must be tables")
    modules = course.get("modules", [])
    if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
        raise CentreError(f"{path}: [course] modules must be a list of text")
    return Centre(
        name=_text(centre, "name", str(path)),
        place=_text(centre, "place", str(path)),
        logo=_logo(path, _text(centre, "logo", str(path))),
        course=_text(course, "title", str(path)),
        dates=_text(course, "dates", str(path)),
        modules=[m.strip() for m in modules if m.strip()],
        signatory=_text(sign, "name", str(path)),
        signatory_title=_text(sign, "title", str(path)),
        source=str(path),
    )


def _logo(config: Path, name: str) -> str:
    if not name:
        return ""
    path = (config.parent / name).resolve()
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise CentreError(f"{config}: logo must be a {', '.join(LOGO_TYPES)} file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CentreError(f"{config}: logo {name}: {exc.strerror}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise CentreError(f"{config}: logo {name} is larger than {MAX_LOGO_BYTES // 1024} KiB")
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"
