"""The scenarios folder as the studio's storage: list, read, save (atomically, against a version),
history, restore and delete (kept in history). The YAML files stay the source of truth: a file an
author changed with an editor or `git pull` is what the next read sees, and its version changes.

History: `<folder>/.history/<id>/<time_ns>-<version>.yaml`, one file per version the studio
replaced or deleted (the current version is the file itself).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # POSIX: one writer at a time across the processes that share the folder
    import fcntl
except ImportError:  # Windows: one server process, whose writes the event loop already serialises
    fcntl = None  # type: ignore[assignment]

from ..core.scenario_fields import ID
from ..core.yamlsrc import LinedDict, YamlSyntaxError, load_lined, plain
from ..msel.files import replace_atomically
from ..scenarios import scenario_files
from .document import FieldProblem, changes, check_document, errors
from .yamltext import write_document

HISTORY = ".history"
_ENTRY = re.compile(r"^(\d+)-([0-9a-f]{16})\.yaml$")


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


class ShelfError(Exception):
    """A request the shelf refuses; `code` is the API's error code (server/errors.py)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Conflict(ShelfError):
    """The file changed since the version a save was based on."""

    def __init__(self, message: str, current: ScenarioFile | None, changed: list[dict[str, Any]]) -> None:
        super().__init__("conflict", message)
        self.current, self.changed = current, changed


class Invalid(ShelfError):
    """The document has problems: nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        count = len(errors(problems))
        super().__init__("invalid", f"the scenario has {count} problem{'s' if count != 1 else ''}: nothing was saved")
        self.problems = problems


@dataclass(frozen=True)
class ScenarioFile:
    id: str
    path: Path
    text: str
    version: str
    modified: float

    def document(self) -> Any:
        """The file as a plain document (None when it is not YAML); a fresh copy each time."""
        return copy.deepcopy(self._document)

    @functools.cached_property
    def _document(self) -> Any:
        try:
            return plain(load_lined(self.text))
        except YamlSyntaxError:
            return None

    def title(self) -> str:
        doc = self._document
        title = doc.get("title") if isinstance(doc, dict) else None
        return title if isinstance(title, str) else self.path.stem

    def problems(self) -> list[FieldProblem]:
        try:
            doc = load_lined(self.text)
        except YamlSyntaxError as exc:
            return [FieldProblem([], exc.line, exc.message)]
        return check_document(doc, self.path.parent, self.path.stem)


@dataclass(frozen=True)
class Version:
    version: str
    saved: float
    path: Path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


FileKey = tuple[int, int, int]  # inode, size, modification time (ns): os.replace gives a new inode
_read_cache: dict[Path, tuple[FileKey, ScenarioFile]] = {}


def file_key(path: Path) -> FileKey | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def read_file(path: Path) -> ScenarioFile | None:
    """The file (remembered while its inode, size and time stay the same: a list reads no file twice)."""
    key = file_key(path)
    cached = _read_cache.get(path)
    if key is not None and cached is not None and cached[0] == key:
        return cached[1]
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    entry = ScenarioFile(scenario_id(text, path.stem), path, text, version_of(data), key[2] / 1e9 if key else 0.0)
    if key is not None:
        _read_cache[path] = (key, entry)
    return entry


def scenario_id(text: str, stem: str) -> str:
    """The id the library loads the file under: its `id:`, else the file name."""
    try:
        doc = load_lined(text)
    except YamlSyntaxError:
        return stem
    raw = doc.get("id") if isinstance(doc, dict) else None
    return raw if isinstance(raw, str) and raw else stem


def _written(document: dict[str, Any], old_text: str | None) -> str:
    try:
        return write_document(document, old_text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ShelfError("invalid", f"the document cannot be written as YAML: {exc}") from None


def write_atomically(path: Path, data: bytes) -> None:
    """The new bytes beside `path`, on disk, then renamed over it (msel/files.py): a reader (or a
    crash) sees the old file or the new one, never half of one."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    replace_atomically(path, write)


