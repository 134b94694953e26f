"""The load benchmarks' figures: the goals, the Markdown table, the JSON files."""

from __future__ import annotations

import argparse
import datetime
import json
import math
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
# The order they run in, on one set of connections: the storm last, since a server that
# misses its deadline is still busy with it afterwards (the target is stopped right after).
SCENARIOS = ("memory", "fanout", "chat", "reconnect")
ALL_TARGETS = ("ours", "ours-redis", "sio", "sio-redis", "floor", "picows")
LABEL = {
    "ours": "this server",
    "ours-redis": "this server (Redis)",
    "sio": "python-socketio",
    "sio-redis": "python-socketio (Redis)",
    "floor": "websockets floor",
    "picows": "picows floor",
}

# The targets the issue holds us to (ratios are ours / peer, measured in the same run).
GOALS = {
    "fanout": "p99 at most 1.3x the floor's",
    "chat": "at least 1.5x python-socketio's delivered messages/s at p99 <= 250 ms",
    "reconnect": "1,000 clients caught up in under 3 s, zero gaps",
    "memory": "at most 40 KiB per idle connection",
}


# -- the table and the files ---------------------------------------------------------------------

FIGURES: dict[str, list[tuple[str, str, str, bool]]] = {  # key, label, unit, higher is better
    "fanout": [
        ("p50_ms", "latency p50", "ms", False),
        ("p95_ms", "latency p95", "ms", False),
        ("p99_ms", "latency p99", "ms", False),
        ("max_ms", "latency max", "ms", False),
        ("lost", "lost deliveries", "", False),
        ("duplicates", "duplicate deliveries", "", False),
    ],
    "chat": [
        ("delivered_per_s", "delivered msg/s at p99 within limit", "/s", True),
        ("p99_ms", "p99 at that rate", "ms", False),
        ("lost", "lost deliveries", "", False),
    ],
    "reconnect": [
        ("all_caught_up_s", "all caught up", "s", False),
        ("p50_caught_up_s", "median caught up", "s", False),
        ("gaps", "gaps", "", False),
        ("duplicates", "duplicates", "", False),
    ],
    "memory": [
        ("kib_per_connection", "memory per idle connection", "KiB", False),
        ("rss_after_mib", "server RSS with all connected", "MiB", False),
    ],
}
COUNTS = {"lost", "duplicates", "gaps"}
GOAL_KEY = {
    "fanout": "p99_ms",
    "chat": "delivered_per_s",
    "reconnect": "all_caught_up_s",
    "memory": "kib_per_connection",
}


def socketio_of(target: str) -> str:
    """The python-socketio row a target is compared with: the one on the same backend."""
    return "sio-redis" if target.endswith("-redis") else "sio"


def ratio(value: float, base: float | None) -> float | None:
    if base is None or not isinstance(value, (int, float)) or not base or math.isnan(base) or math.isnan(value):
        return None
    return value / base


