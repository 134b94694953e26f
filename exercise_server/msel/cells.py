"""The grammar of each MSEL cell: what a planner may write, read into a scenario file's value, and
the text export writes back. A grammar raises ValueError with the words a planner reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..core.events import N_
from ..core.scenario import ALL, CHANNELS, COURSE_MODULES, CRITICAL, WEIGHTS, Inject, Scenario
from ..core.timefmt import format_dday, format_offset, parse_exercise_time
from .branch_cells import format_condition, parse_branch
from .problems import Said

Addressees = dict[str, list[str]]  # {components, teams, rooms}: an inject's `to`
# An inject's `at`: an offset, `manual`, a condition {after, when, delay} or {when: {...}, delay}, or an
# alternate's {instead_of, when} (which the importer turns into the inject's own keys).
At = str | dict[str, Any]


# Words planners use for the way an inject reaches the players, normalised like headers.
CHANNEL_WORDS = {
    "email": ("email", "mail", "memo", "letter", "message"),
    "radio": ("radio", "radiomessage", "radiocall", "vhf", "hf", "net"),
    "phone": ("phone", "telephone", "phonecall", "call", "mobile", "satphone", "sms", "text"),
    "media": (
        "media",
        "news",
        "press",
        "pressrelease",
        "article",
        "tv",
        "television",
        "newspaper",
        "socialmedia",
        "broadcast",
        "radiobroadcast",
    ),
    "sitrep": ("sitrep", "situationreport", "report", "spotrep"),
    "map": ("map", "cop", "mapupdate", "copupdate", "mapchange"),
}
_CHANNEL = {word: channel for channel, words in CHANNEL_WORDS.items() for word in words}
assert set(CHANNEL_WORDS) == set(CHANNELS)


# Delivery modes planners write that are not channels: kept as the inject's `mode`, and the
# channel it reaches the inbox on. A mode not listed here goes by e-mail.
MODE_CHANNELS = {
    "sitrep": (
        "facetoface",
        "f2f",
        "inperson",
        "meeting",
        "plenary",
        "briefing",
        "brief",
        "verbal",
        "oral",
        "spoken",
        "walkin",
        "visit",
        "roleplay",
        "presentation",
        "discussion",
    ),
    "phone": ("videocall", "video", "teleconference", "vtc", "conferencecall"),
    "email": ("fax", "facsimile", "courier", "handout", "handdelivered", "paper", "document", "runner"),
}
_MODE_CHANNEL = {word: channel for channel, words in MODE_CHANNELS.items() for word in words}


OFFSET = re.compile(r"^\+?\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
_CONDITION = re.compile(
    r"^after\s+(\S+)\s+(released|acknowledged)(?:\s*\+\s*(\d{1,3}:[0-5]\d(?::[0-5]\d)?))?$", re.IGNORECASE
)
_KEYED_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")
_NAMED_LINE = re.compile(r"^([^:]{1,100}?)\s*:\s*(.*)$")  # a label that may be a name, up to its first colon
_BULLET = re.compile(r"^(?:[-*\u2022\u2013]\s+)")
_LANGUAGE_FILE = re.compile(r"([^()\s]+)\s*\(\s*([^()\s]+)\s*\)")  # `a.md (a.fr.md)`: the file in a language
_WORD = re.compile(r"[A-Za-z0-9._-]+")


def normalise_header(text: str) -> str:
    """How headers (and channel words) are compared: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("#", "no"))


def hms(seconds: int) -> str:
    """An offset as export writes it: without the `+`, which Excel would take for a formula."""
    return format_offset(seconds).lstrip("+")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def parse_time(text: str, start: float | None = None) -> At:
    """A Scenario Time cell -> the `at` of an inject; ValueError says what is wrong. With the
    scenario's `start`, a scenario time (D+3 06:10) is read as the offset from it."""
    text = " ".join(text.split())
    if text.lower() == "manual":
        return "manual"
    if start is not None and text[:1] in "Dd":
        offset = parse_exercise_time(text, start)
        if offset < 0:
            raise Said(N_("'%(text)s' is before the exercise starts (%(start)s)"), text=text, start=format_dday(start))
        return format_offset(offset)
    offset_text = _offset(text)
    if offset_text is not None:
        return offset_text
    branch = parse_branch(text)  # `when <condition>`, `instead of I-07 when <condition>` (branch_cells.py)
    if branch is not None:
        return branch
    m = _CONDITION.match(text)
    if m:
        after, when, delay = m.groups()
        at = {"after": after, "when": when.lower()}
        if delay:
            at["delay"] = _offset(delay) or delay  # the pattern of a delay is an offset's
        return at
    raise Said(
        N_(
            "'%(text)s' is not a time (0:05 or +0:05 after the start, or a scenario time such as D+1 08:05), "
            "manual, or a condition such as 'after I-03 released +0:10' or 'after I-03 acknowledged'"
        ),
        text=text,
    )


