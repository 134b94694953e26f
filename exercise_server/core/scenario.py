"""Scenario files: parse, check against the schema and cross references, build the model.

A scenario either loads whole or not at all: `parse_scenario` returns the model only
when the list of problems is empty. The format is documented in docs/scenario-format.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .timefmt import format_dday, format_duration, format_offset, parse_dday, parse_duration, parse_offset
from .yamlsrc import LinedDict, LinedList, YamlSyntaxError, load_lined, plain

FORMAT_VERSION = 1
DEFAULT_COMPONENTS = (
    ("military", "Military component"),
    ("police", "UN Police"),
    ("humanitarian", "Humanitarian community"),
    ("civilian", "Mission civilian component"),
)
CHANNELS = ("email", "radio", "phone", "media", "sitrep", "map")
FEATURE_KINDS = ("place", "unit", "convoy", "camp", "route", "checkpoint", "incident", "area", "note")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
COURSE_MODULES = 8  # the CIMIC course's modules; scenarios and injects say which they exercise
CONTROL = "control"
ALL = "all"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# An inject's attachment: a file in `attachments/` beside the scenario, of a kind the
# addressees open with ordinary office software (never HTML or SVG: nothing a browser runs).
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
ATTACHMENTS_PER_INJECT = 10
_ATTACHMENT_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
ADHOC_PREFIX = "ADHOC-"  # the facilitator's ad-hoc injects are numbered ADHOC-1, ADHOC-2, ...
_INJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    played_by_control: bool = False


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    component: str


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    kind: str  # team, component, joint, plenary, liaison, extra
    readers: frozenset[str]  # team ids
    writers: frozenset[str]


@dataclass(frozen=True)
class Inject:
    """One MSEL line. `offset` is exercise seconds; None when manual or conditional."""

    id: str
    order: int
    offset: float | None
    manual: bool
    after: str | None
    when: str | None  # released | acknowledged
    delay: float
    sender: str
    to: dict[str, list[str]]
    channel: str
    title: str
    body: str
    cop: tuple[dict[str, Any], ...]
    expected: dict[str, list[str]]
    objectives: tuple[str, ...]
    notes: str
    modules: tuple[int, ...] = ()
    attachments: tuple[dict[str, str], ...] = ()  # {file, title}: files in attachments/ beside the scenario

    @property
    def trigger(self) -> str:
        return "manual" if self.manual else "condition" if self.after else "time"


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    setting: str
    start: float  # seconds from D-day 00:00
    duration: float
    objectives: dict[str, str]
    components: tuple[Component, ...]
    teams: tuple[Team, ...]
    rooms: dict[str, Room]
    briefings: dict[str, str]
    features: tuple[dict[str, Any], ...]
    injects: tuple[Inject, ...]
    doc: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    modules: tuple[int, ...] = ()
    basemap: str | None = None  # name of a GeoJSON file in a basemaps/ folder beside the scenarios

    @property
    def start_label(self) -> str:
        return format_dday(self.start)

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.injects if i.id == inject_id), None)

    def teams_of(self, names: list[str] | tuple[str, ...] | str) -> frozenset[str]:
        """Resolve `all` or component and team ids to the set of team ids they denote."""
        if names == ALL:
            return frozenset(t.id for t in self.teams)
        out: set[str] = set()
        for name in names:
            if name == ALL:
                return frozenset(t.id for t in self.teams)
            out.update(t.id for t in self.teams if t.id == name or t.component == name)
        return frozenset(out)

    def audience(self, to: dict[str, list[str]]) -> frozenset[str]:
        """The teams that receive an inject addressed `to` components, teams and rooms."""
        teams = set(self.teams_of(list(to.get("components", [])) + list(to.get("teams", []))))
        for room_id in to.get("rooms", []):
            room = self.rooms.get(room_id)
            if room:
                teams.update(room.readers)
        return frozenset(teams)


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
    checker = _Checker(default_id)
    scenario = checker.run(doc)
    problems = sorted(checker.problems, key=lambda p: p.line)
    return (scenario if not problems else None), problems


def scenario_from_doc(doc: dict[str, Any]) -> Scenario:
    """Rebuild a scenario from the plain document stored in an exercise's first event."""
    scenario, problems = parse_scenario(doc, doc.get("id", "scenario"))
    if scenario is None:
        raise ScenarioError("<stored>", problems)
    return scenario


