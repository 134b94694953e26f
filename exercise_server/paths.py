"""Where the server's own files are: web/ (templates and static files), beside the package; and where it may
keep what it derives from them."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def web_dir() -> Path:
    """web/ beside the package, or $EXERCISE_WEB_DIR (an installed copy elsewhere)."""
    return Path(os.environ.get("EXERCISE_WEB_DIR", Path(__file__).resolve().parents[1] / "web"))


def private_cache_dir(name: str) -> Path | None:
    """A folder of this user's own for what the server derives from its own files and may keep from
    one process to the next: `name` in a folder of the temp directory that only this user may read
    or write (mode 0700, as jinja2 keeps its compiled templates), made if need be. None where no such
    folder can be had (another owner, other modes, no getuid): the caller then keeps what it made in
    memory only, as if it were the first process."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return None
    uid = getuid()
    top = Path(tempfile.gettempdir()) / f"exercise-server-{uid}"
    try:
        top.mkdir(mode=stat.S_IRWXU, exist_ok=True)
        own = top.lstat()
        if own.st_uid != uid or not stat.S_ISDIR(own.st_mode):
            return None
        if stat.S_IMODE(own.st_mode) != stat.S_IRWXU:
            top.chmod(stat.S_IRWXU)
        folder = top / name
        folder.mkdir(mode=stat.S_IRWXU, exist_ok=True)
        return folder
    except OSError:
        return None


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (two servers starting together may write the same file); a
    file that cannot be written is not kept, and nothing is raised."""
    try:
        fd, part = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(part)
