"""Each seat in its own language, in a real browser: a French seat's team view and control panel show no
English interface words, a switch keeps what was typed, opened and zoomed, and the server remembers it."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from .browser import VIEWPORT, PageErrors, screenshot
from .server_harness import SECRET

# The interface words of every page, visible or not, with the placeholders, titles and labels
# people read: what is left in English is a text equal to an English msgid that French translates.
ENGLISH_LEFT = """(english) => {
  const leaks = new Set();
  const check = (text, where) => { const s = (text || '').trim(); if (s in english) leaks.add(`${where}: ${s}`); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === 3) {
      if (!['SCRIPT', 'STYLE'].includes(node.parentElement.tagName)) check(node.data, node.parentElement.tagName);
    } else {
      for (const name of ['placeholder', 'title', 'aria-label']) check(node.getAttribute(name), name);
    }
  }
  for (const part of document.title.split(' · ')) check(part, 'title');
  return [...leaks].sort();
}"""


def french_words(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The English msgids French translates otherwise, from the catalogue the pages read (but for a word
    that is French too: "Note" translates "Rating")."""
    messages = httpx.get(f"{server.base}/i18n/fr.json").json()["messages"]
    french = {text for text in messages.values() if isinstance(text, str)}
    return {msgid: text for msgid, text in messages.items() if isinstance(text, str) and msgid not in french}


def seat(browser, server, locale: str = "en-GB"):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport=VIEWPORT, locale=locale).new_page()
    return page, PageErrors(page)


def join_as(page, server, code: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.base + "/")
    page.fill("#join-code", code)
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")


def sign_in_facilitator(page, server, exercise: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.base + "/")
    page.fill("#facilitator-secret", SECRET)
    page.click("#facilitator-form button[type=submit]")
    page.click(f"#exercise-table tr[data-exercise='{exercise}'] a")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")


