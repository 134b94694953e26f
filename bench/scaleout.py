"""`python -m bench scaleout`: two server processes on one Redis behind nginx, as docker-compose.yml
deploys them, measured beside one process on the same Redis and the floors, in one run.

The Redis is started here (its own port, `--appendonly yes --appendfsync always` as in the compose
file, a scratch directory), so that its CPU time is this benchmark's alone; nginx runs
docs/deployment/nginx.conf with the two processes as its upstream. The clients connect to nginx,
which spreads them over both processes; a message to all rooms is decided on one process, stored
in Redis and reaches the other's clients through Redis. For each target: fan-out latency and
chat throughput at p99 within the limit (bench/load.py's scenarios), and the CPU time of every
process involved (each server, Redis, nginx's workers) per delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import driver as drv
from .load import QUICK, Drivers, Session, add_arguments
from .measure import OtherLoad, cpu_seconds, machine, wait_idle
from .tables import LABEL, ratio
from .targets import ROOT, Target, free_port, make_targets, remove, scratch_dir

NGINX_CONF = ROOT / "docs" / "deployment" / "nginx.conf"


class Redis:
    """A Redis of this benchmark's own, durable as the compose file's."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
            + ["--appendfsync", "always", "--dir", str(workdir), "--logfile", str(workdir / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the benchmark's Redis did not start")
            time.sleep(0.1)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def pids(self) -> list[int]:
        return [self.proc.pid]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Nginx:
    """nginx with the deployment's proxy configuration, the two processes as its upstream."""

    def __init__(self, workdir: Path, upstream: list[int]) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        site = NGINX_CONF.read_text()
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in upstream)
        site = re.sub(r"(upstream exercise_servers \{\n)(.*?)(\})", lambda m: m[1] + servers + m[3], site, flags=re.S)
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port} backlog=4096;")
        conf = workdir / "nginx.conf"
        conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # its workers write in this root-only scratch folder
            + f"worker_processes auto;\nworker_rlimit_nofile 65536;\npid {workdir}/nginx.pid;\n"
            f"error_log {workdir}/error.log warn;\ndaemon off;\n"
            "events { worker_connections 30000; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {workdir}/body;\n"
            f" proxy_temp_path {workdir}/proxy;\n fastcgi_temp_path {workdir}/fastcgi;\n"
            f" uwsgi_temp_path {workdir}/uwsgi;\n scgi_temp_path {workdir}/scgi;\n{site}\n}}\n"
        )
        self.proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(workdir)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._workers():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"nginx did not start: {(workdir / 'error.log').read_text()[-2000:]}")
            time.sleep(0.1)

    def _workers(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def pids(self) -> list[int]:
        return [self.proc.pid, *self._workers()]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Proxied(Target):
    """The two processes behind nginx, as one target for the driver (its spec points at nginx)."""

    def __init__(self, first: Target, second: Target, nginx: Nginx) -> None:
        super().__init__("ours-proxied", "ours", first.rooms, first.workdir)
        self.first, self.second, self.nginx = first, second, nginx
        self.port, self.info = nginx.port, first.info

    @property
    def pid(self) -> int:
        return self.first.pid

    def rss_bytes(self) -> int:
        return self.first.rss_bytes() + self.second.rss_bytes()


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


class Measured(Session):
    """Fan-out and chat (bench/load.py's), with the CPU of every process involved, by part."""

    def __init__(self, target: Target, args: argparse.Namespace, parts: dict[str, list[int]]) -> None:
        super().__init__(target, args)
        self.parts = parts

    async def measure(self) -> dict[str, Any]:
        a = self.args
        await self.calibrate()
        self.drivers = Drivers(self.spec, a.rooms, a.per_room, a.drivers)
        mine = [p for pids in self.parts.values() for p in pids]
        other = OtherLoad([*mine, os.getpid(), *(p.pid for p in self.drivers.procs)])
        out: dict[str, Any] = {}
        try:
            answers = await self.drivers.call("connect")
            if sum(x["failed"] for x in answers):
                raise RuntimeError(f"{sum(x['failed'] for x in answers)} clients could not connect")
            for pid in mine:
                await wait_idle(pid, 60, a.idle_window)
            before = {part: cpu_of(pids) for part, pids in self.parts.items()}
            async with self.sending():
                fan = await self.fanout()
            deliveries = sum(r["deliveries"] for r in fan["repetitions"])
            out["fanout"] = {k: fan[k] for k in ("p50_ms", "p99_ms", "max_ms", "lost", "duplicates")}
            out["fanout"]["cpu_us_per_delivery"] = {
                part: round(1e6 * (cpu_of(pids) - before[part]) / max(1, deliveries), 2)
                for part, pids in self.parts.items()
            }
            before = {part: cpu_of(pids) for part, pids in self.parts.items()}
            chat = await self.chat(fan)
            delivered = sum(s["deliveries"] for s in chat["steps"])
            out["chat"] = {k: chat[k] for k in ("delivered_per_s", "p99_ms", "offered_per_s", "lost", "duplicates")}
            out["chat"]["steps"] = chat["steps"]
            out["chat"]["cpu_us_per_delivery"] = {
                part: round(1e6 * (cpu_of(pids) - before[part]) / max(1, delivered), 2)
                for part, pids in self.parts.items()
            }
        finally:
            out["other_load_cpus"] = round(other.cpus(), 2)
            self.log(f"other work on the machine meanwhile: {out['other_load_cpus']:.2f} CPUs on average")
            await self.drivers.close()
        return out


async def run(args: argparse.Namespace, names: list[str]) -> dict[str, dict[str, Any]]:
    work = scratch_dir()
    results: dict[str, dict[str, Any]] = {}
    redis = Redis(work / "redis")

    async def one(target: Target) -> None:
        if target.redis_url:
            target.redis_url = redis.url
        print(f"\n{LABEL[target.name]} ({target.name}); load average {os.getloadavg()[0]:.2f}", flush=True)
        try:
            await asyncio.to_thread(target.start)
            parts = {"server": [target.pid]} | ({"redis": redis.pids()} if target.redis_url else {})
            results[target.name] = await Measured(target, args, parts).measure()
        except Exception as exc:  # noqa: BLE001 - the other targets still run
            print(f"  [{target.name}] FAILED: {exc}", flush=True)
            results[target.name] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            await asyncio.to_thread(target.stop)

    async def proxied() -> None:
        print(f"\ntwo processes behind nginx (ours-proxied); load average {os.getloadavg()[0]:.2f}", flush=True)
        first = Target("ours-redis", "ours", args.rooms, work / "first", redis_url=redis.url)
        second = Target("ours-redis", "ours", args.rooms, work / "second", redis_url=redis.url, opens=False)
        second.prefix = first.prefix
        nginx: Nginx | None = None
        try:
            if args.side_by_side:  # the second finds the exercise the first opens when a client asks for it
                await asyncio.gather(asyncio.to_thread(first.start), asyncio.to_thread(second.start))
            else:
                await asyncio.to_thread(first.start)
                await asyncio.to_thread(second.start)
            nginx = Nginx(work / "nginx", [first.port, second.port])
            target = Proxied(first, second, nginx)
            parts = {
                "server": [first.pid],
                "server 2": [second.pid],
                "redis": redis.pids(),
                "nginx": nginx.pids(),
            }
            results["ours-proxied"] = await Measured(target, args, parts).measure()
        except Exception as exc:  # noqa: BLE001
            print(f"  [ours-proxied] FAILED: {exc}", flush=True)
            results["ours-proxied"] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            if nginx is not None:
                nginx.stop()
            await asyncio.to_thread(second.stop)
            await asyncio.to_thread(first.stop)

    try:
        targets = make_targets(names, args.rooms, work)
        if args.side_by_side:
            await asyncio.gather(*(one(target) for target in targets), proxied())
        else:
            for target in targets:
                await one(target)
            await proxied()
    finally:
        redis.stop()
        remove(work)
    return {name: results[name] for name in [*names, "ours-proxied"] if name in results}


LABELS = {**LABEL, "ours-proxied": "two processes behind nginx (Redis)"}


def table(results: dict[str, dict[str, Any]]) -> str:
    def base(name: str, scenario: str, key: str) -> Any:
        return results.get(name, {}).get(scenario, {}).get(key)

    lines = [
        "| target | fan-out p99 ms | x floor | x picows | chat msg/s at p99 within limit | x floor | x picows "
        "| fan-out CPU µs per delivery, by process | chat CPU µs per delivery, by process |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, row in results.items():
        if "error" in row:
            lines.append(f"| {LABELS[name]} | failed: {row['error']} | | | | | | | |")
            continue
        p99, rate = row["fanout"]["p99_ms"], row["chat"]["delivered_per_s"]
        cells = [
            f"{p99:.1f}",
            _x(ratio(p99, base("floor", "fanout", "p99_ms"))),
            _x(ratio(p99, base("picows", "fanout", "p99_ms"))),
            f"{rate:,.0f}",
            _x(ratio(rate, base("floor", "chat", "delivered_per_s"))),
            _x(ratio(rate, base("picows", "chat", "delivered_per_s"))),
            _parts(row["fanout"]["cpu_us_per_delivery"]),
            _parts(row["chat"]["cpu_us_per_delivery"]),
        ]
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _x(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def _parts(cpu: dict[str, float]) -> str:
    return ", ".join(f"{part} {us:.1f}" for part, us in cpu.items())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scaleout", description=__doc__)
    add_arguments(parser)
    parser.set_defaults(targets="ours-redis,floor,picows")
    args = parser.parse_args(["chat", *argv])
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    args.profile = None
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    drv.raise_fd_limit()
    load_before = os.getloadavg()
    started = time.monotonic()
    results = asyncio.run(run(args, names))
    print("\n" + table(results) + "\n", flush=True)
    others = [f"{LABELS[t]} {r['other_load_cpus']:.2f}" for t, r in results.items() if "other_load_cpus" in r]
    print("Other work on the machine while each target ran (CPUs): " + ", ".join(others), flush=True)
    if not args.no_save:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        day = datetime.date.today().isoformat()
        path = args.results_dir / f"{day}-scaleout{'-quick' if args.quick else ''}.json"
        doc = {
            "scenario": "scaleout",
            "date": day,
            "command": "python -m bench scaleout " + " ".join(argv),
            "machine": machine(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
            "seconds": round(time.monotonic() - started, 1),
            "rooms": args.rooms,
            "per_room": args.per_room,
            "side_by_side": args.side_by_side,
            "targets": results,
        }
        path.write_text(json.dumps(doc, indent=1, default=str) + "\n")
        print(f"wrote {path}", flush=True)
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
