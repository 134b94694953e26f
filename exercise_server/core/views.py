"""What a participant may see of the state: the snapshot frame's payload, a page of a room's earlier
messages (room.history), and the inject as people read it."""

from __future__ import annotations

import copy
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from . import events as ev
from . import role_cards, workflows
from .access import (
    EVALUATOR,
    FACILITATOR,
    PLENARY,
    TRAINEE,
    Principal,
    event_for_view,
    inject_for_trainee,
    may_read,
    may_see_feature,
    may_write,
    seen_by_all,
    view_in,
)
from .errors import CommandError
from .roster import roster_rows
from .scenario import CHANNELS, FEATURE_KINDS, ExpectedAction, Inject, Scenario
from .translations import text_of, written_expected
from .validate import field

HISTORY_PAGE, HISTORY_MAX = 50, 100  # room.history: messages per page by default, and at most

if TYPE_CHECKING:
    from .projections import ExerciseState, InjectState


def snapshot(state: ExerciseState, principal: Principal, detached: bool = True) -> dict[str, Any]:
    """Everything `principal` may see, as of `head`: the payload of a snapshot frame.

    `detached=False` leaves out the deep copy: the rows are the state's own, for encoding at once
    (the fan-out), never to keep or change; building a snapshot then costs about its frame's size."""
    from .projections import RELEASED  # projections imports this module

    assert state.scenario is not None
    scenario = state.scenario
    control = principal.role in (FACILITATOR, EVALUATOR)
    rooms = {}
    for room in scenario.rooms.values():
        if may_read(principal, room, scenario):
            rooms[room.id] = {
                "id": room.id,
                "name": room.name,
                "kind": room.kind,
                "can_write": may_write(principal, room),
                "messages": list(state.messages.get(room.id, [])),
                "earlier": state.earlier.get(room.id, 0),  # messages before these: room.history
            }
            if room.translations:
                rooms[room.id]["translations"] = room.translations
            if control:  # so that the control cell's fold can address an edited inject (projection.js)
                rooms[room.id]["readers"] = sorted(room.readers)
    injects = []
    for inject in state.injects.values():
        if control:
            injects.append(_inject_row(state, inject, control_view=True))
        elif principal.role == PLENARY:
            if inject.status == RELEASED and seen_by_all(scenario, scenario.audience(inject.inject.to)):
                injects.append(_inject_row(state, inject, control_view=False))
        elif state.in_inbox(inject.inject.id, principal.team):
            row = _inject_row(state, inject, control_view=False)
            row["acknowledged"] = principal.team in inject.acks
            row["responded"] = principal.team in inject.responses
            injects.append(row)
    # Each feature with its version (core/versions.py): an edit names it, to learn of an edit meanwhile.
    cop = [
        {**f, "version": state.cop_versions[f["id"]].version}
        for f in state.cop.values()
        if may_see_feature(principal, f, scenario)
    ]
    participants: list[dict[str, Any]]
    if control:
        participants = [vars(p) | {} for p in state.participants.values()]
        if principal.role == EVALUATOR:
            participants = [p for p in participants if p["role"] != FACILITATOR]
            participants = [{k: v for k, v in p.items() if k != "code"} for p in participants]
    else:
        participants = [
            {"id": p.id, "name": p.name, "role": p.role, "team": p.team}
            for p in state.participants.values()
            if p.role == TRAINEE and p.team == principal.team
        ]
    team = scenario.team(principal.team) if principal.team else None
    component = team.component if team else None
    out = {
        "exercise": state.exercise,
        "seq": state.head,
        "you": {
            "role": principal.role,
            "name": principal.name,
            "team": principal.team,
            "component": principal.component,
            "participant": principal.participant,
        },
        "clock": state.clock_view(),
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "setting": scenario.setting,
            "start": scenario.start,
            "basemap": scenario.basemap,
            "start_label": scenario.start_label,
            "duration": scenario.duration,
            "objectives": scenario.objectives,
            "components": [vars(c) for c in scenario.components],
            "teams": [vars(t) for t in scenario.teams],
            "channels": list(CHANNELS),
            "feature_kinds": list(FEATURE_KINDS),
            "briefings": scenario.briefings
            if control
            else {k: v for k, v in scenario.briefings.items() if k == component},
            "languages": list(scenario.languages),
            "default_language": scenario.default_language,
            "translations": scenario_translations(scenario, control, component),
            # the senders control plays, for its Post as (their notes are control's)
            "personas": [vars(p) for p in scenario.personas] if principal.role == FACILITATOR else [],
            # the coordination settings the request form names (docs/coordination.md)
            "guideline": scenario.guideline,
            "ocha_team": scenario.ocha_team,
            # role cards (core/role_cards.py): the control cell's all, a team's its own
            "role_cards": role_cards.for_view(scenario.role_cards, control, principal.team),
            "learning": scenario.learning.view(control) if scenario.learning else None,
        },
        "rooms": rooms,
        "room_window": state.room_window,  # a room's live messages beyond it drop its oldest
        "injects": injects,
        "cop": cop,
        "participants": participants,
    }
    out.update(workflows.snapshot(state, scenario, view_in(principal, scenario)))
    if principal.role == FACILITATOR:
        out["codes"] = [{"code": code, **asdict(info)} for code, info in state.codes.items()]
        out["roster"] = roster_rows(state)  # names per team and their personal codes (roster.py)
    if control:  # the evaluation record: never in a trainee's snapshot
        out["observations"] = list(state.observations)
        out["expectation_marks"] = list(state.expectation_marks.values())
        out["evaluation_guide"] = asdict(scenario.evaluation)  # targets, critical tasks, pitfalls (evaluation_guide.py)
        out["pitfall_ticks"] = list(state.pitfall_ticks.values())
        out["evaluators"] = list(state.evaluators.values())
        out["final_ratings"] = list(state.final_ratings.values())
        out["rating_scale"] = [
            {"rating": r, "label": label, "meaning": meaning} for r, (label, meaning) in ev.RATING_SCALE.items()
        ]
        out["learning_answers"] = list(state.learning_answers.values())
        out["negotiation_choices"] = {
            "relationship": [{"value": k, "label": label} for k, label in ev.NEGOTIATION_RELATIONSHIPS.items()],
            "outcome": [{"value": k, "label": label} for k, label in ev.NEGOTIATION_OUTCOMES.items()],
        }
    return copy.deepcopy(out) if detached else out


