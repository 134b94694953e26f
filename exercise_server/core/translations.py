"""Scenario content in several languages: a translated text, and the one way to pick a reader's language.

A scenario file writes a translatable field as plain text (its default language) or as a mapping
from language to text (docs/scenario-format.md). The model keeps each field's default text where
it always was (`Inject.title` is a str) and the other languages beside it, in the form payloads
carry to browsers: an object with translatable fields may have `translations`, a mapping from
language to the fields translated (`{"fr": {"title": ..., "body": ...}}`). A field a language
lacks falls back to the default text, and the reader is told so (`Shown.fell_back`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

DEFAULT_LANGUAGE = "en"
LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # an ISO 639 code: en, fr, ar, ...

# language -> field -> translated value (text; for expected actions, {key: [text or None]}).
Translations = dict[str, dict[str, Any]]


class Shown(NamedTuple):
    """The text a reader is shown, and whether it is the default because their language has none."""

    text: str
    language: str
    fell_back: bool


@dataclass(frozen=True)
class Text:
    """One translatable field: the text in the scenario's default language and its translations."""

    default: str
    language: str = DEFAULT_LANGUAGE  # the default text's language
    others: tuple[tuple[str, str], ...] = ()  # (language, text), the default language excluded

    def __str__(self) -> str:
        return self.default

    def get(self, language: str) -> str | None:
        if language == self.language:
            return self.default
        return next((text for lang, text in self.others if lang == language), None)

    def pick(self, language: str | None) -> Shown:
        """The text in `language`, or the default (fell_back) when it has none; None reads the default."""
        if language is None or language == self.language:
            return Shown(self.default, self.language, False)
        text = self.get(language)
        if text is None:
            return Shown(self.default, self.language, True)
        return Shown(text, language, False)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset({self.language, *(lang for lang, _ in self.others)})

    def written(self) -> str | dict[str, str]:
        """The field as a scenario file writes it: plain text when it has no translation."""
        if not self.others:
            return self.default
        return {self.language: self.default, **dict(self.others)}


def text_of(default: str, translations: Mapping[str, Mapping[str, Any]], name: str, language: str) -> Text:
    """Field `name` of an object (its default text and its `translations`) as a Text."""
    others = tuple((lang, fields[name]) for lang, fields in translations.items() if isinstance(fields.get(name), str))
    return Text(default, language, others)


def pick(obj: Mapping[str, Any], name: str, language: str | None, default_language: str) -> Shown:
    """Field `name` of a payload object (a dict with `translations`) in `language`, with fallback."""
    return text_of(str(obj.get(name) or ""), obj.get("translations") or {}, name, default_language).pick(language)


def put(translations: Translations, name: str, text: Text) -> None:
    """Add the translations of `text` to an object's `translations` as field `name`."""
    for lang, value in text.others:
        translations.setdefault(lang, {})[name] = value


def only(translations: Mapping[str, Mapping[str, Any]], names: tuple[str, ...]) -> Translations:
    """The translations of the fields `names` only (a team's view of an inject: no control notes)."""
    out = {lang: {k: v for k, v in fields.items() if k in names} for lang, fields in translations.items()}
    return {lang: fields for lang, fields in out.items() if fields}


def written_expected(
    expected: Mapping[str, list[str]], translations: Mapping[str, Mapping[str, Any]], default_language: str
) -> dict[str, list[Any]]:
    """Expected actions as a scenario file writes them: each action plain text or a language mapping."""
    out: dict[str, list[Any]] = {}
    for key, actions in expected.items():
        out[key] = []
        for i, action in enumerate(actions):
            others = tuple(
                (lang, items[i])
                for lang, fields in translations.items()
                if isinstance(items := (fields.get("expected") or {}).get(key), list)
                and i < len(items)
                and isinstance(items[i], str)
            )
            out[key].append(Text(action, default_language, others).written())
    return out


def written_payload(value: Any, default_language: str) -> Any:
    """A payload (an inject's COP changes, say) as a scenario file writes it: in every object that
    carries `translations`, each translated field becomes a language mapping again."""
    if isinstance(value, list | tuple):
        return [written_payload(item, default_language) for item in value]
    if not isinstance(value, dict):
        return value
    out = {k: written_payload(v, default_language) for k, v in value.items() if k != "translations"}
    for lang, fields in (value.get("translations") or {}).items():
        for name, text in fields.items():
            if isinstance(out.get(name), str):
                out[name] = {default_language: out[name]}
            if isinstance(out.get(name), dict):
                out[name][lang] = text
    return out
