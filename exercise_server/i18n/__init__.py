"""The interface's languages: one gettext catalogue per language in exercise_server/locale/.

The same catalogue serves the templates (Jinja2's i18n extension), the server's words to people
(the after-action report) and the browser (`Catalogue.json`, read by web/static/js/i18n.js).
Catalogues are the .po files themselves, compiled in memory when the server starts: a fresh clone
needs no build step, and adding a language is adding `locale/<language>/LC_MESSAGES/messages.po`.
What a compile makes is kept on disk too, in a folder of this user's own, for the next process
to read (a tenth of the time): keyed by the .po file, this module and babel, a change to any of
them compiles again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import babel
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ..paths import private_cache_dir, write_whole
from ..qvalues import weighted

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"  # the msgids are English
COOKIE = "language"  # the seat's language for the pages this browser asks for before it has a session


@dataclass(frozen=True)
class Catalogue:
    """One language: its translations for Python and Jinja2, and the same messages as JSON for the browser."""

    language: str
    name: str  # the language's name in itself ("français"), for the selector
    translations: Translations
    json: bytes
    version: str  # a digest of `json`: the browser caches /i18n/<language>.json?v=<version> for good
    size: int  # how many messages it translates: a page in a language with none (English) fetches nothing

    @property
    def label(self) -> str:
        """The language's name in itself, as a label starts ("Français")."""
        return self.name[:1].upper() + self.name[1:]

    def gettext(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self.translations.ngettext(singular, plural, n) % {"num": n, **params}


def _compile(language: str, po_file: Path) -> Catalogue:
    source = po_file.read_bytes()
    kept = _kept_path(language, source)
    if kept is not None:
        try:
            held = json.loads(kept.read_bytes())
            mo, data = base64.b64decode(held["mo"]), held["json"].encode()
            translations = Translations(io.BytesIO(mo))
        except Exception:  # none kept yet, or damaged in any way: compiled anew
            pass
        else:
            version = hashlib.sha256(data).hexdigest()[:12]
            return Catalogue(language, held["name"], translations, data, version, held["size"])
    catalogue, mo_base64 = _compiled(language, source)
    if kept is not None:
        held = {"name": catalogue.name, "size": catalogue.size, "json": catalogue.json.decode(), "mo": mo_base64}
        write_whole(kept, json.dumps(held).encode())
    return catalogue


def _kept_path(language: str, source: bytes) -> Path | None:
    folder = private_cache_dir("i18n")
    if folder is None:
        return None
    key = hashlib.sha256(b"\0".join((source, Path(__file__).read_bytes(), babel.__version__.encode())))
    return folder / f"{language}-{key.hexdigest()[:32]}.json"


def _compiled(language: str, source: bytes) -> tuple[Catalogue, str]:
    """The catalogue of a .po file's bytes, and its .mo (base64) for the copy kept on disk."""
    catalog = read_po(io.BytesIO(source), locale=language)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    messages: dict[str, str | list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = [str(s) for s in message.string or ()]
            if forms and all(forms):
                messages[str(message.id[0])] = forms
        elif message.string:
            messages[str(message.id)] = str(message.string)
    body = {"language": language, "plurals": catalog.num_plurals, "messages": messages}
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    name = Locale.parse(language).get_display_name(language) or language
    encoded = base64.b64encode(mo.getvalue()).decode()
    version = hashlib.sha256(data).hexdigest()[:12]
    return Catalogue(language, name, Translations(mo), data, version, len(messages)), encoded


class Catalogues:
    """Every language of the locale folder, the source language (English) first."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        found = {p.parent.parent.name: p for p in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po"))}
        if SOURCE_LANGUAGE not in found:
            raise RuntimeError(f"no {SOURCE_LANGUAGE} catalogue in {locale_dir}")
        self.by_language = {lang: _compile(lang, found[lang]) for lang in sorted(found, key=_source_first)}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.by_language)

    def get(self, language: str | None) -> Catalogue:
        return self.by_language.get(language or "", self.by_language[SOURCE_LANGUAGE])

    def choose(self, cookie: str | None, accept_language: str | None) -> str:
        """The language of a page: the one this browser chose (its cookie), else the best of Accept-Language."""
        if cookie in self.by_language:
            return str(cookie)
        for language in preferred(accept_language or ""):
            if language in self.by_language:
                return language
        return SOURCE_LANGUAGE


def _source_first(language: str) -> tuple[bool, str]:
    return (language != SOURCE_LANGUAGE, language)


def preferred(accept_language: str) -> list[str]:
    """The primary language subtags of an Accept-Language header, most wanted first ("fr-CA;q=0.9" -> "fr")."""
    ranked: list[tuple[float, int, str]] = []
    for k, (tag, q) in enumerate(weighted(accept_language)):
        primary = tag.split("-")[0].lower()
        if primary and primary != "*" and q > 0:
            ranked.append((-q, k, primary))
    return [language for _, _, language in sorted(ranked)]


@cache
def catalogues() -> Catalogues:
    """The catalogues of the package's locale folder, compiled once per process."""
    return Catalogues()
