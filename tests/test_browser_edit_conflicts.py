"""Two control panels edit the same inject in a real browser (issue 15, bug 4): the second save is
refused with what the first changed, and its dialog stays open with the typed text kept."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import facilitator


def test_the_second_of_two_facilitators_saving_one_inject_is_shown_the_conflict_and_keeps_the_typed_text(
    browser, server
):
    exercise, _, _ = server.open_exercise()
    alice, alice_errors = facilitator(browser, server, exercise)
    bob, bob_errors = facilitator(browser, server, exercise)
    for page in (alice, bob):  # both open the dialog of I-2 before either saves
        page.click("#msel-table tr[data-inject='I-2'] button:has-text('Edit')")
        expect(page.locator("#edit-dialog")).to_be_visible()

    alice.fill("#edit-form [name=title]", "Riot at the market (Alice)")
    alice.fill("#edit-form [name=body]", "Alice: the crowd is 300 strong.")
    alice.click("#edit-save")
    expect(alice.locator("#edit-dialog")).to_be_hidden()
    expect(bob.locator("#msel-table tr[data-inject='I-2']")).to_contain_text("Riot at the market (Alice)")

    bob.fill("#edit-form [name=title]", "Riot at the market (Bob)")
    bob.click("#edit-save")
    notice = bob.locator("#edit-conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Someone else changed this inject")
    expect(notice).to_contain_text("Title: Riot at the market (Alice)")
    expect(notice).to_contain_text("Message: Alice: the crowd is 300 strong.")
    expect(bob.locator("#edit-dialog")).to_be_visible()
    expect(bob.locator("#edit-form [name=title]")).to_have_value("Riot at the market (Bob)")  # what Bob typed
    expect(bob.locator("#edit-form [name=body]")).to_have_value("Alice: the crowd is 300 strong.")  # untouched: new
    # Nothing of Bob's was stored: Alice's edit stands on both pages.
    expect(alice.locator("#msel-table tr[data-inject='I-2']")).to_contain_text("Riot at the market (Alice)")

    bob.click("#edit-save")  # reapplied on the version he was shown
    expect(bob.locator("#edit-dialog")).to_be_hidden()
    for page in (alice, bob):
        expect(page.locator("#msel-table tr[data-inject='I-2']")).to_contain_text("Riot at the market (Bob)")
    alice.click("#msel-table tr[data-inject='I-2'] button:has-text('Edit')")
    expect(alice.locator("#edit-form [name=body]")).to_have_value("Alice: the crowd is 300 strong.")  # kept
    expect(alice.locator("#edit-conflict")).to_be_hidden()
    # The dialog's buttons say what they do: not a second "Cancel" beside the MSEL's (UX review)
    expect(alice.locator("#edit-form button[value=cancel]")).to_have_text("Close without saving")
    expect(alice.locator("#edit-save")).to_have_text("Save changes")
    alice.click("#edit-form button[value=cancel]")
    expect(alice.locator("#edit-dialog")).to_be_hidden()
    assert alice_errors.errors == [] and bob_errors.errors == []