def parse_answer_time(text: str) -> str:
    """A Respond Within cell (`0:15` or `+0:15`) -> the inject's `respond_within`."""
    offset = _offset(" ".join(text.split()))
    if offset is None:
        raise Said(
            N_("'%(text)s' is not a time such as 0:15 (the exercise time a team has to answer)"), text=text.strip()
        )
    return offset


def _offset(text: str) -> str | None:
    m = OFFSET.match(text)
    if not m:
        return None
    h, mnt, s = m.groups()
    return format_offset(int(h) * 3600 + int(mnt) * 60 + int(s or 0))


def format_time(inject: Inject) -> str:
    if inject.instead_of and inject.condition:
        return f"instead of {inject.instead_of} when {format_condition(inject.condition.plain())}"
    if inject.condition:
        delay = f" +{hms(int(inject.delay))}" if inject.delay else ""
        return f"when {format_condition(inject.condition.plain())}{delay}"
    if inject.manual:
        return "manual"
    if inject.after:
        delay = f" +{hms(int(inject.delay))}" if inject.delay else ""
        return f"after {inject.after} {inject.when}{delay}"
    return hms(int(inject.offset or 0))


def channel_of(text: str) -> str | None:
    """The channel a planner's word names (`E-mail`, `Telephone`, `Press`), or None."""
    return _CHANNEL.get(normalise_header(text))


def channel_for_mode(mode: str) -> str:
    """The channel an inject delivered by `mode` (face-to-face, fax, ...) reaches the inbox on."""
    return _MODE_CHANNEL.get(normalise_header(mode), "email")


def parse_channel(text: str) -> str:
    channel = channel_of(text)
    if channel is not None:
        return channel
    raise Said(
        N_(
            "'%(text)s' is not a channel: use one of %(channels)s "
            "(or e-mail, telephone, news, press, situation report, ...)"
        ),
        text=text,
        channels=", ".join(CHANNELS),
    )


def addressee_names(scenario: Scenario) -> dict[str, str]:
    """The names of components, teams and rooms, in every language, normalised as headers are,
    to their ids: `Humanitarian community` -> humanitarian. A component's or team's name wins over
    the room named after it; a name two of them share is left out."""
    out: dict[str, str] = {}
    groups: tuple[list[Any], list[Any]] = ([*scenario.components, *scenario.teams], list(scenario.rooms.values()))
    for group in groups:
        found: dict[str, set[str]] = {}
        for thing in group:
            for name in [thing.name, *(t.get("name") for t in thing.translations.values())]:
                if isinstance(name, str) and normalise_header(name) and normalise_header(name) not in out:
                    found.setdefault(normalise_header(name), set()).add(thing.id)
        out |= {name: next(iter(ids)) for name, ids in found.items() if len(ids) == 1}
    return out


def parse_to(text: str, scenario: Scenario) -> Addressees:
    """`humanitarian; mil-1; joint` -> {components: [...], teams: [...], rooms: [...]}; names work
    too (`Humanitarian community; Sector West HQ`), a whole cell first, as a name may hold a comma."""
    components = {c.id for c in scenario.components}
    teams = {t.id for t in scenario.teams}
    out: Addressees = {"components": [], "teams": [], "rooms": []}
    unknown = []
    by_name = addressee_names(scenario)
    whole = by_name.get(normalise_header(text))
    for name in [whole] if whole else split_list(text):
        key = name.lower()
        if key not in components and key not in teams and key not in scenario.rooms:
            key = by_name.get(normalise_header(name), key)
        kind = (
            "components"
            if key in components
            else "teams"
            if key in teams
            else "rooms"
            if key in scenario.rooms
            else None
        )
        if kind is None:
            unknown.append(name)
        elif key not in out[kind]:
            out[kind].append(key)
    if unknown:
        known = sorted(components) + [t.id for t in scenario.teams] + list(scenario.rooms)
        raise Said(
            N_("unknown addressee %(names)s: use the ids (or names) of components, teams and rooms (%(known)s)"),
            names=", ".join(map(repr, unknown)),
            known=", ".join(known),
        )
    if not any(out.values()):
        raise Said(N_("no addressee"))
    return {k: v for k, v in out.items() if v}


def format_to(to: Addressees) -> str:
    return "; ".join(list(to.get("components", [])) + list(to.get("teams", [])) + list(to.get("rooms", [])))


def default_expected_keys(to: Addressees, scenario: Scenario) -> list[str]:
    """Who an unlabelled expected action applies to: the listed components and teams, then room readers."""
    keys = list(to.get("components", [])) + list(to.get("teams", []))
    covered = scenario.teams_of(keys)
    readers = scenario.audience({"rooms": list(to.get("rooms", []))})
    return keys + [t.id for t in scenario.teams if t.id in readers and t.id not in covered]


