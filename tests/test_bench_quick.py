"""The load benchmarks' quick mode against every peer: the harness works (it does not judge speed).

Speed is measured by `make bench` against peers in the same run (docs/performance.md);
here the figures only have to exist and every message has to arrive exactly once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench.targets import default_target_names, redis_available

ROOT = Path(__file__).resolve().parents[1]


def test_quick_load_benchmarks_deliver_every_message_once_on_every_target(tmp_path):
    run = subprocess.run([sys.executable, "-m", "bench", "all", "--quick", "--results-dir", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "| fanout |" in run.stdout and "| chat |" in run.stdout  # the table is printed

    targets = set(default_target_names(redis_available()))
    docs = {path.name.split("-")[3]: json.loads(path.read_text()) for path in tmp_path.glob("*-quick.json")}
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


def test_the_dashboard_benchmark_folds_the_same_log_both_ways_in_python_and_in_chromium():
    run = subprocess.run([sys.executable, "-m", "bench", "dashboard", "--events", "600", "--repeat", "1", "--no-save"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "| events folded per second |" in run.stdout
    assert "the control panel fold's events per second" in run.stdout  # the Chromium part ran


def test_quick_ramp_measures_every_size_on_every_target_until_the_limit(tmp_path):
    run = subprocess.run([sys.executable, "-m", "bench", "ramp", "--quick", "--targets", "ours,picows",
                          "--results-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "Largest size with fan-out p99" in run.stdout
    (path,) = tmp_path.glob("*-ramp-quick.json")
    doc = json.loads(path.read_text())
    assert set(doc["targets"]) == {"ours", "picows"}
    for name, row in doc["targets"].items():
        steps = row["steps"]
        assert steps and [s["size"] for s in steps] == doc["sizes"][: len(steps)], name
        for step in steps:
            assert step["connected"] == step["size"], (name, step)
            assert step["lost"] == step["duplicates"] == 0 and step["deliveries"] > 0, (name, step)
            assert step["rss_mib"] > 0, (name, step)


def test_quick_scale_out_runs_two_processes_behind_nginx_and_loses_nothing(tmp_path):
    assert shutil.which("nginx") or Path("/usr/sbin/nginx").exists(), "needs nginx: `make proxy` finds or installs it"
    run = subprocess.run([sys.executable, "-m", "bench", "scaleout", "--quick", "--targets", "picows",
                          "--results-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    (path,) = tmp_path.glob("*-scaleout-quick.json")
    row = json.loads(path.read_text())["targets"]["ours-proxied"]
    assert row["fanout"]["lost"] == row["fanout"]["duplicates"] == 0
    assert row["chat"]["lost"] == row["chat"]["duplicates"] == 0
    assert set(row["chat"]["cpu_us_per_delivery"]) == {"server", "server 2", "redis", "nginx"}
