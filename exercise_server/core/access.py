"""Who may see and do what. The one place that decides it.

Visibility is a pure function of an event and a *view*: the facilitator, the
evaluators, or one team. Everybody in a view sees the same events in the same form,
so the fan-out encodes each event once per view, not once per connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import events as ev
from .events import View
from .scenario import Room, Scenario
from .translations import only

FACILITATOR, EVALUATOR, TRAINEE = "facilitator", "evaluator", "trainee"
# The plenary screen, on the room's projector: it issues no command and sees only what every team
# sees (what is addressed to everyone or to every team), redacted as for a team.
PLENARY = "plenary"
ROLES = (FACILITATOR, EVALUATOR, TRAINEE, PLENARY)

# Which commands each role may issue at all; resource checks follow in commands.py.
# Coordination workflows (workflows.py): which component may issue each is checked there.
WORKFLOW_TRAINEE_COMMANDS = frozenset(
    {
        "notification.submit",
        "notification.acknowledge",
        "rfa.submit",
        "rfa.coordinate",
        "rfa.respond",
        "rfa.clarify",
        "tasking.request",
        "tasking.respond",
        "casevac.call",
        "document.share",
        "document.forward",
        "document.open",
        "statement.issue",
        "decision.record",
    }
)
TRAINEE_COMMANDS = (
    frozenset({"inject.ack", "inject.open", "room.post", "cop.add", "cop.change", "cop.remove", "learning.answer"})
    | WORKFLOW_TRAINEE_COMMANDS
)
# Evaluation writes only to the control cell's own record: evaluators stay read-only for the exercise.
EVALUATION_COMMANDS = frozenset({"observation.record", "expectation.mark", "pitfall.tick"})
# Commands the server takes only through its HTTP API, which checks the control cell's list first
# (who is an evaluator, who leads them: server/evaluation_api.py); a WebSocket frame naming one is refused.
HTTP_ONLY_COMMANDS = frozenset({"evaluator.assign", "rating.final", "improvement.set"})
FACILITATOR_COMMANDS = (
    frozenset(
        {
            "clock.start",
            "clock.pause",
            "clock.resume",
            "clock.speed",
            "clock.jump",
            "exercise.end",
            "inject.release",
            "inject.hold",
            "inject.unhold",
            "inject.edit",
            "inject.cancel",
            "inject.restore",
            "inject.adhoc",
            "room.post",
            "cop.add",
            "cop.change",
            "cop.remove",
            "code.revoke",
            "code.replace",
            "participant.remove",
            "participant.move",
            "roster.add",
            "roster.remove",
            "media.publish",
            "casevac.dispatch",
            "notification.acknowledge",
            "evaluator.assign",
            "improvement.set",
        }
    )
    | EVALUATION_COMMANDS
)
EVALUATOR_COMMANDS: frozenset[str] = EVALUATION_COMMANDS | {"rating.final", "improvement.set"}
# What every seat may say about itself, whatever its role: the language of its interface.
SEAT_COMMANDS = frozenset({"participant.language"})
TRAINEE_COMMANDS |= SEAT_COMMANDS
FACILITATOR_COMMANDS |= SEAT_COMMANDS
EVALUATOR_COMMANDS |= SEAT_COMMANDS
# Commands no role may issue, known so that they are refused with an explanation ("invalid")
# rather than as an unknown type (checked before authorisation): humanitarian notifications are never approved.
EXPLAINED_REFUSALS = {
    "notification.approve": "humanitarian notifications are acknowledged, never approved: "
    "humanitarian access is not subject to military approval",
}
ALL_COMMANDS = TRAINEE_COMMANDS | FACILITATOR_COMMANDS | EVALUATOR_COMMANDS | frozenset(EXPLAINED_REFUSALS)

# The fields of an inject that its addressed teams read; the rest (notes, expected
# actions, objectives, timing, the COP changes it makes) is for the control cell.
TRAINEE_INJECT_FIELDS = ("id", "from", "to", "channel", "title", "body", "attachments")


def inject_for_trainee(content: dict[str, Any]) -> dict[str, Any]:
    out = {k: content[k] for k in TRAINEE_INJECT_FIELDS if k in content}
    translated = only(content.get("translations") or {}, TRAINEE_INJECT_FIELDS)
    if translated:  # the same fields in the scenario's other languages: never the notes in French either
        out["translations"] = translated
    return out


@dataclass(frozen=True)
class Principal:
    """An authenticated participant. `team` and `component` are set for trainees only."""

    role: str
    name: str
    participant: str
    team: str | None = None
    component: str | None = None
    # The lead evaluator: set by the server from the control cell's list at each request (staff.py),
    # never carried by a token, so a lead the facilitator demotes loses it at once.
    lead: bool = False

    @property
    def view(self) -> View:
        return View.of_team(self.team) if self.role == TRAINEE and self.team else View(self.role)

    def actor(self) -> ev.Actor:
        if self == SYSTEM:
            return ev.SYSTEM
        return ev.Actor(self.role, self.team, self.name, self.participant)


# Who decides what falls due: the scheduler's releases are made by nobody in the exercise.
SYSTEM = Principal(ev.SYSTEM.role, ev.SYSTEM.name, "scheduler")


def plenary_view(scenario: Scenario) -> View:
    """The plenary screen's view: the common sight of every team of `scenario`."""
    return View(PLENARY, common_to=frozenset(t.id for t in scenario.teams))