def history_page(state: ExerciseState, principal: Principal, query: dict[str, Any]) -> tuple[str, list[int], int]:
    """What a room.history query asks for: the room, the sequence numbers of the page's messages
    (oldest first) and how many messages come before them. Only a room `principal` may read, as
    in a snapshot; any other is `not_found`, as a missing one is."""
    assert state.scenario is not None
    rid = field(query, "room", str)
    before = field(query, "before", int)
    limit = query.get("limit", HISTORY_PAGE)
    if before < 1:
        raise CommandError("invalid", "before must be a sequence number (1 or more)")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= HISTORY_MAX:
        raise CommandError("invalid", f"limit must be a whole number from 1 to {HISTORY_MAX}")
    room = state.scenario.rooms.get(rid)
    if room is None or not may_read(principal, room):
        raise CommandError("not_found", f"no room {rid!r} that you may read")
    seqs, earlier = state.messages_before(rid, before, limit)
    return rid, seqs, earlier


def history_rows(principal: Principal, room: str, events: list[ev.Event], seqs: list[int]) -> list[dict[str, Any]]:
    """The page's messages as snapshot rows: only those events, only if `principal`'s view receives
    them live (access.event_for_view), so a page never holds what live delivery would not."""
    wanted = set(seqs)
    return [
        message_row(e)
        for e in events
        if e.seq in wanted
        and e.type == ev.ROOM_MESSAGE_POSTED
        and e.payload.get("room") == room
        and event_for_view(principal.view, e) is not None
    ]


def message_row(event: ev.Event) -> dict[str, Any]:
    """A room message as snapshots and room.history show it."""
    return {
        "seq": event.seq,
        "ex_time": event.ex_time,
        "wall_time": event.wall_time,
        "text": event.payload["text"],
        "as": event.payload.get("as"),
        "author": {"role": event.actor.role, "team": event.actor.team, "name": event.actor.name},
    }


