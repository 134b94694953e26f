"""Inject commands: release (by the facilitator, or by the scheduler when due), hold, edit,
cancel, ad-hoc injects and a team's acknowledgement. A release makes its COP changes too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import events as ev
from .context import Decider, Decision
from .cop_commands import cop_change_drafts
from .errors import CommandError
from .projections import CANCELLED, HELD, RELEASED, SCHEDULED, InjectState
from .scenario import ADHOC_PREFIX
from .scenario_check import build_inject
from .timefmt import format_offset
from .validate import field, optional
from .versions import check_version
from .views import inject_content
from .workflows.notification import hazard_drafts

EDITABLE_INJECT_FIELDS = ("at", "from", "to", "channel", "title", "body", "expected", "objectives", "notes")
ADHOC_FIELDS = ("from", "to", "channel", "title", "body", "expected", "objectives", "notes")


def release(decision: Decision, inject: InjectState, trigger: str, actor: ev.Actor) -> list[ev.Draft]:
    """The release of `inject` to its addressees, and the COP changes it makes (with their hazard flags)."""
    audience = decision.team_audience(decision.scenario.audience(inject.inject.to))
    payload = {"inject": inject_content(inject), "trigger": trigger, "adhoc": inject.adhoc}
    drafts = [decision.draft(ev.INJECT_RELEASED, payload, audience, actor)]
    for change in inject.inject.cop:
        cop_drafts = cop_change_drafts(decision, decision.working_cop(), change, actor, cause=inject.inject.id)
        drafts += cop_drafts + hazard_drafts(decision, cop_drafts)
    return drafts


def in_default_language(fields: dict[str, Any]) -> None:
    """The control cell edits and writes injects as text in the scenario's default language (an edited
    field loses its translations: the seats of other languages see the new text, marked untranslated)."""
    expected = fields.get("expected")
    actions = (
        [a for v in expected.values() for a in (v if isinstance(v, list) else [v])]
        if isinstance(expected, dict)
        else []
    )
    # An action linked to objectives ({action, objectives, weight}): its text is what must be plain.
    actions = [a.get("action") if isinstance(a, dict) and "action" in a else a for a in actions]
    for key, value in [
        *((k, fields.get(k)) for k in ("from", "title", "body", "notes")),
        *(("expected", a) for a in actions),
    ]:
        if isinstance(value, dict):
            raise CommandError("invalid", f"{key}: write the text in the scenario's default language, not a mapping")


def inject_state(decision: Decision, command: dict[str, Any]) -> InjectState:
    iid = field(command, "inject_id", str)
    inject = decision.state.injects.get(iid)
    if inject is None:
        raise CommandError("not_found", f"no inject {iid!r}")
    return inject


def _release(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    inject = inject_state(decision, command)
    if inject.status == RELEASED:
        raise CommandError("conflict", f"inject {inject.inject.id!r} was already released")
    if inject.status == CANCELLED:
        raise CommandError("wrong_state", f"inject {inject.inject.id!r} was cancelled")
    return release(decision, inject, "manual", decision.principal.actor())


def _status_cmd(allowed: tuple[str, ...], etype: str) -> Callable[[Decision, dict[str, Any]], list[ev.Draft]]:
    def decide_status(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
        decision.not_ended()
        inject = inject_state(decision, command)
        if inject.status not in allowed:
            code = "conflict" if inject.status == RELEASED else "wrong_state"
            raise CommandError(code, f"inject {inject.inject.id!r} is {inject.status}")
        return [decision.draft(etype, {"inject_id": inject.inject.id}, ev.CONTROL_CELL)]

    return decide_status


def _restore(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """Undo a cancel, until the inject's time: it is scheduled again (a manual or conditional one at any time)."""
    decision.not_ended()
    inject = inject_state(decision, command)
    if inject.status != CANCELLED:
        raise CommandError("wrong_state", f"inject {inject.inject.id!r} is {inject.status}, not cancelled")
    offset = inject.inject.offset
    if offset is not None and offset <= decision.ex:
        raise CommandError(
            "wrong_state", f"inject {inject.inject.id!r} was due at {format_offset(offset)}: its time has passed"
        )
    return [decision.draft(ev.INJECT_RESTORED, {"inject_id": inject.inject.id}, ev.CONTROL_CELL)]


