"""Headless Chromium driven by Playwright: the system's (Debian's package here), found as tests/chromium.py says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .chromium import HOW_TO_INSTALL, find_chromium
from .server_harness import SECRET

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}  # the classroom laptop
PROJECTOR = {"width": 1920, "height": 1080}
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


def launch(playwright):  # type: ignore[no-untyped-def]
    chromium = find_chromium(playwright)
    if chromium is None:
        pytest.fail(HOW_TO_INSTALL)
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


class PageErrors:
    """Collects script errors of a page, so that a test fails on any of them.

    Chromium reports a Content Security Policy violation as soon as the sanitizer parses
    hostile markup (an inline handler in an inert DOMParser document): the policy doing
    its job, not an error of the page. Those reports are kept apart in `csp_reports`."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.errors: list[str] = []
        self.csp_reports: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("console", self._console)

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        if "Content Security Policy" in message.text:
            self.csp_reports.append(message.text)
        else:
            self.errors.append(f"console {message.type}: {message.text}")


def screenshot(page, name: str, full_page: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Write docs/screenshots/<name>.png when SCREENSHOT_DIR is set (make screenshots)."""
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def join(browser, server, code: str, name: str) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    """A participant joins from the landing page in a context of its own, and is connected."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#join-code", code)
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    connected(page)
    return page, errors


def facilitator(browser, server, exercise: str, viewport: dict[str, int] = VIEWPORT
                ) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    """The facilitator signs in with the secret and opens the control panel of `exercise`."""
    page = browser.new_context(viewport=viewport).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    page.click(f"#exercise-table tr[data-exercise='{exercise}'] a")
    connected(page)
    return page, errors


# How often a page is asked, in the page, whether it is connected. `expect` asks from outside, at
# 0, 20, 70, 170 and 270 ms and then every half second: a view that takes 300 ms to connect was
# seen connected at 770 ms, some forty times a module.
POLL = 50


def connected(page: Page, timeout: float = 5_000) -> None:
    """The page says "connected" (its view is in, its socket open) within `expect`'s five seconds:
    what `expect(page.locator("#connection")).to_have_text("connected")` asserts, asked in the page."""
    page.wait_for_function(
        "() => document.querySelector('#connection')?.textContent.replace(/\\s+/g, ' ').trim() === 'connected'",
        polling=POLL, timeout=timeout)


def assert_inert(*pages: Page) -> None:
    """No script typed into a field ran or became markup: no flag set, no inline script, no handler attribute."""
    for page in pages:
        assert page.evaluate("window.__pwned") is None
        assert page.locator("script:not([src])").count() == 0
        assert not page.evaluate("[...document.querySelectorAll('*')].some("
                                 "e => [...e.attributes].some(a => a.name.startsWith('on')"
                                 " || /^\\s*javascript:/i.test(a.value)))")


def clipped(locator, container: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The elements of `locator` not wholly inside the box of their closest `container` ancestor
    (a panel that hides its overflow, a scroll box), or covered at their centre by something else.
    Each is first brought into view by scrolling down, its scroll box or the page: only what
    scrolling up and down cannot reveal counts as clipped."""
    return locator.evaluate_all("""(nodes, container) => nodes.filter((node) => {
        const scroller = node.closest(container);
        let box = scroller.getBoundingClientRect();
        let r = node.getBoundingClientRect();
        if ((r.top < box.top || r.bottom > box.bottom) && /auto|scroll/.test(getComputedStyle(scroller).overflowY)) {
          scroller.scrollTop += r.top - box.top - 2;
        }
        r = node.getBoundingClientRect();
        if (!r.width || !r.height) return false;  // empty: nothing to see or cut
        if (r.top < 0 || r.bottom > innerHeight) window.scrollBy(0, r.top - 40);
        box = scroller.getBoundingClientRect();
        r = node.getBoundingClientRect();
        const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5
          && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        return !inside || !(hit && node.contains(hit));
      }).map((node) => [node.closest('[data-inject]')?.dataset.inject, node.id || node.textContent.trim()]
        .filter(Boolean).join(': '))""", container)