Expected = dict[str, list[Any]]  # addressee -> actions, each text or {action, objectives, weight}
_WEIGHT_MARK = re.compile(r"^\[\s*([^\[\]\s]+)\s*\]\s*")  # `[critical] ...`
_OBJECTIVES_MARK = re.compile(r"\s*\(([^()]*)\)\s*$")  # `... (O2, O4)`


def parse_action(text: str, scenario: Scenario) -> Any:
    """`[critical] Share the access constraint (O2, O4)`: the action as a scenario file writes it,
    plain text when it has neither a weight nor objectives. `()` names no objective; parentheses
    that name none of the scenario's objectives are part of the text."""
    action: dict[str, Any] = {}
    mark = _WEIGHT_MARK.match(text)
    if mark:
        if mark.group(1).lower() not in WEIGHTS:
            raise Said(
                N_("[%(word)s]: an expected action's weight is [%(weights)s]"),
                word=mark.group(1),
                weights="] or [".join(WEIGHTS),
            )
        action["weight"] = mark.group(1).lower()
        text = text[mark.end() :]
    found = _OBJECTIVES_MARK.search(text)
    if found:
        named = parse_objectives(found.group(1), scenario) if found.group(1).strip() else []
        if named or not found.group(1).strip():
            action["objectives"] = named
            text = text[: found.start()]
    text = text.strip()
    if not text:
        raise Said(N_("an expected action has a weight or objectives but no text"))
    return {"action": text, **action} if action else text


def parse_expected(text: str, to: Addressees, scenario: Scenario) -> Expected:
    """Lines `mil-1: action` (or `mil-1:` then action lines, or `all: action` for every addressed team;
    a component's or team's name works as a label too); text without labels applies to every addressee.
    Each action may carry its weight and objectives: `[critical] action (O2, O4)` (`parse_action`)."""
    ids = {c.id for c in scenario.components} | {t.id for t in scenario.teams} | {ALL}
    names = {name: i for name, i in addressee_names(scenario).items() if i in ids}
    out: dict[str, list[str]] = {}
    shared: list[str] = []
    current: str | None = None
    for raw in text.split("\n"):
        line = _BULLET.sub("", raw.strip()).strip()
        if not line:
            continue
        m = _KEYED_LINE.match(line)
        label = m.group(1).lower() if m and m.group(1).lower() in ids else None
        if label is None and (named := _NAMED_LINE.match(line)):  # `Humanitarian community: action`
            label = names.get(normalise_header(named.group(1)))
            m = named if label else None
        if m and label:
            current = label
            out.setdefault(current, [])
            action = _BULLET.sub("", m.group(2).strip()).strip()
            if action:
                out[current].append(action)
        elif current is None:
            shared.append(line)
        else:
            out[current].append(line)
    empty = [key for key, actions in out.items() if not actions]
    if empty:
        raise Said(N_("'%(label)s' has no action after it"), label=empty[0])
    if shared:
        for key in default_expected_keys(to, scenario):
            out[key] = shared + out.get(key, [])
    return {key: [parse_action(action, scenario) for action in actions] for key, actions in out.items()}


def format_expected(inject: Inject) -> str:
    """`key: [critical] action (O2, O4)` lines: the weight when critical, the objectives when they
    are not the inject's own (what a plain action evidences)."""
    lines = []
    for key in inject.expected:
        for action in inject.actions_of(key):
            weight = f"[{CRITICAL}] " if action.weight == CRITICAL else ""
            objectives = f" ({', '.join(action.objectives)})" if action.objectives != inject.objectives else ""
            lines.append(f"{key}: {weight}{' '.join(action.text.split())}{objectives}")
    return "\n".join(lines)


_OBJECTIVE_REF = re.compile(
    r"^(?:objectives?|obj)\b\.?\s*(?:no\.?|n°|#)?\s*((?:[A-Za-z]{1,3}[-.]?)?\d+)\b", re.IGNORECASE
)
_LOOKS_LIKE_OBJECTIVE = re.compile(r"^(?:o|obj|objective)[-.]?\d+$", re.IGNORECASE)
_PARTS = re.compile(r"[;,\n/|]")


