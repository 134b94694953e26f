"""Property: for every view, a client that folds its live events into an earlier snapshot holds
what the snapshot built after those events shows (the browser's fold is tests/client_fold.py).

The same runs, seeded, are the fixtures tests/test_browser_view_folds.py holds projection.js to:
`python -m tests.test_view_folds` rewrites tests/fixtures/view_folds/ (a test checks they are current).
Over 400 lines because the commands of every role, each a short method, are kept together with the property.
"""

from __future__ import annotations

import functools
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercise_server.core.access import Principal, event_for_view
from exercise_server.core.errors import CommandError
from exercise_server.core.scenario import CHANNELS, Scenario
from exercise_server.core.scenario_check import load_scenario_file

from .client_fold import ClientView, differences, normal_form, wire
from .core_harness import EVAL, FAC, CoreRun, trainee
from .request_fields import CONDITIONS, request
from .test_branches import BRANCHING, answer_request, submit_request

ROOT = Path(__file__).parent.parent
# The bundled scenarios, and a bilingual one (content translated in part: core/translations.py).
BILINGUAL = ROOT / "tests" / "fixtures" / "bilingual.yaml"
# Requests for military assets through a coordination team (OCHA) that is not the requester's.
COORDINATION = ROOT / "tests" / "fixtures" / "coordination.yaml"
SCENARIOS = [*sorted((ROOT / "injects").glob("*.yaml")), BILINGUAL, COORDINATION]
FIXTURES = Path(__file__).parent / "fixtures" / "view_folds"
# Seeds chosen so that with SCRIPT (below) they carry every event type to every kind of view, sealed or not.
# bilingual-14: edits of translated injects, a translated feature renamed, acknowledgements in French.
FIXTURE_RUNS = [
    ("demo", 4),
    ("module-5-coordination-in-varo", 18),
    ("module-7-the-mirek-checkpoint", 10),
    ("bilingual", 14),
]
FIXTURE_STEPS = 40
# Rooms keep their latest messages only (projections.LIVE_ROOM_MESSAGES on a server): a small window
# here, so that runs drop a room's oldest messages, live and in snapshots alike.
ROOM_WINDOW = 2

T = TypeVar("T")
Choose = Callable[[Sequence[T]], T]
Command = dict[str, Any]


@functools.cache
def parsed(path: Path) -> Scenario:
    """A bundled scenario, parsed once for all the runs of it (a run reads it, never changes it)."""
    return load_scenario_file(path)