def _edit(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    inject = inject_state(decision, command)
    if inject.status not in (SCHEDULED, HELD):
        raise CommandError(
            "wrong_state", f"inject {inject.inject.id!r} is {inject.status}; only unreleased injects change"
        )
    check_version(command, inject.versions, inject_content(inject), f"inject {inject.inject.id!r}")
    changes = field(command, "changes", dict)
    unknown = set(changes) - set(EDITABLE_INJECT_FIELDS)
    if unknown or not changes:
        raise CommandError("invalid", f"changes may set {', '.join(EDITABLE_INJECT_FIELDS)}")
    in_default_language(changes)
    if "at" in changes and not isinstance(changes["at"], str):
        raise CommandError("invalid", 'at must be an offset such as "+0:40" or manual')
    _, problems = build_inject(decision.scenario, {**inject.item, **changes}, inject.inject.order)
    if problems:
        raise CommandError("invalid", "; ".join(p.message for p in problems))
    payload = {"inject_id": inject.inject.id, "changes": changes}
    return [decision.draft(ev.INJECT_EDITED, payload, ev.CONTROL_CELL)]


def _adhoc(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    iid = f"{ADHOC_PREFIX}{decision.state.adhoc_count + 1}"
    item = {k: command[k] for k in ADHOC_FIELDS if k in command}
    in_default_language(item)
    item.update(id=iid, at="manual")
    built, problems = build_inject(decision.scenario, item, len(decision.state.injects))
    if built is None:
        raise CommandError("invalid", "; ".join(p.message for p in problems))
    return release(decision, InjectState(built, item, adhoc=True), "manual", decision.principal.actor())


def _shown_in(decision: Decision, command: dict[str, Any]) -> str:
    """The language a participant was shown an inject in (default: the scenario's default language)."""
    language = optional(command, "language", str) or decision.scenario.default_language
    if language not in decision.scenario.languages:
        raise CommandError("invalid", f"language must be one of {', '.join(decision.scenario.languages)}")
    return language


def _open(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    """A participant opened an inject of their inbox: the record of who read it in which language, once
    per participant and language (the control cell's; the team's state does not change)."""
    decision.not_ended()
    iid = field(command, "inject_id", str)
    team, participant = decision.principal.team, decision.principal.participant
    inject = decision.state.in_inbox(iid, team)
    if inject is None or team is None:  # answered as inject.ack answers: no leak
        raise CommandError("not_found", f"no inject {iid!r} in your inbox")
    language = _shown_in(decision, command)
    if (participant, language) in inject.reads:
        raise CommandError("conflict", f"you have opened {iid!r} in {language} already")
    return [decision.draft(ev.INJECT_OPENED, {"inject_id": iid, "team": team, "language": language}, ev.CONTROL_CELL)]


def _ack(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    iid = field(command, "inject_id", str)
    team = decision.principal.team
    inject = decision.state.in_inbox(iid, team)
    if (
        inject is None or team is None
    ):  # an unreleased or unaddressed inject answers exactly like a missing one: no leak
        raise CommandError("not_found", f"no inject {iid!r} in your inbox")
    if team in inject.acks:
        raise CommandError("conflict", f"your team already acknowledged {iid!r}")
    language = _shown_in(decision, command)  # for the record, as inject.open's
    audience = (*ev.CONTROL_CELL, ev.team_key(team))
    payload = {"inject_id": iid, "team": team, "language": language}
    return [decision.draft(ev.INJECT_ACKNOWLEDGED, payload, audience)]


DECIDERS: dict[str, Decider] = {
    "inject.release": _release,
    "inject.hold": _status_cmd((SCHEDULED,), ev.INJECT_HELD),
    "inject.unhold": _status_cmd((HELD,), ev.INJECT_UNHELD),
    "inject.restore": _restore,
    "inject.edit": _edit,
    "inject.cancel": _status_cmd((SCHEDULED, HELD), ev.INJECT_CANCELLED),
    "inject.adhoc": _adhoc,
    "inject.ack": _ack,
    "inject.open": _open,
}
