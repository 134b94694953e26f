"""The scenario model: a checked scenario file as frozen values, and the constants of the format.

Checking a file and building this model is `scenario_check.py`; the format is documented in
docs/scenario-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .evaluation_guide import EvaluationGuide
from .learning import Learning
from .timefmt import format_dday
from .translations import DEFAULT_LANGUAGE, Shown, Text, Translations, text_of

if TYPE_CHECKING:
    from .conditions import Condition
    from .role_cards import RoleCard

FORMAT_VERSION = 1
DEFAULT_COMPONENTS = (
    ("military", "Military component"),
    ("police", "UN Police"),
    ("humanitarian", "Humanitarian community"),
    ("civilian", "Mission civilian component"),
)
CHANNELS = ("email", "radio", "phone", "media", "sitrep", "map")
FEATURE_KINDS = ("place", "unit", "convoy", "camp", "route", "checkpoint", "incident", "area", "note")
COURSE_MODULES = 8  # the CIMIC course's modules; scenarios and injects say which they exercise
CONTROL = "control"
ALL = "all"
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
ADHOC_PREFIX = "ADHOC-"  # the facilitator's ad-hoc injects are numbered ADHOC-1, ADHOC-2, ...


def attachment_files(attachment: Mapping[str, Any]) -> list[str]:
    """An attachment's files, the default language's first, from a checked attachment (its
    `translations`) or as a scenario file writes it (`file` a name or a mapping from language to name)."""
    raw = attachment.get("file")
    names = list(raw.values()) if isinstance(raw, Mapping) else [raw]
    names += [f.get("file") for f in (attachment.get("translations") or {}).values() if isinstance(f, Mapping)]
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


def attachment_file(attachment: Mapping[str, Any], language: str, default_language: str) -> Shown:
    """The file a reader whose content language is `language` is given: that language's, or the
    default's when it has none (`fell_back`, as a translated text falls back: core/translations.py)."""
    own = ((attachment.get("translations") or {}).get(language) or {}).get("file")
    if language == default_language or not isinstance(own, str):
        return Shown(attachment["file"], default_language, language != default_language)
    return Shown(own, language, False)


# An inject's keys, in the order a scenario file writes them (the MSEL import writes them so).
INJECT_REQUIRED = ("id", "at", "from", "to", "channel", "title", "body")
INJECT_OPTIONAL = (
    "cop",
    "expected",
    "objectives",
    "modules",
    "notes",
    "mode",
    "controller",
    "attachments",
    "respond_within",
    *("instead_of", "when"),  # an alternate (core/conditions.py); it has no `at`
)
# How long the free texts `mode` and `controller` of an inject may be.
INJECT_MODE_LENGTH = 60
INJECT_CONTROLLER_LENGTH = 120
# A team is expected to answer an inject within this much exercise time unless the inject or the
# scenario says otherwise (`respond_within`, docs/scenario-format.md); the dashboard shows it overdue after.
DEFAULT_RESPOND_WITHIN = 15 * 60.0
# How much an expected action weighs in the evaluation: a critical one is what the inject is for.
CRITICAL = "critical"
DESIRABLE = "desirable"
WEIGHTS = (CRITICAL, DESIRABLE)
# The guidelines on military and civil defence assets, by setting: the Oslo Guidelines (disasters in
# peacetime) and the MCDA Guidelines (complex emergencies).
GUIDELINES = ("oslo", "mcda")
PATCHABLE = ("name", "geometry", "properties", "visible_to", "owner", "kind")  # what a COP change may `set`


@dataclass(frozen=True)
class Problem:
    """What is wrong in a scenario file, and at which line (1-based)."""

    line: int
    message: str


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    played_by_control: bool = False
    translations: Translations = field(default_factory=dict)  # {language: {"name": ...}}


