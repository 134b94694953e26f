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


# The modules that take longest, started first: with two workers each taking a whole module
# (`--dist loadfile`), a long module started last keeps one worker busy while the other idles.
LONGEST_FIRST = (
    "test_bench_quick.py",
    "test_browser_layout.py",
    "test_browser_studio.py",
    "test_group_commit.py",
    "test_browser_class.py",
    "test_classroom_soak.py",
    "test_browser.py",
    "test_browser_review_bugs.py",
    "test_browser_dashboard.py",
    "test_scale_out.py",
    "test_isolation.py",
    "test_crash.py",
    "test_fuzz.py",
    "test_browser_workflows.py",
    "test_browser_studio_import.py",
    "test_browser_languages.py",
    "test_browser_replay.py",
    "test_browser_keyboard.py",
    "test_browser_inbox.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