class Exercise:
    """One exercise of a bundled scenario, driven by `choose` (hypothesis's draws, or a seeded Random):
    each step is a command of some role, refused or not, or wall time passing for the scheduler."""

    def __init__(self, path: Path, choose: Choose[Any]) -> None:
        self.run = CoreRun(parsed(path), exercise=path.stem)
        self.run.state.room_window = ROOM_WINDOW
        self.choose = choose
        sc = self.run.scenario
        self.teams = [trainee(t.id, t.component, f"{t.id} lead") for t in sc.teams]
        self.principals: list[Principal] = [FAC, EVAL, *self.teams]
        self.components = [c.id for c in sc.components]
        self.rooms = list(sc.rooms)
        self.places = [_point(f["geometry"]) for f in sc.features]
        self.joined = 0
        self.texts = 0
        self._snap: tuple[tuple[int, float], dict[str, Any]] | None = None
        for p in self.teams:  # everyone in the room from the start; more join later
            self.run.join(f"CODE-{p.team}", p.name, p.participant)

    # -- one step ----------------------------------------------------------------------

    def step(self) -> None:
        kind = self.choose(STEP_KINDS)
        if kind == "wait":
            self.run.advance(self.choose([0, 20, 300, 1800]))
            return
        if kind == "join":
            self.joined += 1
            snap = self.snap()
            code = self.choose(sorted(snap["codes_by"]) + [r["code"] for r in snap["roster"]])  # team or personal
            try:
                self.run.join(code, f"late {self.joined}", f"p-late-{self.joined}")
            except CommandError:
                pass
            return
        candidates = getattr(self, "_" + kind.replace(".", "_"))()
        if not candidates:
            return
        principal, command = self.choose(candidates)
        try:
            self.run.cmd(principal, command.pop("type"), **command)
        except CommandError:
            pass

    def snap(self) -> dict[str, Any]:
        """The facilitator's picture (the public one), for the ids a command may name: made once per
        state (the log's length and the clock say which), as the candidates of a step each ask for it."""
        key = (len(self.run.log), self.run.clock.now())
        if self._snap is None or self._snap[0] != key:
            s = self.run.state.snapshot(FAC)
            s["codes_by"] = {c["code"]: c for c in s["codes"]}
            self._snap = key, s
        return self._snap[1]

    def text(self, what: str) -> str:
        self.texts += 1
        return f"{what} {self.texts} <b>&amp;</b>"

    def near(self) -> dict[str, Any]:
        lon, lat = self.choose(self.places[:3])  # few places: hazards near notifications
        d = self.choose([0.0, 0.004, 0.05])
        return {"type": "Point", "coordinates": [round(lon + d, 5), round(lat - d, 5)]}

    def visibility(self) -> Any:
        comps = self.components
        return self.choose(["all", [comps[0]], [comps[2]], [comps[0], comps[1]], [self.teams[-1].team]])

    def ids(self, key: str, field: str) -> list[str]:
        return [row[field] for row in self.snap()[key]]

    # -- the commands of every role (each a short list of candidates) ------------------

    def _clock(self) -> list[tuple[Principal, Command]]:
        status, ex = self.snap()["clock"]["status"], self.run.ex_now()
        moves = {"draft": ["clock.start"], "running": ["clock.pause", "clock.jump", "clock.speed"]}
        ctypes = moves.get(status, ["clock.resume", "clock.jump", "clock.speed"]) + ["clock.pause"]
        fields = {"clock.jump": {"to": ex + 900}, "clock.speed": {"speed": self.choose([2, 60])}}
        return [(FAC, {"type": t, **fields.get(t, {})}) for t in ctypes]

    def _exercise_end(self) -> list[tuple[Principal, Command]]:
        return [(FAC, {"type": "exercise.end"})] if self.choose([False, False, False, True]) else []

    def of(self, *components: str) -> list[Principal]:
        """The teams of `components`, and one other (whose command is refused)."""
        teams = [p for p in self.teams if p.component in components]
        return teams + [self.choose([p for p in self.teams if p not in teams] or self.teams)]

    def _inject(self) -> list[tuple[Principal, Command]]:
        rows = self.snap()["injects"]
        held = [r for r in rows if r["status"] == "held"]
        row = self.choose(held if held and self.choose([True, False]) else rows)
        moves = {"scheduled": ["inject.hold", "inject.release"], "held": ["inject.unhold", "inject.unhold"]}
        ctypes = moves.get(row["status"], ["inject.release"]) + ["inject.cancel", "inject.release"]
        return [(FAC, {"type": t, "inject_id": row["inject"]["id"]}) for t in ctypes]

    def inject_ids(self) -> list[str]:
        return [row["inject"]["id"] for row in self.snap()["injects"]]

    def released(self) -> list[dict[str, Any]]:
        return [row for row in self.snap()["injects"] if row["status"] == "released"]

    def _inject_edit(self) -> list[tuple[Principal, Command]]:
        iid = self.choose(self.inject_ids())
        changes: list[dict[str, Any]] = [
            {"title": self.text("title")},
            {"body": self.text("body"), "notes": "n"},
            {"at": "+0:40"},
            {"at": "manual"},
            {"from": "Radio Tamsa"},
            {"channel": self.choose(CHANNELS)},
            {"expected": {self.teams[0].team: ["Answer in the joint room"]}},
            {"objectives": sorted(self.snap()["scenario"]["objectives"])[:1]},
            {"to": {"rooms": [self.choose(sorted(self.snap()["rooms"]))]}},
            {"to": {"components": [self.choose(self.components)], "teams": [self.teams[0].team]}},
        ]
        return [(FAC, {"type": "inject.edit", "inject_id": iid, "changes": c}) for c in changes]

    def _inject_adhoc(self) -> list[tuple[Principal, Command]]:
        to = self.choose(
            [{"rooms": ["plenary"]}, {"components": [self.components[2]]}, {"teams": [self.teams[0].team]}]
        )
        return [
            (
                FAC,
                {
                    "type": "inject.adhoc",
                    "from": "Radio",
                    "to": to,
                    "channel": self.choose(CHANNELS),
                    "title": self.text("adhoc"),
                    "body": "b",
                },
            )
        ]

    def _inject_ack(self) -> list[tuple[Principal, Command]]:
        iids = [row["inject"]["id"] for row in self.released()] or self.inject_ids()
        iid = self.choose(iids)
        languages = self.run.scenario.languages
        return [
            (p, {"type": "inject.ack", "inject_id": iid, "language": self.choose(languages)}) for p in self.teams
        ]

    def responds_to(self, p: Principal) -> dict[str, Any]:
        """Sometimes: the inject a team's action answers (one in its inbox)."""
        released = [row["inject"]["id"] for row in self.released() if p.team in row["audience"]]
        if not released or self.choose([True, False, False]):
            return {}
        return {"responds_to": self.choose(released)}

    def _room_post(self) -> list[tuple[Principal, Command]]:
        room = self.choose(self.rooms)
        extra = self.choose([{}, {"as": "Governor"}])
        return [
            (FAC, {"type": "room.post", "room": room, "text": self.text("msg"), **extra}),
            *(
                (p, {"type": "room.post", "room": room, "text": self.text("msg"), **self.responds_to(p)})
                for p in self.teams
            ),
        ]

    def _cop_add(self) -> list[tuple[Principal, Command]]:
        feature = {
            "kind": self.choose(["incident", "checkpoint", "unit", "note"]),
            "name": self.text("feature"),
            "geometry": self.near(),
            "visible_to": self.visibility(),
        }
        return [(p, {"type": "cop.add", "feature": dict(feature), **self.responds_to(p)}) for p in self.principals]

    def owners(self) -> tuple[str, list[Principal]] | None:
        """A COP feature, and who may change it (the facilitator, its owner) with one other."""
        cop = self.snap()["cop"]
        if not cop:
            return None
        f = self.choose(cop)
        owners = [p for p in self.teams if f["owner"] in (p.team, p.component)]
        return f["id"], [FAC, *owners, self.choose(self.principals)]

    def _cop_change(self) -> list[tuple[Principal, Command]]:
        if (owned := self.owners()) is None:
            return []
        patch = self.choose([{"visible_to": self.visibility()}, {"geometry": self.near()}, {"name": self.text("n")}])
        return [(p, {"type": "cop.change", "feature_id": owned[0], "set": patch}) for p in owned[1]]

    def _cop_remove(self) -> list[tuple[Principal, Command]]:
        if (owned := self.owners()) is None:
            return []
        return [(p, {"type": "cop.remove", "feature_id": owned[0]}) for p in owned[1]]

    def _notification_submit(self) -> list[tuple[Principal, Command]]:
        ex = self.run.ex_now()
        command = {
            "type": "notification.submit",
            "kind": self.choose(["site", "movement"]),
            "name": self.text("site"),
            "window_start": ex,
            "window_end": ex + self.choose([600, 7200]),
            "share_with": self.choose([["military"], ["police"], ["military", "police"], ["civilian"]]),
        }
        first = self.near()
        second = self.near()["coordinates"]
        command["geometry"] = (
            first
            if command["kind"] == "site"
            else {"type": "LineString", "coordinates": [first["coordinates"], second]}
        )
        return [(p, {**command, **self.responds_to(p)}) for p in self.teams]

    def _notification_acknowledge(self) -> list[tuple[Principal, Command]]:
        ids = self.ids("notifications", "notification_id")
        if not ids:
            return []
        nid = self.choose(ids)
        return [
            (p, {"type": "notification.acknowledge", "notification_id": nid}) for p in self.of("military", "police")
        ]

    def _rfa_submit(self) -> list[tuple[Principal, Command]]:
        now = self.run.ex_now()
        asset = self.choose(["escort", "air"])
        fields = request(asset=asset, need=self.text("why"), time_limit=now + 3600, until=now + 7200)
        command = {"type": "rfa.submit", **fields, "route": self.choose(["ocha", "direct"]), "location": self.near()}
        return [(p, {**command, **self.responds_to(p)}) for p in self.teams]

    def _rfa_coordinate(self) -> list[tuple[Principal, Command]]:
        ids = self.ids("rfas", "rfa_id")
        if not ids:
            return []
        decision = self.choose(["forward", "return"])
        command = {"type": "rfa.coordinate", "rfa_id": self.choose(ids), "decision": decision, "note": self.text("note")}
        return [(p, command) for p in self.of("humanitarian")]

    def _rfa_respond(self) -> list[tuple[Principal, Command]]:
        ids = self.ids("rfas", "rfa_id")
        if not ids:
            return []
        rid = self.choose(ids)
        decision = self.choose(["accept", "decline", "more_info", "more_info"])
        command = {"type": "rfa.respond", "rfa_id": rid, "decision": decision, "reason": self.text("reason")}
        if decision == "accept":
            command["conditions"] = CONDITIONS
        return [(p, command) for p in self.of("military")]

    def _tasking_request(self) -> list[tuple[Principal, Command]]:
        command = {"type": "tasking.request", "asset": self.choose(["engineering", "transport"]),
                   "task": self.text("task"), "mandate": self.text("mandate"), "do_no_harm": self.text("harm"),
                   "time_limit": self.run.ex_now() + 3600, "location": self.near()}
        return [(p, command) for p in self.teams]

    def _tasking_respond(self) -> list[tuple[Principal, Command]]:
        ids = self.ids("taskings", "tasking_id")
        if not ids:
            return []
        command = {"type": "tasking.respond", "tasking_id": self.choose(ids),
                   "decision": self.choose(["accept", "decline"]), "reason": self.text("reason")}
        return [(p, command) for p in self.of("military")]

    def _casevac_call(self) -> list[tuple[Principal, Command]]:
        command = {"type": "casevac.call", "casualties": self.choose([1, 3]), "condition": self.text("wounded"),
                   "location": {"type": "Point", "coordinates": self.choose(self.places)}}
        return [(p, command) for p in self.teams]

    def _casevac_dispatch(self) -> list[tuple[Principal, Command]]:
        ids = self.ids("casevacs", "casevac_id")
        if not ids:
            return []
        return [(FAC, {"type": "casevac.dispatch", "casevac_id": self.choose(ids), "note": self.text("on its way")})]

    def _rfa_clarify(self) -> list[tuple[Principal, Command]]:
        rfas = self.snap()["rfas"]
        asked = [r for r in rfas if r["status"] == "more_info_requested"]
        if not rfas:
            return []
        rfa = self.choose(asked or rfas)
        teams = [p for p in self.teams if p.team == rfa["team"]] + [self.choose(self.teams)]
        return [(p, {"type": "rfa.clarify", "rfa_id": rfa["rfa_id"], "text": self.text("more")}) for p in teams]

    def _document_share(self) -> list[tuple[Principal, Command]]:
        command: Command = {
            "type": "document.share",
            "title": self.text("doc"),
            "body": self.text("body"),
            "share_with": self.choose([["military"], ["humanitarian", "police"], ["civilian"]]),
            "sensitive": self.choose([True, False]),
        }
        if self.choose([True, False]):
            command["location"] = self.near()
        return [(p, {**command, **self.responds_to(p)}) for p in self.teams]

    def _document_forward(self) -> list[tuple[Principal, Command]]:
        docs = self.snap()["documents"]
        if not docs:
            return []
        doc = self.choose(docs)
        others = [c for c in self.components if c not in doc["recipients"]] or self.components
        to = [self.choose(others)]
        holders = [p for p in self.teams if p.component in doc["recipients"] or p.team == doc["owner"]]
        return [(p, {"type": "document.forward", "document_id": doc["document_id"], "to": to}) for p in holders]

    def _document_open(self) -> list[tuple[Principal, Command]]:
        docs = self.snap()["documents"]
        if not docs:
            return []
        doc = self.choose(docs)
        holders = [p for p in self.teams if p.component in doc["recipients"]] or self.teams
        return [(p, {"type": "document.open", "document_id": doc["document_id"]}) for p in holders]

    def _media_publish(self) -> list[tuple[Principal, Command]]:
        replies = [None, *self.ids("statements", "statement_id"), *self.ids("media", "media_id")]
        command = {
            "type": "media.publish",
            "kind": self.choose(["article", "radio", "social"]),
            "outlet": "Radio Tamsa",
            "headline": self.text("headline"),
            "body": self.text("story"),
            "in_reply_to": self.choose(replies),
        }
        return [(FAC, command)]

    def _statement_issue(self) -> list[tuple[Principal, Command]]:
        return [(p, {"type": "statement.issue", "text": self.text("we"), **self.responds_to(p)}) for p in self.teams]

    def _decision_record(self) -> list[tuple[Principal, Command]]:
        command = {"type": "decision.record", "what": self.text("what"), "why": self.text("why"), "consulted": ["OCHA"]}
        return [(p, {**command, **self.responds_to(p)}) for p in self.teams]

    def _observation_record(self) -> list[tuple[Principal, Command]]:
        snap = self.snap()
        released = [None, *(row["inject"]["id"] for row in self.released())]
        command = {
            "type": "observation.record",
            "text": self.text("seen"),
            "rating": self.choose([1, 3, 4]),
            "objective": self.choose(sorted(snap["scenario"]["objectives"])),
            "inject_id": self.choose(released),
            "team": self.choose([None, self.teams[0].team]),
        }
        return [(FAC, command), (EVAL, command)]

    def _expectation_mark(self) -> list[tuple[Principal, Command]]:
        released = self.released()
        if not released:
            return []
        row = self.choose(released)
        command = {
            "type": "expectation.mark",
            "inject_id": row["inject"]["id"],
            "team": self.choose(row["audience"] or [self.teams[0].team]),
            "action": self.choose([0, 0, 1]),
            "status": self.choose(["met", "partly", "not_met"]),
            "note": self.choose([None, "late"]),
        }
        return [(FAC, command), (EVAL, command)]

    def _code_revoke(self) -> list[tuple[Principal, Command]]:
        if self.choose([True, False, False]):
            return []
        return [(FAC, {"type": "code.revoke", "code": self.choose(sorted(self.snap()["codes_by"]))})]

    def _code_replace(self) -> list[tuple[Principal, Command]]:
        self.texts += 1
        code = self.choose(sorted(self.snap()["codes_by"]))
        return [(FAC, {"type": "code.replace", "code": code, "replacement": f"NEW{self.texts:02d}-CODE"})]

    def _participant_remove(self) -> list[tuple[Principal, Command]]:
        """Mostly someone who joined late: the teams' leads, removed, could do nothing more."""
        late = [p["id"] for p in self.snap()["participants"] if p["id"].startswith("p-late-")]
        lead = self.choose(self.teams).participant
        return [(FAC, {"type": "participant.remove", "participant": pid}) for pid in [*late, *late, lead, "p-none"]]


    def _roster_add(self) -> list[tuple[Principal, Command]]:
        self.texts += 1
        team = self.choose(self.teams).team
        person = {"name": f"named {self.texts}", "team": team, "email": f"n{self.texts}@example.org"}
        return [(FAC, {"type": "roster.add", "people": [person], "codes": [f"ROS{self.texts:02d}-CODE"]})]

    def _roster_remove(self) -> list[tuple[Principal, Command]]:
        return [(FAC, {"type": "roster.remove", "person": r["person"]}) for r in self.snap()["roster"]]

    def _participant_move(self) -> list[tuple[Principal, Command]]:
        """Mostly someone who joined late, to any team (their own is refused)."""
        late = [p["id"] for p in self.snap()["participants"] if p["id"].startswith("p-late-")]
        lead = self.choose(self.teams).participant
        team = self.choose(self.teams).team
        return [(FAC, {"type": "participant.move", "participant": pid, "team": team}) for pid in [*late, *late, lead]]