def _line(node: Any, key: str | int | None = None) -> int:
    if isinstance(node, LinedDict):
        if key is not None and key in node.key_lines:
            return node.key_lines[str(key)]
        return node.line
    if isinstance(node, LinedList):
        if isinstance(key, int) and 0 <= key < len(node.item_lines):
            return node.item_lines[key]
        return node.line
    return 1


class _Checker:
    def __init__(self, default_id: str) -> None:
        self.default_id = default_id
        self.problems: list[Problem] = []

    def err(self, node: Any, key: str | int | None, message: str) -> None:
        self.problems.append(Problem(_line(node, key), message))

    # -- typed field access ------------------------------------------------------

    def mapping(self, node: Any, key: str | int | None, what: str, value: Any) -> dict | None:
        if not isinstance(value, dict):
            self.err(node, key, f"{what} must be a mapping")
            return None
        return value

    def keys(self, value: dict, what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> bool:
        """Report unknown and missing keys; False only if a required key is missing."""
        ok = True
        for key in value:
            if key not in required and key not in optional:
                self.err(value, key, f"{what}: unknown key {key!r}")
        for key in required:
            if key not in value:
                self.err(value, None, f"{what}: missing required key {key!r}")
                ok = False
        return ok

    def text(self, value: dict, key: str, what: str, default: str | None = None) -> str:
        raw = value.get(key, default)
        if raw is None:
            return ""
        if not isinstance(raw, str) or (default is None and not raw.strip()):
            self.err(value, key, f"{what}: {key} must be non-empty text")
            return ""
        return raw

    def str_list(self, node: Any, key: str, what: str) -> list[str]:
        raw = node.get(key, []) if isinstance(node, dict) else node
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.err(node, key, f"{what}: {key} must be a list of ids")
            return []
        return list(raw)

    def ident(self, node: Any, key: str | int | None, what: str, value: Any, pattern: re.Pattern = _ID) -> str | None:
        if not isinstance(value, str) or not pattern.match(value):
            self.err(
                node,
                key,
                f"{what}: id {value!r} must be lowercase letters, digits and '-'"
                if pattern is _ID
                else f"{what}: id {value!r} is not a valid id",
            )
            return None
        return value

    # -- the document --------------------------------------------------------------

    def run(self, doc: Any) -> Scenario | None:
        if not isinstance(doc, dict):
            self.err(doc, None, "a scenario file must be a YAML mapping")
            return None
        self.keys(
            doc,
            "scenario",
            ("format", "title", "setting", "start", "duration", "objectives", "teams", "msel"),
            ("id", "components", "rooms", "briefings", "cop", "modules", "basemap"),
        )
        if "format" in doc and doc["format"] != FORMAT_VERSION:
            self.err(doc, "format", f"format {doc['format']!r} is not supported (expected {FORMAT_VERSION})")
        scenario_id = self.ident(doc, "id", "scenario", doc.get("id", self.default_id)) or self.default_id
        title = self.text(doc, "title", "scenario")
        setting = self.text(doc, "setting", "scenario")
        start = self.time(doc, "start", parse_dday)
        duration = self.time(doc, "duration", parse_duration)
        objectives = self.objectives(doc)
        components = self.components(doc)
        teams = self.teams(doc, components)
        scope = {c.id for c in components} | {t.id for t in teams}
        draft = Scenario(
            scenario_id, title, setting, start, duration, objectives, tuple(components), tuple(teams), {}, {}, (), ()
        )
        rooms = self.rooms(doc, draft, scope)
        draft = Scenario(
            scenario_id, title, setting, start, duration, objectives, tuple(components), tuple(teams), rooms, {}, (), ()
        )
        briefings = self.briefings(doc, components)
        features = self.features(doc, draft, scope)
        injects = self.msel(doc, draft, scope, {f["id"] for f in features})
        modules = self.modules(doc, "scenario")
        basemap = doc.get("basemap")
        if basemap is not None and (not isinstance(basemap, str) or not _ID.match(basemap)):
            self.err(doc, "basemap", "basemap: the name of a file basemaps/<name>.geojson beside the scenarios")
        if self.problems:
            return None
        return Scenario(
            scenario_id,
            title,
            setting,
            start,
            duration,
            objectives,
            tuple(components),
            tuple(teams),
            rooms,
            briefings,
            tuple(features),
            tuple(injects),
            doc=plain(doc),
            modules=modules,
            basemap=basemap,
        )

    def time(self, doc: dict, key: str, parse: Any) -> float:
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

    def objectives(self, doc: dict) -> dict[str, str]:
        raw = doc.get("objectives")
        if raw is None:
            return {}
        value = self.mapping(doc, "objectives", "objectives", raw)
        if value is None:
            return {}
        out = {}
        for key, text in value.items():
            if not isinstance(text, str) or not text.strip():
                self.err(value, key, f"objective {key!r} must have a text")
            out[key] = str(text)
        if not out:
            self.err(doc, "objectives", "objectives: list at least one course objective")
        return out

    def components(self, doc: dict) -> list[Component]:
        raw = doc.get("components")
        if raw is None:
            return [Component(cid, name) for cid, name in DEFAULT_COMPONENTS]
        if not isinstance(raw, list) or not raw:
            self.err(doc, "components", "components must be a non-empty list")
            return []
        out, seen = [], set()
        for i, item in enumerate(raw):
            item = self.mapping(raw, i, "component", item)
            if item is None or not self.keys(item, "component", ("id", "name"), ("played_by",)):
                continue
            cid = self.ident(item, "id", "component", item["id"])
            if cid is None:
                continue
            if cid in seen:
                self.err(item, "id", f"duplicate component id {cid!r}")
            seen.add(cid)
            played = item.get("played_by")
            if played not in (None, CONTROL):
                self.err(item, "played_by", f"component {cid!r}: played_by must be 'control'")
            out.append(Component(cid, self.text(item, "name", f"component {cid!r}"), played == CONTROL))
        return out

    def teams(self, doc: dict, components: list[Component]) -> list[Team]:
        raw = doc.get("teams")
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            self.err(doc, "teams", "teams must be a non-empty list")
            return []
        by_id = {c.id: c for c in components}
        out, seen = [], set(by_id)
        for i, item in enumerate(raw):
            item = self.mapping(raw, i, "team", item)
            if item is None or not self.keys(item, "team", ("id", "name", "component"), ()):
                continue
            tid = self.ident(item, "id", "team", item["id"])
            if tid is None:
                continue
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
            out.append(Team(tid, self.text(item, "name", f"team {tid!r}"), comp.id))
        return out

    def refs(
        self, node: Any, key: str | int | None, what: str, names: list[str], scope: set[str], allow_all: bool = True
    ) -> None:
        for name in names:
            if name == ALL and allow_all:
                continue
            if name not in scope:
                self.err(node, key, f"{what}: unknown team or component {name!r}")

    def rooms(self, doc: dict, draft: Scenario, scope: set[str]) -> dict[str, Room]:
        every = frozenset(t.id for t in draft.teams)
        rooms: dict[str, Room] = {}
        for team in draft.teams:
            rooms[f"team:{team.id}"] = Room(
                f"team:{team.id}", f"Team room: {team.name}", "team", frozenset({team.id}), frozenset({team.id})
            )
        for comp in draft.components:
            members = draft.teams_of([comp.id])
            if members:
                rooms[f"component:{comp.id}"] = Room(
                    f"component:{comp.id}", f"{comp.name}", "component", members, members
                )
        rooms["joint"] = Room("joint", "Joint civil-military coordination room", "joint", every, every)
        rooms["plenary"] = Room("plenary", "Plenary", "plenary", every, every)
        raw = doc.get("rooms")
        if raw is None:
            return rooms
        value = self.mapping(doc, "rooms", "rooms", raw)
        if value is None or not self.keys(value, "rooms", (), ("liaison", "extra")):
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
            rid = f"liaison:{a}~{b}"
            if rid in rooms:
                self.err(liaison, i, f"duplicate liaison line {rid!r}")
            members = frozenset(pair)
            rooms[rid] = Room(rid, f"Liaison line {a} - {b}", "liaison", members, members)
        extra = value.get("extra") or []
        if not isinstance(extra, list):
            self.err(value, "extra", "rooms.extra must be a list of rooms")
            extra = []
        for i, item in enumerate(extra):
            item = self.mapping(extra, i, "room", item)
            if item is None or not self.keys(item, "room", ("id", "name", "read"), ("write",)):
                continue
            rid = self.ident(item, "id", "room", item["id"])
            if rid is None:
                continue
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
            rooms[rid] = Room(rid, self.text(item, "name", f"room {rid!r}"), "extra", readers, writers)
        return rooms

    def briefings(self, doc: dict, components: list[Component]) -> dict[str, str]:
        raw = doc.get("briefings")
        if raw is None:
            return {}
        value = self.mapping(doc, "briefings", "briefings", raw)
        if value is None:
            return {}
        known = {c.id for c in components}
        out = {}
        for key, text in value.items():
            if key not in known:
                self.err(value, key, f"briefing for unknown component {key!r}")
            elif not isinstance(text, str):
                self.err(value, key, f"briefing {key!r} must be Markdown text")
            else:
                out[key] = text
        return out

    def feature(self, node: Any, key: str | int | None, item: Any, draft: Scenario, scope: set[str]) -> dict | None:
        item = self.mapping(node, key, "COP feature", item)
        if item is None or not self.keys(
            item, "COP feature", ("id", "kind", "name", "geometry"), ("properties", "visible_to", "owner")
        ):
            return None
        fid = self.ident(item, "id", "COP feature", item["id"])
        if fid is None:
            return None
        what = f"COP feature {fid!r}"
        if item["kind"] not in FEATURE_KINDS:
            self.err(item, "kind", f"{what}: kind must be one of {', '.join(FEATURE_KINDS)}")
        self.text(item, "name", what)
        self.geometry(item, what)
        props = item.get("properties", {})
        if not isinstance(props, dict):
            self.err(item, "properties", f"{what}: properties must be a mapping")
        visible = item.get("visible_to", ALL)
        if visible != ALL:
            visible = self.str_list(item, "visible_to", what)
            self.refs(item, "visible_to", what, visible, scope)
        owner = item.get("owner", CONTROL)
        if owner != CONTROL and owner not in scope:
            self.err(item, "owner", f"{what}: owner {owner!r} is not control, a component or a team")
        out = plain(item)
        out.setdefault("properties", {})
        out["visible_to"] = visible
        out["owner"] = owner
        return out

    def geometry(self, item: dict, what: str) -> None:
        geo = item.get("geometry")
        if not isinstance(geo, dict) or set(geo) != {"type", "coordinates"}:
            self.err(item, "geometry", f"{what}: geometry must be {{type, coordinates}}")
            return
        problem = geometry_problem(plain(geo))
        if problem:
            self.err(geo, None, f"{what}: {problem}")

    def features(self, doc: dict, draft: Scenario, scope: set[str]) -> list[dict]:
        raw = doc.get("cop")
        if raw is None:
            return []
        value = self.mapping(doc, "cop", "cop", raw)
        if value is None or not self.keys(value, "cop", (), ("features",)):
            return []
        items = value.get("features") or []
        if not isinstance(items, list):
            self.err(value, "features", "cop.features must be a list")
            return []
        out, seen = [], set()
        for i, item in enumerate(items):
            feature = self.feature(items, i, item, draft, scope)
            if feature is None:
                continue
            if feature["id"] in seen:
                self.err(items, i, f"duplicate COP feature id {feature['id']!r}")
            seen.add(feature["id"])
            out.append(feature)
        return out

    def msel(self, doc: dict, draft: Scenario, scope: set[str], feature_ids: set[str]) -> list[Inject]:
        raw = doc.get("msel")
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            self.err(doc, "msel", "msel must be a non-empty list of injects")
            return []
        injects: list[Inject] = []
        lines: dict[str, Any] = {}
        live_features = set(feature_ids)
        for i, item in enumerate(raw):
            inject = self.inject(raw, i, item, draft, scope, live_features, len(injects))
            if inject is None:
                continue
            if inject.id in lines:
                self.err(raw, i, f"duplicate inject id {inject.id!r}")
                continue
            if re.fullmatch(rf"{ADHOC_PREFIX}\d+", inject.id):
                self.err(
                    raw,
                    i,
                    f"inject id {inject.id!r}: ids {ADHOC_PREFIX}<n> are kept for the facilitator's ad-hoc injects",
                )
                continue
            if inject.offset is not None and draft.duration and inject.offset > draft.duration:
                self.err(
                    raw[i],
                    "at",
                    f"inject {inject.id!r} at {format_offset(inject.offset)} falls after the "
                    f"end of the exercise (duration {format_duration(draft.duration)})",
                )
            lines[inject.id] = (raw, i)
            injects.append(inject)
        by_id = {inj.id: inj for inj in injects}
        for inj in injects:
            if inj.after and inj.after not in by_id:
                node, i = lines[inj.id]
                self.err(node, i, f"inject {inj.id!r}: condition on missing inject {inj.after!r}")
        for cycle in _condition_cycles(by_id):
            node, i = lines[cycle[0]]
            self.err(
                node,
                i,
                f"inject {cycle[0]!r}: its condition is part of a cycle "
                f"({' -> '.join([*cycle, cycle[0]])}): none of them would ever be released",
            )
        return injects

    def inject(
        self, node: Any, index: int, item: Any, draft: Scenario, scope: set[str], live_features: set[str], order: int
    ) -> Inject | None:
        item = self.mapping(node, index, "inject", item)
        if item is None:
            return None
        iid = item.get("id")
        ok = self.keys(
            item,
            f"inject {iid!r}",
            ("id", "at", "from", "to", "channel", "title", "body"),
            ("cop", "expected", "objectives", "notes", "modules", "attachments"),
        )
        if not ok or self.ident(item, "id", "inject", iid, _INJECT_ID) is None:
            return None
        what = f"inject {iid!r}"
        offset, manual, after, when, delay = self.trigger(item, what)
        to = self.addressees(item, what, draft, scope)
        channel = item["channel"]
        if channel not in CHANNELS:
            self.err(item, "channel", f"{what}: channel must be one of {', '.join(CHANNELS)}")
        cop = self.cop_changes(item, what, draft, scope, live_features)
        audience = draft.audience(to)
        expected = self.expected(item, what, to, draft, audience)
        objectives = self.str_list(item, "objectives", what)
        for obj in objectives:
            if obj not in draft.objectives:
                self.err(item, "objectives", f"{what}: unknown objective {obj!r}")
        notes = item.get("notes", "")
        if not isinstance(notes, str):
            self.err(item, "notes", f"{what}: notes must be text")
        modules = self.modules(item, what)
        return Inject(
            iid,
            order,
            offset,
            manual,
            after,
            when,
            delay,
            self.text(item, "from", what),
            to,
            channel,
            self.text(item, "title", what),
            self.text(item, "body", what),
            tuple(cop),
            expected,
            tuple(objectives),
            str(notes or ""),
            modules,
            self.attachments(item, what),
        )

    def attachments(self, item: dict, what: str) -> tuple[dict[str, str], ...]:
        raw = item.get("attachments", [])
        if not isinstance(raw, list) or len(raw) > ATTACHMENTS_PER_INJECT:
            self.err(
                item, "attachments", f"{what}: attachments must be a list of at most {ATTACHMENTS_PER_INJECT} files"
            )
            return ()
        out: list[dict[str, str]] = []
        for i, entry in enumerate(raw):
            if isinstance(entry, str):  # a bare file name: its own title
                name, title, node, key, title_key = entry, entry, raw, i, i
            elif isinstance(entry, dict) and self.keys(entry, f"{what} attachment", ("file",), ("title",)):
                name, title, node, key, title_key = (
                    entry["file"],
                    entry.get("title", entry["file"]),
                    entry,
                    "file",
                    "title",
                )
            else:
                self.err(raw, i, f"{what}: an attachment is a file name or {{file, title}}")
                continue
            suffix = Path(name).suffix.lower() if isinstance(name, str) else ""
            if not isinstance(name, str) or not _ATTACHMENT_FILE.match(name) or suffix not in ATTACHMENT_TYPES:
                self.err(
                    node,
                    key,
                    f"{what}: attachment {name!r} must be a file name in attachments/ "
                    f"ending in {', '.join(ATTACHMENT_TYPES)}",
                )
                continue
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.err(node, title_key, f"{what}: the title of {name!r} must be text of 1 to 200 characters")
                continue
            if any(a["file"] == name for a in out):
                self.err(raw, i, f"{what}: attachment {name!r} is listed twice")
                continue
            out.append({"file": name, "title": title.strip()})
        return tuple(out)

    def modules(self, node: dict, what: str) -> tuple[int, ...]:
        raw = node.get("modules", [])
        if not isinstance(raw, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= COURSE_MODULES for m in raw
        ):
            self.err(node, "modules", f"{what}: modules must be a list of course module numbers 1 to {COURSE_MODULES}")
            return ()
        return tuple(raw)

    def trigger(self, item: dict, what: str) -> tuple[float | None, bool, str | None, str | None, float]:
        at = item["at"]
        if at == "manual":
            return None, True, None, None, 0.0
        if isinstance(at, str):
            try:
                return parse_offset(at), False, None, None, 0.0
            except ValueError as exc:
                self.err(item, "at", f"{what}: {exc}, or manual, or a condition")
                return None, True, None, None, 0.0
        if isinstance(at, dict) and self.keys(at, f"{what} condition", ("after", "when"), ("delay",)):
            delay = 0.0
            if "delay" in at:
                try:
                    delay = parse_offset(str(at["delay"]))
                except ValueError as exc:
                    self.err(at, "delay", f"{what}: delay {exc}")
            if at["when"] not in ("released", "acknowledged"):
                self.err(at, "when", f"{what}: condition 'when' must be released or acknowledged")
            if not isinstance(at["after"], str):
                self.err(at, "after", f"{what}: condition 'after' must be an inject id")
                return None, True, None, None, 0.0
            return None, False, at["after"], at["when"], delay
        if not isinstance(at, dict):
            self.err(item, "at", f'{what}: at must be an offset ("+0:05"), manual, or a condition')
        return None, True, None, None, 0.0

    def addressees(self, item: dict, what: str, draft: Scenario, scope: set[str]) -> dict[str, list[str]]:
        to = self.mapping(item, "to", f"{what} to", item["to"])
        if to is None or not self.keys(to, f"{what} to", (), ("components", "teams", "rooms")):
            return {}
        components = self.str_list(to, "components", f"{what} to")
        teams = self.str_list(to, "teams", f"{what} to")
        rooms = self.str_list(to, "rooms", f"{what} to")
        comp_ids = {c.id: c for c in draft.components}
        for cid in components:
            if cid not in comp_ids:
                self.err(to, "components", f"{what}: unknown component {cid!r} in to.components")
            elif not draft.teams_of([cid]):
                self.err(to, "components", f"{what}: component {cid!r} has no team to receive it")
        for tid in teams:
            if draft.team(tid) is None:
                self.err(to, "teams", f"{what}: unknown team {tid!r} in to.teams")
        for rid in rooms:
            if rid not in draft.rooms:
                self.err(to, "rooms", f"{what}: unknown room {rid!r} in to.rooms, so nobody receives it there")
        result = {"components": components, "teams": teams, "rooms": rooms}
        if not (components or teams or rooms):
            self.err(item, "to", f"{what}: no addressee")
        return result

    def expected(
        self, item: dict, what: str, to: dict, draft: Scenario, audience: frozenset[str]
    ) -> dict[str, list[str]]:
        raw = item.get("expected")
        if raw is None:
            return {}
        value = self.mapping(item, "expected", f"{what} expected", raw)
        if value is None:
            return {}
        out = {}
        for key, actions in value.items():
            if not draft.teams_of([key]) & audience:
                self.err(value, key, f"{what}: expected actions for {key!r}, which is not an addressee")
            if isinstance(actions, str):
                actions = [actions]
            if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
                self.err(value, key, f"{what}: expected actions must be a list of text")
                continue
            out[key] = list(actions)
        return out

    def cop_changes(self, item: dict, what: str, draft: Scenario, scope: set[str], live: set[str]) -> list[dict]:
        raw = item.get("cop")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.err(item, "cop", f"{what}: cop must be a list of add / change / remove")
            return []
        out = []
        for i, change in enumerate(raw):
            if not isinstance(change, dict) or len({"add", "change", "remove"} & set(change)) != 1:
                self.err(raw, i, f"{what}: each COP change is one of add, change (with set), remove")
                continue
            if "add" in change:
                self.keys(change, f"{what} cop add", ("add",), ())
                feature = self.feature(change, "add", change["add"], draft, scope)
                if feature:
                    if feature["id"] in live:
                        self.err(change, "add", f"{what}: COP feature {feature['id']!r} already exists")
                    live.add(feature["id"])
                    out.append({"add": feature})
            elif "change" in change:
                self.keys(change, f"{what} cop change", ("change", "set"), ())
                fid = change["change"]
                if fid not in live:
                    self.err(change, "change", f"{what}: COP change to unknown feature {fid!r}")
                patch = change.get("set")
                if not isinstance(patch, dict) or not patch:
                    self.err(change, "set", f"{what}: change needs set: with the fields to change")
                    continue
                problem = patch_problem(plain(patch), draft, scope)
                if problem:
                    self.err(change, "set", f"{what}: {problem}")
                out.append({"change": fid, "set": plain(patch)})
            else:
                self.keys(change, f"{what} cop remove", ("remove",), ())
                fid = change["remove"]
                if fid not in live:
                    self.err(change, "remove", f"{what}: COP removal of unknown feature {fid!r}")
                live.discard(fid)
                out.append({"remove": fid})
        return out


PATCHABLE = ("name", "geometry", "properties", "visible_to", "owner", "kind")


def geometry_problem(geo: Any) -> str | None:
    """Why a GeoJSON-like geometry is unacceptable, or None."""
    if not isinstance(geo, dict) or set(geo) != {"type", "coordinates"}:
        return "geometry must be {type, coordinates}"
    kind, coords = geo["type"], geo["coordinates"]

    def point(p: Any) -> bool:
        return (
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)
            and -180 <= p[0] <= 180
            and -90 <= p[1] <= 90
        )

    if kind == "Point":
        ok = point(coords)
    elif kind == "LineString":
        ok = isinstance(coords, list) and len(coords) >= 2 and all(point(p) for p in coords)
    elif kind == "Polygon":
        ok = (
            isinstance(coords, list)
            and len(coords) >= 1
            and all(isinstance(ring, list) and len(ring) >= 4 and all(point(p) for p in ring) for ring in coords)
        )
    else:
        return f"geometry type must be one of {', '.join(GEOMETRY_TYPES)}"
    return None if ok else f"{kind} coordinates are not valid [longitude, latitude] positions"


