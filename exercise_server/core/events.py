"""Every event type, in one place. Events are immutable, msgpack-encodable values.

An event is one fact in an exercise's append-only log. The core decides *drafts*
(type, payload, audience); the store stamps them with the next sequence number.
`audience` is decided once, when the event is made, so that who may see an event is a
pure function of the event itself: live fan-out, resume and replay all agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgpack

from .log_upgrades import upgraded

SCHEMA_VERSION = 1

# Audience keys. A team's key is "team:<id>"; these two are the control cell.
FACILITATOR = "facilitator"
EVALUATOR = "evaluator"
CONTROL_CELL = (FACILITATOR, EVALUATOR)
EVERYONE = "*"
TEAM_PREFIX = "team:"

# Event types. Payload fields are documented in docs/protocol.md.
EXERCISE_OPENED = "exercise.opened"  # scenario (plain document), title, syndicate (of a class; core/syndicates.py)
EXERCISE_ENDED = "exercise.ended"
CLOCK_STARTED = "clock.started"
CLOCK_PAUSED = "clock.paused"
CLOCK_RESUMED = "clock.resumed"
CLOCK_SPEED_SET = "clock.speed_set"  # speed
CLOCK_JUMPED = "clock.jumped"  # to (exercise seconds)
CODE_ISSUED = "code.issued"  # code, role, team
CODE_REVOKED = "code.revoked"  # code
CODE_REPLACED = "code.replaced"  # code, replacement, role, team: the old code takes nobody new
PARTICIPANT_JOINED = "participant.joined"  # participant, name, role, team
PARTICIPANT_REMOVED = "participant.removed"  # participant, name, role, team: their tokens stop working
PARTICIPANT_LANGUAGE_SET = "participant.language_set"  # participant, language: the seat's interface language
PARTICIPANT_MOVED = "participant.moved"  # participant, name, from, to: a trainee moved to another team (roster.py)
ROSTER_PERSON_ADDED = "roster.person_added"  # person, name, team, email, code: a name on a team's roster
ROSTER_PERSON_REMOVED = "roster.person_removed"  # person, name: off the roster (their personal code takes nobody new)
INJECT_RELEASED = "inject.released"  # inject (content), trigger, adhoc
INJECT_HELD = "inject.held"  # inject_id
INJECT_UNHELD = "inject.unheld"  # inject_id
INJECT_EDITED = "inject.edited"  # inject_id, changes, expected_links?
INJECT_CANCELLED = "inject.cancelled"  # inject_id
INJECT_RESTORED = "inject.restored"  # inject_id: a cancel undone, before the inject's time
INJECT_ACKNOWLEDGED = "inject.acknowledged"  # inject_id, team
INJECT_RESPONDED = "inject.responded"  # inject_id, team, action: a team action said it answers the inject
INJECT_OPENED = "inject.opened"  # inject_id, team, language: a participant read it, in that language (the record)
INJECT_BRANCHED = "inject.branched"  # inject_id, instead_of, condition, cause: why it was released (branches.py)
ROOM_MESSAGE_POSTED = "room.message_posted"  # room, text, as (control-played actor) or None
COP_FEATURE_ADDED = "cop.feature_added"  # feature
COP_FEATURE_CHANGED = "cop.feature_changed"  # id, set, feature (after)
COP_FEATURE_REMOVED = "cop.feature_removed"  # id
# Evaluation: for the control cell only (audience CONTROL_CELL), never for trainees.
OBSERVATION_RECORDED = (
    "observation.recorded"  # observation, text, rating, objective, inject_id, team, recommendation, negotiation?
)
LEARNING_ANSWERED = "learning.answered"  # form (pre, post, feedback), participant, name, team, answers
EXPECTATION_MARKED = "expectation.marked"  # inject_id, team, action (index), text, status, note
PITFALL_TICKED = "pitfall.ticked"  # pitfall, team, ticked, inject_id, note: an error of the guide's seen (or unticked)
EVALUATOR_ASSIGNED = "evaluator.assigned"  # evaluator (staff id), name, teams: whom they evaluate in this syndicate
IMPROVEMENT_SET = "improvement.set_row"  # finding, scope, objective, capability, text, root_cause, ... status
FINAL_RATING_SET = "rating.final_set"  # item (objective | target), item_id, rating (P S M U), rationale: the lead's
# Coordination workflows (exercise_server/core/workflows/, which also holds their payload fields).
# Audiences, in docs/protocol.md:
NOTIFICATION_SUBMITTED = "notification.submitted"  # control, notifier, teams of share_with
NOTIFICATION_ACKNOWLEDGED = "notification.acknowledged"  # notification_id, team, component; same audience
NOTIFICATION_HAZARD_FLAGGED = "notification.hazard_flagged"  # notification_id, feature_id, distance_m, ...
# control, requester, OCHA team, civilian teams; the military teams unless it waits for OCHA
RFA_SUBMITTED = "rfa.submitted"
RFA_COORDINATED = "rfa.coordinated"  # rfa_id, team (OCHA), decision forward|return, note; forwarded: + military
RFA_RESPONDED = "rfa.responded"  # rfa_id, team, decision, reason; same audience
RFA_CLARIFIED = "rfa.clarified"  # rfa_id, team, text: the requester answers "more information"; same audience
TASKING_REQUESTED = "tasking.requested"  # control, the civilian team, military teams: a mission tasking request
TASKING_RESPONDED = "tasking.responded"  # tasking_id, team, decision, reason; same audience
CASEVAC_CALLED = "casevac.called"  # control, the calling team, military teams: an emergency through UNDSS and the JOC
CASEVAC_DISPATCHED = "casevac.dispatched"  # casevac_id, note: control's answer (UNDSS, the JOC); same audience
DOCUMENT_SHARED = "document.shared"  # control, owner, teams of share_with
DOCUMENT_FORWARDED = "document.forwarded"  # control, owner, teams of every recipient (sealed as shared)
DOCUMENT_ACCESSED = "document.accessed"  # control, the owner and the team that opened it (with the content)
MEDIA_PUBLISHED = "media.published"  # everyone
STATEMENT_ISSUED = "statement.issued"  # control and the issuing team
DECISION_RECORDED = "decision.recorded"  # control and the recording team
WORKFLOW_EVENT_TYPES = frozenset(
    {
        NOTIFICATION_SUBMITTED,
        NOTIFICATION_ACKNOWLEDGED,
        NOTIFICATION_HAZARD_FLAGGED,
        RFA_SUBMITTED,
        RFA_COORDINATED,
        RFA_RESPONDED,
        RFA_CLARIFIED,
        TASKING_REQUESTED,
        TASKING_RESPONDED,
        CASEVAC_CALLED,
        CASEVAC_DISPATCHED,
        DOCUMENT_SHARED,
        DOCUMENT_FORWARDED,
        DOCUMENT_ACCESSED,
        MEDIA_PUBLISHED,
        STATEMENT_ISSUED,
        DECISION_RECORDED,
    }
)

EVENT_TYPES = WORKFLOW_EVENT_TYPES | frozenset(
    {
        EXERCISE_OPENED,
        EXERCISE_ENDED,
        CLOCK_STARTED,
        CLOCK_PAUSED,
        CLOCK_RESUMED,
        CLOCK_SPEED_SET,
        CLOCK_JUMPED,
        CODE_ISSUED,
        CODE_REVOKED,
        CODE_REPLACED,
        PARTICIPANT_JOINED,
        PARTICIPANT_REMOVED,
        PARTICIPANT_LANGUAGE_SET,
        PARTICIPANT_MOVED,
        ROSTER_PERSON_ADDED,
        ROSTER_PERSON_REMOVED,
        INJECT_RELEASED,
        INJECT_HELD,
        INJECT_UNHELD,
        INJECT_EDITED,
        INJECT_CANCELLED,
        INJECT_RESTORED,
        INJECT_ACKNOWLEDGED,
        INJECT_RESPONDED,
        INJECT_OPENED,
        INJECT_BRANCHED,
        ROOM_MESSAGE_POSTED,
        COP_FEATURE_ADDED,
        COP_FEATURE_CHANGED,
        COP_FEATURE_REMOVED,
        OBSERVATION_RECORDED,
        EXPECTATION_MARKED,
        LEARNING_ANSWERED,
        PITFALL_TICKED,
        EVALUATOR_ASSIGNED,
        FINAL_RATING_SET,
        IMPROVEMENT_SET,
    }
)


# The payload fields of every event type: the schema each draft the core makes, and each
# event of an imported log, is held to (docs/protocol.md says what each field means).
# The coordination workflows' fields are their modules' (workflows/*.py: EVENTS), merged at the end.
_CORE_FIELDS = {
    EXERCISE_OPENED: "scenario title syndicate?",  # syndicate: only in an exercise of a class
    EXERCISE_ENDED: "",
    CLOCK_STARTED: "",
    CLOCK_PAUSED: "",
    CLOCK_RESUMED: "",
    CLOCK_SPEED_SET: "speed",
    CLOCK_JUMPED: "from to",
    CODE_ISSUED: "code role team",
    CODE_REVOKED: "code",
    CODE_REPLACED: "code replacement role team",
    PARTICIPANT_JOINED: "code name participant role team person?",  # person: the roster entry (roster.py)
    PARTICIPANT_REMOVED: "name participant role team",
    PARTICIPANT_LANGUAGE_SET: "language participant",
    PARTICIPANT_MOVED: "from name participant to person?",  # person: the roster entry that follows them
    ROSTER_PERSON_ADDED: "code email name person team",
    ROSTER_PERSON_REMOVED: "name person",
    INJECT_RELEASED: "adhoc inject trigger",
    INJECT_HELD: "inject_id",
    INJECT_UNHELD: "inject_id",
    INJECT_EDITED: "changes expected_links? inject_id",  # expected_links: when expected or objectives changed
    INJECT_CANCELLED: "inject_id",
    INJECT_RESTORED: "inject_id",
    INJECT_ACKNOWLEDGED: "inject_id team language?",  # the language it was shown in (older logs lack it)
    INJECT_RESPONDED: "action inject_id team",
    INJECT_OPENED: "inject_id language team",
    INJECT_BRANCHED: "cause condition inject_id instead_of",
    ROOM_MESSAGE_POSTED: "as room text",
    COP_FEATURE_ADDED: "cause feature",
    COP_FEATURE_CHANGED: "cause feature hidden_from id set",
    COP_FEATURE_REMOVED: "cause id",
    OBSERVATION_RECORDED: "inject_id objective observation rating recommendation team text negotiation?",
    EXPECTATION_MARKED: "action inject_id note status team text",
    LEARNING_ANSWERED: "answers form name participant team",
    PITFALL_TICKED: "inject_id note pitfall team ticked",
    EVALUATOR_ASSIGNED: "evaluator name teams",
    FINAL_RATING_SET: "item item_id rating rationale",
    IMPROVEMENT_SET: "capability due finding objective owner recommendation root_cause scope start status text",
}


def payload_problem(etype: str, payload: Any) -> str | None:
    """What is wrong with `payload` as the payload of an `etype` event, or None."""
    fields = PAYLOAD_FIELDS.get(etype)
    if fields is None:
        return f"unknown event type {etype!r}"
    if not isinstance(payload, dict):
        return f"the payload of {etype} must be a map"
    missing, unknown = fields - set(payload), set(payload) - fields - OPTIONAL_FIELDS.get(etype, frozenset())
    if not missing and not unknown:
        return None
    return f"the payload of {etype}: " + "; ".join(
        ([f"missing {', '.join(sorted(missing))}"] if missing else [])
        + ([f"unknown {', '.join(sorted(unknown))}"] if unknown else [])
    )


# The rating scale of observations (docs/evaluation.md), after HSEEP's performance ratings.
def N_(message: str) -> str:
    """Marks words people read for the catalogues (exercise_server/i18n/), untranslated: pages translate them."""
    return message


RATING_SCALE: dict[int, tuple[str, str]] = {
    4: (N_("Performed"), N_("performed without challenges; a strength to keep")),
    3: (N_("Some challenges"), N_("performed, with some challenges that did not affect the outcome")),
    2: (N_("Major challenges"), N_("performed, but challenges put the outcome at risk")),
    1: (N_("Not performed"), N_("could not be performed, or not without serious harm")),
}
# The lead evaluator's final rating of an objective or a capability target (HSEEP's P, S, M, U).
FINAL_RATINGS: dict[str, str] = {
    "P": N_("Performed without challenges"),
    "S": N_("Performed with some challenges"),
    "M": N_("Performed with major challenges"),
    "U": N_("Unable to be performed"),
}
# How an evaluator marks one expected action of a released inject for one team.
EXPECTATION_STATUSES = ("met", "partly", "not_met")
# A negotiation observation (docs/evaluation.md, "Negotiation observations"): its three texts and
# the two choices that close it, each with its label.
NEGOTIATION_TEXTS = ("interests", "options", "red_lines")
NEGOTIATION_RELATIONSHIPS: dict[str, str] = {
    "strengthened": N_("strengthened"),
    "maintained": N_("maintained"),
    "strained": N_("strained"),
    "broken": N_("broken off"),
}
NEGOTIATION_OUTCOMES: dict[str, str] = {
    "agreement": N_("agreement"),
    "partial": N_("partial agreement"),
    "no_agreement": N_("no agreement"),
    "deferred": N_("deferred"),
}


@dataclass(frozen=True)
class Actor:
    """Who caused an event: role is facilitator, evaluator, trainee or system."""

    role: str
    team: str | None = None
    name: str = ""
    participant: str | None = None


SYSTEM = Actor("system", None, "exercise control")


@dataclass(frozen=True, slots=True)
class CommandRef:
    """The command an event came from: who sent it, the client's id for it (its idempotency key,
    protocol 1.1) and a digest of its body. Stored with each of the command's events, so that a
    resent command is recognised from the log itself, after a crash or on another process."""

    participant: str
    id: str | int
    digest: str


@dataclass(frozen=True)
class Draft:
    """An event the core has decided on, before the store gives it a sequence number."""

    type: str
    payload: dict[str, Any]
    audience: tuple[str, ...]
    wall_time: float
    ex_time: float
    actor: Actor = SYSTEM
    command: CommandRef | None = None

    def __post_init__(self) -> None:
        problem = payload_problem(self.type, self.payload)
        if problem:  # a fault in the core, caught before anything is stored
            raise ValueError(problem)


@dataclass(frozen=True)
class Event:
    exercise: str
    seq: int
    type: str
    wall_time: float
    ex_time: float
    actor: Actor
    payload: dict[str, Any]
    audience: tuple[str, ...]
    v: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    command: CommandRef | None = None  # absent from events stored before protocol 1.1, and from the scheduler's

    @classmethod
    def from_draft(cls, exercise: str, seq: int, draft: Draft) -> Event:
        return cls(
            exercise,
            seq,
            draft.type,
            draft.wall_time,
            draft.ex_time,
            draft.actor,
            draft.payload,
            tuple(draft.audience),
            command=draft.command,
        )

    def to_dict(self) -> dict[str, Any]:
        """The event as a map, in the order of its fields (the stored form). Built by hand, not by
        `dataclasses.asdict`, whose recursive copy of every field was a tenth of a chat message's CPU
        time (each event is encoded for the store and for the resumes, `fanout.Recent`); the payload
        is the event's own, not a copy: nobody changes an event's payload (events are values)."""
        a = self.actor
        d: dict[str, Any] = {
            "exercise": self.exercise,
            "seq": self.seq,
            "type": self.type,
            "wall_time": self.wall_time,
            "ex_time": self.ex_time,
            "actor": {"role": a.role, "team": a.team, "name": a.name, "participant": a.participant},
            "payload": self.payload,
            "audience": list(self.audience),
            "v": self.v,
        }
        if (c := self.command) is not None:  # absent, a log without command ids reads as it always did
            d["command"] = {"participant": c.participant, "id": c.id, "digest": c.digest}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            d["exercise"],
            d["seq"],
            d["type"],
            d["wall_time"],
            d["ex_time"],
            Actor(**d["actor"]),
            upgraded(d["type"], d["payload"]),  # an earlier server's payload in today's form
            tuple(d["audience"]),
            d.get("v", SCHEMA_VERSION),
            command=CommandRef(**d["command"]) if d.get("command") else None,
        )


def encode_event(event: Event) -> bytes:
    data: bytes = msgpack.packb(event.to_dict(), use_bin_type=True)
    return data


def decode_event(data: bytes) -> Event:
    return Event.from_dict(msgpack.unpackb(data, raw=False))


def team_key(team: str) -> str:
    return f"{TEAM_PREFIX}{team}"


@dataclass(frozen=True, slots=True)
class View:
    """The people who receive events in one form: the facilitator, the evaluators or one team.

    `key` is the view's audience key ("facilitator", "evaluator", "team:<id>", "plenary"); `team` is set
    for a team; `common_to`, for the plenary screen, the teams whose common sight it shows (access.py)."""

    key: str
    team: str | None = None
    common_to: frozenset[str] = frozenset()

    @classmethod
    def of_team(cls, team: str) -> View:
        return cls(team_key(team), team)

    @classmethod
    def parse(cls, key: str) -> View | None:
        """The view an audience key names, or None ("*" and anything else)."""
        if key in CONTROL_CELL:
            return cls(key)
        if key.startswith(TEAM_PREFIX):
            return cls.of_team(key.removeprefix(TEAM_PREFIX))
        return None

    def __str__(self) -> str:
        return self.key


FACILITATOR_VIEW = View(FACILITATOR)
EVALUATOR_VIEW = View(EVALUATOR)


def _merged_payload_fields() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    # Imported last: the workflow modules import this one (and core/__init__.py imports this one first).
    from .workflows import EVENTS as workflow_fields

    assert not set(_CORE_FIELDS) & set(workflow_fields), "an event type is the core's or a workflow's"
    merged = {**_CORE_FIELDS, **workflow_fields}
    required = {etype: frozenset(f for f in fields.split() if not f.endswith("?")) for etype, fields in merged.items()}
    optional = {etype: frozenset(f[:-1] for f in fields.split() if f.endswith("?")) for etype, fields in merged.items()}
    return required, {etype: fields for etype, fields in optional.items() if fields}


# Each event type's payload fields; a field written `name?` above may be absent (OPTIONAL_FIELDS).
PAYLOAD_FIELDS, OPTIONAL_FIELDS = _merged_payload_fields()
assert set(PAYLOAD_FIELDS) == EVENT_TYPES