def _point(geometry: dict[str, Any]) -> tuple[float, float]:
    c = geometry["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return float(c[0]), float(c[1])


# How often each kind of step comes (the workflows and the COP most: their visibility is the subtle part).
STEP_KINDS = (
    ["wait"] * 3
    + ["clock"] * 3
    + ["exercise.end"]
    + ["inject"] * 3
    + ["inject.edit"] * 3
    + ["inject.adhoc", "inject.ack", "inject.ack", "join", "join", "code.revoke", "code.replace"]
    + ["participant.remove", "participant.move", "participant.move", "roster.add", "roster.add", "roster.remove"]
    + ["room.post"] * 2
    + ["cop.add"] * 3
    + ["cop.change", "cop.change", "cop.remove"]
    + ["notification.submit", "notification.submit", "notification.acknowledge", "notification.acknowledge"]
    + ["rfa.submit", "rfa.submit", "rfa.coordinate", "rfa.respond", "rfa.respond"]
    + ["rfa.clarify"] * 3
    + ["tasking.request", "tasking.respond", "casevac.call", "casevac.dispatch"]
    + ["document.share", "document.share", "document.forward", "document.open", "document.open"]
    + ["media.publish", "statement.issue", "decision.record", "observation.record", "expectation.mark"]
)


# -- the property ---------------------------------------------------------------------


def views_run(path: Path, choose: Choose[Any], steps: int, cuts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Run `steps` steps; each view takes its snapshot after `cuts[view]` of them. For each view:
    that snapshot, the live form of every later event it may see, and the snapshot built at the end."""
    ex = Exercise(path, choose)
    principals = {p.view.key: p for p in ex.principals}
    starts: dict[str, Any] = {}
    for i in range(steps + 1):
        for view, principal in principals.items():
            if cuts.get(view, 0) == i:
                starts[view] = (ex.run.state.head, wire(ex.run.state.snapshot(principal)))
        if i < steps:
            ex.step()
    return view_cases(ex.run, principals, starts)


def view_cases(
    run: CoreRun, principals: dict[str, Principal], starts: dict[str, tuple[int, Any]]
) -> dict[str, dict[str, Any]]:
    out = {}
    for view, principal in principals.items():
        head, snapshot = starts[view]
        live = [wire(body) for e in run.log[head:] if (body := event_for_view(principal.view, e)) is not None]
        out[view] = {"snapshot": snapshot, "events": live, "expected": wire(run.state.snapshot(principal))}
    return out


def folded(case: dict[str, Any]) -> dict[str, Any]:
    client = ClientView(case["snapshot"])
    for event in case["events"]:
        client.apply(event)
    return normal_form(client)


def assert_folds_agree(run: dict[str, dict[str, Any]]) -> None:
    for view, case in run.items():
        lines = differences(folded(case), normal_form(ClientView(case["expected"])))
        if lines:
            pytest.fail(f"{view}: the live fold and the snapshot differ:\n  " + "\n  ".join(lines[:12]))


def view_keys(path: Path) -> list[str]:
    return ["facilitator", "evaluator", *(f"team:{t.id}" for t in parsed(path).teams)]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_view_folds_its_live_events_into_what_a_later_snapshot_shows(path: Path, data: st.DataObject) -> None:
    steps = data.draw(st.integers(1, 30), label="steps")
    cuts = {v: data.draw(st.integers(0, steps), label=f"cut {v}") for v in view_keys(path)}
    assert_folds_agree(views_run(path, lambda options: data.draw(st.sampled_from(options)), steps, cuts))


# The disagreements the property found, each a minimal run, kept until the fold is fixed:
# an edit of an unreleased inject's `to`. The live `inject.edited` carries the changes only, and
# projection.js keeps the row's `audience` (observe.js's teams and team filter) as it was; the
# snapshot computes it again from the new `to`. Seen by the facilitator and the evaluators.
EDITED_ADDRESSEES = [
    pytest.param("demo", view, [("inject.edit", {"inject_id": "D-03", "changes": {"to": to}})], id=f"{name}-{view}")
    for view in ("facilitator", "evaluator")
    for name, to in (("room", {"rooms": ["plenary"]}), ("component", {"components": ["police"], "teams": ["mil-1"]}))
]


@pytest.mark.parametrize(("scenario", "view", "commands"), EDITED_ADDRESSEES)
def test_the_control_cell_folds_an_edited_inject_to_its_new_audience(
    scenario: str, view: str, commands: list[tuple[str, Command]]
) -> None:
    """Found by the property: an edit of `to` left the live fold with the old audience."""
    run = CoreRun(parsed(ROOT / "injects" / f"{scenario}.yaml"))
    principal = {"facilitator": FAC, "evaluator": EVAL}[view]
    start = (run.state.head, wire(run.state.snapshot(principal)))
    for ctype, fields in commands:
        run.cmd(FAC, ctype, **fields)
    assert_folds_agree(view_cases(run, {view: principal}, {view: start}))


# -- the fixtures projection.js is held to ----------------------------------------------


def fixture_run(name: str, seed: int) -> dict[str, Any]:
    rng, path = random.Random(seed), BILINGUAL if name == "bilingual" else ROOT / "injects" / f"{name}.yaml"
    cuts = {v: rng.randrange(0, FIXTURE_STEPS // 2) for v in view_keys(path)}
    run = views_run(path, rng.choice, FIXTURE_STEPS, cuts)
    return {"scenario": name, "seed": seed, "views": run}


# What random runs seldom reach, in a row on demo.yaml: documents forwarded to a team that holds
# later ones (the fold sorts them), a sealed document forwarded and opened, a feature hidden from a
# team by a change, a hazard near a notification, a request clarified, a participant removed and a
# team's code replaced; a room that drops its oldest messages.
SCRIPT: list[tuple[str, str, Command]] = [
    ("fac", "clock.start", {}),
    ("mil-1", "room.post", {"room": "joint", "text": "first"}),
    ("hum-1", "document.share", {"title": "A", "body": "a", "share_with": ["civilian"]}),
    ("mil-1", "document.share", {"title": "B", "body": "b", "share_with": ["police"]}),
    (
        "hum-1",
        "document.share",
        {
            "title": "C",
            "body": "c",
            "share_with": ["civilian"],
            "sensitive": True,
            "location": {"type": "Point", "coordinates": [30.9, 3.9]},
        },
    ),
    (
        "fac",
        "cop.add",
        {
            "feature": {
                "kind": "incident",
                "name": "ambush",
                "visible_to": ["military"],
                "geometry": {"type": "Point", "coordinates": [30.9, 3.9]},
            }
        },
    ),
    # the views' snapshots: after the five above
    ("civ-1", "document.forward", {"document_id": "D-hum-1-1", "to": ["police"]}),
    ("hum-1", "document.forward", {"document_id": "D-hum-1-2", "to": ["police"]}),
    ("pol-1", "document.open", {"document_id": "D-hum-1-2"}),
    ("civ-1", "document.open", {"document_id": "D-hum-1-2"}),
    (
        "hum-1",
        "notification.submit",
        {
            "kind": "site",
            "name": "clinic",
            "window_start": 0,
            "window_end": 7200,
            "share_with": ["military", "police"],
            "geometry": {"type": "Point", "coordinates": [30.905, 3.9]},
        },
    ),
    ("fac", "cop.change", {"feature_id": "ctl-f1", "set": {"visible_to": ["police"]}}),
    (
        "fac",
        "cop.change",
        {"feature_id": "ctl-f1", "set": {"geometry": {"type": "Point", "coordinates": [30.91, 3.9]}}},
    ),
    ("mil-1", "notification.acknowledge", {"notification_id": "N-hum-1-1"}),
    ("hum-1", "rfa.submit", request(asset="escort", location={"type": "Point", "coordinates": [30.9, 3.9]})),
    ("mil-1", "rfa.respond", {"rfa_id": "RFA-hum-1-1", "decision": "more_info", "reason": "how many?"}),
    ("hum-1", "rfa.clarify", {"rfa_id": "RFA-hum-1-1", "text": "forty families"}),
    ("mil-1", "rfa.respond", {"rfa_id": "RFA-hum-1-1", "decision": "accept", "reason": "ok", "conditions": CONDITIONS}),
    ("fac", "clock.pause", {}),
    ("fac", "clock.resume", {}),
    ("fac", "inject.hold", {"inject_id": "D-06"}),
    ("fac", "inject.unhold", {"inject_id": "D-06"}),
    ("fac", "inject.edit", {"inject_id": "D-05", "changes": {"to": {"rooms": ["joint"]}}}),
    ("fac", "inject.release", {"inject_id": "D-03"}),
    ("mil-1", "inject.open", {"inject_id": "D-03", "language": "en"}),  # the control cell's record only
    ("eval", "expectation.mark", {"inject_id": "D-03", "team": "mil-1", "action": 0, "status": "met"}),
    ("fac", "expectation.mark", {"inject_id": "D-03", "team": "mil-1", "action": 0, "status": "partly"}),
    ("fac", "roster.add", {"people": [{"name": "Amina", "team": "hum-1"}], "codes": ["ROSTE-R0001"]}),
    ("fac", "participant.move", {"participant": "p-pol-1", "team": "hum-1"}),
    ("fac", "participant.remove", {"participant": "p-pol-1"}),
    ("fac", "code.replace", {"code": "CODE-pol-1", "replacement": "NEWCO-DE234"}),
    *(  # more than the room window: the joint room drops its oldest, live and in snapshots
        (team, "room.post", {"room": "joint", "text": f"then {i}"})
        for i, team in enumerate(("hum-1", "civ-1", "fac", "mil-1"))
    ),
]
SCRIPT_CUT = 5


# Requests through the coordination team, on coordination.yaml: the military's fold learns of a
# request only when OCHA forwards it (the row travels in rfa.coordinated); one returned, one sent around OCHA.
COORDINATION_SCRIPT: list[tuple[str, str, Command]] = [
    ("ngo-1", "rfa.submit", request()),
    ("ngo-1", "rfa.submit", request(asset="water")),
    ("hum-1", "rfa.coordinate", {"rfa_id": "RFA-ngo-1-1", "decision": "forward", "note": "HC endorses"}),
    ("hum-1", "rfa.coordinate", {"rfa_id": "RFA-ngo-1-2", "decision": "return", "note": "trucks exist"}),
    ("mil-1", "rfa.respond", {"rfa_id": "RFA-ngo-1-1", "decision": "accept", "conditions": CONDITIONS}),
    ("ngo-1", "rfa.submit", request(asset="air", route="direct")),
    ("civ-1", "tasking.request", {"asset": "engineering", "task": "Culverts at Kilo 14", "mandate": "Own supply route",
                                  "do_no_harm": "No contractor before the rains", "time_limit": 3600,
                                  "location": {"type": "Point", "coordinates": [31.1, 4.5]}}),
    ("mil-1", "tasking.respond", {"tasking_id": "T-civ-1-1", "decision": "accept", "reason": "Engineer section"}),
    ("hum-1", "casevac.call", {"casualties": 1, "condition": "Driver shot", "location": {"type": "Point",
                                                                                          "coordinates": [31.2, 4.5]}}),
    ("fac", "casevac.dispatch", {"casevac_id": "CASEVAC-hum-1-1", "note": "Helicopter airborne"}),
]
COORDINATION_CUT = 2


def scripted_run(
    path: Path = ROOT / "injects" / "demo.yaml", script: list[tuple[str, str, Command]] = SCRIPT, cut: int = SCRIPT_CUT
) -> dict[str, Any]:
    ex = Exercise(path, lambda options: options[0])
    principals = {p.view.key: p for p in ex.principals}
    who = {"fac": FAC, "eval": EVAL, **{p.team or "": p for p in ex.teams}}
    starts: dict[str, tuple[int, Any]] = {}
    for i, (actor, ctype, fields) in enumerate(script):
        if i == cut:
            starts = {v: (ex.run.state.head, wire(ex.run.state.snapshot(p))) for v, p in principals.items()}
        ex.run.cmd(who[actor], ctype, **fields)  # every one is accepted
    return {"scenario": path.stem, "script": True, "views": view_cases(ex.run, principals, starts)}


def branching_run() -> dict[str, Any]:
    """Branches taken after each view's snapshot (test_branches.py's scenario): an inject released on a
    declined request, an alternate in place of its inject (which is replaced), a silent room."""
    ex = Exercise(BRANCHING, lambda options: options[0])
    principals = {p.view.key: p for p in ex.principals}
    ex.run.cmd(FAC, "clock.start")
    ex.run.advance(6 * 60)
    starts = {v: (ex.run.state.head, wire(ex.run.state.snapshot(p))) for v, p in principals.items()}
    answer_request(ex.run, submit_request(ex.run, responds_to="B-1"), "accepted")
    answer_request(ex.run, submit_request(ex.run), "declined")
    ex.run.advance(40 * 60)
    return {"scenario": "branching", "script": True, "views": view_cases(ex.run, principals, starts)}


def fixture_files() -> dict[str, str]:
    runs = {f"{name}-{seed}.json": fixture_run(name, seed) for name, seed in FIXTURE_RUNS}
    runs["demo-script.json"] = scripted_run()
    runs["branching-script.json"] = branching_run()
    runs["coordination-script.json"] = scripted_run(COORDINATION, COORDINATION_SCRIPT, COORDINATION_CUT)
    return {name: json.dumps(run, sort_keys=True, separators=(",", ":")) + "\n" for name, run in runs.items()}


def test_the_fixtures_of_the_browser_fold_are_current() -> None:
    expected = fixture_files()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in FIXTURES.glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "run `python -m tests.test_view_folds` to rewrite them"
    for name, text in expected.items():
        assert on_disk[name] == text, f"{name} is stale: run `python -m tests.test_view_folds` to rewrite it"


def test_the_python_fold_agrees_on_the_fixtures() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        assert_folds_agree(json.loads(path.read_text(encoding="utf-8"))["views"])


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for old in FIXTURES.glob("*.json"):
        old.unlink()
    for name, text in fixture_files().items():
        (FIXTURES / name).write_text(text, encoding="utf-8")
        print(f"wrote {FIXTURES / name} ({len(text)} bytes)", file=sys.stderr)
