"""The page benchmark's quick mode (python -m bench page): Chromium on the emulated classroom link
measures every view, the capstone's reconnect and a few laptops joining (it does not judge speed).

A module of its own so that the two workers of `make test` run it beside the load benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_page_benchmark_measures_every_view_on_the_emulated_link():
    run = subprocess.run([sys.executable, "-m", "bench", "page", "--quick"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    for view in ("floor", "landing", "team", "observe", "replay", "control", "plenary"):
        assert f"| {view} |" in run.stdout, view
    assert "Capstone (500 events)" in run.stdout and "3 laptops opening the team view" in run.stdout
