"""The control panel's people actions in a real browser: remove a participant, give a team a new code."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from .browser import connected, facilitator, join


def test_the_facilitator_removes_one_participant_and_her_teammate_stays(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    amina, _ = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    bea, bea_errors = join(browser, server, codes["hum-1"], "Bea (WFP)")
    row = fac.locator("#participant-table tr", has_text="Amina (OCHA)")
    expect(row).to_contain_text("Humanitarian syndicate")  # her team's name
    expect(fac.locator("#participant-table tr")).to_have_count(2)

    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # The panel asks first: dismissed, nothing happens.
    fac.once("dialog", lambda d: answer(d, False))
    row.get_by_role("button", name="Remove Amina (OCHA)").click()
    expect(fac.locator("#participant-table tr")).to_have_count(2)
    assert "Remove Amina (OCHA)" in asked[-1]
    connected(amina)

    fac.once("dialog", lambda d: answer(d, True))
    row.get_by_role("button", name="Remove Amina (OCHA)").click()
    expect(fac.locator("#participant-table tr")).to_have_count(1)
    expect(fac.locator("#participant-table")).not_to_contain_text("Amina")
    # Her page is told and stops; a reload does not bring her back.
    expect(amina.locator("#connection")).to_have_text("signed out")
    expect(amina.locator("#toast")).to_contain_text("removed from the exercise")
    amina.reload()
    expect(amina.locator("#connection")).to_have_text("signed out")
    # Her teammate stays connected and posts on.
    connected(bea)
    bea.click("#room-tabs [data-room='joint']")
    bea.fill("#message-text", "Amina has left; I carry on")
    bea.click("#composer button")
    fac.click("#room-tabs [data-room='joint']")
    expect(fac.locator("#messages .message .text").last).to_have_text("Amina has left; I carry on")
    assert fac_errors.errors == [] and bea_errors.errors == []


def test_the_facilitator_gives_a_team_a_new_code_that_joins_it(browser, server):
    exercise, codes, fac_token = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    old = codes["mil-1"]
    row = fac.locator(f"#code-table tr[data-code='{old}']")
    fac.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="New code for").click()
    expect(row).to_contain_text("replaced by")
    expect(row.get_by_role("button", name="New code for")).to_have_count(0)
    listed = httpx.get(f"{server.base}/api/exercises/{exercise}/codes", headers={"Authorization": f"Bearer {fac_token}"})
    new = {c["code"]: c for c in listed.json()["codes"]}[old]["replaced_by"]
    expect(fac.locator(f"#code-table tr[data-code='{new}']")).to_contain_text("Military syndicate")
    # The new code joins the team from the landing page; the handout lists it, not the old one.
    ade, ade_errors = join(browser, server, new, "Capt. Ade")
    expect(ade.locator("body")).to_have_attribute("data-component", "military")
    expect(fac.locator("#participant-table")).to_contain_text("Capt. Ade")
    handout = fac.context.new_page()
    handout.goto(f"{server.base}/control/{exercise}/handout")
    expect(handout.locator("#slips")).to_contain_text(new)
    expect(handout.locator("#slips")).not_to_contain_text(old)
    # The scenario's role cards are printed with it, hidden agendas included, to hand to their players.
    expect(handout.locator("#role-card-sheet .role-card")).to_have_count(2)
    expect(handout.locator("#role-card-sheet [data-card='hum-cmcoord'] .hidden-agenda")).to_contain_text("SECRET-HIDDEN-AGENDA-HUM")
    # The old code takes nobody new.
    late = browser.new_context().new_page()
    late.goto(server.base + "/")
    late.fill("#join-code", old)
    late.fill("#join-name", "Too late")
    late.click("#join-form button[type=submit]")
    expect(late.locator("#join-error")).to_contain_text("replaced")
    assert fac_errors.errors == [] and ade_errors.errors == []
