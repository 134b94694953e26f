"""What the studio's tests share: a scenarios folder of their own (a studio save writes into it and
its `.history/`), the control cell's HTTP client, and a folder's files as hashes, to show that a
refusal wrote nothing."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from .browser import VIEWPORT, PageErrors
from .server_harness import ROOT, SECRET, ServerProcess

INJECTS = ROOT / "injects"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under the folder (history included) and a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def scenarios_folder(tmp_path_factory: pytest.TempPathFactory, *scenarios: Path) -> Path:
    """A fresh scenarios folder with these scenario files and the bundled base maps and attachments."""
    target = tmp_path_factory.mktemp("scenarios") / "injects"
    target.mkdir()
    for scenario in scenarios:
        shutil.copy(scenario, target)
    for sub in ("basemaps", "attachments"):
        shutil.copytree(INJECTS / sub, target / sub)
    return target


@contextmanager
def studio_server(tmp_path_factory: pytest.TempPathFactory, *scenarios: Path) -> Iterator[ServerProcess]:
    """A server whose scenarios folder (`.folder`) is a fresh one holding these scenarios, the base maps and files."""
    folder = scenarios_folder(tmp_path_factory, *scenarios)
    s = ServerProcess(tmp_path_factory.mktemp("studio") / "data", scenarios=(folder,)).start()
    s.folder = folder  # type: ignore[attr-defined]
    try:
        yield s
    finally:
        s.stop()


def studio_sign_in(browser, server: ServerProcess, scenario: str | None = None) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    """The control cell signs in at the landing page (the studio is linked); then opens `scenario` in the studio."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    expect(page.locator("#studio-link")).to_be_visible()
    if scenario is not None:
        page.goto(f"{server.base}/control/studio/{scenario}")
        expect(page.locator("#sc-title")).to_be_visible()
    return page, errors


@contextmanager
def facilitator_client(server: ServerProcess) -> Iterator[httpx.Client]:
    token = server.facilitator_token()
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield client
