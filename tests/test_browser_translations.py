"""Scenario content in the seat's language, in a real browser: an inject, the briefing, team and
room names and a map feature follow `document.documentElement.lang` and switch on the
`seat-language` event; a field without a translation shows the default text, marked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .browser import facilitator, join
from .server_harness import ServerProcess

BILINGUAL = Path(__file__).resolve().parent / "fixtures" / "bilingual.yaml"


@pytest.fixture(scope="module")
def bilingual_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("bilingual") / "data", scenarios=(BILINGUAL,)).start()
    yield s
    s.stop()


def seat_language(page: Page, language: str) -> None:
    """What the language selector does (helper i18n's): the page's lang, then the event."""
    page.evaluate("""(language) => {
        document.documentElement.lang = language;
        document.dispatchEvent(new CustomEvent('seat-language', { detail: { language } }));
    }""", language)


def test_an_inject_renders_in_the_seats_language_and_switches_on_the_seat_language_event(browser, bilingual_server):
    server = bilingual_server
    exercise, codes, _ = server.open_exercise("bilingual")
    fac, fac_errors = facilitator(browser, server, exercise)
    pol, pol_errors = join(browser, server, codes["pol-1"], "Capitaine Diallo")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Major Jones")
    seat_language(pol, "fr")

    fac.click("#clock-controls [data-command='clock.start']")
    fac.click("#msel-table tr[data-inject='I-2'] button:has-text('Release now')")
    # The control cell's MSEL shows the inject in both languages.
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .translation[data-language='fr']")).to_have_text(
        "fr: Émeute au marché")

    # The police seat reads it in French; its body has no French: the English, marked EN.
    item = pol.locator(".inject-item[data-inject='I-2']")
    expect(item.locator(".subject")).to_have_text("Émeute au marché")
    expect(item.locator(".subject")).to_have_attribute("lang", "fr")
    item.click()
    detail = pol.locator("#inject-detail")
    expect(detail.locator("h3")).to_have_text("Émeute au marché")
    expect(detail.locator(".from")).to_have_text("QG de la police")
    expect(detail.locator(".body")).to_contain_text("A crowd gathers.")
    expect(detail.locator(".body")).to_have_attribute("lang", "en")
    expect(detail.locator(".body .untranslated")).to_have_text("EN")
    expect(detail.locator("h3 .untranslated")).to_have_count(0)

    # The military seat, in English, reads the same inject in English, unmarked.
    mil_item = mil.locator(".inject-item[data-inject='I-2']")
    expect(mil_item.locator(".subject")).to_have_text("Riot at the market")
    assert mil.locator(".untranslated").count() == 0

    # Its briefing, its room tabs and the map's feature names follow the seat's language.
    expect(pol.locator("#briefing")).to_contain_text("Briefing de la police.")
    expect(pol.locator("#room-tabs [data-room='component:police']")).to_have_text(
        "Police des Nations Unies (UNPOL)")
    expect(mil.locator("#room-tabs [data-room='team:mil-1']")).to_have_text("Team room: Military syndicate")  # generated, in the seat's words

    pol.locator("#map [data-feature='kora-bridge']").hover()
    expect(pol.get_by_role("tooltip", name="Pont de Kora (fermé) (place)")).to_be_visible()  # I-2 renamed it in both
    pol.mouse.move(0, 0)

    # Switching without a reload: the seat's language changes, the page follows at once.
    seat_language(pol, "en")
    expect(item.locator(".subject")).to_have_text("Riot at the market")
    expect(detail.locator("h3")).to_have_text("Riot at the market")
    expect(pol.locator("#briefing")).to_contain_text("Police briefing.")
    assert pol.locator(".untranslated").count() == 0
    pol.locator("#map [data-feature='kora-bridge']").hover()
    expect(pol.get_by_role("tooltip", name="Kora bridge (closed) (place)")).to_be_visible()
    seat_language(pol, "fr")
    expect(detail.locator("h3")).to_have_text("Émeute au marché")

    # Acknowledged from the French page: the control cell sees it was read in French.
    pol.click("#inject-detail button.ack")
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .ack")).to_contain_text("Capitaine Diallo")
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .ack")).to_contain_text("(fr)")

    # The control panel follows its seat's language too (room names; the MSEL stays as it was).
    expect(fac.locator("#room-tabs [data-room='cmcoord']")).to_have_text("CMCoord cell")
    seat_language(fac, "fr")
    expect(fac.locator("#room-tabs [data-room='cmcoord']")).to_have_text("Cellule CMCoord")
    expect(fac.locator("#msel-table tr[data-inject='I-2'] .ack")).to_contain_text("(fr)")

    # A seat in a language the scenario does not declare reads the default, unmarked.
    seat_language(mil, "de")
    expect(mil_item.locator(".subject")).to_have_text("Riot at the market")
    assert mil.locator(".untranslated").count() == 0
    for errors in (fac_errors, pol_errors, mil_errors):
        assert errors.errors == []

    # The log has each reading: the police seat opened I-2 in French, then read it in English.
    out = subprocess.run([sys.executable, "-m", "exercise_server", "export", exercise, "--data-dir",
                          str(server.data_dir)], capture_output=True, text=True, check=True).stdout
    opened = [e for e in map(json.loads, out.splitlines()) if e["type"] == "inject.opened"]
    assert [(e["actor"]["name"], e["payload"]["inject_id"], e["payload"]["language"]) for e in opened] == [
        ("Capitaine Diallo", "I-2", "fr"), ("Capitaine Diallo", "I-2", "en")]
