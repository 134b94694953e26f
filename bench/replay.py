"""Replay on a long exercise: how fast the log folds, seeks and becomes a report.

A deterministic exercise of 100,000 events is generated through the core (the bundled
Tamsa scenario, its MSEL released on time, teams talking, mapping, acknowledging,
evaluators observing). Every figure is compared with a baseline measured in the same run:
a seek with snapshots against folding the whole log, and against folding up to the
same point without snapshots.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exercise_server import report
from exercise_server.core import events as ev
from exercise_server.core.access import EVALUATOR, FACILITATOR, TRAINEE, Principal
from exercise_server.core.clock import ManualClock
from exercise_server.core.commands import decide, decide_due, decide_join, decide_open
from exercise_server.core.errors import CommandError
from exercise_server.core.metrics import compute
from exercise_server.core.projections import RELEASED, ExerciseState
from exercise_server.core.replay import SNAPSHOT_EVERY, Replay, point_of_view
from exercise_server.core.scenario import Scenario
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.store.base import open_store

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "injects" / "tamsa-river-crisis.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
FAC = Principal(FACILITATOR, "Facilitator", "p-fac")
PHRASES = (
    "Convoy held at the Kilo 22 roadblock",
    "Requesting an update on the Lunda bridge",
    "Can you share the distribution sites?",
    "Noted, passing to the security cell",
    "Crowd forming at Kora market",
    "Ferry crossing suspended until daylight",
    "Roger, out",
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--events", type=int, default=100_000, help="length of the generated log (default 100000)")
    p.add_argument("--seed", type=int, default=7, help="seed of the generated exercise (default 7)")
    p.add_argument(
        "--every", type=int, default=SNAPSHOT_EVERY, help=f"events between snapshots (default {SNAPSHOT_EVERY})"
    )
    p.add_argument("--seeks", type=int, default=200, help="random seeks measured with snapshots (default 200)")
    p.add_argument("--scenario", type=Path, default=SCENARIO, help="scenario file (default: the Tamsa scenario)")
    p.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/")
    p.set_defaults(run=run)


class Exercise:
    """An exercise driven through the core with a manual clock, as the server would drive it."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = ManualClock()
        self.state = ExerciseState()
        self.log: list[ev.Event] = []
        self.sc = scenario
        codes = {f"CODE-{t.id}": {"role": TRAINEE, "team": t.id} for t in scenario.teams}
        codes["CODE-eval"] = {"role": EVALUATOR}
        self.append(decide_open("bench-replay", scenario.doc, codes, self.clock.now(), FAC.actor()))
        self.trainees = [
            self.join(f"CODE-{t.id}", f"{t.id} member {i}", f"p-{t.id}-{i}") for t in scenario.teams for i in (1, 2)
        ]
        self.evaluator = self.join("CODE-eval", "Evaluator", "p-eval")
        self.rooms = {t.id: [r.id for r in scenario.rooms.values() if t.id in r.writers] for t in scenario.teams}
        self.features: dict[str, list[str]] = {t.id: [] for t in scenario.teams}

    def append(self, drafts: list[ev.Draft]) -> None:
        for draft in drafts:
            event = ev.Event.from_draft("bench-replay", len(self.log) + 1, draft)
            self.log.append(event)
            self.state.apply(event)
            if event.type == ev.COP_FEATURE_ADDED and event.actor.team:
                self.features[event.actor.team].append(event.payload["feature"]["id"])

    def join(self, code: str, name: str, participant: str) -> Principal:
        draft, principal = decide_join(self.state, code, name, participant, self.clock.now())
        self.append([draft])
        return principal

    def cmd(self, principal: Principal, command: dict[str, Any]) -> None:
        try:
            self.append(decide(self.state, principal, command, self.clock.now()))
        except CommandError:
            pass  # a refused command leaves nothing, as on the server

    def play(self, n_events: int) -> list[ev.Event]:
        rng = self.rng
        self.cmd(FAC, {"type": "clock.start"})
        step = self.sc.duration / n_events  # spread the events over the planned duration
        while len(self.log) < n_events:
            self.clock.advance(rng.expovariate(1 / step))
            while drafts := decide_due(self.state, self.clock.now()):
                self.append(drafts)
            who = rng.choice(self.trainees)
            roll = rng.random()
            if roll < 0.55:
                self.cmd(
                    who, {"type": "room.post", "room": rng.choice(self.rooms[who.team]), "text": rng.choice(PHRASES)}
                )
            elif roll < 0.70 and self.features[who.team]:
                self.cmd(
                    who,
                    {
                        "type": "cop.change",
                        "feature_id": rng.choice(self.features[who.team][-50:]),
                        "set": {
                            "geometry": {
                                "type": "Point",
                                "coordinates": [round(rng.uniform(30.7, 32.1), 4), round(rng.uniform(3.9, 5.2), 4)],
                            },
                            "properties": {"status": rng.choice(["open", "closed", "tense"])},
                        },
                    },
                )
            elif roll < 0.76:
                visible = rng.choice([[who.team], [who.component], "all"])
                self.cmd(
                    who,
                    {
                        "type": "cop.add",
                        "feature": {
                            "kind": rng.choice(["incident", "checkpoint", "unit", "camp"]),
                            "name": rng.choice(PHRASES)[:30],
                            "geometry": {
                                "type": "Point",
                                "coordinates": [round(rng.uniform(30.7, 32.1), 4), round(rng.uniform(3.9, 5.2), 4)],
                            },
                            "visible_to": visible,
                        },
                    },
                )
            elif roll < 0.80:
                self.acknowledge(who)
            elif roll < 0.86:
                self.cmd(
                    FAC,
                    {
                        "type": "room.post",
                        "room": rng.choice(["joint", "plenary"]),
                        "text": rng.choice(PHRASES),
                        "as": "Governor of Tamsa",
                    },
                )
            elif roll < 0.88:
                objective = rng.choice(list(self.sc.objectives))
                self.cmd(
                    self.evaluator,
                    {
                        "type": "observation.record",
                        "text": rng.choice(PHRASES),
                        "rating": rng.randint(1, 4),
                        "objective": objective,
                        "team": who.team,
                    },
                )
            elif roll < 0.90:
                self.mark()
            else:
                self.cmd(who, {"type": "room.post", "room": f"team:{who.team}", "text": rng.choice(PHRASES)})
        self.cmd(FAC, {"type": "exercise.end"})
        return self.log

    def acknowledge(self, who: Principal) -> None:
        open_ = [
            st.inject.id
            for st in self.state.injects.values()
            if st.status == RELEASED and who.team in self.sc.audience(st.inject.to) and who.team not in st.acks
        ]
        if open_:
            self.cmd(who, {"type": "inject.ack", "inject_id": self.rng.choice(open_)})

    def mark(self) -> None:
        items = self.state.checklist()
        if items:
            item = self.rng.choice(items)
            self.cmd(
                self.evaluator,
                {
                    "type": "expectation.mark",
                    "inject_id": item["inject_id"],
                    "team": item["team"],
                    "action": item["action"],
                    "status": self.rng.choice(ev.EXPECTATION_STATUSES),
                },
            )


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """The best of `repeat` runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def series(fn: Callable[[int], Any], points: list[int]) -> dict[str, float]:
    times = []
    for point in points:
        t = time.perf_counter()
        fn(point)
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "median_s": statistics.median(times),
        "mean_s": statistics.fmean(times),
        "p95_s": times[min(len(times) - 1, int(len(times) * 0.95))],
        "max_s": times[-1],
        "n": len(times),
    }


def store_round_trip(events: list[ev.Event]) -> tuple[float, float]:
    """Append the log to a fresh SQLite store in one transaction, then read it back (what a replay reads)."""

    async def go() -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(tmp)
            drafts = [ev.Draft(e.type, e.payload, e.audience, e.wall_time, e.ex_time, e.actor) for e in events]
            t = time.perf_counter()
            await store.append("bench-replay", drafts, expected_head=0)
            written = time.perf_counter() - t
            t = time.perf_counter()
            back = await store.read("bench-replay")
            read = time.perf_counter() - t
            await store.close()
            assert len(back) == len(events)
            return written, read

    return asyncio.run(go())


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario_file(args.scenario)
    print(f"generating an exercise of {args.events:,} events ({scenario.id}, seed {args.seed}) ...", file=sys.stderr)
    generate_s, events = timed(lambda: Exercise(scenario, args.seed).play(args.events))
    rng = random.Random(args.seed + 1)
    head = len(events)
    counts: dict[str, int] = {}
    for e in events:
        counts[e.type] = counts.get(e.type, 0) + 1

    print("measuring ...", file=sys.stderr)
    store_write_s, store_read_s = store_round_trip(events)
    fold_s, state = timed(lambda: ExerciseState.fold(events), repeat=3)
    build_s, replay = timed(lambda: Replay(events, every=args.every))
    points = [rng.randint(1, head) for _ in range(args.seeks)]
    seek = series(replay.state_at, points)
    teams = [f"team:{t.id}" for t in scenario.teams]
    seek_view = series(lambda s: point_of_view(replay.state_at(s), rng.choice(["control", *teams]), 200), points)
    slow_points = points[: max(5, args.seeks // 20)]
    seek_no_snapshots = series(lambda s: ExerciseState.fold_until(events, seq=s), slow_points)
    metrics_s, _ = timed(lambda: compute(events))
    # The first report in a process also loads the catalogues and the compiled templates (compiles
    # them, the first time ever: report._CompiledTemplates); a running server's next reports do not.
    report_first_s, html = timed(lambda: report.render(events))
    report_s, _ = timed(lambda: report.render(events), repeat=2)
    assert state.head == head

    figures = {
        "store_append_s": store_write_s,
        "store_read_s": store_read_s,
        "full_fold_s": fold_s,
        "replay_build_s": build_s,
        "seek_with_snapshots": seek,
        "seek_and_point_of_view": seek_view,
        "seek_without_snapshots": seek_no_snapshots,
        "metrics_s": metrics_s,
        "report_s": report_s,
        "report_first_s": report_first_s,
        "report_bytes": len(html.encode()),
    }
    ratios = {
        "full_fold_over_seek": fold_s / seek["median_s"],
        "seek_without_over_with_snapshots": seek_no_snapshots["median_s"] / seek["median_s"],
        "report_over_full_fold": report_s / fold_s,
    }
    result = {
        "bench": "replay",
        "date": datetime.date.today().isoformat(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "log": {
            "events": head,
            "scenario": scenario.id,
            "seed": args.seed,
            "generate_s": generate_s,
            "exercise_seconds": events[-1].ex_time,
            "types": dict(sorted(counts.items())),
        },
        "snapshot_every": args.every,
        "seeks": args.seeks,
        "figures": figures,
        "ratios": ratios,
    }
    print(markdown(result))
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{result['date']}-replay.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nsaved {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


def markdown(r: dict[str, Any]) -> str:
    f, q = r["figures"], r["ratios"]

    def ms(s: float) -> str:
        return f"{s * 1000:,.1f} ms" if s < 10 else f"{s:,.1f} s"

    rows = [
        ("SQLite: append the whole log (one transaction)", ms(f["store_append_s"]), ""),
        ("SQLite: read the whole log", ms(f["store_read_s"]), ""),
        ("Full fold from the start (baseline)", ms(f["full_fold_s"]), "1x"),
        (
            f"Build the replay (fold + snapshot every {r['snapshot_every']:,})",
            ms(f["replay_build_s"]),
            f"{f['replay_build_s'] / f['full_fold_s']:.2f}x the fold",
        ),
        (
            f"Seek to a random point, with snapshots (median of {f['seek_with_snapshots']['n']})",
            ms(f["seek_with_snapshots"]["median_s"]),
            f"{q['full_fold_over_seek']:,.0f}x faster than the fold",
        ),
        ("  same, p95 / max", f"{ms(f['seek_with_snapshots']['p95_s'])} / {ms(f['seek_with_snapshots']['max_s'])}", ""),
        (
            "Seek + point of view (control or a team, last 200 messages per room)",
            ms(f["seek_and_point_of_view"]["median_s"]),
            "",
        ),
        (
            f"Seek to a random point, without snapshots (median of {f['seek_without_snapshots']['n']})",
            ms(f["seek_without_snapshots"]["median_s"]),
            f"{q['seek_without_over_with_snapshots']:,.0f}x slower than with snapshots",
        ),
        ("Metrics", ms(f["metrics_s"]), ""),
        (
            f"After-action report ({f['report_bytes'] / 1024:,.0f} KiB of HTML), best of 2 in a running process",
            ms(f["report_s"]),
            f"{q['report_over_full_fold']:.1f}x the fold",
        ),
        *(
            [("  the process's first report (catalogues and compiled templates loaded)", ms(f["report_first_s"]), "")]
            if "report_first_s" in f
            else []
        ),
    ]
    log = r["log"]
    head = (
        f"Replay on {log['events']:,} events ({log['scenario']}, {log['exercise_seconds'] / 3600:.1f} h of "
        f"exercise time, seed {log['seed']}; Python {r['machine']['python']}, {r['machine']['cpus']} CPUs, "
        f"{r['date']})\n\n"
    )
    table = "| measure | time | against the baseline |\n| --- | ---: | --- |\n"
    return head + table + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
