"""`python -m bench ramp`: the largest number of clients each target serves with its fan-out p99
within the limit, as WebSocket shoot-outs report it, and each server's memory at every size.

Each target is started once; clients join in steps (`--sizes`, 1,000 to 10,000 by default, spread
over `--rooms` rooms, the driver processes holding whole rooms as in bench/load.py). At each size,
once the server is idle: its resident memory (RSS), then `--fanout-releases` messages to all rooms
at `--fanout-rate` per second, latency at every client. A size whose p99 passes `--p99-limit`, that
loses or repeats a delivery, or whose clients cannot all connect ends that target's ramp. Every p99
is also given as a ratio to the floors' at the same size, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import driver as drv
from .load import Drivers, Session
from .measure import OtherLoad, add_idle_window, cpu_seconds, machine, wait_idle
from .tables import ALL_TARGETS, LABEL, RESULTS, ratio
from .targets import ROOT, Target, make_targets, remove, scratch_dir

QUICK = {
    "sizes": "20,40",
    "rooms": 4,
    "fanout_releases": 3,
    "fanout_rate": 5.0,
    "settle": 0.3,
    "idle_window": 0.2,
    "side_by_side": True,
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--targets", default="ours,floor,picows", help=f"comma-separated, from {','.join(ALL_TARGETS)}")
    p.add_argument("--sizes", default="1000,2000,5000,10000", help="clients at each step, ascending")
    p.add_argument("--rooms", type=int, default=50, help="rooms the clients are spread over (default 50)")
    p.add_argument("--drivers", type=int, default=2, help="driver processes (default 2, one per CPU here)")
    p.add_argument("--frame-bytes", type=int, default=512, help="size of every delivered frame (default 512)")
    p.add_argument("--fanout-releases", type=int, default=5, help="messages to all rooms at each size (default 5)")
    p.add_argument("--fanout-rate", type=float, default=1.0, help="of them per second (default 1)")
    p.add_argument("--p99-limit", type=float, default=250.0, help="p99 limit in ms (default 250)")
    p.add_argument("--settle", type=float, default=1.0, help="seconds idle before reading the memory (default 1)")
    add_idle_window(p)
    p.add_argument(
        "--quick", action="store_true", help="tiny sizes, the targets side by side: checks the harness, not the speed"
    )
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="ramp every target at once (quick's default): their figures then disturb each other",
    )
    p.add_argument("--server-src", type=Path, default=ROOT, help="run this server from another checkout")
    p.add_argument("--results-dir", type=Path, default=RESULTS, help="where the JSON results go")
    p.add_argument("--no-save", action="store_true", help="print only; write no results")


class Ramp(Session):
    """One target through the sizes, on one server process, its clients added at each step."""

    async def ramp(self, sizes: list[int]) -> dict[str, Any]:
        a = self.args
        await self.calibrate()
        pid = self.target.pid
        rss0 = self.target.rss_bytes()
        self.drivers = Drivers(self.spec, a.rooms, a.per_room, a.drivers)
        other = OtherLoad([pid, os.getpid(), *(p.pid for p in self.drivers.procs)])
        steps: list[dict[str, Any]] = []
        held, connected = 0, 0
        try:
            for size in sizes:
                per_room = size // a.rooms
                ids = self._newcomers(held, per_room)
                held = per_room
                t0, cpu0 = time.monotonic(), cpu_seconds(pid)
                answers = await self.drivers.call("connect", per_driver=[{"ids": i} for i in ids])
                connected += sum(x["connected"] for x in answers)
                failed = sum(x["failed"] for x in answers)
                connect_s = time.monotonic() - t0
                await wait_idle(pid, 120, a.idle_window)
                connect_cpu = cpu_seconds(pid) - cpu0
                await asyncio.sleep(a.settle)
                rss = self.target.rss_bytes()
                step: dict[str, Any] = {
                    "size": per_room * a.rooms,
                    "connected": connected,
                    "connect_failed": failed,
                    "connect_s": round(connect_s, 2),
                    "connect_server_cpu_s": round(connect_cpu, 2),
                    "rss_mib": round(rss / 2**20, 1),
                    "kib_per_connection": round((rss - rss0) / max(1, connected) / 1024, 1),
                    "loadavg": os.getloadavg()[0],
                }
                if failed:
                    step["within_limit"] = False
                    steps.append(step)
                    self.log(f"{size}: {failed} clients could not connect; the ramp ends here")
                    break
                self.drivers.members = connected
                async with self.sending():
                    fan = await self.fanout()
                rep = fan["repetitions"][0]
                step.update(
                    p50_ms=fan["p50_ms"],
                    p99_ms=fan["p99_ms"],
                    max_ms=fan["max_ms"],
                    lost=fan["lost"],
                    duplicates=fan["duplicates"],
                    deliveries=rep["deliveries"],
                    server_cpu_us_per_delivery=round(1e6 * rep["server_cpu_s"] / max(1, rep["deliveries"]), 2),
                    within_limit=fan["p99_ms"] <= a.p99_limit and fan["lost"] == 0 and fan["duplicates"] == 0,
                )
                steps.append(step)
                self.log(
                    f"{step['size']:,} clients: RSS {step['rss_mib']:.0f} MiB ({step['kib_per_connection']:.1f} KiB "
                    f"each), connected in {connect_s:.1f} s; fan-out p99 {step['p99_ms']:.1f} ms, "
                    f"{step['server_cpu_us_per_delivery']:.1f} µs of server CPU per delivery"
                )
                if not step["within_limit"]:
                    break
        finally:
            other_cpus = other.cpus()
            self.log(f"other work on the machine meanwhile: {other_cpus:.2f} CPUs on average")
            await self.drivers.close()
        good = [s["size"] for s in steps if s.get("within_limit")]
        return {
            "steps": steps,
            "largest_within_limit": max(good) if good else 0,
            "rss_before_mib": round(rss0 / 2**20, 1),
            "other_load_cpus": round(other_cpus, 2),
        }

    def _newcomers(self, held: int, per_room: int) -> list[list[int]]:
        """Per driver, the members of its rooms from index `held` up to `per_room` (the same rooms
        per driver as Drivers.storm_members counts)."""
        count = len(self.drivers.conns)
        layout = self.drivers.layout
        return [[i for r in layout if r % count == d for i in layout[r][held:per_room]] for d in range(count)]


async def run(args: argparse.Namespace, names: list[str], sizes: list[int]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    work = scratch_dir()

    async def one(target: Target) -> None:
        print(f"\n{LABEL[target.name]} ({target.name}); load average {os.getloadavg()[0]:.2f}", flush=True)
        try:
            await asyncio.to_thread(target.start)
            results[target.name] = await Ramp(target, args).ramp(sizes)
        except Exception as exc:  # noqa: BLE001 - the other targets still run
            print(f"  [{target.name}] FAILED: {exc}", flush=True)
            results[target.name] = {"error": f"{type(exc).__name__}: {exc}", "steps": []}
        finally:
            await asyncio.to_thread(target.stop)

    try:
        targets = make_targets(names, args.rooms, work, args.server_src)
        if args.side_by_side:
            await asyncio.gather(*(one(target) for target in targets))
        else:
            for target in targets:
                await one(target)
    finally:
        remove(work)
    return {name: results[name] for name in names if name in results}


def table(results: dict[str, dict[str, Any]], limit: float) -> str:
    """Each target's steps, with the p99 against the floors' at the same size."""

    def at(name: str, size: int) -> dict[str, Any]:
        return next((s for s in results.get(name, {}).get("steps", []) if s["size"] == size), {})

    lines = [
        "| target | clients | RSS MiB | KiB per connection | fan-out p50 ms | p99 ms | p99 x floor | p99 x picows "
        "| server CPU µs per delivery | CPU x picows | within the limit |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in results.items():
        for s in row.get("steps", []):
            p99 = s.get("p99_ms")
            cpu = s.get("server_cpu_us_per_delivery")
            x_floor = ratio(p99, at("floor", s["size"]).get("p99_ms"))
            x_picows = ratio(p99, at("picows", s["size"]).get("p99_ms"))
            cpu_picows = ratio(cpu, at("picows", s["size"]).get("server_cpu_us_per_delivery"))
            lines.append(
                f"| {LABEL[name]} | {s['size']:,} | {s['rss_mib']:.1f} | {s['kib_per_connection']:.1f} "
                f"| {_num(s.get('p50_ms'))} | {_num(p99)} | {_x(x_floor)} | {_x(x_picows)} | {_num(cpu)} "
                f"| {_x(cpu_picows)} | {'yes' if s.get('within_limit') else 'no'} |"
            )
    lines.append("")
    lines.append(f"Largest size with fan-out p99 <= {limit:g} ms, nothing lost:")
    for name, row in results.items():
        lines.append(f"- {LABEL[name]}: {row.get('largest_within_limit', 0):,} clients" + _error(row))
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def _x(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def _error(row: dict[str, Any]) -> str:
    return f" (failed: {row['error']})" if "error" in row else ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ramp", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    unknown = set(names) - set(ALL_TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if any(size < args.rooms for size in sizes):
        parser.error("every size needs at least one client per room")
    # What Session.fanout reads, for one repetition at each size.
    args.per_room, args.repeat, args.profile = sizes[-1] // args.rooms, 1, None
    drv.raise_fd_limit()
    load_before = os.getloadavg()
    started = time.monotonic()
    print(
        f"ramp: targets {', '.join(names)}; sizes {', '.join(f'{s:,}' for s in sizes)} in {args.rooms} rooms; "
        f"{args.drivers} driver processes; load average {load_before[0]:.2f}",
        flush=True,
    )
    results = asyncio.run(run(args, names, sizes))
    print("\n" + table(results, args.p99_limit) + "\n", flush=True)
    others = [f"{LABEL[t]} {r['other_load_cpus']:.2f}" for t, r in results.items() if "other_load_cpus" in r]
    print("Other work on the machine while each target ran (CPUs): " + ", ".join(others), flush=True)
    if not args.no_save:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        day = datetime.date.today().isoformat()
        path = args.results_dir / f"{day}-ramp{'-quick' if args.quick else ''}.json"
        doc = {
            "scenario": "ramp",
            "date": day,
            "command": "python -m bench ramp " + " ".join(sys.argv[2:] if argv is None else argv),
            "machine": machine(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
            "seconds": round(time.monotonic() - started, 1),
            "sizes": sizes,
            "rooms": args.rooms,
            "drivers": args.drivers,
            "side_by_side": args.side_by_side,
            "p99_limit_ms": args.p99_limit,
            "targets": results,
        }
        path.write_text(json.dumps(doc, indent=1, default=str) + "\n")
        print(f"wrote {path}", flush=True)
    return 1 if any("error" in r for r in results.values()) else 0
