"""The load benchmarks' quick mode against every peer: the harness works (it does not judge speed).

Speed is measured by `make bench` against peers in the same run (docs/performance.md);
here the figures only have to exist and every message has to arrive exactly once.

The benchmarks mostly wait (on servers starting, on clients, on messages paced in time), so
the module starts the ones its selected tests read all at once, each in its own process and
results folder, and each test reads its own when it is done.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.targets import default_target_names, redis_available

ROOT = Path(__file__).resolve().parents[1]

# test -> (the benchmark's arguments, seconds it may take); RESULTS stands for its results folder
RUNS = {
    "test_quick_load_benchmarks_deliver_every_message_once_on_every_target": (
        ["all", "--quick", "--results-dir", "RESULTS"],
        180,
    ),
    "test_the_dashboard_benchmark_folds_the_same_log_both_ways_in_python_and_in_chromium": (
        ["dashboard", "--events", "600", "--repeat", "1", "--no-save"],
        300,
    ),
    "test_quick_ramp_measures_every_size_on_every_target_until_the_limit": (
        ["ramp", "--quick", "--targets", "ours,picows", "--results-dir", "RESULTS"],
        300,
    ),
    "test_quick_scale_out_runs_two_processes_behind_nginx_and_loses_nothing": (
        ["scaleout", "--quick", "--targets", "picows", "--results-dir", "RESULTS"],
        300,
    ),
}


@dataclass
class Run:
    """One `python -m bench ...` started by the fixture; `done()` waits for it."""

    proc: subprocess.Popen[bytes]
    folder: Path
    timeout: float

    def done(self) -> subprocess.CompletedProcess[str]:
        try:
            self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        out = (self.folder / "stdout").read_text(errors="replace")
        err = (self.folder / "stderr").read_text(errors="replace")
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    selected = {
        getattr(item, "originalname", item.name) for item in request.session.items if item.module is request.module
    }
    started: dict[str, Run] = {}
    for test, (args, timeout) in RUNS.items():
        if test not in selected:
            continue
        folder = tmp_path_factory.mktemp(args[0])
        (folder / "results").mkdir()
        command = [sys.executable, "-m", "bench", *(str(folder / "results") if a == "RESULTS" else a for a in args)]
        with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
            proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        started[test] = Run(proc, folder, timeout)
    yield started
    for run in started.values():  # a test that failed early: its benchmark still ends and stops its servers
        run.done()


def finished(runs: dict[str, Run], request: pytest.FixtureRequest) -> tuple[subprocess.CompletedProcess[str], Path]:
    run = runs[request.node.originalname]
    return run.done(), run.folder / "results"


def test_quick_load_benchmarks_deliver_every_message_once_on_every_target(runs, request):
    run, results = finished(runs, request)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "| fanout |" in run.stdout and "| chat |" in run.stdout  # the table is printed

    targets = set(default_target_names(redis_available()))
    docs = {path.name.split("-")[3]: json.loads(path.read_text()) for path in results.glob("*-quick.json")}
    assert set(docs) == {"memory", "fanout", "chat", "reconnect"}
    for scenario, doc in docs.items():
        assert set(doc["targets"]) == targets, scenario
        for name, row in doc["targets"].items():
            assert "error" not in row, (scenario, name, row)

    for name, row in docs["fanout"]["targets"].items():
        assert row["lost"] == 0 and row["duplicates"] == 0, name
        assert sum(r["deliveries"] for r in row["repetitions"]) == sum(r["expected"] for r in row["repetitions"])
        assert row["p99_ms"] > 0
    for name, row in docs["chat"]["targets"].items():
        for step in row["steps"]:
            assert step["deliveries"] == step["expected"] > 0, (name, step)
            assert step["lost"] == step["duplicates"] == step["errors"] == 0, (name, step)
    for name, row in docs["reconnect"]["targets"].items():
        assert row["late"] == row["failed"] == 0, name
        assert row["gaps"] == row["duplicates"] == 0, name
    for name, row in docs["memory"]["targets"].items():
        assert row["connections"] == row["connected"] > 0, name


def test_the_dashboard_benchmark_folds_the_same_log_both_ways_in_python_and_in_chromium(runs, request):
    run, _ = finished(runs, request)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "| events folded per second |" in run.stdout
    assert "the control panel fold's events per second" in run.stdout  # the Chromium part ran


def test_quick_ramp_measures_every_size_on_every_target_until_the_limit(runs, request):
    run, results = finished(runs, request)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "Largest size with fan-out p99" in run.stdout
    (path,) = results.glob("*-ramp-quick.json")
    doc = json.loads(path.read_text())
    assert set(doc["targets"]) == {"ours", "picows"}
    for name, row in doc["targets"].items():
        steps = row["steps"]
        assert steps and [s["size"] for s in steps] == doc["sizes"][: len(steps)], name
        for step in steps:
            assert step["connected"] == step["size"], (name, step)
            assert step["lost"] == step["duplicates"] == 0 and step["deliveries"] > 0, (name, step)
            assert step["rss_mib"] > 0, (name, step)


def test_quick_scale_out_runs_two_processes_behind_nginx_and_loses_nothing(runs, request):
    assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), "needs nginx: `make proxy` finds or installs it"
    run, results = finished(runs, request)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    (path,) = results.glob("*-scaleout-quick.json")
    row = json.loads(path.read_text())["targets"]["ours-proxied"]
    assert row["fanout"]["lost"] == row["fanout"]["duplicates"] == 0
    assert row["chat"]["lost"] == row["chat"]["duplicates"] == 0
    assert set(row["chat"]["cpu_us_per_delivery"]) == {"server", "server 2", "redis", "nginx"}