def goal_check(scenario: str, target: str, rows: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if not target.startswith("ours") or target not in rows:
        return None
    r = rows[target]
    if scenario == "fanout":
        x = ratio(r["p99_ms"], rows.get("floor", {}).get("p99_ms"))
        return {
            "goal": GOALS[scenario],
            "value": x,
            "met": x is not None and x <= 1.3 and r["lost"] == 0 and r["duplicates"] == 0,
        }
    if scenario == "chat":
        x = ratio(r["delivered_per_s"], rows.get(socketio_of(target), {}).get("delivered_per_s"))
        return {"goal": GOALS[scenario], "value": x, "met": x is not None and x >= 1.5}
    if scenario == "reconnect":
        return {
            "goal": GOALS[scenario],
            "value": r["all_caught_up_s"],
            "met": r["all_caught_up_s"] < 3.0 and r["gaps"] == 0 and r["clients"] >= 1000,
        }
    if scenario == "memory":
        return {"goal": GOALS[scenario], "value": r["kib_per_connection"], "met": r["kib_per_connection"] <= 40}
    return None


def fmt(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit in ("/s",):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.1f}"


def table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "| scenario | figure | target | value | x floor | x picows | x python-socketio | goal |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for scenario in SCENARIOS:
        rows = results.get(scenario)
        if not rows:
            continue
        for key, label, unit, _ in FIGURES[scenario]:
            for target in ALL_TARGETS:
                if target not in rows or "error" in rows[target]:
                    if target in rows:
                        lines.append(f"| {scenario} | {label} | {LABEL[target]} | failed | | | | |")
                    continue
                v = rows[target].get(key)
                r = rows[target]
                if (
                    scenario == "reconnect"
                    and (r.get("late") or r.get("failed"))
                    and key in ("all_caught_up_s", "gaps")
                ):
                    back = (
                        f"{r['late']:,} of {r['clients']:,} not back after {r['deadline_s']:g} s"
                        if r.get("late")
                        else f"{r['failed']:,} of {r['clients']:,} refused"
                    )
                    lines.append(
                        f"| {scenario} | {label}{' (' + unit + ')' if unit else ''} | {LABEL[target]} | "
                        + (f"{back} | | | |" if key == "all_caught_up_s" else "not measured | | | |")
                        + (
                            f" **missed**: {GOALS[scenario]} |"
                            if target.startswith("ours") and key == "all_caught_up_s"
                            else " |"
                        )
                    )
                    continue
                if scenario == "reconnect" and key == "p50_caught_up_s" and (r.get("late") or r.get("failed")):
                    continue
                rf = rp = rs = None
                if key not in COUNTS:
                    rf = ratio(v, rows.get("floor", {}).get(key)) if target != "floor" else None
                    rp = ratio(v, rows.get("picows", {}).get(key)) if target != "picows" else None
                    sio = socketio_of(target)
                    rs = ratio(v, rows.get(sio, {}).get(key)) if target != sio else None
                goal = ""
                g = goal_check(scenario, target, rows)
                if g is not None and key == GOAL_KEY[scenario]:
                    goal = ("met" if g["met"] else "**missed**") + f": {g['goal']}"
                lines.append(
                    f"| {scenario} | {label}{' (' + unit + ')' if unit and unit != '/s' else ''} | "
                    f"{LABEL[target]} | {fmt(v, unit)} | {'' if rf is None else f'{rf:.2f}x'} | "
                    f"{'' if rp is None else f'{rp:.2f}x'} | {'' if rs is None else f'{rs:.2f}x'} | {goal} |"
                )
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """NaN (a figure that could not be measured) as null: the files stay strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def load_saved(directory: Path, day: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The results of one day's run, as `table` takes them (null back to NaN)."""

    def nan(value: Any) -> Any:
        if value is None:
            return float("nan")
        if isinstance(value, dict):
            return {k: nan(v) for k, v in value.items()}
        return value

    out = {}
    for scenario in SCENARIOS:
        path = directory / f"{day}-{scenario}.json"
        if path.exists():
            out[scenario] = {t: nan(r) for t, r in json.loads(path.read_text())["targets"].items()}
    return out


def save(results: dict[str, dict[str, dict[str, Any]]], args: argparse.Namespace, meta: dict[str, Any]) -> list[Path]:
    args.results_dir.mkdir(parents=True, exist_ok=True)
    day = datetime.date.today().isoformat()
    paths = []
    for scenario, rows in results.items():
        goals = {t: g for t in rows if (g := goal_check(scenario, t, rows)) is not None}
        ratios = {}
        key = GOAL_KEY[scenario]
        for t, r in rows.items():
            if "error" in r:
                continue
            ratios[t] = {
                "figure": key,
                "x_floor": ratio(r.get(key), rows.get("floor", {}).get(key)),
                "x_picows": ratio(r.get(key), rows.get("picows", {}).get(key)),
                "x_socketio": ratio(r.get(key), rows.get(socketio_of(t), {}).get(key)),
            }
        doc = {"scenario": scenario, "date": day, **meta, "targets": rows, "ratios": ratios, "goals": goals}
        path = args.results_dir / f"{day}-{scenario}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(plain(doc), indent=1, default=str) + "\n")
        paths.append(path)
    return paths
