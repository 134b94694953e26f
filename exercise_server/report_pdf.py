"""The after-action report as a PDF: the same HTML printed by Chromium's own print (headless
`--print-to-pdf`), so the page breaks, repeated table headers and page numbers are the report's
print styles, as a trainer's Save as PDF would give them. Nothing to install in Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
PRINT_TIMEOUT = 180.0  # seconds: a long report on a busy machine


class PdfError(RuntimeError):
    """No Chromium to print with, or its print failed: the message says what to do."""


def find_chromium() -> str | None:
    """$CHROMIUM, else a Chromium or Chrome on PATH."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def print_pdf(html: str, output: Path, chromium: str | None = None) -> None:
    """Write `html` printed to PDF (A4, the report's @page rules) to `output`."""
    browser = chromium or find_chromium()
    if browser is None:
        raise PdfError(
            "--pdf prints with Chromium and none was found: install it (`sudo apt-get install chromium`) "
            "or set CHROMIUM to its path; or open the HTML report and save it as PDF from any browser"
        )
    output = Path(output).resolve()
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",  # run as root in containers; the page is our own file, with no script
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={output}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"Chromium could not print the report: {exc}") from exc
    if done.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        raise PdfError(f"Chromium could not print the report (exit {done.returncode}): {done.stderr.decode()[-500:]}")
