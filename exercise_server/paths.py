"""Where the server's own files are: web/ (templates and static files), beside the package."""

from __future__ import annotations

import os
from pathlib import Path


def web_dir() -> Path:
    """web/ beside the package, or $EXERCISE_WEB_DIR (an installed copy elsewhere)."""
    return Path(os.environ.get("EXERCISE_WEB_DIR", Path(__file__).resolve().parents[1] / "web"))
