"""Checking a scenario's MSEL: each inject, its trigger, addressees, expected actions, COP changes and
attachments, and what only the whole list shows (duplicate ids, missing conditions, cycles)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from .conditions import Condition, read_condition, reference_problems
from .geometry import geometry_problem
from .scenario import (
    ADHOC_PREFIX,
    ALL,
    ATTACHMENT_TYPES,
    ATTACHMENTS_PER_INJECT,
    CHANNELS,
    CONTROL,
    DESIRABLE,
    FEATURE_KINDS,
    INJECT_CONTROLLER_LENGTH,
    INJECT_MODE_LENGTH,
    INJECT_OPTIONAL,
    INJECT_REQUIRED,
    PATCHABLE,
    WEIGHTS,
    ExpectedAction,
    Inject,
    Scenario,
)
from .scenario_fields import FieldChecks, Key
from .timefmt import format_duration, format_offset, parse_offset
from .translations import Text, Translations, put, text_of
from .yamlsrc import plain

INJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_ATTACHMENT_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def _attachment_name(name: Any) -> bool:
    """A file name in attachments/ of a kind an inject may carry."""
    return (
        isinstance(name, str) and bool(_ATTACHMENT_FILE.match(name)) and Path(name).suffix.lower() in ATTACHMENT_TYPES
    )


class Trigger(NamedTuple):
    """When an inject is released: at an offset, by hand, or on a condition on another inject."""

    offset: float | None
    manual: bool
    after: str | None
    when: str | None  # released | acknowledged
    delay: float
    condition: Condition | None = None  # at: {when: <condition>} (core/conditions.py)


_MANUAL = Trigger(None, True, None, None, 0.0)
_ALTERNATE = Trigger(None, False, None, None, 0.0)  # released only in place of another inject


class MselChecks(FieldChecks):
    """The MSEL part of a scenario check; `ScenarioChecks` adds the rest of the document."""

    def msel(self, doc: dict[str, Any], draft: Scenario, scope: set[str], feature_ids: set[str]) -> list[Inject]:
        raw = self.optional_list(doc, "msel", "msel must be a non-empty list of injects")
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
        added = {c["add"]["id"] for inj in injects for c in inj.cop if "add" in c}
        self.branch_references(injects, lines, draft, scope, feature_ids | added)
        for cycle in condition_cycles(by_id):
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
        alternate = "instead_of" in item  # its time is its inject's: it has no `at`
        ok = self.keys(
            item,
            f"inject {iid!r}",
            tuple(k for k in INJECT_REQUIRED if k != "at" or not alternate),
            INJECT_OPTIONAL,
        )
        if not ok or self.ident(item, "id", "inject", iid, INJECT_ID) is None:
            return None
        what = f"inject {iid!r}"
        offset, manual, after, when, delay, condition = self.trigger(item, what) if not alternate else _ALTERNATE
        instead_of, alternate_condition = self.alternate(item, what)
        to = self.addressees(item, what, draft, scope)
        channel = item["channel"]
        if channel not in CHANNELS:
            self.err(item, "channel", f"{what}: channel must be one of {', '.join(CHANNELS)}")
        cop = self.cop_changes(item, what, draft, scope, live_features)
        audience = draft.audience(to)
        translations: Translations = {}
        objectives = self.str_list(item, "objectives", what)
        for obj in objectives:
            if obj not in draft.objectives:
                self.err(item, "objectives", f"{what}: unknown objective {obj!r}")
        linked = self.expected(item, what, draft, audience, tuple(objectives), translations)
        expected = {key: [a.text for a in actions] for key, actions in linked.items()}
        texts = {}
        persona = next((p for p in draft.personas if p.id == item.get("from")), None)
        for key in ("from", "title", "body", "notes"):
            message = f"{what}: notes must be text" if key == "notes" else None
            if key == "from" and persona is not None:  # a persona's id: its name, in every language
                text: Text | None = text_of(persona.name, persona.translations, "name", self.default_language)
            else:
                text = self.translatable(item, key, item.get(key, ""), what, message, empty=key == "notes")
            texts[key] = text.default if text else ""
            if text:
                put(translations, key, text)
        modules = self.modules(item, what)
        mode = self.short_text(item, "mode", what, INJECT_MODE_LENGTH)
        controller = self.short_text(item, "controller", what, INJECT_CONTROLLER_LENGTH)
        return Inject(
            iid,
            order,
            offset,
            manual,
            after,
            when,
            delay,
            texts["from"],
            to,
            channel,
            texts["title"],
            texts["body"],
            tuple(cop),
            expected,
            tuple(objectives),
            texts["notes"],
            modules,
            self.attachments(item, what),
            translations,
            mode,
            controller,
            self.respond_within(item, what),
            linked,
            condition or alternate_condition,
            instead_of,
        )

    def short_text(self, item: dict[str, Any], key: str, what: str, limit: int) -> str:
        """An optional one-line text of the control cell's (`mode`, `controller`)."""
        text = self.text(item, key, what).strip()
        if len(text) > limit or "\n" in text:
            self.err(item, key, f"{what}: {key} must be one line of at most {limit} characters")
            return ""
        return text

    def respond_within(self, item: dict[str, Any], what: str) -> float | None:
        """The exercise time a team has to answer (`+H:MM`), if given: more than zero."""
        raw = item.get("respond_within")
        if raw is None:
            return None
        try:
            seconds = parse_offset(raw) if isinstance(raw, str) else None
        except ValueError:
            seconds = None
        if not seconds:
            self.err(item, "respond_within", f'{what}: respond_within must be a time such as "+0:15", more than zero')
            return None
        return seconds

    def attachments(self, item: dict[str, Any], what: str) -> tuple[dict[str, Any], ...]:
        raw = item.get("attachments", [])
        if not isinstance(raw, list) or len(raw) > ATTACHMENTS_PER_INJECT:
            self.err(
                item, "attachments", f"{what}: attachments must be a list of at most {ATTACHMENTS_PER_INJECT} files"
            )
            return ()
        out: list[dict[str, Any]] = []
        name: Any
        title: Any
        node: Any
        key: Key
        title_key: Key
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
            files = self.attachment_files(node, key, name, what)
            if files is None:
                continue
            name = files.default
            message = f"{what}: the title of {name!r} must be text of 1 to 200 characters"
            text = self.translatable(node, title_key, title, f"{what} attachment {name!r}", message)
            if text is None:
                continue
            if any(len(t) > 200 for t in (text.default, *(t for _, t in text.others))):
                self.err(node, title_key, message)
                continue
            if any(a["file"] == name for a in out):
                self.err(raw, i, f"{what}: attachment {name!r} is listed twice")
                continue
            attachment: dict[str, Any] = {"file": name, "title": text.default.strip()}
            translations: Translations = {}
            put(translations, "title", Text(text.default, text.language, tuple((k, t.strip()) for k, t in text.others)))
            put(translations, "file", files)
            if translations:
                attachment["translations"] = translations
            out.append(attachment)
        return tuple(out)

    def attachment_files(self, node: Any, key: Key, raw: Any, what: str) -> Text | None:
        """An attachment's file: one name, or a name per language (`{en: a.md, fr: a.fr.md}`), each
        a file name in attachments/ of a kind ATTACHMENT_TYPES allows."""
        if isinstance(raw, dict):
            label = f"{what} attachment {raw.get(self.default_language)!r}"
            files = self.translatable(node, key, raw, label, f"{label}: file must be a file name or one per language")
            if files is None:
                return None
        else:
            label = f"{what} attachment {raw!r}"
            files = Text(raw, self.default_language) if isinstance(raw, str) else Text("")
            if isinstance(raw, str) and _attachment_name(raw):
                self.untranslated(node, key, label, "file", {self.default_language})
        for lang, name in ((files.language, files.default), *files.others):
            if not _attachment_name(name):
                where = f" (its {lang} file)" if files.others else ""
                self.err(
                    raw if isinstance(raw, dict) and lang in raw else node,
                    lang if isinstance(raw, dict) and lang in raw else key,
                    f"{what}: attachment {name if isinstance(raw, dict) else raw!r}{where} must be a file name in "
                    f"attachments/ ending in {', '.join(ATTACHMENT_TYPES)}",
                )
                return None
        return files

    def trigger(self, item: dict[str, Any], what: str) -> Trigger:
        at = item["at"]
        if at == "manual":
            return _MANUAL
        if isinstance(at, str):
            try:
                return Trigger(parse_offset(at), False, None, None, 0.0)
            except ValueError as exc:
                self.err(item, "at", f"{what}: {exc}, or manual, or a condition")
                return _MANUAL
        if isinstance(at, dict) and isinstance(at.get("when"), dict):  # at: {when: <condition>, delay}
            return self.condition_trigger(at, what)
        if isinstance(at, dict) and self.keys(at, f"{what} condition", ("after", "when"), ("delay",)):
            delay = self.delay(at, what)
            if at["when"] not in ("released", "acknowledged"):
                self.err(at, "when", f"{what}: condition 'when' must be released or acknowledged")
            if not isinstance(at["after"], str):
                self.err(at, "after", f"{what}: condition 'after' must be an inject id")
                return _MANUAL
            return Trigger(None, False, at["after"], at["when"], delay)
        if not isinstance(at, dict):
            self.err(item, "at", f'{what}: at must be an offset ("+0:05"), manual, or a condition')
        return _MANUAL

    def delay(self, at: dict[str, Any], what: str) -> float:
        if "delay" not in at:
            return 0.0
        try:
            return parse_offset(str(at["delay"]))
        except ValueError as exc:
            self.err(at, "delay", f"{what}: delay {exc}")
            return 0.0

    # -- branching (core/conditions.py) ---------------------------------------------

    def condition_trigger(self, at: dict[str, Any], what: str) -> Trigger:
        """`at: {when: <condition>, delay: +H:MM}`: released once, `delay` after the condition first holds."""
        if not self.keys(at, f"{what} at", ("when",), ("delay",)):
            return _MANUAL
        condition = read_condition(self, at, "when", at["when"], f"{what}: at.when")
        return Trigger(None, condition is None, None, None, self.delay(at, what), condition)

    def alternate(self, item: dict[str, Any], what: str) -> tuple[str | None, Condition | None]:
        """`instead_of: X, when: <condition>`: released in place of X if the condition holds at X's time."""
        if "instead_of" not in item:
            if "when" in item:
                self.err(item, "when", f"{what}: when (at the inject's level) belongs to an alternate: add instead_of")
            return None, None
        target = item["instead_of"]
        if not isinstance(target, str):
            self.err(item, "instead_of", f"{what}: instead_of must be an inject id")
            return None, None
        if "when" not in item:
            self.err(item, "instead_of", f"{what}: an alternate needs when: the condition that releases it")
            return None, None
        return target, read_condition(self, item, "when", item["when"], f"{what}: when")

    def branch_references(
        self,
        injects: list[Inject],
        lines: dict[str, Any],
        draft: Scenario,
        scope: set[str],
        features: set[str],
    ) -> None:
        """Unknown teams, rooms, features and injects in conditions, and alternates of what cannot be replaced."""
        by_id = {inj.id: inj for inj in injects}
        for inj in injects:
            node, i = lines[inj.id]
            item = node[i]
            if inj.instead_of is not None:
                target = by_id.get(inj.instead_of)
                problem = (
                    f"instead_of: unknown inject {inj.instead_of!r}"
                    if target is None
                    else "instead_of: an alternate replaces an inject, not itself"
                    if target.id == inj.id
                    else f"instead_of: {target.id!r} is itself an alternate; name the inject it replaces"
                    if target.instead_of
                    else f"instead_of: {target.id!r} is released by hand, so it has no time to be replaced at"
                    if target.manual
                    else None
                )
                if problem:
                    self.err(item, "instead_of", f"inject {inj.id!r}: {problem}")
            if inj.condition is None:
                continue
            where, cond_node = ("when", item["when"]) if inj.instead_of else ("at.when", item["at"]["when"])
            for key, problem in reference_problems(inj.condition, scope, set(draft.rooms), features, set(by_id)):
                self.err(cond_node, key, f"inject {inj.id!r}: {where}.{key}: {problem}")

    def addressees(self, item: dict[str, Any], what: str, draft: Scenario, scope: set[str]) -> dict[str, list[str]]:
        to = self.mapping(item, "to", f"{what} to", item["to"])
        if to is None or not self.keys(to, f"{what} to", (), ("components", "teams", "rooms")):
            return {}
        components = self.str_list(to, "components", f"{what} to")
        teams = self.str_list(to, "teams", f"{what} to")
        rooms = self.str_list(to, "rooms", f"{what} to")
        comp_ids = {c.id: c for c in draft.components}
        for cid in components:
            if cid not in comp_ids:
                choices = ", ".join(sorted(comp_ids))
                self.err(
                    to,
                    "components",
                    f"{what}: unknown component {cid!r} in to.components; the components are {choices}",
                )
            elif not draft.teams_of([cid]):
                self.err(to, "components", f"{what}: component {cid!r} has no team to receive it")
        for tid in teams:
            if draft.team(tid) is None:
                choices = ", ".join(sorted(t.id for t in draft.teams))
                self.err(to, "teams", f"{what}: unknown team {tid!r} in to.teams; the teams are {choices}")
        for rid in rooms:
            if rid not in draft.rooms:
                choices = ", ".join(sorted(draft.rooms))
                self.err(
                    to,
                    "rooms",
                    f"{what}: unknown room {rid!r} in to.rooms, so nobody receives it there; the rooms are {choices}",
                )
        result = {"components": components, "teams": teams, "rooms": rooms}
        if not (components or teams or rooms):
            self.err(item, "to", f"{what}: no addressee")
        return result

    def expected(
        self,
        item: dict[str, Any],
        what: str,
        draft: Scenario,
        audience: frozenset[str],
        objectives: tuple[str, ...],
        translations: Translations,
    ) -> dict[str, tuple[ExpectedAction, ...]]:
        """Expected actions by addressee; each action's translations go to `translations[lang]["expected"]`
        as lists as long as the default's, None where an action has no text in that language."""
        value = self.optional_mapping(item, "expected", f"{what} expected")
        if value is None:
            return {}
        out = {}
        message = f"{what}: expected actions must be a list of text or {{action, objectives, weight}}"
        for key, actions in value.items():
            if not draft.teams_of([key]) & audience:
                self.err(value, key, f"{what}: expected actions for {key!r}, which is not an addressee")
            node: Any = actions
            if isinstance(actions, (str, dict)):
                actions, node = [actions], value
            if not isinstance(actions, list) or not actions:
                self.err(value, key, message)
                continue
            read = [
                self.expected_action(
                    node, i if node is actions else key, action, f"{what} expected {key!r}", message, draft
                )
                for i, action in enumerate(actions)
            ]
            if any(r is None for r in read):
                continue
            texts = [r[0] for r in read if r]
            out[key] = tuple(
                ExpectedAction(t.default, objectives if linked is None else linked, weight)
                for t, linked, weight in (r for r in read if r)
            )
            for lang in self.languages:
                items = [t.get(lang) for t in texts]
                if lang != self.default_language and any(items):
                    translations.setdefault(lang, {}).setdefault("expected", {})[key] = items
        return out

    def expected_action(
        self, node: Any, key: Key, raw: Any, what: str, message: str, draft: Scenario
    ) -> tuple[Text, tuple[str, ...] | None, str] | None:
        """One expected action: text (plain or a language mapping), or `{action, objectives, weight}`.
        Its text, its objectives (None: the inject's) and its weight; None when refused."""
        if not (isinstance(raw, dict) and "action" in raw):
            text = self.translatable(node, key, raw, what, message)
            return None if text is None else (text, None, DESIRABLE)
        name = f"action {(key or 0) + 1}" if isinstance(key, int) else "action"
        self.keys(raw, f"{what} {name}", ("action",), ("objectives", "weight"))
        text = self.translatable(raw, "action", raw["action"], f"{what} {name}")
        objectives: tuple[str, ...] | None = None
        if "objectives" in raw:
            objectives = tuple(self.str_list(raw, "objectives", f"{what} {name}"))
            for obj in objectives:
                if obj not in draft.objectives:
                    known = ", ".join(draft.objectives)
                    self.err(raw, "objectives", f"{what} {name}: unknown objective {obj!r}; the objectives are {known}")
        weight = raw.get("weight", DESIRABLE)
        if weight not in WEIGHTS:
            self.err(raw, "weight", f"{what} {name}: weight must be {' or '.join(WEIGHTS)}, not {weight!r}")
        return None if text is None else (text, objectives, weight)

    def cop_changes(
        self, item: dict[str, Any], what: str, draft: Scenario, scope: set[str], live: set[str]
    ) -> list[dict[str, Any]]:
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
                feature = self.feature(change, "add", change["add"], scope)
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
                patch = plain(patch)
                if isinstance(patch.get("name"), dict):  # a new name in several languages
                    name = self.translatable(change["set"], "name", patch["name"], f"{what} cop change")
                    patch["name"] = name.default if name else ""
                    if name and name.others:
                        patch["translations"] = {lang: {"name": text} for lang, text in name.others}
                problem = patch_problem({k: v for k, v in patch.items() if k != "translations"}, draft, scope)
                if problem:
                    self.err(change, "set", f"{what}: {problem}")
                out.append({"change": fid, "set": patch})
            else:
                self.keys(change, f"{what} cop remove", ("remove",), ())
                fid = change["remove"]
                if fid not in live:
                    self.err(change, "remove", f"{what}: COP removal of unknown feature {fid!r}")
                live.discard(fid)
                out.append({"remove": fid})
        return out


def patch_problem(patch: dict[str, Any], scenario: Scenario, scope: set[str]) -> str | None:
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


def waits_on(inject: Inject) -> list[str]:
    """The injects whose release (or time) `inject` waits on: its condition's and the one it replaces."""
    out = [inject.after] if inject.after else []
    if inject.condition is not None:
        out += inject.condition.injects()
    if inject.instead_of:
        out.append(inject.instead_of)
    return out


def condition_cycles(by_id: dict[str, Inject]) -> list[list[str]]:
    """Chains of conditions that lead back to where they start, each once, from its first inject."""
    reported: set[str] = set()
    out = []
    for start in by_id:
        path = _path_back(by_id, start)
        if path and not (set(path) & reported):
            reported.update(path)
            out.append(path)
    return out


def _path_back(by_id: dict[str, Inject], start: str) -> list[str] | None:
    """A chain of waits from `start` that leads back to it, or None (depth first, each inject once)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        current, path = stack.pop()
        for nxt in reversed(waits_on(by_id[current])):
            if nxt == start:
                return path
            if nxt in by_id and nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None
