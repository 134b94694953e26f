"""An exercise's log read in one of its scenario's languages, for the after-action report and the
exports: the scenario stored at opening and every payload's content in that language (the default
text where a field has no translation), so that the fold and the metrics need not know of languages.

Also who read in which language: each opening (`inject.opened`) and acknowledgement records it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from . import events as ev
from .translations import DEFAULT_LANGUAGE


def scenario_languages(events: Iterable[ev.Event]) -> tuple[tuple[str, ...], str]:
    """The languages the log's scenario declares, and its default one."""
    for event in events:
        if event.type == ev.EXERCISE_OPENED:
            doc = event.payload.get("scenario") or {}
            default = doc.get("default_language", DEFAULT_LANGUAGE)
            return tuple(doc.get("languages", [default])), default
    return (DEFAULT_LANGUAGE,), DEFAULT_LANGUAGE


def log_in(events: Iterable[ev.Event], language: str) -> list[ev.Event]:
    """The log with its content in `language` (which its scenario declares: see scenario_languages)."""
    out = []
    for event in events:
        if event.type == ev.EXERCISE_OPENED:
            doc = event.payload["scenario"]
            default = doc.get("default_language", DEFAULT_LANGUAGE)
            languages = set(doc.get("languages", [default]))
            written = {**doc_in(doc, language, default, languages), "languages": [language]}
            written["default_language"] = language
            out.append(replace(event, payload={**event.payload, "scenario": written}))
        else:
            out.append(replace(event, payload=content_in(event.payload, language)))
    return out


def doc_in(value: Any, language: str, default: str, languages: set[str]) -> Any:
    """A scenario document with each translated field (a mapping from its languages to text) as plain
    text in `language`, or in `default` where it has none."""
    if isinstance(value, list):
        return [doc_in(v, language, default, languages) for v in value]
    if not isinstance(value, dict):
        return value
    if value and default in value and set(value) <= languages and all(isinstance(v, str) for v in value.values()):
        return value.get(language, value[default])
    return {k: doc_in(v, language, default, languages) for k, v in value.items()}


def content_in(value: Any, language: str) -> Any:
    """A payload with each object that carries `translations` read in `language`: each field its
    translation where there is one, as it was elsewhere; the translations dropped."""
    if isinstance(value, list):
        return [content_in(v, language) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: content_in(v, language) for k, v in value.items() if k != "translations"}
    for name, text in ((value.get("translations") or {}).get(language) or {}).items():
        if name == "expected" and isinstance(text, dict):
            own = out.get("expected") or {}
            out["expected"] = {key: _actions_in(actions, text.get(key) or []) for key, actions in own.items()}
        elif isinstance(text, str):
            out[name] = text
    return out


def _actions_in(actions: list[str], translated: list[str | None]) -> list[str]:
    """Expected actions in a language: each its translation where it has one (the lists align)."""
    return [t if i < len(translated) and isinstance(t := translated[i], str) else a for i, a in enumerate(actions)]


def seat_languages(events: Iterable[ev.Event]) -> list[dict[str, Any]]:
    """Each participant who opened or acknowledged an inject: their team, and how many injects they read
    in each language (an acknowledgement without a language, from before it was recorded, in the default)."""
    events = list(events)
    _, default = scenario_languages(events)
    seats: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (team, name) -> {(inject, language)}
    for event in events:
        if event.type in (ev.INJECT_OPENED, ev.INJECT_ACKNOWLEDGED):
            read = (event.payload["inject_id"], event.payload.get("language", default))
            seats.setdefault((event.payload["team"], event.actor.name), set()).add(read)
    out = []
    for (team, name), reads in sorted(seats.items()):
        counts: dict[str, int] = {}
        for _, language in reads:
            counts[language] = counts.get(language, 0) + 1
        out.append({"team": team, "name": name, "languages": counts})
    return out
