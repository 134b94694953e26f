"""What the load benchmarks read off the machine: percentiles, CPU time of a process and
of the whole machine (to tell other people's work from ours), idleness, the hardware."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import time
from pathlib import Path
from typing import Any


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def latency_summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50_ms": pct(values, 0.50) * 1e3,
        "p95_ms": pct(values, 0.95) * 1e3,
        "p99_ms": pct(values, 0.99) * 1e3,
        "max_ms": (values[-1] * 1e3) if values else float("nan"),
        "samples": len(values),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all CPUs), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """How busy the machine was with work other than this benchmark (other people's test
    suites on a shared machine), in CPUs, over the life of one target."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.t0, self.busy0, self.ours0 = time.monotonic(), busy_seconds(), self._ours()

    def _ours(self) -> float:
        total = 0.0
        for pid in self.pids:
            try:
                total += cpu_seconds(pid)
            except OSError:
                pass
        return total

    def cpus(self) -> float:
        elapsed = time.monotonic() - self.t0
        other = (busy_seconds() - self.busy0) - (self._ours() - self.ours0)
        return max(0.0, other / elapsed) if elapsed > 0 else 0.0


def add_idle_window(p: argparse.ArgumentParser) -> None:
    """The option `wait_idle`'s window comes from, shared by the benchmarks that wait for an idle server."""
    p.add_argument(
        "--idle-window",
        type=float,
        default=0.5,
        help="a server counts as idle once it used under 15%% of a CPU over this many seconds (default 0.5)",
    )


async def wait_idle(pid: int, timeout: float, window: float = 0.5, busy: float = 0.15) -> float:
    """Wait until the process uses less than `busy` of a CPU over `window` seconds (frames
    still queued after the connect phase, a chat backlog); the seconds waited."""
    t0 = time.monotonic()
    last = cpu_seconds(pid)
    while time.monotonic() - t0 < timeout:
        await asyncio.sleep(window)
        used = cpu_seconds(pid)
        if (used - last) / window < busy:
            break
        last = used
    return time.monotonic() - t0


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if ln.startswith("model name")), "")
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["memory_gib"] = round(int(mem[1]) / 2**20, 1)
    except OSError:
        pass
    return info
