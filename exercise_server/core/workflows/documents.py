"""Information sharing with protection: a team shares a document with components; a sensitive one
stays sealed for its recipients until each opens it (logged), and only its owner may forward it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import events as ev
from ..access import SEALED_FIELDS, sealed
from ..context import Decider, Decision, Handler
from ..errors import CommandError
from ..scenario import Scenario
from ..validate import SHORT_CHARS, components, geometry, text
from ..validate import field as required
from .common import Label, is_control, no_team_field, short, stamp, team_id, trainee, visible_rows, wire

if TYPE_CHECKING:
    from ..projections import ExerciseState

EVENTS = {
    ev.DOCUMENT_SHARED: "body document_id location owner sensitive share_with title",
    ev.DOCUMENT_FORWARDED: (
        "body by document_id location owner recipients sensitive share_with"
        " shared_by shared_ex_time shared_seq title to"
    ),
    ev.DOCUMENT_ACCESSED: "body document_id location name participant team",
}


RESPONSES = {"document.share": "document shared"}
ACTIONS = {
    ev.DOCUMENT_SHARED: "document shared",
    ev.DOCUMENT_FORWARDED: "document forwarded",
    ev.DOCUMENT_ACCESSED: "sensitive document opened",
}
KNOWN_ITEMS = {
    ev.DOCUMENT_SHARED: ("document", "document_id", "title"),
    ev.DOCUMENT_FORWARDED: ("document", "document_id", "title"),
}
LABELS: dict[str, Label] = {
    ev.DOCUMENT_SHARED: lambda p, _: (
        (
            _("%(id)s shared by %(team)s with %(with)s (sensitive): %(title)s")
            if p["sensitive"]
            else _("%(id)s shared by %(team)s with %(with)s: %(title)s")
        )
        % {"id": p["document_id"], "team": p["owner"], "with": ", ".join(p["share_with"]), "title": short(p["title"])}
    ),
    ev.DOCUMENT_FORWARDED: lambda p, _: (
        _("%(id)s forwarded by %(team)s to %(to)s")
        % {"id": p["document_id"], "team": p["by"], "to": ", ".join(p["to"])}
    ),
    ev.DOCUMENT_ACCESSED: lambda p, _: (
        _("%(id)s opened by %(name)s (%(team)s)") % {"id": p["document_id"], "name": p["name"], "team": p["team"]}
    ),
}


@dataclass
class Document:
    document_id: str
    owner: str  # a team id
    title: str
    body: str
    share_with: list[str]  # the components it was first shared with
    sensitive: bool
    location: dict[str, Any] | None
    seq: int
    ex_time: float
    wall_time: float
    author: str
    recipients: list[str] = field(default_factory=list)  # the components holding it, forwards included
    accesses: list[dict[str, Any]] = field(default_factory=list)  # who opened it (a sensitive one), when


# -- who holds a document: its live events and its snapshot row alike ----------------


def teams(scenario: Scenario, owner: str, recipients: list[str]) -> frozenset[str]:
    """The owner and the teams of the recipient components."""
    return frozenset({owner}) | scenario.teams_of(recipients)


def audience(decision: Decision, owner: str, recipients: list[str]) -> tuple[str, ...]:
    return decision.team_audience(teams(decision.scenario, owner, recipients))


def visible(scenario: Scenario, doc: Document, view: ev.View) -> dict[str, Any] | None:
    """The whole row for the control cell and the owner; without the accesses, and sealed until
    opened if sensitive, for a recipient."""
    if is_control(view) or view.team == doc.owner:
        return wire(doc)
    if view.team is None or view.team not in teams(scenario, doc.owner, doc.recipients):
        return None
    held = {k: v for k, v in wire(doc).items() if k != "accesses"}
    opened = any(a["team"] == view.team for a in doc.accesses)
    return held if opened or not doc.sensitive else sealed(held)


def snapshot(state: ExerciseState, scenario: Scenario, view: ev.View) -> dict[str, list[dict[str, Any]]]:
    return {"documents": visible_rows(state.documents.values(), lambda doc: visible(scenario, doc, view))}


# -- deciders ----------------------------------------------------------------------


def _share(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, _ = trainee(decision, None, "share a document")
    no_team_field(command, "shares documents")
    title = text(command.get("title"), "title", SHORT_CHARS)
    body = text(command.get("body"), "body")
    share = components(decision.scenario, command, "share_with")
    sensitive = command.get("sensitive", False)
    if not isinstance(sensitive, bool):
        raise CommandError("invalid", "sensitive must be true or false")
    location = command.get("location")
    if location is not None:
        location = geometry(location, ("Point", "LineString", "Polygon"), "location")
    payload = {
        "document_id": team_id("D", (d.owner for d in decision.state.documents.values()), team),
        "owner": team,
        "title": title,
        "body": body,
        "share_with": share,
        "sensitive": sensitive,
        "location": location,
    }
    return [decision.draft(ev.DOCUMENT_SHARED, payload, audience(decision, team, share))]


def _held(decision: Decision, command: dict[str, Any], what: str) -> tuple[str, Document]:
    """The deciding team and a document it holds (else refused, nothing leaked)."""
    team, _ = trainee(decision, None, what)
    did = required(command, "document_id", str)
    doc = decision.state.documents.get(did)
    if doc is None or team not in teams(decision.scenario, doc.owner, doc.recipients):
        raise CommandError("not_found", f"no document {did!r} shared with you")
    return team, doc


def _forward(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, doc = _held(decision, command, "forward a document")
    if doc.sensitive and doc.owner != team:
        raise CommandError("forbidden", "sensitive items cannot be forwarded (only their owner may share them)")
    to = components(decision.scenario, command, "to")
    if set(to) <= set(doc.recipients):
        raise CommandError("conflict", f"{', '.join(to)} already received {doc.document_id!r}")
    recipients = sorted(set(doc.recipients) | set(to))
    payload = {
        "document_id": doc.document_id,
        "owner": doc.owner,
        "title": doc.title,
        "body": doc.body,
        "location": doc.location,
        "sensitive": doc.sensitive,
        "to": to,
        "by": team,
        "share_with": doc.share_with,
        "recipients": recipients,
        "shared_seq": doc.seq,
        "shared_ex_time": doc.ex_time,
        "shared_by": doc.author,
    }
    # Every holder learns the new recipients; a sensitive document stays sealed for all but its owner.
    return [decision.draft(ev.DOCUMENT_FORWARDED, payload, audience(decision, doc.owner, recipients))]


def _open(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    team, doc = _held(decision, command, "open a document")
    if not doc.sensitive:
        raise CommandError("invalid", "only sensitive documents are sealed and record who opened them")
    if doc.owner == team:
        raise CommandError("invalid", "the owner's own reading is not recorded")
    # The content travels with the record of the access: a recipient cannot read it unlogged.
    payload = {
        "document_id": doc.document_id,
        "team": team,
        "participant": decision.principal.participant,
        "name": decision.principal.name,
        "body": doc.body,
        "location": doc.location,
    }
    return [decision.draft(ev.DOCUMENT_ACCESSED, payload, decision.team_audience({doc.owner, team}))]


# -- fold --------------------------------------------------------------------------


def _shared(state: ExerciseState, e: ev.Event) -> None:
    doc = Document(**e.payload, **stamp(e), recipients=list(e.payload["share_with"]))
    state.documents[doc.document_id] = doc


def _forwarded(state: ExerciseState, e: ev.Event) -> None:
    doc = state.documents[e.payload["document_id"]]
    doc.recipients = sorted(set(doc.recipients) | set(e.payload["to"]))


def _accessed(state: ExerciseState, e: ev.Event) -> None:
    access = {k: v for k, v in e.payload.items() if k not in SEALED_FIELDS}
    state.documents[e.payload["document_id"]].accesses.append({**access, "seq": e.seq, "ex_time": e.ex_time})


DECIDERS: dict[str, Decider] = {"document.share": _share, "document.forward": _forward, "document.open": _open}
HANDLERS: dict[str, Handler] = {
    ev.DOCUMENT_SHARED: _shared,
    ev.DOCUMENT_FORWARDED: _forwarded,
    ev.DOCUMENT_ACCESSED: _accessed,
}
