"""The after-action report downloaded from the browser: HTML or PDF from the replay page, the evaluation
page and the class control panel, beside the class's other syndicates by default; the controls at a
phone's, a laptop's and a projector's size."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .browser import VIEWPORT, PageErrors, connected
from .server_harness import SECRET, ServerProcess
from .test_browser_layout import CONTROL_SIZES, LAPTOP, PHONE, PROJECTOR, check
from .test_report_web import compared
from .test_syndicates import codes_of, open_class

SIZES = [PHONE, LAPTOP, PROJECTOR]
REPORT_ACTIONS = ["#report", "#report-pdf"]


def signed_in(browser, server: ServerProcess, **context: Any) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    """The lead facilitator, signed in on the landing page, in a context that keeps downloads."""
    page = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **context).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    expect(page.locator("#exercise-table")).to_be_visible()
    return page, errors


def downloaded(page: Page, button: str, tmp_path: Path) -> tuple[str, bytes]:
    with page.expect_download(timeout=200_000) as download:
        page.click(button)
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return download.value.suggested_filename, path.read_bytes()


@pytest.fixture(scope="module")
def klass(server) -> dict[str, Any]:
    return open_class(server, 2)


def test_the_replay_page_downloads_the_report_as_html_or_pdf_beside_the_other_syndicate(browser, server, klass, tmp_path):
    s1, s2 = klass["exercises"]
    page, errors = signed_in(browser, server)
    page.goto(f"{server.base}/replay/{s1}")
    expect(page.locator("#report-compare")).to_be_visible()
    expect(page.locator("#report-compare")).to_be_checked()  # on by default in a class
    name, html = downloaded(page, "#report", tmp_path)
    assert name == f"{s1}-report.html" and s2 in compared(html.decode())
    name, pdf = downloaded(page, "#report-pdf", tmp_path)
    assert name == f"{s1}-report.pdf" and pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert 2 <= len(reader.pages) <= 30
    assert s2 in " ".join(p.extract_text() or "" for p in reader.pages)
    expect(page.locator("#report-status")).to_have_text("")
    page.uncheck("#report-compare")
    _, alone = downloaded(page, "#report", tmp_path)
    assert not compared(alone.decode()) and "Syndicate 1" in alone.decode()
    problems = check(page, "replay with the report's controls", SIZES, [*REPORT_ACTIONS, "#report-compare"])
    page.context.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


def test_the_evaluation_page_downloads_the_report_and_fits_every_size(browser, server, klass, tmp_path):
    s1, s2 = klass["exercises"]
    page, errors = signed_in(browser, server)
    page.goto(f"{server.base}/evaluation/{s2}")
    expect(page.locator(".rating-item").first).to_be_visible()
    expect(page.locator("#report-compare")).to_be_visible()
    name, html = downloaded(page, "#report", tmp_path)
    assert name == f"{s2}-report.html" and s1 in compared(html.decode())
    problems = check(page, "evaluation with the report's controls", SIZES, [*REPORT_ACTIONS, "#report-compare"])
    page.context.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


def test_the_class_control_panel_downloads_any_syndicates_report_beside_the_others(browser, server, klass, tmp_path):
    s1, s2 = klass["exercises"]
    page, errors = signed_in(browser, server)
    page.goto(f"{server.base}/control/class/{klass['class']}")
    expect(page.locator("#syndicate-table tbody tr")).to_have_count(2)
    page.select_option("#class-report-syndicate", "2")
    name, pdf = downloaded(page, "#class-report-pdf", tmp_path)
    assert name == f"{s2}-report.pdf" and pdf.startswith(b"%PDF-")
    name, html = downloaded(page, "#class-report-html", tmp_path)
    assert name == f"{s2}-report.html" and s1 in compared(html.decode())
    problems = check(page, "class control's reports", CONTROL_SIZES,
                     ["#class-report-syndicate", "#class-report-html", "#class-report-pdf"])
    page.context.close()
    assert errors.errors == []
    assert not problems, "\n".join(problems)


def test_a_syndicates_evaluator_is_offered_no_comparison_and_gets_its_own_report(browser, server, klass, tmp_path):
    s1, s2 = klass["exercises"]
    page = browser.new_context(viewport=VIEWPORT, accept_downloads=True).new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#join-code", codes_of(klass, 1)["evaluator"])
    page.fill("#join-name", "Syndicate 1's evaluator")
    page.click("#join-form button[type=submit]")
    connected(page)
    page.goto(f"{server.base}/replay/{s1}")
    expect(page.locator("#replay-seq")).to_contain_text("event")
    expect(page.locator("#report-compare-label")).to_be_hidden()
    _, html = downloaded(page, "#report", tmp_path)
    assert not compared(html.decode()) and s2 not in html.decode()
    page.context.close()
    assert errors.errors == []


def test_without_chromium_the_pdf_button_says_in_french_what_to_install(browser, tmp_path, monkeypatch, servers):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium-here"))
    server = ServerProcess(tmp_path / "data").start()
    servers.append(server)
    exercise, _, _ = server.open_exercise()
    page, errors = signed_in(browser, server, locale="fr-FR")
    page.goto(f"{server.base}/replay/{exercise}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.click("#report-pdf")
    expect(page.locator("#report-status")).to_contain_text("apt-get install chromium")
    expect(page.locator("#report-status")).to_contain_text("navigateur")
    expect(page.locator("#report-pdf")).to_be_enabled()
    page.context.close()
    assert [e for e in errors.errors if "status of 503" not in e] == []  # the refusal itself, as Chromium logs it
