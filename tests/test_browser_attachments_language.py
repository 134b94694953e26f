"""An inject's attachments in the seat's language, in a real browser: a French team reading module 1-2
opens the French mandate, guidelines and glossary; an English one the English files; a file with no
French copy opens in English, marked so as a text that fell back is; and the studio keeps each
language's file through an edit and a save."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from .browser import VIEWPORT, PageErrors, join
from .server_harness import ROOT, Client, ServerProcess
from .studio_harness import INJECTS, studio_server, studio_sign_in
from .test_browser_layout import LAPTOP, PHONE, PROJECTOR, check

MODULE_1_2 = "module-1-2-who-does-what-in-bessa"
FIXTURES = ROOT / "tests" / "fixtures"


def released(server: ServerProcess, scenario: str, inject: str) -> dict[str, str]:
    """An exercise of `scenario` with `inject` released; its join codes."""
    exercise, codes, fac_token = server.open_exercise(scenario)

    async def release() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        await fac.ok("inject.release", inject_id=inject)
        await fac.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, release()).result()
    return codes


def join_in_french(browser, server: ServerProcess, code: str, name: str) -> tuple[Page, PageErrors]:  # type: ignore[no-untyped-def]
    """A participant whose browser asks for French: the page and its content come in French."""
    page = browser.new_context(viewport=VIEWPORT, locale="fr-FR").new_page()
    errors = PageErrors(page)
    page.goto(server.base + "/")
    page.fill("#join-code", code)
    page.fill("#join-name", name)
    page.click("#join-form button[type=submit]")
    expect(page.locator("#connection")).to_have_text("connecté")
    return page, errors


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    s = ServerProcess(tmp_path_factory.mktemp("module-1-2") / "data",
                      scenarios=(INJECTS / f"{MODULE_1_2}.yaml",)).start()
    yield s
    s.stop()


def test_a_french_team_opens_the_french_glossary_and_an_english_team_the_english_one(browser, module_server):
    server = module_server
    codes = released(server, MODULE_1_2, "W-01")
    fr, fr_errors = join_in_french(browser, server, codes["hum-1"], "Aminata (OCHA)")
    en, en_errors = join(browser, server, codes["mil-1"], "Major Jones")

    fr.locator(".inject-item[data-inject='W-01']").click()
    files = fr.locator("#inject-detail button.attachment")
    expect(files).to_have_text([
        "Mandat de l'UNSMN : extrait de la résolution 9907 (fictive) du Conseil de sécurité",
        "Directives civilo-militaires propres au Nalora (fictives)",
        "Glossaire des termes de la coordination civilo-militaire",
    ])
    expect(fr.locator("#inject-detail .attachments .untranslated")).to_have_count(0)  # every file is in French
    fr.locator("#inject-detail button.attachment", has_text="Glossaire").click()
    shown = fr.locator("dialog.attachment-view")
    expect(shown.locator("h1")).to_have_text(
        "Glossaire des termes de la coordination civilo-militaire (français – anglais)")
    expect(shown).to_have_attribute("lang", "fr")
    expect(shown.locator("th")).to_have_text(["Terme", "Terme anglais", "Définition"])
    expect(shown.locator("td", has_text="Dernier recours")).to_have_count(1)
    with fr.expect_download() as info:
        shown.get_by_role("button", name="Télécharger").click()
    assert info.value.suggested_filename == "cimic-glossary.fr.md"
    shown.get_by_role("button", name="Fermer").click()
    fr.locator("#inject-detail button.attachment", has_text="Mandat").click()
    expect(fr.locator("dialog.attachment-view h1")).to_have_text(
        "Mission de stabilisation des Nations Unies au Nalora (UNSMN) : mandat")
    fr.locator("dialog.attachment-view").get_by_role("button", name="Fermer").click()

    en.locator(".inject-item[data-inject='W-01']").click()
    en.locator("#inject-detail button.attachment", has_text="Glossary").click()
    english = en.locator("dialog.attachment-view")
    expect(english.locator("h1")).to_have_text("Glossary of civil-military coordination terms (English – French)")
    expect(english.locator("th")).to_have_text(["Term", "French term", "Meaning"])
    with en.expect_download() as info:
        english.get_by_role("button", name="Download").click()
    assert info.value.suggested_filename == "cimic-glossary.md"
    assert fr_errors.errors == [] and en_errors.errors == []


def test_a_file_with_no_french_copy_opens_in_english_marked_so_at_every_size(browser, tmp_path):
    folder = tmp_path / "scenarios"
    shutil.copytree(FIXTURES / "attachments", folder / "attachments")
    text = (FIXTURES / "bilingual.yaml").read_text(encoding="utf-8")
    (folder / "bilingual.yaml").write_text(text.replace(
        "file: {en: kora-road-assessment.txt, fr: kora-road-assessment.fr.txt}", "file: kora-road-assessment.txt"),
        encoding="utf-8")
    server = ServerProcess(tmp_path / "data", scenarios=(folder / "bilingual.yaml",)).start()
    try:
        codes = released(server, "bilingual", "I-1")
        page, errors = join_in_french(browser, server, codes["hum-1"], "Aminata (OCHA)")
        page.locator(".inject-item[data-inject='I-1']").click()
        button = page.locator("#inject-detail button.attachment")
        expect(button).to_have_text("Évaluation de la route, Kora")  # the title is French
        mark = page.locator("#inject-detail .attachments .untranslated")
        expect(mark).to_have_text("EN")  # the file is not
        expect(mark).to_have_attribute("title", "Ce fichier n'est pas traduit : il s'ouvre en EN")
        with page.expect_download() as info:
            button.click()
        assert info.value.suggested_filename == "kora-road-assessment.txt"
        assert "ATTACHMENT-BODY-FOR-HUM-1" in Path(info.value.path()).read_text(encoding="utf-8")
        problems = check(page, "a French inbox with an English file", [PHONE, LAPTOP, PROJECTOR],
                         ["#inject-detail button.attachment", "#inject-detail .attachments .untranslated"])
        assert not problems, "\n".join(problems)
        assert errors.errors == []
    finally:
        server.stop()


def test_the_studio_keeps_an_attachments_french_file_and_can_change_it(browser, tmp_path_factory):
    with studio_server(tmp_path_factory, INJECTS / "demo.yaml") as server:
        folder = server.folder  # type: ignore[attr-defined]
        page, errors = studio_sign_in(browser, server, "demo")
        page.click("#studio-tabs button[data-section='msel']")
        page.locator("#studio-msel tr[data-inject='D-02'] .edit-inject").click()
        title = page.get_by_label("Title of lunda-bridge-relocation-plan.md")
        french = page.get_by_label("File in FR")
        expect(french).to_have_value("lunda-bridge-relocation-plan.fr.md")
        title.fill("Relocation plan, lower blocks")
        page.click("#save")
        expect(page.locator("#save-state")).to_have_text("Saved")
        saved = yaml.safe_load((folder / "demo.yaml").read_text(encoding="utf-8"))
        [attachment] = next(i for i in saved["msel"] if i["id"] == "D-02")["attachments"]
        assert attachment["file"] == {"en": "lunda-bridge-relocation-plan.md", "fr": "lunda-bridge-relocation-plan.fr.md"}
        assert attachment["title"]["en"] == "Relocation plan, lower blocks"
        assert attachment["title"]["fr"] == "Plan de réinstallation du cluster Abris, blocs bas"

        french.select_option("")  # back to one file for every language
        page.click("#save")
        expect(page.locator("#save-state")).to_have_text("Saved")
        saved = yaml.safe_load((folder / "demo.yaml").read_text(encoding="utf-8"))
        [attachment] = next(i for i in saved["msel"] if i["id"] == "D-02")["attachments"]
        assert attachment["file"] == "lunda-bridge-relocation-plan.md"

        french.select_option("cimic-glossary.fr.md")
        page.click("#save")
        expect(page.locator("#save-state")).to_have_text("Saved")
        saved = yaml.safe_load((folder / "demo.yaml").read_text(encoding="utf-8"))
        [attachment] = next(i for i in saved["msel"] if i["id"] == "D-02")["attachments"]
        assert attachment["file"] == {"en": "lunda-bridge-relocation-plan.md", "fr": "cimic-glossary.fr.md"}
        assert errors.errors == []
