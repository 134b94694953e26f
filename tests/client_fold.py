"""The browser's fold in Python (web/static/js/projection.js and workflows.js, line for line), and
the normal form in which a client's state is compared: what the pages read of it, nothing else."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

Row = dict[str, Any]

WORKFLOW_EVENTS = frozenset(
    "notification.submitted notification.acknowledged notification.hazard_flagged rfa.submitted rfa.coordinated"
    " rfa.responded tasking.requested tasking.responded casevac.called casevac.dispatched"
    " rfa.clarified document.shared document.forwarded document.accessed media.published statement.issued"
    " decision.recorded".split()
)
WORKFLOW_LISTS = ("notifications", "rfas", "taskings", "casevacs", "documents", "media", "statements", "decisions")
RFA_STATUS = {"accept": "accepted", "decline": "declined", "more_info": "more_info_requested"}
_OFFSET = re.compile(r"^\+?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")


INJECT_TEXT_FIELDS = ("from", "title", "body", "notes", "expected")  # content_language.js


def drop_translations(inject: Row, fields: list[str]) -> None:
    """content_language.js dropTranslations: an edited field loses its old translations."""
    translations = inject.get("translations")
    if translations is None:
        return
    for lang in list(translations):
        for f in fields:
            translations[lang].pop(f, None)
        if not translations[lang]:
            del translations[lang]
    if not translations:
        del inject["translations"]


def wire(value: Any) -> Any:
    """`value` as a client decodes it from a JSON frame."""
    return json.loads(json.dumps(value))


def parse_offset(text: str) -> float | None:
    """clock.js parseOffset."""
    m = _OFFSET.match(text.strip())
    if not m:
        return None
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)


class ClientView:
    """ExerciseView of projection.js: `reset` takes a snapshot frame's state, `apply` one live event.

    `you` is the welcome frame's, as the page keeps it (its role and team are the snapshot's)."""

    def __init__(self, snapshot: Row) -> None:
        self.state = copy.deepcopy(snapshot)
        self.you = self.state["you"]
        self.injects: dict[str, Row] = {row["inject"]["id"]: row for row in self.state["injects"]}
        self.cop: dict[str, Row] = {f["id"]: f for f in self.state["cop"]}

    def apply(self, e: Row) -> None:
        s, p, clock = self.state, e["payload"], self.state["clock"]
        t = e["type"]
        row: Row | None
        if t == "clock.started":
            clock.update(status="running", anchor_ex=0, anchor_wall=e["wall_time"])
        elif t == "clock.paused":
            clock.update(status="paused", anchor_ex=e["ex_time"], anchor_wall=e["wall_time"])
        elif t == "clock.resumed":
            clock.update(status="running", anchor_ex=e["ex_time"], anchor_wall=e["wall_time"])
        elif t == "clock.speed_set":
            clock.update(speed=p["speed"], anchor_ex=e["ex_time"], anchor_wall=e["wall_time"])
        elif t == "clock.jumped":
            clock.update(anchor_ex=p["to"], anchor_wall=e["wall_time"])
        elif t == "exercise.ended":
            clock.update(status="ended", anchor_ex=e["ex_time"], anchor_wall=e["wall_time"])
        elif t == "inject.released":
            iid = p["inject"]["id"]
            row = self.injects.get(iid) or {"acks": {}, "acknowledged": False}
            row.update(inject=p["inject"], status="released", released_ex=e["ex_time"], released_seq=e["seq"])
            if "adhoc" in p:
                row["adhoc"] = p["adhoc"]
            if e.get("audience") is not None:  # JS: an array is truthy, even empty
                row["audience"] = [a[5:] for a in e["audience"] if a.startswith("team:")]
                row["released_by"] = e["actor"]["name"] if e["actor"]["role"] == "facilitator" else None
            if e.get("audience") is not None and iid not in self.injects:  # an ad-hoc inject's content is new
                row["version"] = e["seq"]
            if iid not in self.injects:
                self.injects[iid] = row
                s["injects"].append(row)
        elif t == "inject.acknowledged":
            row = self.injects.get(p["inject_id"])
            if row is not None:
                row.setdefault("acks", {})[p["team"]] = {
                    "ex_time": e["ex_time"],
                    "wall_time": e["wall_time"],
                    "name": e["actor"]["name"],
                    "seq": e["seq"],
                }
                if p.get("language"):
                    row["acks"][p["team"]]["language"] = p["language"]
                if self.you and p["team"] == self.you["team"]:
                    row["acknowledged"] = True
        elif t == "inject.responded":
            row = self.injects.get(p["inject_id"])
            if row is not None and self.you["role"] == "trainee":
                if p["team"] == self.you["team"]:
                    row["responded"] = True
            elif row is not None:
                responses = row.setdefault("responses", {})
                responses.setdefault(
                    p["team"],
                    {
                        "ex_time": e["ex_time"],
                        "wall_time": e["wall_time"],
                        "name": e["actor"]["name"],
                        "seq": e["seq"],
                        "action": p["action"],
                    },
                )
        elif t in ("inject.held", "inject.unheld", "inject.cancelled", "inject.restored"):
            status = {"inject.held": "held", "inject.unheld": "scheduled", "inject.cancelled": "cancelled",
                      "inject.restored": "scheduled"}[t]
            self.injects[p["inject_id"]]["status"] = status
        elif t == "inject.branched":
            self.injects[p["inject_id"]]["branch"] = p
            if p["instead_of"]:
                self.injects[p["instead_of"]].update(status="replaced", branch=p)
        elif t == "inject.edited":
            row = self.injects[p["inject_id"]]
            row["inject"].update(p["changes"])
            drop_translations(row["inject"], [f for f in INJECT_TEXT_FIELDS if f in p["changes"]])
            if "to" in p["changes"]:
                row["inject"]["to"] = {"components": [], "teams": [], "rooms": [], **p["changes"]["to"]}
                if "audience" in row:
                    row["audience"] = audience_of(s, row["inject"]["to"])
            if "expected_links" in p:
                row["inject"]["expected_links"] = p["expected_links"]
            if "at" in p["changes"]:
                at = p["changes"]["at"]
                row["inject"]["offset"] = parse_offset(at) if isinstance(at, str) else None
            row["edits"] = (row.get("edits") or 0) + 1
            row["version"] = e["seq"]
        elif t == "room.message_posted":
            room = s["rooms"].get(p["room"])
            if room is not None:
                room["messages"].append(
                    {
                        "seq": e["seq"],
                        "ex_time": e["ex_time"],
                        "wall_time": e["wall_time"],
                        "text": p["text"],
                        "as": p.get("as"),
                        "author": e["actor"],
                    }
                )
                if s.get("room_window") is not None and len(room["messages"]) > s["room_window"]:
                    del room["messages"][0]  # as the server keeps a room; room.history reads it
                    room["earlier"] = (room.get("earlier") or 0) + 1
        elif t == "cop.feature_added":
            self.cop[p["feature"]["id"]] = {**p["feature"], "version": e["seq"]}
        elif t == "cop.feature_changed":
            self.cop[p["id"]] = {**p["feature"], "version": e["seq"]}
        elif t == "cop.feature_removed":
            self.cop.pop(p["id"], None)
        elif t == "participant.joined":
            s["participants"].append({"id": p["participant"], "name": p["name"], "role": p["role"], "team": p["team"]})
        elif t == "participant.removed":
            s["participants"] = [row for row in s["participants"] if row["id"] != p["participant"]]
        elif t == "participant.moved":
            if (self.you or {}).get("role") == "trainee":
                if p["from"] == self.you["team"]:
                    s["participants"] = [row for row in s["participants"] if row["id"] != p["participant"]]
                elif p["to"] == self.you["team"]:
                    row = {"id": p["participant"], "name": p["name"], "role": "trainee", "team": p["to"]}
                    s["participants"].append(row)
            else:
                for row in s["participants"]:
                    if row["id"] == p["participant"]:
                        row["team"] = p["to"]
                for entry in s.get("roster") or []:
                    if entry["person"] == p.get("person"):
                        entry["team"] = p["to"]
        elif t == "roster.person_added":
            if "roster" in s:
                s["roster"].append({k: p[k] for k in ("person", "name", "team", "email", "code")})
        elif t == "roster.person_removed":
            if "roster" in s:
                s["roster"] = [r for r in s["roster"] if r["person"] != p["person"]]
        elif t == "observation.recorded":
            if "observations" in s:
                s["observations"].append(_observation_row(e))
        elif t == "learning.answered":
            if "learning_answers" in s:
                s["learning_answers"].append({**e["payload"], "seq": e["seq"], "ex_time": e["ex_time"]})
        elif t == "expectation.marked":
            if "expectation_marks" in s:
                mark, marks = _expectation_mark(e), s["expectation_marks"]
                at = next(
                    (
                        i
                        for i, m in enumerate(marks)
                        if (m["inject_id"], m["team"], m["action"]) == (p["inject_id"], p["team"], p["action"])
                    ),
                    None,
                )
                if at is None:
                    marks.append(mark)
                else:
                    marks[at] = mark
        elif t == "code.revoked":
            for code in s.get("codes") or []:
                if code["code"] == p["code"]:
                    code["revoked"] = True
                    break
        elif t == "code.replaced" and "codes" in s:
            for code in s["codes"]:
                if code["code"] == p["code"]:
                    code["replaced_by"] = p["replacement"]
            new = {
                "code": p["replacement"],
                "role": p["role"],
                "team": p["team"],
                "revoked": False,
                "replaced_by": None,
            }
            s["codes"].append(new)
        elif t in WORKFLOW_EVENTS:
            _apply_workflow_event(s, e, self.you)
        s["seq"] = e["seq"]


def audience_of(s: Row, to: Row) -> list[str]:
    """projection.js audienceOf: the teams an inject addressed `to` reaches."""
    named = [*to["components"], *to["teams"]]
    teams = {t["id"] for t in s["scenario"]["teams"] if "all" in named or t["id"] in named or t["component"] in named}
    for room in to["rooms"]:
        teams.update(s["rooms"].get(room, {}).get("readers", []))
    return sorted(teams)


def _author(e: Row) -> Row:
    a = e["actor"]
    return {"role": a["role"], "name": a["name"], "participant": a.get("participant")}


def _observation_row(e: Row) -> Row:
    p = e["payload"]
    return {
        "id": p["observation"],
        "seq": e["seq"],
        "ex_time": e["ex_time"],
        "wall_time": e["wall_time"],
        "text": p["text"],
        "rating": p["rating"],
        "objective": p["objective"],
        "inject_id": p.get("inject_id"),
        "team": p.get("team"),
        "recommendation": p.get("recommendation"),
        "negotiation": p.get("negotiation"),
        "author": _author(e),
    }


def _expectation_mark(e: Row) -> Row:
    p = e["payload"]
    return {
        "inject_id": p["inject_id"],
        "team": p["team"],
        "action": p["action"],
        "text": p["text"],
        "status": p["status"],
        "note": p.get("note"),
        "seq": e["seq"],
        "ex_time": e["ex_time"],
        "author": _author(e),
    }


def _apply_workflow_event(s: Row, e: Row, you: Row) -> None:
    """workflows.js applyWorkflowEvent."""
    p, t = e["payload"], e["type"]
    meta = {"seq": e["seq"], "ex_time": e["ex_time"], "wall_time": e["wall_time"], "author": e["actor"]["name"]}
    for name in WORKFLOW_LISTS:
        s.setdefault(name, [])

    def find(name: str, key: str, value: Any) -> Row | None:
        return next((x for x in s[name] if x[key] == value), None)

    def history(status: str, reason: str) -> Row:
        return {"status": status, "team": p["team"], "reason": reason, "seq": e["seq"], "ex_time": e["ex_time"]}

    if t == "notification.submitted":
        s["notifications"].append({**p, **meta, "acks": {}, "hazards": []})
    elif t == "notification.acknowledged":
        if (n := find("notifications", "notification_id", p["notification_id"])) is not None:
            n["acks"][p["team"]] = {**p, **meta}
    elif t == "notification.hazard_flagged":
        if (n := find("notifications", "notification_id", p["notification_id"])) is not None:
            n["hazards"].append({**p, "seq": e["seq"], "ex_time": e["ex_time"]})
    elif t == "rfa.submitted":
        status = "submitted" if p["to_military"] else "with_ocha"
        s["rfas"].append({**p, **meta, "status": status, "conditions": {}, "history": [history("submitted", "")]})
    elif t == "rfa.coordinated":
        r = find("rfas", "rfa_id", p["rfa_id"])
        if r is None and "request" in p:  # newly ours: the row as OCHA forwarded it
            r = {**p["request"], "history": [dict(h) for h in p["request"]["history"]]}
            s["rfas"].append(r)
            s["rfas"].sort(key=lambda x: x["seq"])
        if r is not None:
            forward = p["decision"] == "forward"
            r["status"], r["to_military"] = ("submitted" if forward else "returned"), forward
            r["history"].append(history("forwarded" if forward else "returned", p["note"]))
    elif t == "rfa.responded":
        if (r := find("rfas", "rfa_id", p["rfa_id"])) is not None:
            r["status"] = RFA_STATUS[p["decision"]]
            if p["conditions"]:
                r["conditions"] = dict(p["conditions"])
            r["history"].append(history(r["status"], p["reason"]))
    elif t == "rfa.clarified":
        if (r := find("rfas", "rfa_id", p["rfa_id"])) is not None:
            r["status"] = "submitted"
            r["history"].append(history("clarified", p["text"]))
    elif t == "tasking.requested":
        s["taskings"].append({**p, **meta, "status": "requested", "history": [history("requested", "")]})
    elif t == "tasking.responded":
        if (r := find("taskings", "tasking_id", p["tasking_id"])) is not None:
            r["status"] = {"accept": "accepted", "decline": "declined"}[p["decision"]]
            r["history"].append(history(r["status"], p["reason"]))
    elif t == "casevac.called":
        s["casevacs"].append({**p, **meta, "dispatched": None})
    elif t == "casevac.dispatched":
        if (r := find("casevacs", "casevac_id", p["casevac_id"])) is not None:
            r["dispatched"] = {"note": p["note"], "seq": e["seq"], "ex_time": e["ex_time"]}
    elif t == "document.shared":
        row = {**p, **meta, "recipients": list(p["share_with"])}
        if you["role"] != "trainee" or row["owner"] == you["team"]:
            row["accesses"] = []
        s["documents"].append(row)
    elif t == "document.forwarded":
        if (d := find("documents", "document_id", p["document_id"])) is not None:
            d["recipients"] = list(p["recipients"])
            return
        shared = {k: v for k, v in p.items() if k not in ("to", "by", "recipients", "shared_seq", "shared_ex_time")}
        shared.pop("shared_by", None)
        row = {
            **shared,
            "seq": p["shared_seq"],
            "ex_time": p["shared_ex_time"],
            "author": p["shared_by"],
            "wall_time": e["wall_time"],
            "recipients": list(p["recipients"]),
        }
        s["documents"].append(row)
        s["documents"].sort(key=lambda x: x["seq"])
    elif t == "document.accessed":
        if (d := find("documents", "document_id", p["document_id"])) is None:
            return
        if "body" in p and d.get("sealed"):
            d["body"], d["location"] = p["body"], p["location"]
            del d["sealed"]
        if "accesses" in d:
            d["accesses"].append(
                {
                    "document_id": p["document_id"],
                    "team": p["team"],
                    "participant": p["participant"],
                    "name": p["name"],
                    "seq": e["seq"],
                    "ex_time": e["ex_time"],
                }
            )
    elif t == "media.published":
        s["media"].append({**p, **meta})
    elif t == "statement.issued":
        s["statements"].append({**p, **meta})
    elif t == "decision.recorded":
        s["decisions"].append({**p, **meta})


# -- the normal form ----------------------------------------------------------------
# What the pages read of a view's state (control.js, observe.js, team.js, inbox.js, rooms.js,
# map.js, coordination.js, workflows.js), in the order they show it. Everything else a snapshot
# carries and the live fold does not keep (or keeps otherwise) is left out here, each for the
# reason given beside it; what is kept is compared exactly.


def displayed(state: Row, cop: list[Row]) -> Row:
    """The normal form of a view's state: `state` as ExerciseView holds it, `cop` its `cop` Map's values."""
    control = state["you"]["role"] != "trainee"
    out = {k: v for k, v in state.items() if k not in ("seq", "cop", "injects", "rooms", "participants")}
    # `seq`: the connection keeps its own lastSeq; `state.cop` is read once, into the `cop` Map.
    # The MSEL table and inboxes sort by release (control.js renderMsel's order; stable, as Array.sort).
    rows = sorted(
        state["injects"],
        key=lambda r: (_or(r.get("released_seq"), 1e12), _or(r["inject"].get("offset"), 1e12)),
    )
    out["injects"] = [_control_row(r) if control else _team_row(r) for r in rows]
    out["cop"] = {f["id"]: f for f in cop}  # map.js draws view.cop's values; their order is not shown
    out["rooms"] = {
        rid: {**room, "messages": [{**m, "author": _message_author(m["author"])} for m in room["messages"]]}
        for rid, room in state["rooms"].items()
    }
    # The control panel lists participants (name, team, Remove); the fold keeps the four fields of its
    # own rows (the control cell's snapshot adds the join code and joined_seq).
    out["participants"] = [{k: p.get(k) for k in ("id", "name", "role", "team")} for p in state["participants"]]
    if not control:  # no team page lists them in order; one moved in (participant.moved) comes last live
        out["participants"].sort(key=lambda p: p["id"])
    if "documents" in out:
        # A document newly forwarded to a team is rebuilt from the forward, with its wall time; no page shows it.
        out["documents"] = [{k: v for k, v in d.items() if k != "wall_time"} for d in out["documents"]]
    return out


def _or(value: Any, default: float) -> Any:
    return default if value is None else value


def _team_row(r: Row) -> Row:
    # inbox.js and team.js read the inject, its status and release, and the team's two marks.
    return {
        "inject": r["inject"],
        "status": r["status"],
        "released_ex": r.get("released_ex"),
        "released_seq": r.get("released_seq"),
        "acknowledged": bool(r.get("acknowledged")),
        "responded": bool(r.get("responded")),
    }


def _control_row(r: Row) -> Row:
    # control.js and observe.js: no page reads `trigger` or `edits`; `acks`, `responses` and
    # `audience` are read as `|| {}` / `|| []`, `adhoc` as a truth value.
    to = r["inject"].get("to") or {}
    return {
        # control.js shows `to` as its components, teams and rooms, each read as `|| []`.
        "inject": {**r["inject"], "to": {k: to.get(k) or [] for k in ("components", "teams", "rooms")}},
        "status": r["status"],
        "released_ex": r.get("released_ex"),
        "released_seq": r.get("released_seq"),
        "adhoc": bool(r.get("adhoc")),
        "acks": r.get("acks") or {},
        "responses": r.get("responses") or {},
        "audience": r.get("audience") or [],
        "version": r.get("version"),  # what the edit dialog sends back with inject.edit
    }


def _message_author(a: Row) -> Row:
    # rooms.js reads an author's role, team and name; the control cell's live events add its participant id.
    return {"role": a["role"], "team": a.get("team"), "name": a["name"]}


def normal_form(view: ClientView) -> Row:
    return displayed(view.state, list(view.cop.values()))


def differences(live: Any, snapshot: Any, path: str = "") -> list[str]:
    """Where two normal forms differ, as `path: live ... snapshot ...` lines."""
    if isinstance(live, dict) and isinstance(snapshot, dict):
        return [
            line
            for k in sorted(set(live) | set(snapshot), key=str)
            for line in differences(live.get(k, "<absent>"), snapshot.get(k, "<absent>"), f"{path}.{k}")
        ]
    if isinstance(live, list) and isinstance(snapshot, list) and len(live) == len(snapshot):
        return [line for i, (a, b) in enumerate(zip(live, snapshot)) for line in differences(a, b, f"{path}[{i}]")]
    return [] if live == snapshot else [f"{path}: live {live!r}, snapshot {snapshot!r}"]
