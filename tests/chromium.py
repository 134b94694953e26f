"""Find the Chromium the browser tests drive, or install one: what `make test` does on a fresh machine.

Looked for in order: $CHROMIUM, a system Chromium on PATH, a browser Playwright downloaded earlier.
Installed, when none is found (`python tests/chromium.py`): Debian's `chromium` package when running as
root on Debian or Ubuntu, else Playwright's own browser download where it is reachable; else it stops at
once with the one command to run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
APT_PACKAGES = ("chromium", "chromium-browser")  # Debian's name, then Ubuntu's
HOW_TO_INSTALL = (
    "the browser tests need Chromium and none was found or could be installed: run "
    "`sudo apt-get install chromium` (Debian; `chromium-browser` on Ubuntu), or "
    "`.venv/bin/python -m playwright install chromium` where Playwright's download is reachable, "
    "or set CHROMIUM to a Chromium's path"
)


def playwright_chromium(playwright: Any = None) -> str | None:
    """The Chromium that `playwright install chromium` put in its cache, if it is there.
    `playwright` is a running sync Playwright, where the caller has one (a second cannot start beside it)."""
    try:
        if playwright is not None:
            path = playwright.chromium.executable_path
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as started:
                path = started.chromium.executable_path
    except Exception:  # noqa: BLE001 - no Playwright, or its driver failing to start, means: no browser from it
        return None
    return path if path and Path(path).is_file() else None


def find_chromium(playwright: Any = None) -> str | None:
    """The path of a Chromium to drive, without installing anything."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in SYSTEM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return playwright_chromium(playwright)


def _debian_like() -> bool:
    try:
        release = Path("/etc/os-release").read_text()
    except OSError:
        return Path("/etc/debian_version").exists()
    return any(word in release for word in ("ID=debian", "ID=ubuntu", "ID_LIKE=debian", 'ID_LIKE="debian', "ubuntu"))


def install_plan() -> list[list[str]]:
    """The installs to try, in order, on this machine."""
    plan: list[list[str]] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") and _debian_like():
        plan.append(["apt-get", "update", "-qq"])
        plan.extend(["apt-get", "install", "-y", "-qq", package] for package in APT_PACKAGES)
    plan.append([sys.executable, "-m", "playwright", "install", "chromium"])
    return plan


def install() -> str | None:
    """Try each install of the plan until a Chromium can be found."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in install_plan():
        print("installing Chromium for the browser tests:", " ".join(command), file=sys.stderr)
        try:
            done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"  failed: {exc}", file=sys.stderr)
            continue
        if done.returncode != 0:
            print(f"  failed with exit code {done.returncode}", file=sys.stderr)
            continue
        if command[:2] == ["apt-get", "update"]:
            continue
        found = find_chromium()
        if found:
            return found
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", action="store_true", help="print the installs that would be tried, install nothing")
    args = parser.parse_args(argv)
    given = os.environ.get("CHROMIUM")
    if given and not os.access(given, os.X_OK):
        print(f"CHROMIUM is set to {given}, which is not an executable file", file=sys.stderr)
        return 1
    found = find_chromium()
    if found:
        print(f"Chromium for the browser tests: {found}")
        return 0
    if args.plan:
        for command in install_plan():
            print(" ".join(command))
        return 0
    found = install()
    if found:
        print(f"Chromium for the browser tests: {found}")
        return 0
    print(HOW_TO_INSTALL, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