class Shelf:
    """The scenario files the server was given (folders and files); new ones go to the first folder."""

    def __init__(self, paths: Sequence[str | Path], on_change: Callable[[], object] | None = None) -> None:
        self.paths = [Path(p) for p in paths]
        folders = [p for p in self.paths if p.is_dir()]
        self.folder = folders[0] if folders else (self.paths[0].parent if self.paths else Path("."))
        self.takes_new = bool(folders)  # a server given only files edits them but adds none beside them
        self.on_change = on_change or (lambda: None)

    # -- reading ---------------------------------------------------------------------

    def files(self) -> list[ScenarioFile]:
        out = []
        for path in scenario_files(self.paths):
            entry = read_file(path)
            if entry is not None:
                out.append(entry)
        return out

    def get(self, scenario_id: str) -> ScenarioFile | None:
        return next((f for f in self.files() if f.id == scenario_id), None)

    def require(self, scenario_id: str) -> ScenarioFile:
        entry = self.get(scenario_id)
        if entry is None:
            raise ShelfError("not_found", f"no scenario {scenario_id!r}")
        return entry

    def history_dir(self, scenario_id: str, folder: Path | None = None) -> Path:
        return (folder or self.folder) / HISTORY / scenario_id

    def versions(self, scenario_id: str) -> list[Version]:
        """The earlier versions kept of `scenario_id`, newest first."""
        entry = self.get(scenario_id)
        folder = self.history_dir(scenario_id, entry.path.parent if entry else None)
        out = []
        with contextlib.suppress(OSError):
            for path in folder.iterdir():
                m = _ENTRY.match(path.name)
                if m:
                    out.append(Version(m.group(2), int(m.group(1)) / 1e9, path))
        return sorted(out, key=lambda v: v.saved, reverse=True)

    def version_text(self, scenario_id: str, version: str) -> str | None:
        entry = self.get(scenario_id)
        if entry is not None and entry.version == version:
            return entry.text
        found = next((v for v in self.versions(scenario_id) if v.version == version), None)
        return found.text() if found else None

    def deleted(self) -> list[tuple[str, Version]]:
        """The scenarios whose file is gone and whose history is kept: id and last version."""
        present = {f.id for f in self.files()}
        out = []
        with contextlib.suppress(OSError):
            for folder in sorted((self.folder / HISTORY).iterdir()):
                if folder.is_dir() and folder.name not in present:
                    versions = self.versions(folder.name)
                    if versions:
                        out.append((folder.name, versions[0]))
        return out

    # -- writing ---------------------------------------------------------------------

    def require_folder(self) -> Path:
        """The folder new scenarios go to; refused when the server was given scenario files only."""
        if not self.takes_new:
            raise ShelfError(
                "invalid",
                "this server was started with scenario files, not a folder: start it with a scenarios "
                "folder (such as injects/) to add scenarios",
            )
        return self.folder

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time, also across the server processes that share the folder."""
        (self.folder / HISTORY).mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        with open(self.folder / HISTORY / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _keep(self, entry: ScenarioFile) -> None:
        """Put the file's current bytes in its history (unless the newest kept version is the same)."""
        folder = self.history_dir(entry.id, entry.path.parent)
        folder.mkdir(parents=True, exist_ok=True)
        versions = self.versions(entry.id)
        if versions and versions[0].version == entry.version:
            return
        write_atomically(folder / f"{time.time_ns()}-{entry.version}.yaml", entry.text.encode("utf-8"))

    def _conflict(self, entry: ScenarioFile | None, base: str | None, mine: Any) -> Conflict:
        current = entry.document() if entry else None
        before_text = self.version_text(entry.id, base) if entry and base else None
        before = None
        if before_text is not None:
            with contextlib.suppress(YamlSyntaxError):
                before = plain(load_lined(before_text))
        changed = changes(before if before is not None else mine, current)
        what = "changed" if entry else "deleted"
        return Conflict(
            f"the scenario was {what} since version {base} (by another facilitator, or on disk): nothing was saved; "
            "look at what changed, then save again on the current version",
            entry,
            changed,
        )

    def check(self, document: Any, scenario_id: str, folder: Path | None = None) -> list[FieldProblem]:
        return check_document(document, folder or self.folder, scenario_id)

    def save(self, scenario_id: str, base: str | None, document: Any) -> ScenarioFile:
        """Write `document` over the scenario if its file is still at version `base`."""
        if not isinstance(document, dict):
            raise ShelfError("invalid", "the document must be a mapping (the scenario file as JSON)")
        if document.get("id", scenario_id) != scenario_id:
            raise ShelfError(
                "invalid", "the document's id is not the scenario's: duplicate it under the new id instead"
            )
        with self._locked():
            entry = self.get(scenario_id)
            if entry is None:
                raise ShelfError("not_found", f"no scenario {scenario_id!r}")
            if entry.version != base:
                raise self._conflict(entry, base, document)
            problems = self.check(document, entry.path.stem, entry.path.parent)
            if errors(problems):
                raise Invalid(problems)
            text = _written(document, entry.text)
            if text == entry.text:
                return entry
            self._keep(entry)
            write_atomically(entry.path, text.encode("utf-8"))
        self.on_change()
        return self.require(scenario_id)

    def create(self, scenario_id: str, document: Any, text: str | None = None) -> ScenarioFile:
        """A new scenario file `<id>.yaml` (its `id:` set to `scenario_id`); `text`: the bytes to keep."""
        if not isinstance(scenario_id, str) or not ID.match(scenario_id):
            raise ShelfError("invalid", "a scenario id is 1 to 63 lowercase letters, digits and '-'")
        if not isinstance(document, dict):
            raise ShelfError("invalid", "the document must be a mapping (the scenario file as JSON)")
        if document.get("id") != scenario_id:
            document = {"id": scenario_id, **{k: v for k, v in document.items() if k != "id"}}
            if "format" in document:  # `format` stays the first key
                document = {"format": document["format"], **document}
        self.require_folder()
        with self._locked():
            path = self.folder / f"{scenario_id}.yaml"
            if self.get(scenario_id) is not None or path.exists():
                raise ShelfError("conflict", f"a scenario {scenario_id!r} exists already: choose another id")
            if self.versions(scenario_id):
                raise ShelfError(
                    "conflict",
                    f"a deleted scenario {scenario_id!r} is kept in the history: restore it or choose another id",
                )
            problems = self.check(document, scenario_id)
            if errors(problems):
                raise Invalid(problems)
            data = _written(document, text).encode("utf-8")
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(path, data)
        self.on_change()
        return self.require(scenario_id)

    def delete(self, scenario_id: str, base: str | None) -> str:
        with self._locked():
            entry = self.require(scenario_id)
            if entry.version != base:
                raise self._conflict(entry, base, None)
            self._keep(entry)
            entry.path.unlink()
        self.on_change()
        return entry.version

    def restore(self, scenario_id: str, version: str, base: str | None) -> ScenarioFile:
        """Make kept `version` the file again (the one it replaces is kept); also brings a deleted scenario back."""
        if self.get(scenario_id) is None:
            self.require_folder()
        with self._locked():
            entry = self.get(scenario_id)
            if (entry.version if entry else None) != base:
                raise self._conflict(entry, base, None)
            kept = next((v for v in self.versions(scenario_id) if v.version == version), None)
            if kept is None:
                if entry is not None and entry.version == version:
                    return entry
                raise ShelfError("not_found", f"no version {version} of {scenario_id!r} in the history")
            text = kept.text()
            path = entry.path if entry else self.folder / f"{scenario_id}.yaml"
            doc: Any = None
            with contextlib.suppress(YamlSyntaxError):
                doc = load_lined(text)
            if not isinstance(doc, LinedDict):
                raise ShelfError("invalid", "that version is not a scenario any more")
            problems = check_document(doc, path.parent, path.stem)
            if errors(problems):
                raise Invalid(problems)
            if entry is None and path.exists():
                raise ShelfError("conflict", f"{path.name} exists already, with another scenario")
            if entry is not None:
                self._keep(entry)
            write_atomically(path, text.encode("utf-8"))
        self.on_change()
        return self.require(scenario_id)