def view_in(principal: Principal, scenario: Scenario) -> View:
    """The view `principal` receives events in (the plenary's depends on the scenario's teams)."""
    return plenary_view(scenario) if principal.role == PLENARY else principal.view


def seen_by_all(scenario: Scenario, teams: frozenset[str]) -> bool:
    """Whether `teams` (team ids) are every team of `scenario`: what the plenary screen may show."""
    return {t.id for t in scenario.teams} <= teams


def may_issue(principal: Principal, command: str) -> bool:
    allowed = {FACILITATOR: FACILITATOR_COMMANDS, EVALUATOR: EVALUATOR_COMMANDS, TRAINEE: TRAINEE_COMMANDS}.get(
        principal.role, frozenset()
    )
    return command in allowed


def may_read(principal: Principal, room: Room, scenario: Scenario | None = None) -> bool:
    """`scenario` is needed for the plenary screen only, which reads the rooms every team reads."""
    if principal.role == PLENARY:
        return scenario is not None and seen_by_all(scenario, room.readers)
    return principal.role in (FACILITATOR, EVALUATOR) or principal.team in room.readers


def may_write(principal: Principal, room: Room) -> bool:
    return principal.role == FACILITATOR or (principal.role == TRAINEE and principal.team in room.writers)


def feature_teams(scenario: Scenario, feature: dict[str, Any]) -> frozenset[str]:
    """The teams that see a COP feature: its snapshots, its live changes and the hazards it flags."""
    return scenario.teams_of(feature["visible_to"])


def may_see_feature(principal: Principal, feature: dict[str, Any], scenario: Scenario) -> bool:
    if principal.role in (FACILITATOR, EVALUATOR):
        return True
    if principal.role == PLENARY:
        return seen_by_all(scenario, feature_teams(scenario, feature))
    return principal.team in feature_teams(scenario, feature)


def may_change_feature(principal: Principal, feature: dict[str, Any]) -> bool:
    if principal.role == FACILITATOR:
        return True
    return principal.role == TRAINEE and feature["owner"] in (principal.team, principal.component)


def view_sees(view: View, event: ev.Event) -> bool:
    """Whether members of `view` receive `event` at all."""
    if view.key == FACILITATOR:
        return True
    if view.key == PLENARY:
        every_team = {ev.team_key(t) for t in view.common_to}
        return ev.EVERYONE in event.audience or bool(every_team) and every_team <= set(event.audience)
    return ev.EVERYONE in event.audience or view.key in event.audience


def may_see_some(view: View, audiences: set[str]) -> bool:
    """False when members of `view` receive none of some events whose audiences, together, are
    `audiences` (view_sees, on their union): the fan-out skips such a view at once instead of
    filtering each event for it (a room message is for 3 of a class's 50-odd views)."""
    return view.key in (FACILITATOR, PLENARY) or ev.EVERYONE in audiences or view.key in audiences


