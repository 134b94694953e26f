"""`make test` on a fresh machine finds or installs the Chromium it needs, or stops at once with the command
to run. A clean container is not available here, so the pieces are removed from PATH instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .server_harness import ROOT

FINDER = [sys.executable, str(ROOT / "tests" / "chromium.py")]


def bare_env(tmp_path: Path, *tools: str) -> dict[str, str]:
    """An environment whose PATH holds only the named tools (no Chromium, no apt-get unless named), whose
    Playwright cache is empty and whose Playwright download host answers nothing (a refused loopback port)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"this test needs {tool} on the machine"
        (bin_dir / tool).symlink_to(found)
    return {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path / "home"),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "playwright-browsers"),
        "PLAYWRIGHT_DOWNLOAD_HOST": "http://127.0.0.1:9",
    }


def test_a_system_chromium_on_the_path_is_used(tmp_path):
    env = bare_env(tmp_path)
    fake = tmp_path / "bin" / "chromium-browser"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    done = subprocess.run(FINDER, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Chromium for the browser tests: {fake}"


def test_chromium_is_installed_from_debian_when_root_else_from_playwright(tmp_path):
    env = bare_env(tmp_path, "apt-get")
    plan = subprocess.run([*FINDER, "--plan"], env=env, capture_output=True, text=True, timeout=60).stdout.splitlines()
    assert plan[-1] == f"{sys.executable} -m playwright install chromium"
    if os.geteuid() == 0 and Path("/etc/debian_version").exists():
        assert plan[:3] == ["apt-get update -qq", "apt-get install -y -qq chromium",
                            "apt-get install -y -qq chromium-browser"]
    else:
        assert len(plan) == 1


def test_with_no_chromium_and_no_way_to_install_one_make_stops_at_once_with_the_command(tmp_path):
    env = bare_env(tmp_path, "make")  # no apt-get, no Chromium, Playwright's download refused
    done = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "browser"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "sudo apt-get install chromium" in done.stderr
    assert "python -m playwright install chromium" in done.stderr


def test_a_wrong_chromium_setting_is_said_not_worked_around(tmp_path):
    env = dict(bare_env(tmp_path), CHROMIUM=str(tmp_path / "no-such-chromium"))
    done = subprocess.run(FINDER, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "not an executable file" in done.stderr
