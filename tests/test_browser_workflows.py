"""Coordination workflows in a real browser: notification and acknowledgement, request and
decline, sealed sensitive documents, media and public statements, decision logs, expiry,
and the control cell's view of all of it. Every text field carries script that must stay text."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import assert_inert, connected, facilitator, join, screenshot
from .request_fields import CONDITIONS, CRITERIA, ESCORT


def test_a_convoy_is_notified_and_acknowledged_and_an_escort_is_declined(browser, server):
    exercise, codes, _ = server.open_exercise()
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    civ, civ_errors = join(browser, server, codes["civ-1"], "Mayor Dube")

    # The humanitarians notify a convoy route, drawn on the map, to the military.
    expect(hum.locator(".notification-caveat")).to_contain_text("not an authorisation and no guarantee of safety")
    hum.fill("#notify-name", "Convoy to Kora")
    hum.check("#notify-share input[value='military']")
    hum.click("#notify-draw")
    for n, (x, y) in enumerate(((200, 200), (260, 240), (320, 260)), 1):
        hum.locator("#map").click(position={"x": x, "y": y})
        expect(hum.locator("#map path.cop-draft-point")).to_have_count(n)  # each point shows as it is added
    expect(hum.locator("#map path.cop-draft")).to_have_count(1)  # joined by the route so far
    tools = hum.locator("#map .map-drawing")  # on the map, beside the points: the form is below the fold
    expect(tools.locator(".count")).to_have_text("3 point(s)")
    tools.locator("button.undo-point").click()
    expect(hum.locator("#map path.cop-draft-point")).to_have_count(2)
    expect(hum.locator("#notify-points")).to_have_text("2 point(s)")
    hum.locator("#map").click(position={"x": 320, "y": 260})
    expect(tools.locator(".count")).to_have_text("3 point(s)")
    tools.locator("button.done-drawing").click()
    expect(tools).to_have_count(0)
    expect(hum.locator("#notify-send")).to_be_focused()
    expect(hum.locator("#notify-points")).to_have_text("3 point(s)")
    hum.click("#notify-send")
    expect(hum.locator("#map path.cop-draft-point")).to_have_count(0)  # sent: the draft gives way to the route
    row = mil.locator(".notification[data-notification='N-hum-1-1']")
    expect(row).to_contain_text("Convoy to Kora")
    expect(civ.locator(".notification")).to_have_count(0)
    row.locator("button.ack-notification").click()
    expect(hum.locator(".notification[data-notification='N-hum-1-1'] .acks")).to_have_text(
        "Acknowledged by Military syndicate")

    # The humanitarians request an escort; the civilian component sees it; the military declines with a reason.
    expect(civ.locator("#rfa-send")).to_have_count(0)  # the civilians' assets are a mission tasking
    expect(hum.locator(".guideline")).to_contain_text("MCDA Guidelines (complex emergencies)")
    expect(hum.locator("#rfa-asset")).to_have_value("")  # no default asset
    hum.select_option("#rfa-asset", "escort")
    expect(hum.locator("#rfa-escort")).to_be_visible()
    fill_request(hum, escort=False)
    hum.click("#rfa-send")
    hum.locator("#map").click(position={"x": 250, "y": 250})
    expect(hum.locator("#toast")).to_contain_text("escort")  # the IASC criteria are missing
    fill_escort(hum)
    hum.click("#rfa-send")
    hum.locator("#map").click(position={"x": 250, "y": 250})
    request = mil.locator(".rfa[data-rfa='RFA-hum-1-1']")
    expect(request.locator(".status")).to_have_text("submitted")
    expect(request).to_contain_text("Civilian alternative: UNHAS helicopter (fails: Grounded until D+5)")
    expect(request.locator(".not-channelled-flag")).to_have_count(0)  # hum-1 is the coordination team
    expect(civ.locator(".rfa[data-rfa='RFA-hum-1-1']")).to_contain_text("IASC escort criteria answered")
    request.locator(".rfa-decision").select_option("decline")
    request.locator(".rfa-reason").fill("All escorts committed to the dam")
    request.locator("button.respond-rfa").click()
    mine = hum.locator(".rfa[data-rfa='RFA-hum-1-1']")
    expect(mine.locator(".status")).to_have_text("declined")
    expect(mine.locator(".history li").last).to_contain_text(
        "declined by Military syndicate: All escorts committed to the dam")

    hum.reload()  # the history survives a reload (snapshot)
    connected(hum)
    expect(hum.locator(".rfa[data-rfa='RFA-hum-1-1'] .history li")).to_have_count(2)
    for errors in (hum_errors, mil_errors, civ_errors):
        assert errors.errors == []


def fill_request(page, escort: bool = True) -> None:
    """Every last-resort criterion of the request form (tests/request_fields.py's values)."""
    page.fill("#rfa-need", CRITERIA["need"])
    options = page.locator(".rfa-alternative")
    options.nth(0).locator(".rfa-alt-option").fill("UNHAS helicopter")
    options.nth(0).locator(".rfa-alt-why").fill("Grounded until D+5")
    page.fill("#rfa-unique", CRITERIA["unique_capability"])
    page.select_option("#rfa-support", "indirect")
    page.fill("#rfa-hand-back", CRITERIA["hand_back_to"])
    page.fill("#rfa-endorsement", CRITERIA["endorsement"])
    page.fill("#rfa-perception", CRITERIA["perception_risk"])
    if escort:
        fill_escort(page)


def fill_escort(page) -> None:
    page.fill("#rfa-escort-criticality", ESCORT["programme_criticality"])
    page.fill("#rfa-escort-authorities", ESCORT["responsible_authorities"])
    page.fill("#rfa-escort-safety", ESCORT["safety_security"])
    page.fill("#rfa-escort-sustainability", ESCORT["sustainability"])
    page.fill("#rfa-escort-srm", ESCORT["srm_reference"])


EVIL = '<img src=x onerror="window.__pwned=1">'


def test_a_sensitive_document_stays_sealed_until_opened_and_control_sees_who_opened_it(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    pol, _ = join(browser, server, codes["pol-1"], "Insp. Tembo")
    obs, obs_errors = join(browser, server, codes["evaluator"], "Evaluator")

    hum.fill("#share-title", f"Protection incident {EVIL}")
    hum.fill("#share-body", f"Names of the victims at Bessa {EVIL}")
    hum.check("#share-with input[value='military']")
    hum.check("#share-sensitive")
    hum.click("#share-place")
    hum.locator("#map").click(position={"x": 300, "y": 300})
    hum.click("#share-send")

    row = mil.locator(".document[data-document='D-hum-1-1']")
    expect(row).to_contain_text(f"Protection incident {EVIL}")
    expect(row.locator(".sealed-note")).to_be_visible()
    expect(row).not_to_contain_text("Names of the victims")
    expect(mil.locator("#map [data-feature='wf-D-hum-1-1']")).to_have_count(0)  # its place is sealed too
    expect(row.locator(".forward-document")).to_have_count(0)
    expect(pol.locator(".document")).to_have_count(0)
    expect(hum.locator(".document[data-document='D-hum-1-1'] .accesses")).to_have_text("Not opened yet")

    row.locator("button.open-document").click()
    expect(row.locator(".body")).to_have_text(f"Names of the victims at Bessa {EVIL}")
    expect(row).to_contain_text("Sensitive: not to be forwarded.")
    expect(mil.locator("#map [data-feature='wf-D-hum-1-1']")).to_have_count(1)
    expect(hum.locator(".document[data-document='D-hum-1-1'] .accesses")).to_contain_text(
        "Opened by Maj. Okafor (Military syndicate)")
    for page in (fac, obs):  # the control cell sees the document and who saw it
        expect(page.locator("#coordination .document[data-document='D-hum-1-1'] .accesses")).to_contain_text("Maj. Okafor")
    expect(pol.locator(".document")).to_have_count(0)
    assert "Names of the victims" not in pol.content()
    assert_inert(fac, hum, mil, obs)
    for errors in (fac_errors, hum_errors, mil_errors, obs_errors):
        assert errors.errors == []


def test_media_statements_and_decisions_reach_whom_they_should(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    obs, obs_errors = join(browser, server, codes["evaluator"], "Evaluator")
    fac.click("#clock-controls [data-command='clock.start']")

    # Control publishes a news article; every team sees it in its media feed.
    fac.fill("#media-outlet", f"The Nalora Herald {EVIL}")
    fac.select_option("#media-kind", "article")
    fac.fill("#media-headline", f"Mission accused of militarising aid {EVIL}")
    fac.fill("#media-body", f"Residents saw soldiers hand out food {EVIL}")
    fac.click("#media-send")
    for page in (hum, mil, obs):
        expect(page.locator(".media[data-media='M-1']")).to_contain_text(f"Mission accused of militarising aid {EVIL}")

    # The humanitarians draft a statement (kept through a reload) and issue it; control answers.
    hum.fill("#statement-text", f"Aid is delivered by humanitarian agencies only {EVIL}")
    hum.reload()
    connected(hum)
    expect(hum.locator("#statement-text")).to_have_value(f"Aid is delivered by humanitarian agencies only {EVIL}")
    hum.click("#statement-send")
    expect(hum.locator(".statement[data-statement='S-hum-1-1']")).to_be_visible()
    # A public statement is public: every team reads it (bug 13 of the UX review: only its own team did).
    expect(mil.locator(".statement[data-statement='S-hum-1-1']")).to_contain_text(
        f"Aid is delivered by humanitarian agencies only {EVIL}")
    statement = fac.locator("#coordination .statement[data-statement='S-hum-1-1']")
    expect(statement).to_contain_text("Aid is delivered by humanitarian agencies only")
    statement.locator("button.answer-statement").click()
    expect(fac.locator("#media-reply")).to_have_value("S-hum-1-1")
    fac.fill("#media-headline", "OCHA denies the claims")
    fac.fill("#media-body", "The agencies say the food came from WFP.")
    fac.click("#media-send")
    expect(hum.locator(".media[data-media='M-2']")).to_contain_text("answering S-hum-1-1")

    # The military records a decision; the evaluator sees it, the humanitarians do not.
    mil.fill("#decision-what", f"No escorts for food distributions {EVIL}")
    mil.fill("#decision-why", f"Keep the distinction between military and humanitarian actors {EVIL}")
    mil.fill("#decision-consulted", f"OCHA, Civil affairs {EVIL}")
    mil.click("#decision-send")
    expect(mil.locator(".decision[data-decision='DEC-mil-1-1']")).to_contain_text("No escorts for food distributions")
    expect(obs.locator("#coordination .decision[data-decision='DEC-mil-1-1']")).to_contain_text(
        f"Consulted: OCHA, Civil affairs {EVIL}")
    expect(fac.locator("#coordination .decision[data-decision='DEC-mil-1-1']")).to_be_visible()
    obs.locator("#coordination .decision[data-decision='DEC-mil-1-1'] button.observe-item").click()
    expect(obs.locator("#obs-team")).to_have_value("mil-1")
    obs.locator("#obs-text").press("End")
    obs.locator("#obs-text").type("reasoned by the principle of distinction")
    obs.click("#observation-form button[type=submit]")
    expect(obs.locator("#observation-list .observation .text").first).to_have_text(
        f"DEC-mil-1-1 No escorts for food distributions {EVIL}: reasoned by the principle of distinction")
    expect(hum.locator(".decision")).to_have_count(0)
    for page, name in ((fac, "control-coordination"), (mil, "team-coordination")):
        page.locator("#coordination").scroll_into_view_if_needed()
        screenshot(page, name)
    assert_inert(fac, hum, mil, obs)
    for errors in (fac_errors, hum_errors, mil_errors, obs_errors):
        assert errors.errors == []


def test_a_notified_site_shows_in_the_joint_room_and_on_the_map_and_greys_out_when_it_expires(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    civ, _ = join(browser, server, codes["civ-1"], "Mayor Dube")
    fac.click("#clock-controls [data-command='clock.start']")

    hum.select_option("#notify-kind", "site")
    hum.fill("#notify-name", f"Food distribution at Bessa {EVIL}")
    hum.fill("#notify-for", "0:20")
    hum.check("#notify-share input[value='military']")
    hum.click("#notify-draw")
    hum.locator("#map").click(position={"x": 220, "y": 220})
    expect(hum.locator("#notify-points")).to_have_text("site placed")
    hum.click("#notify-send")

    row = mil.locator(".notification[data-notification='N-hum-1-1']")
    expect(row).to_contain_text(f"Food distribution at Bessa {EVIL}")
    expect(row.locator("button.ack-notification")).to_be_visible()
    expect(mil.locator("#map [data-feature='wf-N-hum-1-1']")).to_have_count(1)
    mil.click("#room-tabs [data-room='joint']")
    expect(mil.locator("#messages .room-card[data-notification='N-hum-1-1']")).to_contain_text("Humanitarian notification")
    civ.click("#room-tabs [data-room='joint']")  # not shared with the civilians: not in their joint room
    expect(civ.locator("#messages .room-card")).to_have_count(0)
    expect(fac.locator("#coordination .notification[data-notification='N-hum-1-1']")).to_be_visible()

    fac.fill("#jump-to", "+0:30")
    fac.click("#jump")
    expect(row).to_have_class("wf-item notification expired")
    expect(row.locator("button.ack-notification")).to_have_count(0)
    expect(mil.locator("#map [data-feature='wf-N-hum-1-1'].expired")).to_have_count(1)
    expect(hum.locator(".notification[data-notification='N-hum-1-1'] .window")).to_contain_text("(expired)")
    screenshot(mil, "team-expired-notification")
    assert_inert(fac, hum, mil)
    for errors in (fac_errors, hum_errors, mil_errors):
        assert errors.errors == []


def test_the_military_asks_for_more_information_and_the_requesters_answer_reopens_the_request(browser, server):
    exercise, codes, _ = server.open_exercise()
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    civ, civ_errors = join(browser, server, codes["civ-1"], "Mayor Dube")
    hum.select_option("#rfa-asset", "air")
    fill_request(hum, escort=False)
    hum.click("#rfa-send")
    hum.locator("#map").click(position={"x": 260, "y": 260})
    request = mil.locator(".rfa[data-rfa='RFA-hum-1-1']")
    request.locator(".rfa-decision").select_option("more_info")
    request.locator(".rfa-reason").fill("How many patients, and can they sit?")

    # Something else happens meanwhile: the half-typed response survives the redraw.
    hum.fill("#notify-name", "Distribution at Sebe")
    hum.select_option("#notify-kind", "site")
    hum.check("#notify-share input[value='military']")
    hum.click("#notify-draw")
    hum.locator("#map").click(position={"x": 200, "y": 300})
    hum.click("#notify-send")
    expect(mil.locator(".notification")).to_have_count(1)
    expect(request.locator(".rfa-reason")).to_have_value("How many patients, and can they sit?")
    expect(request.locator(".rfa-decision")).to_have_value("more_info")
    request.locator("button.respond-rfa").click()

    mine = hum.locator(".rfa[data-rfa='RFA-hum-1-1']")
    expect(mine.locator(".status")).to_have_text("more info requested")
    mine.locator(".rfa-clarification").fill("Four patients, two on stretchers")
    mine.locator("button.clarify-rfa").click()
    expect(request.locator(".status")).to_have_text("submitted")
    expect(request.locator(".history li").last).to_contain_text("clarified by Humanitarian syndicate: Four patients")
    request.locator(".rfa-decision").select_option("accept")
    request.locator("button.respond-rfa").click()
    expect(mil.locator("#toast")).to_contain_text("conditions")  # an acceptance states its conditions
    request.locator(".rfa-scope").fill(CONDITIONS["scope"])
    request.locator(".rfa-duration").fill(CONDITIONS["duration"])
    request.locator(".rfa-visibility").fill(CONDITIONS["visibility"])
    request.locator("button.respond-rfa").click()
    expect(mine.locator(".status")).to_have_text("accepted")
    expect(mine.locator(".conditions")).to_contain_text("visibility Unmarked cargo")
    expect(civ.locator(".rfa[data-rfa='RFA-hum-1-1'] .conditions")).to_contain_text("scope One lift")
    expect(mine.locator(".history li")).to_have_count(4)
    for errors in (hum_errors, mil_errors, civ_errors):
        assert errors.errors == []


def test_the_civilians_task_mission_engineers_and_a_casevac_goes_straight_to_the_operations_centre(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    mil, mil_errors = join(browser, server, codes["mil-1"], "Maj. Okafor")
    civ, civ_errors = join(browser, server, codes["civ-1"], "Mayor Dube")

    # A mission tasking: mandate and do-no-harm, no last-resort form and no Oslo label.
    expect(civ.locator("#tasking-send")).to_be_visible()
    expect(civ.locator(".wf-tasking")).not_to_contain_text("Oslo")
    expect(hum.locator("#tasking-send")).to_have_count(0)
    civ.select_option("#tasking-asset", "engineering")
    civ.fill("#tasking-task", "Repair the culverts on MSR1 at Kilo 14")
    civ.fill("#tasking-mandate", "The mission's own supply route")
    civ.fill("#tasking-harm", "No local contractor before the rains; Public Works takes over")
    civ.click("#tasking-send")
    civ.locator("#map").click(position={"x": 250, "y": 250})
    task = mil.locator(".tasking[data-tasking='T-civ-1-1']")
    expect(task).to_contain_text("Do no harm: No local contractor")
    task.locator(".tasking-reason").fill("The Force Engineer tasks a section")
    task.locator("button.accept-tasking").click()
    expect(civ.locator(".tasking[data-tasking='T-civ-1-1'] .status")).to_have_text("accepted")
    expect(hum.locator(".tasking")).to_have_count(0)

    # A casualty evacuation: called at once, answered by control as UNDSS and the operations centre.
    hum.fill("#casevac-count", "1")
    hum.fill("#casevac-condition", "WFP driver shot in the leg")
    hum.click("#casevac-send")
    hum.locator("#map").click(position={"x": 260, "y": 240})
    call = fac.locator(".casevac[data-casevac='CASEVAC-hum-1-1']")
    expect(call).to_contain_text("1 casualties: WFP driver shot in the leg")
    expect(mil.locator(".casevac[data-casevac='CASEVAC-hum-1-1']")).to_be_visible()
    expect(civ.locator(".casevac")).to_have_count(0)
    call.locator(".casevac-note").fill("Sector helicopter airborne, 20 minutes")
    call.locator("button.dispatch-casevac").click()
    mine = hum.locator(".casevac[data-casevac='CASEVAC-hum-1-1']")
    expect(mine.locator(".status")).to_have_text("dispatched")
    expect(mine.locator(".dispatched-note")).to_contain_text("Sector helicopter airborne")
    for errors in (fac_errors, hum_errors, mil_errors, civ_errors):
        assert errors.errors == []


def test_a_team_reads_its_own_role_cards_and_the_control_cell_all_of_them(browser, server):
    exercise, codes, _ = server.open_exercise()
    fac, fac_errors = facilitator(browser, server, exercise)
    hum, hum_errors = join(browser, server, codes["hum-1"], "Amina (OCHA)")
    pol, pol_errors = join(browser, server, codes["pol-1"], "Insp Kay")
    hum.locator("details.role-cards summary").click()
    card = hum.locator(".role-card[data-card='hum-cmcoord']")
    expect(card).to_contain_text("OCHA civil-military coordination officer")
    # the hidden agenda is on the printed card only: teammates share the view (core/role_cards.py)
    expect(card.locator(".hidden-agenda")).to_contain_text("On the printed card the facilitator hands")
    expect(hum.locator("body")).not_to_contain_text("wants the WFP trucks to leave")
    expect(hum.locator(".role-card")).to_have_count(1)
    pol.locator("details.role-cards summary").click()
    expect(pol.locator("#role-cards")).to_have_text("No role cards in this scenario.")
    fac.locator("details.role-cards summary").click()
    expect(fac.locator(".role-card")).to_have_count(2)
    expect(fac.locator(".role-card[data-card='mil-commander']")).to_contain_text("Sector Commander")
    expect(fac.locator(".role-card[data-card='hum-cmcoord'] .hidden-agenda")).to_contain_text("wants the WFP trucks to leave")
    for errors in (fac_errors, hum_errors, pol_errors):
        assert errors.errors == []