def release(page, inject: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#msel-table tr[data-inject='{inject}'] .row-actions button").first.click()
    expect(page.locator(f"#msel-table tr[data-inject='{inject}']")).to_have_class("status-released")


def test_a_french_seat_s_team_view_and_the_control_panel_in_french_show_no_english_interface_text(browser, server):
    exercise, codes, _ = server.open_exercise()
    english = french_words(server)
    fac, fac_errors = seat(browser, server, "fr-FR")
    fac.goto(server.base + "/")
    assert fac.evaluate("document.documentElement.lang") == "fr"  # from Accept-Language
    assert fac.evaluate(ENGLISH_LEFT, english) == []  # the landing page
    fac.fill("#join-code", "AAAAA-AAAAA")
    fac.fill("#join-name", "Personne")
    fac.click("#join-form button[type=submit]")
    expect(fac.locator("#join-error")).to_have_text("Aucun exercice ne correspond à ce code d'accès.")
    fac_errors.errors.clear()  # the browser reports the refused join's 404 in its console
    sign_in_facilitator(fac, server, exercise)
    release(fac, "I-1")
    hum, hum_errors = seat(browser, server, "fr-CA")
    join_as(hum, server, codes["hum-1"], "Amina (OCHA)")
    expect(hum.locator("#inbox-list .inject-item")).to_have_count(1)
    hum.click("#inbox-list .inject-item")
    expect(hum.locator("#inject-detail .acks, #inject-detail .actions")).not_to_have_count(0)
    expect(hum.locator("h2", has_text="Messages reçus")).to_be_visible()
    expect(hum.locator("#connection")).to_have_text("connecté")
    expect(hum.locator("#inject-detail .ack")).to_have_text("Accuser réception")
    assert hum.evaluate("document.documentElement.lang") == "fr"
    assert hum.evaluate(ENGLISH_LEFT, english) == []
    screenshot(hum, "team-view-fr")
    # The control panel, with a released inject, a participant, codes and rooms.
    expect(fac.locator("#participant-table tr")).to_have_count(1)
    expect(fac.locator("#msel-table tr[data-inject='I-1'] .status")).to_have_text("diffusée")
    assert fac.evaluate(ENGLISH_LEFT, english) == []
    screenshot(fac, "control-panel-fr")
    assert fac_errors.errors == [] and hum_errors.errors == []


def test_switching_language_keeps_a_typed_draft_the_open_inject_and_the_map_view(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, _ = seat(browser, server)
    sign_in_facilitator(fac, server, exercise)
    release(fac, "I-1")
    hum, errors = seat(browser, server)
    join_as(hum, server, codes["hum-1"], "Amina (OCHA)")
    assert hum.evaluate("document.documentElement.lang") == "en"
    hum.click("#inbox-list .inject-item")
    expect(hum.locator("#inject-detail h3")).to_have_text("Access report")
    hum.fill("#message-text", "Half a sentence, not sent yet")
    hum.fill("#statement-text", "Draft press line")
    hum.fill("#notify-name", "Convoy to Kora")
    hum.locator("#map").hover()
    hum.mouse.wheel(0, -400)  # zoom in
    hum.wait_for_timeout(600)
    view = hum.locator("#map .leaflet-map-pane").get_attribute("style")
    hum.evaluate("window.heard = []; document.addEventListener('seat-language', (e) => heard.push(e.detail.language))")

    hum.select_option("#seat-language", "fr")
    expect(hum.locator("h2", has_text="Messages reçus")).to_be_visible()
    assert hum.evaluate("document.documentElement.lang") == "fr"
    assert hum.evaluate("heard") == ["fr"]
    # Nothing typed, opened or zoomed is lost; the page did not reload.
    expect(hum.locator("#message-text")).to_have_value("Half a sentence, not sent yet")
    expect(hum.locator("#statement-text")).to_have_value("Draft press line")
    expect(hum.locator("#notify-name")).to_have_value("Convoy to Kora")
    expect(hum.locator("#inject-detail h3")).to_have_text("Access report")  # what the scenario wrote stays
    expect(hum.locator("#inject-detail .ack")).to_have_text("Accuser réception")
    assert hum.locator("#map .leaflet-map-pane").get_attribute("style") == view
    assert hum.locator("#message-text").get_attribute("placeholder").startswith("Écrire dans : ")
    assert hum.evaluate(ENGLISH_LEFT, french_words(server)) == []
    # And back.
    hum.select_option("#seat-language", "en")
    expect(hum.locator("#inject-detail .ack")).to_have_text("Acknowledge")
    expect(hum.locator("#message-text")).to_have_value("Half a sentence, not sent yet")
    assert errors.errors == []


def test_a_participant_s_language_is_remembered_after_a_reload_and_on_another_device(browser, server):
    exercise, codes, _ = server.open_exercise()
    pol, errors = seat(browser, server)
    join_as(pol, server, codes["pol-1"], "Insp. Diallo")
    pol.select_option("#seat-language", "fr")
    expect(pol.locator("#connection")).to_have_text("connecté")
    pol.reload()
    expect(pol.locator("#connection")).to_have_attribute("data-state", "connected")
    assert pol.evaluate("document.documentElement.lang") == "fr"
    expect(pol.locator("h2", has_text="Messages reçus")).to_be_visible()

    # Another browser, English by default, with the same session: the server's memory wins.
    session = pol.evaluate(f"localStorage.getItem('session:{exercise}')")
    other = browser.new_context(viewport=VIEWPORT, locale="en-US")
    other.add_init_script(f"localStorage.setItem('session:{exercise}', {session!r})")
    tablet = other.new_page()
    tablet.goto(f"{server.base}/team/{exercise}")
    expect(tablet.locator("#connection")).to_have_text("connecté")
    assert tablet.evaluate("document.documentElement.lang") == "fr"
    expect(tablet.locator("h2", has_text="Messages reçus")).to_be_visible()

    # A switch on one follows on the other, live.
    tablet.select_option("#seat-language", "en")
    expect(pol.locator("h2", has_text="Inbox")).to_be_visible()
    assert pol.evaluate("document.documentElement.lang") == "en"
    assert errors.errors == []


def test_the_other_pages_in_french_show_no_english_interface_text_either(browser, server):
    exercise, codes, _ = server.open_exercise()
    english = french_words(server)
    fac, fac_errors = seat(browser, server, "fr-FR")
    fac.goto(server.base + "/")
    fac.fill("#facilitator-secret", SECRET)
    fac.click("#facilitator-form button[type=submit]")
    expect(fac.locator(f"#exercise-table tr[data-exercise='{exercise}']")).to_be_visible()
    expect(fac.locator("#scenario-table tbody tr").first).to_be_visible()
    assert fac.evaluate(ENGLISH_LEFT, english) == [], "control home"
    fac.goto(f"{server.base}/control/{exercise}/handout")
    expect(fac.locator(".slip").first).to_be_visible()
    assert fac.evaluate(ENGLISH_LEFT, english) == [], "handout"
    fac.goto(f"{server.base}/control/{exercise}")
    release(fac, "I-1")
    evaluator, ev_errors = seat(browser, server, "fr-BE")
    join_as(evaluator, server, codes["evaluator"], "Col. Martin")
    evaluator.click("#inject-list .inject-item")
    expect(evaluator.locator("#inject-detail .checklist")).to_be_visible()
    assert evaluator.evaluate(ENGLISH_LEFT, english) == [], "evaluator view"
    fac.goto(f"{server.base}/replay/{exercise}")
    expect(fac.locator("#event-list li").first).to_be_visible()
    expect(fac.locator("#inject-status tbody tr").first).to_be_visible()
    assert fac.evaluate(ENGLISH_LEFT, english) == [], "replay"
    expect(fac.locator("#event-list")).to_contain_text("diffusée")  # the timeline's lines too
    fac.goto(f"{server.base}/team/no-such-exercise")
    assert fac.evaluate(ENGLISH_LEFT, english) == [], "not found"
    fac.select_option("#seat-language", "en")  # every page has the selector
    expect(fac.locator("h1")).to_have_text("No such exercise")
    assert fac_errors.errors == [] and ev_errors.errors == []
