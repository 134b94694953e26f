"""A synchronous driver for the core: decide, number, fold. No I/O, no sleeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exercise_server.core import events as ev
from exercise_server.core.access import EVALUATOR, FACILITATOR, TRAINEE, Principal
from exercise_server.core.clock import ManualClock
from exercise_server.core.commands import decide, decide_due, decide_join, decide_open
from exercise_server.core.projections import ExerciseState
from exercise_server.core.scenario import Scenario
from exercise_server.core.scenario_check import load_scenario_file

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"

FAC = Principal(FACILITATOR, "Facilitator", "p-fac")
EVAL = Principal(EVALUATOR, "Evaluator", "p-eval")


def trainee(team: str, component: str, name: str = "") -> Principal:
    return Principal(TRAINEE, name or f"member of {team}", f"p-{team}", team, component)


MIL = trainee("mil-1", "military")
POL = trainee("pol-1", "police")
HUM = trainee("hum-1", "humanitarian")
CIV = trainee("civ-1", "civilian")


class CoreRun:
    """One exercise driven through the core with a manual clock and an in-memory log."""

    def __init__(self, scenario: Scenario | None = None, exercise: str = "ex-1") -> None:
        self.scenario = scenario or load_scenario_file(MINI)
        self.exercise = exercise
        self.clock = ManualClock()
        self.log: list[ev.Event] = []
        self.state = ExerciseState()
        codes = {f"CODE-{t.id}": {"role": TRAINEE, "team": t.id} for t in self.scenario.teams}
        codes["CODE-eval"] = {"role": EVALUATOR}
        self.append(decide_open(exercise, self.scenario.doc, codes, self.clock.now(), FAC.actor()))

    def append(self, drafts: list[ev.Draft]) -> list[ev.Event]:
        events = [ev.Event.from_draft(self.exercise, len(self.log) + i + 1, d) for i, d in enumerate(drafts)]
        self.log.extend(events)
        for e in events:
            self.state.apply(e)
        return events

    def cmd(self, principal: Principal, ctype: str, **fields: Any) -> list[ev.Event]:
        return self.append(decide(self.state, principal, {"type": ctype, **fields}, self.clock.now()))

    def join(self, code: str, name: str, participant: str) -> Principal:
        draft, principal = decide_join(self.state, code, name, participant, self.clock.now())
        self.append([draft])
        return principal

    def tick(self) -> list[ev.Event]:
        """Release whatever is due, as the server's scheduler does, until nothing more is."""
        released: list[ev.Event] = []
        while drafts := decide_due(self.state, self.clock.now()):
            released += self.append(drafts)
        return released

    def advance(self, seconds: float) -> list[ev.Event]:
        self.clock.advance(seconds)
        return self.tick()

    def released_ids(self, events: list[ev.Event] | None = None) -> list[str]:
        return [e.payload["inject"]["id"] for e in (events if events is not None else self.log)
                if e.type == ev.INJECT_RELEASED]

    def ex_now(self) -> float:
        return self.state.clock.at(self.clock.now())