@dataclass(frozen=True)
class Persona:
    """A sender the control cell plays (the Governor, a journalist): named as an inject's `from`
    and offered in the control panel's *Post as*."""

    id: str
    name: str
    role: str = ""
    organisation: str = ""
    notes: str = ""
    translations: Translations = field(default_factory=dict)  # {language: {"name": ..., "role": ...}}


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    component: str
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    kind: str  # team, component, joint, plenary, liaison, extra
    readers: frozenset[str]  # team ids
    writers: frozenset[str]
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True)
class ExpectedAction:
    """One action expected of an addressee after an inject, the course objectives it evidences and
    its weight. A plain text in the file evidences the inject's objectives and is desirable."""

    text: str
    objectives: tuple[str, ...] = ()
    weight: str = DESIRABLE


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
    attachments: tuple[
        dict[str, Any], ...
    ] = ()  # {file, title[, translations]}: files in attachments/ beside the scenario
    # {language: {title, body, from, notes, expected: {key: [text or None]}}}: core/translations.py
    translations: Translations = field(default_factory=dict)
    # The planner's own word for how it is delivered when that is not a channel (face-to-face,
    # meeting, fax): shown to the control cell; `channel` still says how it reaches the inbox.
    mode: str = ""
    controller: str = ""  # the control-cell member who delivers it (the MSEL's Responsible Controller)
    respond_within: float | None = None  # exercise seconds; None: the scenario's
    # The actions of `expected` with their objectives and weight, key by key in the same order.
    expected_actions: dict[str, tuple[ExpectedAction, ...]] = field(default_factory=dict)

    # Branching (core/conditions.py): `at: {when: <condition>}`, or an alternate released in place
    # of `instead_of` if `condition` holds at that inject's time.
    condition: Condition | None = None
    instead_of: str | None = None

    def actions_of(self, key: str) -> tuple[ExpectedAction, ...]:
        """The actions expected of addressee `key` with their links; an action whose text was
        replaced since the check (a live edit, a translation) evidences the inject's objectives."""
        linked = self.expected_actions.get(key, ())
        return tuple(
            linked[i] if i < len(linked) and linked[i].text == text else ExpectedAction(text, self.objectives)
            for i, text in enumerate(self.expected.get(key, []))
        )

    @property
    def trigger(self) -> str:
        return "manual" if self.manual else "condition" if self.after or self.condition else "time"


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
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    default_language: str = DEFAULT_LANGUAGE
    translations: Translations = field(default_factory=dict)  # {language: {setting, briefings, objectives}}
    # Fields that have their default text but not every declared language: warnings, not problems.
    missing_translations: tuple[Problem, ...] = field(default=(), compare=False)
    personas: tuple[Persona, ...] = ()
    respond_within: float = DEFAULT_RESPOND_WITHIN  # the injects' default answer time (exercise seconds)
    # Civil-military coordination settings (core/coordination_settings.py, docs/scenario-format.md):
    guideline: str = ""  # GUIDELINES: which guidelines govern military assets here; "" names both
    ocha_team: str | None = None  # the humanitarian team that coordinates (OCHA): requests go through it
    hazard_flags: bool = True  # hazards near a notification flagged at once; off: the teams must warn each other
    hazard_delay: float = 0.0  # exercise seconds a hazard waits before its flag (the military may warn first)
    notifications: tuple[dict[str, Any], ...] = ()  # humanitarian notifications on record at the start
    role_cards: tuple[RoleCard, ...] = ()  # one per person inside a team (core/role_cards.py)
    learning: Learning | None = None  # the knowledge check and feedback form (core/learning.py)
    evaluation: EvaluationGuide = field(default_factory=EvaluationGuide)  # the exercise evaluation guide

    @property
    def start_label(self) -> str:
        return format_dday(self.start)

    def text(self, default: str, translations: Translations, name: str) -> Text:
        """Field `name` of one of this scenario's objects, in all its languages."""
        return text_of(default, translations, name, self.default_language)

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
