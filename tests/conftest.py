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
LONGEST_FIRST = (  # measured with `make test PYTEST_ARGS=--durations=60`
    "test_bench_quick.py",
    "test_bench_page_quick.py",
    "test_browser_workflows.py",
    "test_browser.py",
    "test_browser_review_bugs.py",
    "test_syndicates.py",
    "test_crash.py",
    "test_browser_class.py",
    "test_browser_page_weight.py",
    "test_browser_tour.py",
    "test_view_folds.py",
    "test_browser_report_pdf.py",
    "test_epochs.py",
    "test_server_restart.py",
    "test_classroom_soak.py",
    "test_browser_layout.py",
    "test_browser_people.py",
    "test_fuzz.py",
    "test_refusals.py",
    "test_browser_studio.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
