"""Fixtures shared by the test modules."""

import pytest
from playwright.sync_api import sync_playwright

from .browser import launch
from .redis_server import redis_prefix, redis_url  # noqa: F401 - a real Redis for the tests
from .server_harness import ServerProcess


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module."""
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on loopback with the small test scenario (tests/fixtures/mini.yaml), for one module."""
    s = ServerProcess(tmp_path_factory.mktemp("server") / "data").start()
    yield s
    s.stop()


@pytest.fixture
def servers():
    """Every server process a test starts is stopped at the end, pass or fail."""
    started: list[ServerProcess] = []
    yield started
    for s in started:
        s.stop()
