"""Checking a scenario file against the schema and its cross references, and building the model.

A scenario either loads whole or not at all: `parse_scenario` returns the model only when the
list of problems is empty. This module checks the document (setting, components, teams, rooms,
briefings, COP); `msel_check.py` checks the MSEL. The format is docs/scenario-format.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .coordination_settings import KEYS as COORDINATION_KEYS
from .coordination_settings import coordination_settings
from .evaluation_check import EvaluationChecks
from .learning import check_learning
from .msel_check import MselChecks
from .role_cards import read_role_cards
from .scenario import (
    CONTROL,
    DEFAULT_COMPONENTS,
    DEFAULT_RESPOND_WITHIN,
    FORMAT_VERSION,
    Component,
    Inject,
    Persona,
    Problem,
    Room,
    Scenario,
    Team,
)
from .scenario_fields import ID
from .timefmt import parse_dday, parse_duration
from .translations import Text, Translations, put
from .yamlsrc import YamlSyntaxError, load_lined, plain


class ScenarioError(ValueError):
    """A scenario that failed validation; `problems` says where and why."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}:{p.line}: {p.message}" for p in problems))


def load_scenario_file(path: str | Path) -> Scenario:
    path = Path(path)
    scenario, problems = parse_scenario_text(path.read_text(encoding="utf-8"), default_id=path.stem)
    if problems or scenario is None:
        raise ScenarioError(str(path), problems)
    return scenario


def parse_scenario_text(text: str, default_id: str = "scenario") -> tuple[Scenario | None, list[Problem]]:
    try:
        doc = load_lined(text)
    except YamlSyntaxError as exc:
        return None, [Problem(exc.line, exc.message)]
    return parse_scenario(doc, default_id)


def parse_scenario(doc: Any, default_id: str = "scenario") -> tuple[Scenario | None, list[Problem]]:
    """Check a parsed document; return the model only if there is no problem."""
    checker = ScenarioChecks(default_id)
    scenario = checker.run(doc)
    problems = sorted(checker.problems, key=lambda p: p.line)
    return (scenario if not problems else None), problems


def scenario_from_doc(doc: dict[str, Any]) -> Scenario:
    """Rebuild a scenario from the plain document stored in an exercise's first event."""
    scenario, problems = parse_scenario(doc, doc.get("id", "scenario"))
    if scenario is None:
        raise ScenarioError("<stored>", problems)
    return scenario


def build_inject(scenario: Scenario, item: dict[str, Any], order: int) -> tuple[Inject | None, list[Problem]]:
    """Check one MSEL item against a loaded scenario (for edits and ad-hoc injects).

    The item's COP changes were checked with the whole MSEL and are kept as the scenario read them
    (a name in several languages already split into the name and its translations).
    """
    checker = ScenarioChecks(scenario.id, scenario.languages, scenario.default_language)
    scope = {c.id for c in scenario.components} | {t.id for t in scenario.teams}
    body = {k: v for k, v in item.items() if k != "cop"}
    inject = checker.inject([body], 0, body, scenario, scope, set(), order)
    if checker.problems or inject is None:
        return None, checker.problems
    scripted = scenario.inject(inject.id)
    return replace(inject, cop=scripted.cop if scripted else tuple(item.get("cop") or ())), []


