"""A participant's interface language, from outside: chosen with participant.language, kept in the log,
handed back in the welcome, heard by their other tabs and nobody else's team; bad input refused."""

from __future__ import annotations

import httpx

from .server_harness import Client


async def test_a_trainee_s_language_is_remembered_in_the_log_and_handed_back_in_the_welcome(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    diallo = server.join(codes["pol-1"], "Insp. Diallo")
    tab = await Client(server, exercise, diallo["token"]).connect()
    assert tab.welcome["you"]["language"] is None  # nothing chosen yet
    other_tab = await Client(server, exercise, diallo["token"]).connect()
    amina = await Client(server, exercise, server.join(codes["hum-1"], "Amina")["token"]).connect()

    # Only one's own seat: a participant named in the command is not the one whose language is set.
    await tab.ok("participant.language", language="fr", participant="facilitator")
    heard = await other_tab.event("participant.language_set")
    assert heard["payload"] == {"participant": diallo["participant"], "language": "fr"}
    assert (await fac.event("participant.language_set"))["payload"]["language"] == "fr"
    assert fac.welcome["you"]["language"] is None and not any(
        e["payload"]["participant"] == "facilitator" for e in fac.events if e["type"] == "participant.language_set")
    # Another team learns nothing of it.
    await fac.ok("inject.release", inject_id="I-1")
    await amina.event("inject.released")
    assert not [e for e in amina.events if e["type"] == "participant.language_set"]

    again = await Client(server, exercise, diallo["token"]).connect()  # a reload, another device
    assert again.welcome["you"]["language"] == "fr"
    # The after-action report says which seat used which language.
    report = httpx.get(f"{server.base}/api/exercises/{exercise}/report?language=en",
                       headers={"Authorization": f"Bearer {fac_token}"}).text
    assert "<tr><td>Insp. Diallo</td><td>Police syndicate</td><td>Français</td></tr>" in report


async def test_a_language_the_server_has_no_catalogue_for_is_refused_and_changes_nothing(server):
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    head = fac.welcome["head"]
    for bad in ("xx", "FR", "", 7, None):
        answer = await fac.command("participant.language", language=bad)
        assert answer["type"] == "error" and answer["code"] == "invalid", answer
    answer = await fac.command("participant.language")
    assert answer["code"] == "invalid"
    await fac.ok("participant.language", language="en")
    again = await Client(server, exercise, fac_token).connect()
    assert again.welcome["head"] == head + 1 and again.welcome["you"]["language"] == "en"


def test_the_report_and_the_timeline_come_in_the_language_asked_for(server):
    exercise, codes, fac_token = server.open_exercise()
    auth = {"Authorization": f"Bearer {fac_token}"}
    base = f"{server.base}/api/exercises/{exercise}"
    french = httpx.get(f"{base}/report?language=fr", headers=auth)
    assert french.status_code == 200 and "Rapport après action" in french.text and 'lang="fr"' in french.text
    english = httpx.get(f"{base}/report", headers={**auth, "Accept-Language": "en-GB"})
    assert "After-action report" in english.text
    by_browser = httpx.get(f"{base}/report", headers={**auth, "Accept-Language": "fr-FR,en;q=0.5"})
    assert "Rapport après action" in by_browser.text
    refused = httpx.get(f"{base}/report?language=xx", headers=auth)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid"
    lines = httpx.get(f"{base}/timeline?language=fr", headers=auth).json()["items"]
    assert {i["label"] for i in lines} == {"exercice ouvert"}


def test_the_catalogue_is_served_cacheable_and_the_pages_follow_the_browser(server):
    fr = httpx.get(f"{server.base}/i18n/fr.json")
    assert fr.status_code == 200 and fr.json()["messages"]["Inbox"] == "Messages reçus"
    assert fr.headers["cache-control"] == "no-cache"
    page = httpx.get(f"{server.base}/", headers={"Accept-Language": "fr-CA,fr;q=0.9"}).text
    linked = page.split('data-catalogue="')[1].split('"')[0]
    assert linked.startswith("/i18n/fr.json?v=") and "Rejoindre un exercice" in page
    versioned = httpx.get(server.base + linked)
    assert "immutable" in versioned.headers["cache-control"]
    etag = versioned.headers["etag"]
    assert httpx.get(server.base + linked, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(f"{server.base}/i18n/xx.json").status_code == 404
    chosen = httpx.get(f"{server.base}/", headers={"Accept-Language": "fr"}, cookies={"language": "en"}).text
    assert 'lang="en"' in chosen and "Join an exercise" in chosen
