"""People by name in a real browser: a roster name typed on the control panel, its join slip with a
QR code (and the warning that a loopback address reaches nobody), a person joining by name and moved
to another team, the certificates page with one page per person."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import VIEWPORT, PageErrors, connected, facilitator, join


def test_a_roster_name_gets_a_slip_joins_by_name_is_moved_and_gets_a_certificate(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    fac.on("dialog", lambda dialog: dialog.accept())
    expect(fac.locator("#class-addresses")).to_contain_text("Only this computer can open the server")  # loopback only
    # The roster, typed on the control panel.
    fac.fill("#roster-name", "Amina Diallo")
    fac.select_option("#roster-team", "hum-1")
    fac.click("#roster-form button[type=submit]")
    row = fac.locator("#roster-table tr", has_text="Amina Diallo")
    expect(row).to_contain_text("Humanitarian syndicate")
    personal = row.locator(".code").inner_text()

    # Her slip: the address, the code and a QR code of the address with the code; this server listens
    # on loopback only, so the page says the class cannot open it.
    slips = fac.context.new_page()
    slips.goto(f"{server.base}/control/{exercise}/handout?slips=person")
    slip = slips.locator(".slip", has_text="Amina Diallo")
    expect(slip.locator(".code")).to_have_text(personal)
    expect(slip.locator("svg.qr")).to_have_attribute("data-qr", f"{server.base}/?code={personal}")
    assert slip.locator("svg.qr path").get_attribute("d").count("M") > 100  # modules drawn
    expect(slips.locator("#address-warning")).to_be_visible()
    expect(slips.locator("#address-warning")).to_contain_text("127.0.0.1")
    slips.close()

    # She joins by picking her name after her team's code (as the slip's QR code fills it in).
    amina = browser.new_context(viewport=VIEWPORT).new_page()
    amina_errors = PageErrors(amina)
    amina.goto(f"{server.base}/?code={codes['hum-1']}")
    expect(amina.locator("#join-person option", has_text="Amina Diallo")).to_have_count(1)
    expect(amina.locator("#join-name")).to_be_hidden()
    amina.select_option("#join-person", label="Amina Diallo")
    amina.click("#join-form button[type=submit]")
    connected(amina)
    expect(amina.locator("#who")).to_contain_text("Humanitarian syndicate")
    bo, bo_errors = join(browser, server, codes["mil-1"], "Bo Chen")

    # Moved to the civilians: her screen switches to that team.
    moving = fac.locator("#participant-table tr", has_text="Amina Diallo")
    moving.locator("select.move-to").select_option("civ-1")
    moving.locator("button.move-button").click()
    expect(amina.locator("#who")).to_contain_text("Civilian syndicate")
    connected(amina)
    expect(fac.locator("#roster-table tr", has_text="Amina Diallo")).to_contain_text("Civilian syndicate")

    # One certificate page per person who took part.
    certs = fac.context.new_page()
    certs.goto(f"{server.base}/control/{exercise}/certificates")
    expect(certs.locator(".certificate")).to_have_count(2)
    expect(certs.locator(".certificate .person")).to_have_text(["Amina Diallo", "Bo Chen"])
    breaks = certs.locator(".certificate").first.evaluate("(n) => getComputedStyle(n).breakAfter")
    assert breaks == "page"
    certs.close()
    for page, errors in ((fac, fac_errors), (amina, amina_errors), (bo, bo_errors)):
        assert errors.errors == []
        page.context.close()
