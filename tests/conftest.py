"""Fixtures shared by the test modules."""

import pytest
from playwright.sync_api import sync_playwright

from .browser import launch
from .redis_server import redis_prefix, redis_url  # noqa: F401 - a real Redis for the tests
from .server_harness import RUNNING, ServerProcess


class Chromium:
    """One headless Chromium per worker, kept from one browser module to the next.

    Starting Playwright's driver and Chromium costs a second or two of CPU; the modules that use
    the `browser` fixture run one after the other (LONGEST_FIRST keeps them together), so the
    one Chromium serves them all, each module with contexts of its own. While Playwright's sync
    API runs, the thread's event loop counts as running and `asyncio.run` refuses to start, as it
    does inside a browser module today: the Chromium a module left is therefore closed before a
    test that does not ask for `browser`, unless that test's own module already took it."""

    def __init__(self) -> None:
        self.playwright = None
        self.browser = None
        self.module = None  # the module that last took the browser

    def take(self, module):  # type: ignore[no-untyped-def]
        if self.browser is None or not self.browser.is_connected():
            self.close()
            self.playwright = sync_playwright().start()
            self.browser = launch(self.playwright)
        self.module = module
        return self.browser

    def release(self) -> None:
        """The module is over: its contexts (and their pages) go, the browser stays."""
        if self.browser is not None and self.browser.is_connected():
            for context in self.browser.contexts:
                context.close()

    def close(self) -> None:
        if self.browser is not None:
            try:
                self.browser.close()
            finally:
                self.browser = None
        if self.playwright is not None:
            try:
                self.playwright.stop()
            finally:
                self.playwright = None
        self.module = None


CHROMIUM = Chromium()


@pytest.fixture(scope="module")
def browser(request):
    """Headless Chromium for one test module (the worker's, shared with the modules before and after)."""
    yield CHROMIUM.take(request.module)
    CHROMIUM.release()


@pytest.fixture(autouse=True)
def _contexts_close_with_their_test(request):
    """The contexts a test opened close when it ends, pass or fail, rather than with its module: a
    page left open keeps its socket, its clock and its map at work beside the next tests' pages.
    Those of a module's fixtures (opened before the test) stay for the tests after it."""
    if "browser" not in request.fixturenames or CHROMIUM.browser is None:
        yield
        return
    before = set(CHROMIUM.browser.contexts)
    yield
    if CHROMIUM.browser is not None and CHROMIUM.browser.is_connected():
        for context in CHROMIUM.browser.contexts:
            if context not in before:
                context.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if CHROMIUM.playwright is not None and CHROMIUM.module is not getattr(item, "module", None) \
            and "browser" not in getattr(item, "fixturenames", ()):
        CHROMIUM.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real server on loopback with the small test scenario (tests/fixtures/mini.yaml), for one module."""
    s = ServerProcess(tmp_path_factory.mktemp("server") / "data").start()
    yield s
    s.stop()


@pytest.fixture(scope="module", autouse=True)
def _no_server_outlives_its_module():
    """A server a test started and did not stop (the test failed before its `stop()`) is stopped
    when its module ends, so that it holds no port, CPU or file past the module."""
    before = set(RUNNING)
    yield
    for s in RUNNING - before:
        s.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    CHROMIUM.close()
    for s in list(RUNNING):
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
# The two quick benchmarks lead (one on each worker, side by side); then the modules that use the
# `browser` fixture, together, so that each worker's Chromium serves one after the other; then the
# rest, the short ones last to even out the two workers' ends.
BENCHMARKS = ("test_bench_quick.py", "test_bench_page_quick.py")
LONGEST_FIRST = (  # measured with `make test PYTEST_ARGS=--durations=0` (2026-12-07, 22:26), down to 5 s
    "test_browser_workflows.py",
    "test_browser_layout.py",
    "test_browser.py",
    "test_browser_review_bugs.py",
    "test_browser_page_weight.py",
    "test_browser_studio.py",
    "test_browser_languages.py",
    "test_browser_class.py",
    "test_browser_keyboard.py",
    "test_classroom_soak.py",
    "test_syndicates.py",
    "test_people_server.py",
    "test_bus.py",
    "test_scale_out.py",
    "test_browser_report_web.py",
    "test_browser_inbox.py",
    "test_browser_tour.py",
    "test_browser_layout_studio.py",
    "test_browser_report_pdf.py",
    "test_browser_people.py",
    "test_idempotency.py",
    "test_browser_attachments_language.py",
    "test_browser_studio_evaluation.py",
    "test_report_web.py",
    "test_browser_dashboard.py",
    "test_crash.py",
    "test_browser_cut_off.py",
    "test_people_by_name.py",
    "test_view_folds.py",
    "test_scenario_validation.py",
    "test_browser_studio_import.py",
    "test_sign_ins.py",
    "test_browser_replay.py",
    "test_refusals.py",
    "test_server_edges.py",
    "test_browser_outage.py",
    "test_epochs.py",
    "test_browser_view_folds.py",
    "test_fuzz.py",
    "test_browser_translations.py",
    "test_browser_people_by_name.py",
    "test_browser_idempotency.py",
    "test_msel_io.py",
    "test_studio_api.py",
    "test_browser_branches.py",
    "test_browser_room_history.py",
    "test_health.py",
    "test_static.py",
    "test_replay.py",
    "test_room_history.py",
    "test_browser_epoch.py",
    "test_browser_mixed_class.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    with_browser = {item.path for item in items if "browser" in getattr(item, "fixturenames", ())}

    def key(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        group = 0 if name in BENCHMARKS else 1 if item.path in with_browser else 2
        return group, BENCHMARKS.index(name) if group == 0 else rank.get(name, len(rank))

    items.sort(key=key)  # stable: a module's tests keep their order