def scenario_translations(scenario: Scenario, control: bool, component: str | None) -> dict[str, Any]:
    """The scenario's own translated fields; a team reads only its own component's briefing."""
    out: dict[str, Any] = {}
    for lang, fields in scenario.translations.items():
        mine = dict(fields)
        if not control:
            mine["briefings"] = {k: v for k, v in fields.get("briefings", {}).items() if k == component}
        out[lang] = {k: v for k, v in mine.items() if v}
    return out


def _inject_row(state: ExerciseState, inject: InjectState, control_view: bool) -> dict[str, Any]:
    content = inject_content(inject)
    if not control_view:
        return {
            "inject": inject_for_trainee(content),
            "status": inject.status,
            "released_ex": inject.released_ex,
            "released_seq": inject.released_seq,
        }
    return {
        "inject": content,
        "status": inject.status,
        "released_ex": inject.released_ex,
        "released_seq": inject.released_seq,
        "adhoc": inject.adhoc,
        "trigger": inject.trigger,
        "released_by": inject.released_by,
        "edits": inject.edits,
        "version": inject.versions.version,  # what inject.edit names (core/versions.py)
        "acks": dict(inject.acks),
        "responses": dict(inject.responses),
        "audience": sorted(state.scenario.audience(inject.inject.to)) if state.scenario else [],
        **({"branch": inject.branch} if inject.branch else {}),  # inject.branched: released or replaced, and why
    }


def expected_of(scenario: Scenario, inject: Inject, team: str) -> list[ExpectedAction]:
    """What evaluators look for from `team` after `inject`: the actions listed for the team,
    its component or everyone, in the order the scenario lists them, with their objectives and weight."""
    out: list[ExpectedAction] = []
    for key in inject.expected:
        if team in scenario.teams_of([key]):
            out.extend(inject.actions_of(key))
    return out


def expected_actions(scenario: Scenario, inject: Inject, team: str) -> list[str]:
    """The texts of `expected_of`: what an evaluator's mark (its index) refers to."""
    return [action.text for action in expected_of(scenario, inject, team)]


def expected_links(inject: Inject) -> dict[str, list[dict[str, Any]]]:
    """Each expected action's objectives and weight, aligned with the inject's `expected`."""
    return {
        key: [{"objectives": list(a.objectives), "weight": a.weight} for a in inject.actions_of(key)]
        for key in inject.expected
    }


def inject_content(state: InjectState) -> dict[str, Any]:
    """The inject as people read it: the payload of `inject.released` and of table rows."""
    i = state.inject
    return {
        "id": i.id,
        "from": i.sender,
        "to": i.to,
        "channel": i.channel,
        "title": i.title,
        "body": i.body,
        "at": state.item.get("at"),
        "offset": i.offset,
        "cop": list(i.cop),
        "expected": i.expected,
        "expected_links": expected_links(i),
        "objectives": list(i.objectives),
        "notes": i.notes,
        "attachments": [dict(a) for a in i.attachments],
        **({"translations": i.translations} if i.translations else {}),
        **({"mode": i.mode} if i.mode else {}),
        **({"controller": i.controller} if i.controller else {}),
        **({"instead_of": i.instead_of, "when": state.item.get("when")} if i.instead_of else {}),  # an alternate
    }


def adhoc_item(content: dict[str, Any], default_language: str) -> dict[str, Any]:
    """The MSEL item of an ad-hoc inject, from the content its release carries (with its translations)."""
    translations = content.get("translations") or {}

    def written(name: str) -> Any:
        return text_of(str(content.get(name) or ""), translations, name, default_language).written()

    return {
        "id": content["id"],
        "at": "manual",
        "from": written("from"),
        "to": content["to"],
        "channel": content["channel"],
        "title": written("title"),
        "body": written("body"),
        "expected": written_expected(content.get("expected") or {}, translations, default_language),
        "objectives": content.get("objectives") or [],
        "notes": written("notes"),
    }