def parse_objectives(text: str, scenario: Scenario) -> list[str]:
    """The objectives a cell names: `O1; O4`, `O1 O4`, `O1 - Define CIMIC; O4: Analyze ...`,
    `Objective 4`, and the objective part of an HSEEP `Objective / Core Capability / Critical Task`
    cell (`Objective 2 / Operational Coordination / Critical Task 1`): each part separated by
    `;`, `,`, `/` or a line break that starts with an objective is read; other parts (capabilities,
    critical tasks) are left out. A part that names an objective the scenario lacks is refused."""
    known = {k.lower(): k for k in scenario.objectives}
    out: list[str] = []
    for part in (p.strip() for p in _PARTS.split(text)):
        words = _WORD.findall(part)
        if not words:
            continue
        m = _OBJECTIVE_REF.match(part)
        if m:
            chosen = [_objective_by_number(m.group(1), known, scenario)]
        elif all(w.lower() in known for w in words):
            chosen = [known[w.lower()] for w in words]
        elif words[0].lower() in known:
            chosen = [known[words[0].lower()]]
        elif (
            _LOOKS_LIKE_OBJECTIVE.match(words[0])
            or words[0].upper() == words[0]
            and any(_same_stem(words[0], k) for k in scenario.objectives)
        ):
            raise Said(
                N_("unknown objective '%(objective)s': this scenario's objectives are %(known)s"),
                objective=words[0],
                known=", ".join(scenario.objectives),
            )
        else:
            continue  # a capability or critical task: not an objective of the scenario
        for objective in chosen:
            if objective not in out:
                out.append(objective)
    return out


def _same_stem(word: str, objective_id: str) -> bool:
    """`O9` looks like `O4`: letters then digits, the same letters."""
    stem = re.sub(r"[\d.-]+$", "", word)
    looks = bool(stem) and re.fullmatch(r"[A-Za-z]+[-.]?\d+", word) is not None
    return looks and objective_id.lower().startswith(stem.lower())


def _objective_by_number(ref: str, known: dict[str, str], scenario: Scenario) -> str:
    """`4` (from `Objective 4`) -> the scenario's objective numbered 4 (`O4`); `O4` -> `O4`."""
    if ref.lower() in known:
        return known[ref.lower()]
    digits = re.fullmatch(r"\d+", ref)
    if digits:
        numbered = [k for k in scenario.objectives if (n := re.findall(r"\d+", k)) and int(n[-1]) == int(ref)]
        if len(numbered) == 1:
            return numbered[0]
    raise Said(
        N_("unknown objective 'Objective %(number)s': this scenario's objectives are %(known)s"),
        number=ref,
        known=", ".join(scenario.objectives),
    )


def parse_modules(text: str) -> list[int]:
    """`3; 4`, `3, 4`, `M3 M4` or `Module 3` -> [3, 4]."""
    rest = re.sub(r"(?i)\bmodules?\b|\bm(?=\d)|\d+|[\s,;.]", "", text)
    if rest:
        raise Said(N_("'%(text)s' is not a list of course module numbers such as '3; 4'"), text=text)
    out: list[int] = []
    for number in map(int, re.findall(r"\d+", text)):
        if not 1 <= number <= COURSE_MODULES:
            raise Said(
                N_("module %(number)s is not a course module (1 to %(last)s)"), number=number, last=COURSE_MODULES
            )
        if number not in out:
            out.append(number)
    return out


def parse_cop(text: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise Said(N_("not valid JSON (%(reason)s)"), reason=str(exc)) from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Said(N_('must be a JSON list of changes, e.g. [{"remove": "cp-3"}]'))
    return value


def parse_attachments(text: str) -> list[dict[str, str]]:
    """One file a line, `file.pdf: Title` or just `file.pdf` (the scenario check says what is wrong);
    in a language column, `file.pdf (file.fr.pdf): Titre` also gives the file in that language."""
    out: list[dict[str, str]] = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line.strip()).strip()
        if line:
            name, _, title = line.partition(":")
            own = _LANGUAGE_FILE.fullmatch(name.strip())
            name = own.group(1) if own else name.strip()
            out.append(
                {"file": name, "title": title.strip() or name, **({"language_file": own.group(2)} if own else {})}
            )
    return out


def format_attachments(attachments: Iterable[dict[str, str]]) -> str:
    """`file: Title` lines; an attachment with a file of the column's language, `file (its file): Title`."""
    lines = []
    for a in attachments:
        name = f"{a['file']} ({a['language_file']})" if a.get("language_file") else a["file"]
        title = " ".join(a["title"].split())
        lines.append(f"{name}: {title}" if title else name)
    return "\n".join(lines)


def format_objectives(objectives: Iterable[str]) -> str:
    return "; ".join(objectives)


def format_modules(modules: Iterable[int]) -> str:
    return "; ".join(map(str, modules))


def format_cop(cop: Iterable[dict[str, Any]]) -> str:
    cop = list(cop)
    return json.dumps(cop, ensure_ascii=False) if cop else ""


def clean_text(text: str) -> str:
    """Trimmed; a text of several lines ends with one newline, as YAML `|` blocks do."""
    text = text.strip()
    return text + "\n" if "\n" in text else text


def title_from(body: str) -> str:
    first = re.sub(r"[*_#>`]", "", body.strip().split("\n", 1)[0]).strip()
    if len(first) <= 80:
        return first
    return first[:80].rsplit(" ", 1)[0] + "..."