def patch_problem(patch: dict, scenario: Scenario, scope: set[str]) -> str | None:
    """Why a COP feature patch (`set:`) is unacceptable, or None."""
    for key, value in patch.items():
        if key not in PATCHABLE:
            return f"cannot change {key!r} of a COP feature (changeable: {', '.join(PATCHABLE)})"
        if key == "geometry" and (problem := geometry_problem(value)):
            return problem
        if key == "properties" and not isinstance(value, dict):
            return "properties must be a mapping"
        if key == "name" and (not isinstance(value, str) or not value.strip()):
            return "name must be non-empty text"
        if key == "kind" and value not in FEATURE_KINDS:
            return f"kind must be one of {', '.join(FEATURE_KINDS)}"
        if key == "visible_to" and value != ALL:
            if not isinstance(value, list) or not all(isinstance(v, str) and v in scope for v in value):
                return "visible_to must be all or a list of known component and team ids"
        if key == "owner" and value != CONTROL and value not in scope:
            return "owner must be control, a component or a team"
    return None


def _condition_cycles(by_id: dict[str, Inject]) -> list[list[str]]:
    """Chains of conditions that lead back to where they start, each once, from its first inject."""
    reported: set[str] = set()
    out = []
    for start in by_id:
        seen: list[str] = []
        current: str | None = start
        while current is not None and current in by_id and current not in seen:
            seen.append(current)
            current = by_id[current].after
        if current == start and not (set(seen) & reported):
            reported.update(seen)
            out.append(seen)
    return out


def build_inject(scenario: Scenario, item: dict[str, Any], order: int) -> tuple[Inject | None, list[Problem]]:
    """Check one MSEL item against a loaded scenario (for edits and ad-hoc injects).

    The item's COP changes were checked with the whole MSEL and are kept as they are.
    """
    checker = _Checker(scenario.id)
    scope = {c.id for c in scenario.components} | {t.id for t in scenario.teams}
    body = {k: v for k, v in item.items() if k != "cop"}
    inject = checker.inject([body], 0, body, scenario, scope, set(), order)
    if checker.problems or inject is None:
        return None, checker.problems
    return replace(inject, cop=tuple(item.get("cop") or ())), []
