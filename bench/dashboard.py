"""The control dashboard's fold against the plain fold, in the same run, on the same log.

`python -m bench dashboard [--events N] [--seed S] [--no-save]`. The log is bench/replay.py's
generated exercise (the Tamsa scenario: its MSEL released on time, teams talking, mapping,
acknowledging). Measured: events folded per second by `ExerciseState.apply` (the fold every server
process runs for each event) and by `core/dashboard.Dashboard.apply`, each alone and both in one
pass (what a server-side dashboard fold would add per event); the figures of every team read at
one exercise time (what a page does each second); what the dashboard's start costs the server (the
store read and the fold of the whole log, GET /api/exercises/{id}/dashboard).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from exercise_server.core import events as ev
from exercise_server.core.dashboard import Dashboard
from exercise_server.core.projections import ExerciseState
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.store.base import open_store

from .dashboard_browser import browser_folds
from .replay import RESULTS, ROOT, SCENARIO, Exercise, timed

FIGURE_READS = 2000


def both(events: list[ev.Event]) -> None:
    state, board = ExerciseState(), Dashboard()
    for e in events:
        state.apply(e)
        board.apply(e)


def dashboard_fold(events: list[ev.Event]) -> Dashboard:
    board = Dashboard()
    for e in events:
        board.apply(e)
    return board


def read_figures(board: Dashboard, ex_times: list[float]) -> None:
    for ex in ex_times:
        board.figures(ex)


def stored_read(events: list[ev.Event]) -> float:
    """Seconds to read the whole log back from a SQLite store (the dashboard's first ask reads it)."""

    async def go() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(tmp)
            drafts = [ev.Draft(e.type, e.payload, e.audience, e.wall_time, e.ex_time, e.actor) for e in events]
            await store.append("bench-dashboard", drafts, expected_head=0)
            t = time.perf_counter()
            back = await store.read("bench-dashboard")
            seconds = time.perf_counter() - t
            await store.close()
            assert len(back) == len(events)
            return seconds

    return asyncio.run(go())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="length of the generated log (default 100000)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated exercise (default 7)")
    parser.add_argument("--scenario", type=Path, default=SCENARIO, help="scenario file (default: the Tamsa scenario)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each fold, interleaved (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="skip the folds in Chromium")
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/")
    args = parser.parse_args(argv)

    scenario = load_scenario_file(args.scenario)
    print(f"generating an exercise of {args.events:,} events ({scenario.id}, seed {args.seed}) ...", file=sys.stderr)
    events = Exercise(scenario, args.seed).play(args.events)
    n = len(events)
    print("measuring ...", file=sys.stderr)
    # The log is kept out of the cyclic GC's walks, as the server keeps what it built at start-up
    # (gc.freeze in server/app.py): else a full collection walks the 100,000 events, whenever it falls.
    gc.collect()
    gc.freeze()
    # Interleaved, the best of each, each after a collection: a machine busy with something else
    # slows all three alike, and none inherits the garbage of another.
    plain_s = dashboard_s = both_s = float("inf")
    for _ in range(max(1, args.repeat)):
        gc.collect()
        plain_s = min(plain_s, timed(lambda: ExerciseState.fold(events))[0])
        gc.collect()
        seconds, board = timed(lambda: dashboard_fold(events))
        dashboard_s = min(dashboard_s, seconds)
        gc.collect()
        both_s = min(both_s, timed(lambda: both(events))[0])
    end = events[-1].ex_time
    ex_times = [end * k / FIGURE_READS for k in range(FIGURE_READS)]
    figures_s, _ = timed(lambda: read_figures(board, ex_times), repeat=3)
    read_s = stored_read(events)
    browser = None if args.no_browser else browser_folds(events, args.repeat)
    result: dict[str, Any] = {
        "bench": "dashboard",
        "date": datetime.date.today().isoformat(),
        "log": {"events": n, "scenario": scenario.id, "seed": args.seed, "teams": len(scenario.teams)},
        "repeat": args.repeat,
        "load_average": list(os.getloadavg()),  # of the machine at the end: other work slows every figure
        "figures": {
            "plain_fold_s": plain_s,
            "dashboard_fold_s": dashboard_s,
            "both_folds_s": both_s,
            "plain_events_per_s": n / plain_s,
            "dashboard_events_per_s": n / dashboard_s,
            "dashboard_us_per_event": dashboard_s / n * 1e6,
            "plain_us_per_event": plain_s / n * 1e6,
            "figures_read_us": figures_s / FIGURE_READS * 1e6,
            "store_read_s": read_s,
        },
        "ratios": {
            "dashboard_over_plain_events_per_s": plain_s / dashboard_s,
            "both_over_plain_time": both_s / plain_s,
        },
    }
    if browser is not None:
        m = browser["events"]
        result["browser"] = {
            **browser,
            "plain_events_per_s": m / (browser["plain_ms"] / 1000),
            "dashboard_events_per_s": m / (browser["dashboard_ms"] / 1000),
            "dashboard_over_plain_events_per_s": browser["plain_ms"] / browser["dashboard_ms"],
        }
    print(markdown(result))
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{result['date']}-dashboard.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nsaved {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


def markdown(r: dict[str, Any]) -> str:
    f, q, log = r["figures"], r["ratios"], r["log"]
    return "\n".join(
        [
            f"Dashboard fold against the plain fold, {log['events']:,} events"
            f" ({log['scenario']}, {log['teams']} teams)",
            "",
            "| measure | plain fold | dashboard fold |",
            "| --- | --- | --- |",
            f"| events folded per second | {f['plain_events_per_s']:,.0f} | {f['dashboard_events_per_s']:,.0f} |",
            f"| per event | {f['plain_us_per_event']:.2f} µs | {f['dashboard_us_per_event']:.2f} µs |",
            f"| the whole log | {f['plain_fold_s'] * 1000:,.0f} ms | {f['dashboard_fold_s'] * 1000:,.0f} ms |",
            "",
            f"- dashboard fold: {q['dashboard_over_plain_events_per_s']:.1f}x the plain fold's events per second",
            f"- both folds in one pass: {q['both_over_plain_time']:.3f}x the plain fold's time",
            f"- every team's figures at one exercise time: {f['figures_read_us']:.1f} µs",
            f"- reading the whole log back from SQLite (the dashboard's first ask): {f['store_read_s'] * 1000:,.0f} ms",
            *_browser_lines(r.get("browser")),
        ]
    )


def _browser_lines(b: dict[str, Any] | None) -> list[str]:
    if b is None:
        return []
    return [
        "",
        f"In Chromium {b['chromium']}, the control view's {b['events']:,} events:",
        "",
        "| measure | projection.js (the control panel's fold) | dashboard_fold.js |",
        "| --- | --- | --- |",
        f"| events folded per second | {b['plain_events_per_s']:,.0f} | {b['dashboard_events_per_s']:,.0f} |",
        f"| the whole log | {b['plain_ms']:,.1f} ms | {b['dashboard_ms']:,.1f} ms |",
        "",
        f"- dashboard fold: {b['dashboard_over_plain_events_per_s']:.1f}x the control panel fold's events per second",
    ]