class ScenarioChecks(MselChecks, EvaluationChecks):
    """The whole document; each part adds its problems and returns what it could read."""

    def run(self, doc: Any) -> Scenario | None:
        if not isinstance(doc, dict):
            self.err(doc, None, "a scenario file must be a YAML mapping")
            return None
        self.keys(
            doc,
            "scenario",
            ("format", "title", "setting", "start", "duration", "objectives", "teams", "msel"),
            (
                "id",
                "components",
                "rooms",
                "briefings",
                "cop",
                "modules",
                "basemap",
                "languages",
                "default_language",
                "personas",
                "respond_within",
                *COORDINATION_KEYS,
                "role_cards",
                "learning",
                "evaluation",
            ),
        )
        self.scenario_languages(doc)
        translations: Translations = {}
        if "format" in doc and doc["format"] != FORMAT_VERSION:
            self.err(doc, "format", f"format {doc['format']!r} is not supported (expected {FORMAT_VERSION})")
        scenario_id = self.ident(doc, "id", "scenario", doc.get("id", self.default_id)) or self.default_id
        title = self.text(doc, "title", "scenario")
        setting_text = self.translatable(doc, "setting", doc.get("setting"), "scenario")
        setting = setting_text.default if setting_text else ""
        if setting_text:
            put(translations, "setting", setting_text)
        start = self.time(doc, "start", parse_dday)
        duration = self.time(doc, "duration", parse_duration)
        objectives = self.objectives(doc, translations)
        components = self.components(doc)
        teams = self.teams(doc, components)
        personas = self.personas(doc)
        learning = check_learning(self, doc, objectives)
        scope = {c.id for c in components} | {t.id for t in teams}
        draft = Scenario(
            scenario_id, title, setting, start, duration, objectives, tuple(components), tuple(teams), {}, {}, (), ()
        )
        draft = replace(draft, personas=personas)  # before the rooms: a phone line names a persona
        draft = replace(draft, rooms=self.rooms(doc, draft, scope))
        briefings = self.briefings(doc, components, translations)
        features = self.features(doc, scope)
        injects = self.msel(doc, draft, scope, {f["id"] for f in features})
        evaluation = self.evaluation(doc, replace(draft, injects=tuple(injects)))
        modules = self.modules(doc, "scenario")
        respond_within = self.respond_within(doc, "scenario") or DEFAULT_RESPOND_WITHIN
        coordination = coordination_settings(self, doc, teams)
        role_cards = read_role_cards(self, doc, {t.id for t in teams})
        basemap = doc.get("basemap")
        if basemap is not None and (not isinstance(basemap, str) or not ID.match(basemap)):
            self.err(doc, "basemap", "basemap: the name of a file basemaps/<name>.geojson beside the scenarios")
        if self.problems:
            return None
        return replace(
            draft,
            briefings=briefings,
            features=tuple(features),
            injects=tuple(injects),
            doc=plain(doc),
            modules=modules,
            basemap=basemap,
            languages=self.languages,
            default_language=self.default_language,
            translations=translations,
            missing_translations=tuple(sorted(self.warnings, key=lambda p: p.line)),
            respond_within=respond_within,
            guideline=coordination.guideline,
            ocha_team=coordination.ocha_team,
            hazard_flags=coordination.hazard_flags,
            hazard_delay=coordination.hazard_delay,
            notifications=coordination.notifications,
            role_cards=role_cards,
            learning=learning,
            evaluation=evaluation,
        )

    def time(self, doc: dict[str, Any], key: str, parse: Callable[[str], float]) -> float:
        raw = doc.get(key)
        if raw is None:
            return 0.0
        if not isinstance(raw, str):
            self.err(doc, key, f'{key}: write the time as quoted text, for example "+0:05" or "D+3 06:00"')
            return 0.0
        try:
            return parse(raw)
        except ValueError as exc:
            self.err(doc, key, f"{key}: {exc}")
            return 0.0

    def objectives(self, doc: dict[str, Any], translations: Translations) -> dict[str, str]:
        value = self.optional_mapping(doc, "objectives", "objectives")
        if value is None:
            return {}
        out = {}
        for key, raw in value.items():
            text = self.translatable(value, key, raw, "objectives", f"objective {key!r} must have a text")
            out[key] = text.default if text else str(raw)
            for lang, other in text.others if text else ():
                translations.setdefault(lang, {}).setdefault("objectives", {})[key] = other
        if not out:
            self.err(doc, "objectives", "objectives: list at least one course objective")
        return out

    def components(self, doc: dict[str, Any]) -> list[Component]:
        if doc.get("components") is None:
            return [Component(cid, name) for cid, name in DEFAULT_COMPONENTS]
        raw = self.optional_list(doc, "components", "components must be a non-empty list")
        out, seen = [], set()
        for i, item in enumerate(raw):
            found = self.entry(raw, i, item, "component", ("id", "name"), ("played_by",))
            if found is None:
                continue
            item, cid = found
            if cid in seen:
                self.err(item, "id", f"duplicate component id {cid!r}")
            seen.add(cid)
            played = item.get("played_by")
            if played not in (None, CONTROL):
                self.err(item, "played_by", f"component {cid!r}: played_by must be 'control'")
            name = self.translatable(item, "name", item["name"], f"component {cid!r}")
            out.append(Component(cid, name.default if name else "", played == CONTROL, self.names(name)))
        return out

    def teams(self, doc: dict[str, Any], components: list[Component]) -> list[Team]:
        raw = self.optional_list(doc, "teams", "teams must be a non-empty list")
        by_id = {c.id: c for c in components}
        out, seen = [], set(by_id)
        for i, item in enumerate(raw):
            found = self.entry(raw, i, item, "team", ("id", "name", "component"), ())
            if found is None:
                continue
            item, tid = found
            if tid in seen:
                self.err(
                    item, "id", f"duplicate id {tid!r} (team ids must differ from each other and from component ids)"
                )
            seen.add(tid)
            comp = by_id.get(item["component"])
            if comp is None:
                self.err(item, "component", f"team {tid!r}: unknown component {item['component']!r}")
                continue
            if comp.played_by_control:
                self.err(
                    item, "component", f"team {tid!r}: component {comp.id!r} is played by control and has no teams"
                )
            name = self.translatable(item, "name", item["name"], f"team {tid!r}")
            out.append(Team(tid, name.default if name else "", comp.id, self.names(name)))
        return out

    def rooms(self, doc: dict[str, Any], draft: Scenario, scope: set[str]) -> dict[str, Room]:
        every = frozenset(t.id for t in draft.teams)
        rooms: dict[str, Room] = {}
        for team in draft.teams:
            named = {lang: {"name": f"Team room: {t['name']}"} for lang, t in team.translations.items()}
            rooms[f"team:{team.id}"] = Room(
                f"team:{team.id}", f"Team room: {team.name}", "team", frozenset({team.id}), frozenset({team.id}), named
            )
        for comp in draft.components:
            members = draft.teams_of([comp.id])
            if members:
                rooms[f"component:{comp.id}"] = Room(
                    f"component:{comp.id}", f"{comp.name}", "component", members, members, comp.translations
                )
        rooms["joint"] = Room("joint", "Joint civil-military coordination room", "joint", every, every)
        rooms["plenary"] = Room("plenary", "Plenary", "plenary", every, every)
        value = self.optional_mapping(doc, "rooms", "rooms")
        if value is None or not self.keys(value, "rooms", (), ("liaison", "extra", "phone")):
            return rooms
        team_ids = {t.id for t in draft.teams}
        liaison = value.get("liaison") or []
        if not isinstance(liaison, list):
            self.err(value, "liaison", "rooms.liaison must be a list of [team, team] pairs")
            liaison = []
        for i, pair in enumerate(liaison):
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(x, str) for x in pair)
                or pair[0] == pair[1]
            ):
                self.err(liaison, i, "a liaison line joins two different teams: [team, team]")
                continue
            unknown = [x for x in pair if x not in team_ids]
            if unknown:
                self.err(liaison, i, f"liaison line: unknown team {unknown[0]!r}")
                continue
            a, b = sorted(pair)
            line_id = f"liaison:{a}~{b}"
            if line_id in rooms:
                self.err(liaison, i, f"duplicate liaison line {line_id!r}")
            members = frozenset(pair)
            rooms[line_id] = Room(line_id, f"Liaison line {a} - {b}", "liaison", members, members)
        extra = value.get("extra") or []
        if not isinstance(extra, list):
            self.err(value, "extra", "rooms.extra must be a list of rooms")
            extra = []
        for i, item in enumerate(extra):
            found = self.entry(extra, i, item, "room", ("id", "name", "read"), ("write",))
            if found is None:
                continue
            item, rid = found
            if rid in rooms:
                self.err(item, "id", f"duplicate room id {rid!r}")
            read = self.str_list(item, "read", f"room {rid!r}")
            write = self.str_list(item, "write", f"room {rid!r}")
            self.refs(item, "read", f"room {rid!r} read", read, scope)
            self.refs(item, "write", f"room {rid!r} write", write, scope)
            readers, writers = draft.teams_of(read), draft.teams_of(write)
            if not readers:
                self.err(item, "read", f"room {rid!r}: no team can read it")
            if not writers <= readers:
                self.err(item, "write", f"room {rid!r}: every writer must also be a reader")
            name = self.translatable(item, "name", item["name"], f"room {rid!r}")
            rooms[rid] = Room(rid, name.default if name else "", "extra", readers, writers, self.names(name))
        rooms.update(self.phone_lines(value, draft, set(rooms)))
        return rooms

    def phone_lines(self, value: dict[str, Any], draft: Scenario, taken: set[str]) -> dict[str, Room]:
        """`rooms.phone`: a logged line between a team and a persona the control cell plays (Post as)."""
        raw = value.get("phone") or []
        if not isinstance(raw, list):
            self.err(value, "phone", "rooms.phone must be a list of {team, persona}")
            return {}
        out: dict[str, Room] = {}
        personas = {p.id: p for p in draft.personas}
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not self.keys(item, "phone line", ("team", "persona"), ()):
                if not isinstance(item, dict):
                    self.err(raw, i, "a phone line is {team, persona}")
                continue
            team, persona = draft.team(str(item["team"])), personas.get(str(item["persona"]))
            if team is None:
                self.err(item, "team", f"phone line: unknown team {item['team']!r}")
                continue
            if persona is None:
                self.err(item, "persona", f"phone line: unknown persona {item['persona']!r} (see personas)")
                continue
            rid = f"phone:{team.id}~{persona.id}"
            if rid in taken or rid in out:
                self.err(item, "team", f"duplicate phone line {rid!r}")
                continue
            names = {lang: {"name": f"Phone: {t['name']}"} for lang, t in persona.translations.items() if "name" in t}
            members = frozenset({team.id})
            out[rid] = Room(rid, f"Phone: {persona.name}", "phone", members, members, names)
        return out

    def briefings(self, doc: dict[str, Any], components: list[Component], translations: Translations) -> dict[str, str]:
        value = self.optional_mapping(doc, "briefings", "briefings")
        if value is None:
            return {}
        known = {c.id for c in components}
        out = {}
        for key, raw in value.items():
            if key not in known:
                self.err(value, key, f"briefing for unknown component {key!r}")
                continue
            text = self.translatable(
                value, key, raw, "briefings", f"briefing {key!r} must be Markdown text", empty=True
            )
            if text is not None:
                out[key] = text.default
                for lang, other in text.others:
                    translations.setdefault(lang, {}).setdefault("briefings", {})[key] = other
        return out

    def personas(self, doc: dict[str, Any]) -> tuple[Persona, ...]:
        """The senders control plays; an inject's `from` may name one by its id."""
        raw = doc.get("personas")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.err(doc, "personas", "personas must be a list of {id, name, role, organisation, notes}")
            return ()
        out: list[Persona] = []
        for i, item in enumerate(raw):
            found = self.entry(raw, i, item, "persona", ("id", "name"), ("role", "organisation", "notes"))
            if found is None:
                continue
            item, pid = found
            what = f"persona {pid!r}"
            if any(p.id == pid for p in out):
                self.err(item, "id", f"duplicate persona id {pid!r}")
                continue
            name = self.translatable(item, "name", item["name"], what)
            role = self.translatable(item, "role", item.get("role", ""), what, empty=True)
            organisation = self.text(item, "organisation", what, "")
            notes = self.text(item, "notes", what, "")
            translations: Translations = {}
            for text, key in ((name, "name"), (role, "role")):
                for lang, other in text.others if text else ():
                    translations.setdefault(lang, {})[key] = other
            out.append(
                Persona(
                    pid,
                    name.default if name else "",
                    role.default if role else "",
                    organisation,
                    notes,
                    translations,
                )
            )
        return tuple(out)

    @staticmethod
    def names(name: Text | None) -> Translations:
        """The translations of an object whose one translatable field is its name."""
        return {lang: {"name": text} for lang, text in name.others} if name else {}

    def features(self, doc: dict[str, Any], scope: set[str]) -> list[dict[str, Any]]:
        value = self.optional_mapping(doc, "cop", "cop")
        if value is None or not self.keys(value, "cop", (), ("features",)):
            return []
        items = value.get("features") or []
        if not isinstance(items, list):
            self.err(value, "features", "cop.features must be a list")
            return []
        out, seen = [], set()
        for i, item in enumerate(items):
            feature = self.feature(items, i, item, scope)
            if feature is None:
                continue
            if feature["id"] in seen:
                self.err(items, i, f"duplicate COP feature id {feature['id']!r}")
            seen.add(feature["id"])
            out.append(feature)
        return out