def event_for_view(view: View, event: ev.Event) -> dict[str, Any] | None:
    """The event as members of `view` receive it on the wire, or None if they do not."""
    if not view_sees(view, event):
        return None
    key = view.key
    out: dict[str, Any] = {
        "seq": event.seq,
        "type": event.type,
        "wall_time": event.wall_time,
        "ex_time": event.ex_time,
        "actor": _actor_for(view, event.actor),
        "payload": event.payload,
    }
    if key == FACILITATOR:
        out["audience"] = list(event.audience)
        return out
    if key == EVALUATOR:
        if event.type == ev.PARTICIPANT_JOINED:  # join codes are the facilitator's
            out["payload"] = {k: v for k, v in event.payload.items() if k != "code"}
        out["audience"] = list(event.audience)
        return out
    out["payload"] = redact_payload(view, event)
    if out["payload"] is None:
        return None
    if event.type == ev.COP_FEATURE_CHANGED and _hidden_from(view, event.payload):
        out["type"] = ev.COP_FEATURE_REMOVED
    return out


def redact_payload(view: View, event: ev.Event) -> dict[str, Any] | None:
    """Strip what a team may not read from an event it receives."""
    p = event.payload
    team = view.team
    if event.type == ev.INJECT_RELEASED:
        return {"inject": inject_for_trainee(p["inject"])}
    if event.type == ev.COP_FEATURE_CHANGED:
        if _hidden_from(view, p):
            return {"id": p["id"]}
        return {"id": p["id"], "set": p["set"], "feature": p["feature"]}
    if event.type in (ev.COP_FEATURE_ADDED, ev.COP_FEATURE_REMOVED):  # `cause` names an inject
        return {k: v for k, v in p.items() if k != "cause"}
    if event.type == ev.PARTICIPANT_JOINED:
        return {k: v for k, v in p.items() if k != "code"}
    if event.type == ev.NOTIFICATION_HAZARD_FLAGGED:
        return hazard_for_team(team, p)
    if event.type in (ev.DOCUMENT_SHARED, ev.DOCUMENT_FORWARDED) and p["sensitive"] and team != p["owner"]:
        return sealed(p)
    if event.type == ev.DOCUMENT_ACCESSED and team != p["team"]:  # the owner has the content already
        return {k: v for k, v in p.items() if k not in SEALED_FIELDS}
    return p


def _hidden_from(view: View, change: dict[str, Any]) -> bool:
    """Whether a COP change hides its feature from `view` (from the plenary: from any team)."""
    hidden = change.get("hidden_from", ())
    return bool(hidden) if view.key == PLENARY else view.team in hidden


def hazard_for_team(team: str | None, hazard: dict[str, Any]) -> dict[str, Any]:
    """A team that may not see the flagged COP feature learns only that a hazard of that kind is within
    2 km: not its name, place or exact distance (distances to several notifications would locate it)."""
    keep: tuple[str, ...] = ("notification_id", "feature_kind", "seq", "ex_time")
    if team in hazard.get("sees_feature", ()):
        keep += ("feature_id", "feature_name", "geometry", "distance_m")
    return {k: v for k, v in hazard.items() if k in keep}


SEALED_FIELDS = ("body", "location")


def sealed(document: dict[str, Any]) -> dict[str, Any]:
    """A sensitive document as a recipient holds it until it opens it: title and sharing, no content.

    Opening (`document.open`) logs the access and is the only way its content reaches a recipient.
    """
    return {**{k: v for k, v in document.items() if k not in SEALED_FIELDS}, "sealed": True}


def _actor_for(view: View, actor: ev.Actor) -> dict[str, Any]:
    d: dict[str, Any] = {"role": actor.role, "team": actor.team, "name": actor.name}
    if view.key in ev.CONTROL_CELL:
        d["participant"] = actor.participant
    elif actor.role in (EVALUATOR,):
        d = {"role": "control", "team": None, "name": "exercise control"}
    return d
