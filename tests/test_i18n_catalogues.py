"""The interface's catalogues (exercise_server/i18n/, exercise_server/locale/): every word the code shows
people is in every catalogue, translated, with the placeholders of its English source; and no template
or browser module shows a person-visible literal outside the catalogue."""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from exercise_server.i18n import LOCALE_DIR, SOURCE_LANGUAGE, Catalogues, preferred

ROOT = Path(__file__).resolve().parent.parent
# The keywords `make i18n` gives pybabel: Babel's defaults (_, gettext, ngettext, N_, ...) and the browser's t, tParts, tn.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": None, "tParts": None, "tn": (1, 2)}
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sd]")


@cache
def used_messages() -> dict[str, tuple[str, str]]:
    """Every msgid the code uses (Python, templates, JavaScript), as `make i18n` extracts them, with where.

    Read once per run: the extraction walks the whole tree."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str, str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message, message)
        found.setdefault(ids[0], (ids[1], f"{filename}:{lineno}"))
    return found


@cache
def catalogue(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=language)


LANGUAGES = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def test_the_languages_are_english_and_french_at_least():
    assert {"en", "fr"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_holds_every_message_the_code_uses(language):
    cat = catalogue(language)
    missing = [f"{where}: {msgid!r}" for msgid, (_, where) in used_messages().items() if msgid not in cat]
    assert not missing, f"{language} lacks (run `make i18n`, then translate):\n" + "\n".join(missing)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
def test_every_message_is_translated_and_keeps_the_placeholders_of_its_english_source(language):
    problems = []
    for msgid, (plural, _where) in used_messages().items():
        message = catalogue(language)[msgid]
        forms = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(forms):
            problems.append(f"untranslated: {msgid!r}")
            continue
        for k, form in enumerate(forms):
            source = msgid if k == 0 and plural != msgid and len(forms) == 1 else (plural if k else msgid)
            wanted = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural))
            got = set(PLACEHOLDER.findall(form))
            # A singular form may leave out the count ({n}, %(num)d): "une équipe".
            if got != wanted and not (k == 0 and got == wanted - {"{n}", "%(num)d"}):
                problems.append(f"{msgid!r} -> {form!r}: placeholders {sorted(got)} instead of {sorted(wanted)} ({source!r})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
def test_no_two_messages_share_a_translation_so_a_page_switched_in_place_reads_back_right(language):
    """i18n.js switches a page by reading each word back to its msgid in the current language."""
    seen: dict[str, str] = {}
    shared = []
    for message in catalogue(language):
        if message.id and isinstance(message.id, str) and message.string:
            if message.string in seen:
                shared.append(f"{message.string!r}: {seen[message.string]!r} and {message.id!r}")
            seen.setdefault(message.string, message.id)
    assert not shared, "\n".join(shared)


def test_a_catalogue_that_loses_or_renames_a_placeholder_fails_the_check(tmp_path):
    """The check above can fail: a French string with {team} renamed is caught by the same comparison."""
    assert set(PLACEHOLDER.findall("De {équipe} à {components}")) != set(PLACEHOLDER.findall("From {team} to {components}"))
    assert set(PLACEHOLDER.findall("début")) != set(PLACEHOLDER.findall("starts %(time)s"))


def test_the_language_list_is_read_from_the_locale_folder(tmp_path):
    for language in ("en", "fr"):
        shutil.copytree(LOCALE_DIR / language, tmp_path / language)
    shutil.copytree(LOCALE_DIR / "en", tmp_path / "de")
    i18n = Catalogues(tmp_path)
    assert i18n.languages == ("en", "de", "fr")
    assert i18n.get("fr").gettext("Inbox") == "Messages reçus"
    assert i18n.get("xx").language == "en"


def test_a_page_s_language_is_the_browser_s_choice_else_its_accept_language():
    i18n = Catalogues()
    assert preferred("de-DE,fr-CA;q=0.9,en;q=0.8") == ["de", "fr", "en"]
    assert i18n.choose(None, "de-DE,fr-CA;q=0.9,en;q=0.8") == "fr"
    assert i18n.choose("en", "fr") == "en"
    assert i18n.choose("xx", "fr;q=0,de") == "en"
    assert i18n.choose(None, None) == "en"


def test_the_browser_s_catalogue_is_the_po_file_as_json():
    fr = Catalogues().get("fr")
    import json

    body = json.loads(fr.json)
    assert body["language"] == "fr" and body["plurals"] == 3
    assert body["messages"]["Inbox"] == "Messages reçus"
    assert body["messages"]["{n} unread"] == ["{n} non lu", "{n} non lus", "{n} non lus"]


# -- no person-visible literal outside the catalogue ----------------------------------------------

TEMPLATES = ROOT / "web" / "templates"
MODULES = ROOT / "web" / "static" / "js"
LETTERS = re.compile(r"[a-z]{2}|[A-Z][a-z]")  # a word (a code such as K7Q2X-WMP3A is none)


def template_literals(source: str) -> list[str]:
    """Text nodes and placeholder/title/aria-label/alt values written in a template instead of {{ _("...") }}."""
    source = re.sub(r"\{#.*?#\}|<style>.*?</style>|<script.*?</script>", "", source, flags=re.S)
    source = re.sub(r"\{%\s*block (body_class|script) %\}.*?\{%\s*endblock\s*%\}", "", source)
    found = []
    for m in re.finditer(r"\b(placeholder|title|aria-label|alt)=\"([^\"]*)\"", source):
        if LETTERS.search(m.group(2)) and "{{" not in m.group(2):
            found.append(f'{m.group(1)}="{m.group(2)}"')
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
    for m in re.finditer(r">([^<]+)<", text):
        words = m.group(1).strip()
        if LETTERS.search(words) and not re.fullmatch(r"x\d+", words):
            found.append(words)
    return found


# What a browser module shows people: textContent/title/placeholder/aria-label, a toast, a confirm,
# an error's message, or an el() child given as a literal starting with a capital letter.
JS_LITERAL = re.compile(
    r"""(?:\.(?:textContent|title|placeholder)\s*=\s*|\b(?:title|placeholder|'aria-label')\s*:\s*"""
    r"""|\b(?:toast|confirm|alert|new Error)\(\s*|\},\s*)(['"`])((?:(?!\1).)*)\1"""
)


def _without_values(template: str) -> str:
    """A template literal without its ${...} parts (nested braces included)."""
    out, depth, k = [], 0, 0
    while k < len(template):
        if depth == 0 and template.startswith("${", k):
            depth, k = 1, k + 2
            continue
        if depth:
            depth += {"{": 1, "}": -1}.get(template[k], 0)
        else:
            out.append(template[k])
        k += 1
    return "".join(out)


def module_literals(source: str) -> list[str]:
    found = []
    for line in source.splitlines():
        if line.lstrip().startswith("//"):
            continue
        for m in JS_LITERAL.finditer(line):
            literal = m.group(2)
            if not LETTERS.search(literal):
                continue
            if m.group(0).lstrip().startswith("},") and not re.match(r"[A-Z]", literal):
                continue
            if m.group(1) == "`" and not LETTERS.search(_without_values(literal)):
                continue  # only values put together
            found.append(literal)
    return found


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_template_shows_a_literal_outside_the_catalogue(path):
    assert template_literals(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", sorted(MODULES.glob("*.js")), ids=lambda p: p.name)
def test_no_browser_module_shows_a_literal_outside_the_catalogue(path):
    assert module_literals(path.read_text(encoding="utf-8")) == []


def test_the_static_checks_catch_a_literal():
    assert template_literals('<h2>Inbox</h2><input placeholder="Name">') == ["placeholder=\"Name\"", "Inbox"]
    assert template_literals('<h2>{{ _("Inbox") }}</h2>') == []
    assert module_literals("box.textContent = 'Sent';") == ["Sent"]
    assert module_literals("toast(`Request ${id} sent`);") == ["Request ${id} sent"]
    assert module_literals("el('button', { type: 'button' }, 'Send')") == ["Send"]
    assert module_literals("el('button', { type: 'button' }, t('Send'))") == []


def test_a_catalogue_read_from_its_kept_copy_is_the_one_compiled_and_a_damaged_copy_is_compiled_again(
    tmp_path, monkeypatch
):
    from exercise_server import i18n

    monkeypatch.setattr(i18n, "private_cache_dir", lambda name: tmp_path)
    compiled = Catalogues()  # compiles, and keeps what it made
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["en", "fr"]

    def compile_again(language: str, source: bytes):
        raise AssertionError(f"{language} compiled again")

    with monkeypatch.context() as m:
        m.setattr(i18n, "_compiled", compile_again)
        read = Catalogues()  # the next process reads what was kept
    for language in ("en", "fr"):
        a, b = compiled.get(language), read.get(language)
        assert (a.name, a.json, a.version, a.size) == (b.name, b.json, b.version, b.size)
        assert a.translations._catalog == b.translations._catalog  # type: ignore[attr-defined]
        assert [b.ngettext("%(num)d row with problems", "%(num)d rows with problems", n) for n in (0, 1, 2)] == [
            a.ngettext("%(num)d row with problems", "%(num)d rows with problems", n) for n in (0, 1, 2)]
    for path in tmp_path.iterdir():
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert Catalogues().get("fr").json == compiled.get("fr").json  # damaged: compiled again
