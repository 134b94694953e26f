"""A mixed class, in a real browser, on the bilingual demo: the military team in English, the police team
in French (chosen on the sign-in page), the facilitator in French (from the browser's Accept-Language).
Each inbox shows the inject in its seat's language, the joint room shows both teams' messages as typed,
the facilitator's MSEL shows both languages, and the after-action report is produced in both."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from .browser import VIEWPORT, PageErrors
from .server_harness import ROOT, ServerProcess
from .test_browser_languages import release, sign_in_facilitator

DEMO = ROOT / "injects" / "demo.yaml"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("mixed") / "data", scenarios=(DEMO,)).start()
    yield s
    s.stop()


def seat(browser, locale: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport=VIEWPORT, locale=locale).new_page()
    return page, PageErrors(page)


def join(page, server, code: str, name: str, language: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.base + "/")
    if language:
        page.select_option("#seat-language", language)
        expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#join-code", code)
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")


def test_a_mixed_class_reads_each_inject_in_its_own_language_and_each_message_as_typed(browser, demo_server):
    server = demo_server
    exercise, codes, token = server.open_exercise("demo")
    fac, fac_errors = seat(browser, "fr-FR")
    sign_in_facilitator(fac, server, exercise)
    assert fac.evaluate("document.documentElement.lang") == "fr"
    mil, mil_errors = seat(browser, "en-GB")
    join(mil, server, codes["mil-1"], "Major Jones")
    pol, pol_errors = seat(browser, "en-GB")  # an English browser, a French seat: chosen at sign-in
    join(pol, server, codes["pol-1"], "Capitaine Diallo", language="fr")
    assert pol.evaluate("document.documentElement.lang") == "fr"

    # The plenary sitrep reaches both teams, each in its own language, with no "not translated" mark.
    release(fac, "D-01")
    mil_item = mil.locator(".inject-item[data-inject='D-01']")
    pol_item = pol.locator(".inject-item[data-inject='D-01']")
    expect(mil_item.locator(".subject")).to_have_text("Morning situation report")
    expect(pol_item.locator(".subject")).to_have_text("Rapport de situation du matin")
    expect(mil_item.locator(".meta")).to_contain_text("D+1 09:0")  # scenario time, as each language writes it
    expect(pol_item.locator(".meta")).to_contain_text("J+1 09:0")
    pol_item.click()
    expect(pol.locator("#inject-detail .body")).to_contain_text("La Tamsa est montée de 40 cm pendant la nuit.")
    assert pol.locator(".untranslated").count() == 0 and mil.locator(".untranslated").count() == 0

    # The facilitator's MSEL shows the inject in both languages.
    row = fac.locator("#msel-table tr[data-inject='D-01']")
    expect(row).to_contain_text("Morning situation report")
    expect(row.locator(".translation[data-language='fr']")).to_have_text("fr: Rapport de situation du matin")

    # The joint room shows each team's message as it was typed: nothing is translated.
    # The rooms every scenario has are named in each seat's words, the scenario's own teams in its.
    expect(pol.locator("#room-tabs [data-room='joint']")).to_have_text("Salle commune de coordination civilo-militaire")
    expect(mil.locator("#room-tabs [data-room='joint']")).to_have_text("Joint civil-military coordination room")
    expect(pol.locator("#room-tabs [data-room='team:pol-1']")).to_have_text("Salle d’équipe : UNPOL Secteur Ouest")
    for page in (mil, pol):
        page.click("#room-tabs [data-room='joint']")
    mil.fill("#message-text", "We can send a patrol to the bridge at 10:00.")
    mil.click("#composer button")
    pol.fill("#message-text", "Nous sécurisons le site avec la police nationale.")
    pol.click("#composer button")
    for page in (mil, pol):
        texts = page.locator("#messages .message .text")
        expect(texts).to_have_text(["We can send a patrol to the bridge at 10:00.",
                                    "Nous sécurisons le site avec la police nationale."])

    # The record: who read the sitrep in which language, and the report in either language.
    pol.locator("#inject-detail .actions button").first.click()  # acknowledge, in French
    expect(pol_item.locator(".acked")).to_be_visible()
    headers = {"Authorization": f"Bearer {token}"}
    french = httpx.get(f"{server.base}/api/exercises/{exercise}/report", params={"language": "fr"}, headers=headers)
    english = httpx.get(f"{server.base}/api/exercises/{exercise}/report", params={"language": "en"}, headers=headers)
    assert french.status_code == english.status_code == 200
    assert '<html lang="fr">' in french.text and "Rapport de situation du matin" in french.text
    assert '<html lang="en">' in english.text and "Morning situation report" in english.text
    assert "Rapport de situation du matin" not in english.text
    for report in (french.text, english.text):  # the report says which seat read in which language
        seats = report[report.index('id="seat-languages"'):]
        seats = seats[:seats.index("</table>")]
        assert "Capitaine Diallo" in seats and "fr (" in seats
    for errors in (fac_errors, mil_errors, pol_errors):
        assert errors.errors == []
