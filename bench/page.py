"""`python -m bench page`: what each view costs a laptop on a classroom's Wi-Fi.

Chromium (Playwright, the system's /usr/bin/chromium) loads each view of a real server on a
fresh data directory with the demo exercise open, through Chromium's own network emulation
(DevTools `Network.emulateNetworkConditions`: 1 Mbit/s down, 256 kbit/s up, 300 ms round
trip), once with an empty cache and once as a reload. Beside them, the floor: a bare HTML
page served by the same app (bench/peers/page_floor.py), so the link's own cost is visible.
Then what a reconnect costs at the end of the capstone (a trainee's snapshot of a long
exercise log), and a class of laptops opening the team view at once.

Bytes are what Chromium counted on the wire (headers included); "network" requests are
those that waited for the server (a 304 too), not those answered from Chromium's cache.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from exercise_server.core import events as ev
from exercise_server.core.scenario_check import load_scenario_file
from exercise_server.server.registry import normalise_code
from exercise_server.store.base import open_store

from .devtools import KIB, WATCH_CONNECTED, Load, Traffic, storage_script
from .measure import OtherLoad, machine
from .targets import ROOT, SECRET, free_port

RESULTS = Path(__file__).resolve().parent / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
LINK = {  # a poor classroom link (bytes per second for DevTools)
    "offline": False,
    "latency": 300,
    "downloadThroughput": 1_000_000 / 8,
    "uploadThroughput": 256_000 / 8,
}
# --quick checks the harness, not the link: the same emulation on a fast link (20 Mbit/s, 20 ms).
QUICK_LINK = {"latency": 20, "downloadThroughput": 20_000_000 / 8, "uploadThroughput": 5_000_000 / 8}


def link_label() -> str:
    def rate(bps: float) -> str:
        return f"{bps * 8 / 1e6:g} Mbit/s" if bps * 8 >= 1e6 else f"{bps * 8 / 1e3:g} kbit/s"

    return (
        f"{rate(LINK['downloadThroughput'])} down, {rate(LINK['uploadThroughput'])} up, "
        f"{LINK['latency']} ms round trip (Chromium's network emulation)"
    )


PAGE_DEADLINE = 240.0  # seconds a page (a laptop of the class too) has to load and connect
GOALS = {"first_kib": 150.0, "connected_s": 2.5, "reload_kib": 20.0, "reload_network": 3}


class PageServer:
    """The exercise server (with the floor page) in a child process, as `make run` starts it."""

    def __init__(self, workdir: Path, scenarios: list[str], open_scenario: str | None, src: Path = ROOT) -> None:
        self.port, self.workdir, self.src = free_port(), workdir, src
        self.scenarios, self.open_scenario = scenarios, open_scenario
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PageServer:
        env = {**os.environ, "EXERCISE_FACILITATOR_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(self.src), str(ROOT)]))
        cmd = [sys.executable, "-m", "bench.peers.page_floor", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.workdir / "data"), *self.scenarios]
        if self.open_scenario:
            cmd += ["--open", self.open_scenario]
        self.log = open(self.workdir / "server.log", "ab")
        self.proc = subprocess.Popen(cmd, cwd=self.src, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.workdir / 'server.log').read_text()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def sessions(self, exercise: str | None = None, trainees: int = 1) -> dict[str, Any]:
        """The facilitator's token, and the sessions of `trainees` trainees (spread over the teams)
        and of one evaluator, as the sign-in page keeps them in localStorage."""
        with httpx.Client(base_url=self.base, timeout=30) as http:
            fac = http.post("/api/session/facilitator", json={"secret": SECRET}).json()["token"]
            auth = {"Authorization": f"Bearer {fac}"}
            exercise = exercise or http.get("/api/exercises", headers=auth).json()["exercises"][0]["id"]
            codes = http.get(f"/api/exercises/{exercise}/codes", headers=auth).json()["codes"]
            teams = [c["code"] for c in codes if c["role"] == "trainee" and not c["revoked"]]
            evaluator = next(c["code"] for c in codes if c["role"] == "evaluator")

            def join(code: str, name: str) -> dict[str, Any]:
                r = http.post("/api/join", json={"code": code, "name": name})
                if r.status_code != 200:
                    raise RuntimeError(f"joining with {code}: {r.status_code} {r.text}")
                return dict(r.json())

            return {
                "exercise": exercise,
                "facilitator": fac,
                "trainees": [join(teams[i % len(teams)], f"Laptop {i + 1}") for i in range(trainees)],
                "evaluator": join(evaluator, "Evaluator"),
            }


async def open_page(browser: Browser, storage: dict[str, str]) -> tuple[BrowserContext, Page, Traffic]:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    await context.add_init_script(storage_script(storage) + WATCH_CONNECTED)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    traffic = Traffic(cdp)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", LINK)
    return context, page, traffic


async def waited_for(page: Page, marker: str, deadline: float) -> float:
    """The page's time (s from its navigation) at which WATCH_CONNECTED set `marker`."""
    while (at := await page.evaluate(f"window.{marker}")) is None:  # no wait_for_function: CSP
        if time.monotonic() > deadline:
            raise TimeoutError(f"{page.url}: no {marker}")
        await asyncio.sleep(0.05)
    return float(at) / 1000


async def navigate(page: Page, traffic: Traffic, url: str | None, ready: str | None, settle: bool = True) -> Load:
    """Load `url` (None: reload), wait until `ready` (connected, or the replay's timeline; None: the
    load event); with `settle`, then until its map shows the base map if it has one, and the network
    is quiet (what the page weighs in all)."""
    load = traffic.reset()
    if url is None:
        await page.reload(wait_until="load", timeout=PAGE_DEADLINE * 1000)
    else:
        await page.goto(url, wait_until="load", timeout=PAGE_DEADLINE * 1000)
    deadline = time.monotonic() + PAGE_DEADLINE
    if ready:
        load.ready_s = await waited_for(page, ready, deadline)
    else:
        load.ready_s = await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    if not settle:
        return load
    if await page.evaluate("!!document.getElementById('map')"):
        load.map_s = await waited_for(page, "__mapAt", deadline)
    try:
        await page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # a page that keeps polling is measured as it stands
        pass
    await asyncio.sleep(0.5)
    return load


def view_storage(view: str, s: dict[str, Any]) -> dict[str, str]:
    if view in ("control", "plenary"):
        return {"facilitator-token": s["facilitator"]}
    who = s["evaluator"] if view in ("observe", "replay") else s["trainees"][0]
    return {f"session:{s['exercise']}": json.dumps(who)}


READY = {"floor": None, "landing": None, "replay": "__timelineAt"}  # the others: "connected"


async def measure_views(browser: Browser, server: PageServer, s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    paths = {
        "floor": "/bench/floor",
        "landing": "/",
        "team": f"/team/{s['exercise']}",
        "observe": f"/observe/{s['exercise']}",
        "replay": f"/replay/{s['exercise']}",
        "control": f"/control/{s['exercise']}",
        "plenary": f"/plenary/{s['exercise']}",
    }
    rows: dict[str, dict[str, Any]] = {}
    for view, path in paths.items():
        context, page, traffic = await open_page(browser, view_storage(view, s))
        ready = READY.get(view, "__connectedAt")
        first = await navigate(page, traffic, server.base + path, ready)
        reload = await navigate(page, traffic, None, ready)
        rows[view] = {
            "first": asdict(first) | {"kib": first.kib, "ws_wire_bytes": first.ws_wire_bytes},
            "reload": asdict(reload) | {"kib": reload.kib, "ws_wire_bytes": reload.ws_wire_bytes},
        }
        await context.close()
    return rows


async def measure_class(browser: Browser, server: PageServer, s: dict[str, Any]) -> dict[str, Any]:
    """Every laptop opens the team view at once, each on its own emulated link, empty caches.
    A laptop not connected after PAGE_DEADLINE seconds is counted as such, with the requests
    it was still waiting for, instead of ending the run."""
    pages = [await open_page(browser, {f"session:{s['exercise']}": json.dumps(t)}) for t in s["trainees"]]
    t0 = time.monotonic()

    async def one(page: Page, traffic: Traffic) -> tuple[float, Load] | list[str]:
        started = time.monotonic() - t0  # the laptop's navigation starts: its ready_s counts from here
        try:
            load = await asyncio.wait_for(
                navigate(page, traffic, f"{server.base}/team/{s['exercise']}", "__connectedAt", settle=False),
                PAGE_DEADLINE,
            )
        except (TimeoutError, PlaywrightError):
            return [u for u in traffic.urls.values() if u.split("/", 3)[-1] not in traffic.load.sizes]
        return started + load.ready_s, load

    results = await asyncio.gather(*(one(page, traffic) for _, page, traffic in pages))
    # What went through the access point in all: each laptop's page, map and texts included.
    await asyncio.gather(*(settled(page) for _, page, _ in pages))
    total_kib = sum(traffic.load.kib for _, _, traffic in pages)
    for context, _, _ in pages:
        await context.close()
    done = [r for r in results if isinstance(r, tuple)]
    stalled = [r for r in results if isinstance(r, list)]
    return {
        "laptops": len(results),
        "connected": len(done),
        "stalled_waiting_for": stalled,
        "last_connected_s": max((t for t, _ in done), default=float("nan")),
        "median_connected_s": sorted(t for t, _ in done)[len(done) // 2] if done else float("nan"),
        "total_mib": total_kib / KIB,
    }


async def settled(page: Page) -> None:
    try:
        await page.wait_for_load_state("networkidle", timeout=60_000)
    except PlaywrightError:
        pass


def as_typed(payload: dict[str, Any]) -> dict[str, Any]:
    """The generated log's join codes ("CODE-mil-1") as a person types them (sign-in normalises)."""
    out = dict(payload)
    if isinstance(out.get("codes"), dict):
        out["codes"] = {normalise_code(c): v for c, v in out["codes"].items()}
    if isinstance(out.get("code"), str):
        out["code"] = normalise_code(out["code"])
    return out


def capstone_data(workdir: Path, n_events: int) -> None:
    """A data directory holding the capstone played to `n_events` events (bench/replay.py's
    generated exercise: the MSEL released on time, teams talking, mapping, acknowledging)."""
    from .replay import SCENARIO, Exercise

    log = Exercise(load_scenario_file(SCENARIO), seed=7).play(n_events)
    log = [e for e in log if e.type != ev.EXERCISE_ENDED]  # just before the end: trainees still join
    shift = time.time() - log[-1].wall_time  # played until just now: the clock still runs

    async def write() -> None:
        store = open_store(workdir / "data")
        drafts = [
            ev.Draft(e.type, as_typed(e.payload), e.audience, e.wall_time + shift, e.ex_time, e.actor) for e in log
        ]
        await store.append("bench-replay", drafts, expected_head=0)
        await store.close()

    asyncio.run(write())


async def measure_capstone(browser: Browser, capstone: PageServer, events: int) -> dict[str, Any]:
    """A trainee's team view at the end of the capstone: its first load, then a reload."""
    capstone.start()
    try:
        s = capstone.sessions("bench-replay")
        context, page, traffic = await open_page(browser, view_storage("team", s))
        url = f"{capstone.base}/team/bench-replay"
        first = await navigate(page, traffic, url, "__connectedAt")
        reload = await navigate(page, traffic, None, "__connectedAt")
        await context.close()
        return {"events": events, "first": asdict(first), "reload": asdict(reload)}
    finally:
        capstone.stop()


async def run_all(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    demo = PageServer(workdir / "demo", [str(ROOT / "injects")], "demo", args.server_src)
    (workdir / "demo").mkdir()
    capstone_dir = workdir / "capstone"
    capstone_dir.mkdir()
    if "capstone" in args.parts:
        await asyncio.to_thread(capstone_data, capstone_dir, args.capstone_events)
    capstone = PageServer(capstone_dir, [str(ROOT / "injects")], None, args.server_src)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            demo.start()
            other = OtherLoad([demo.proc.pid] if demo.proc else [])
            try:
                s = demo.sessions(trainees=max(1, args.laptops))
                if "views" in args.parts:
                    out["views"] = await measure_views(browser, demo, s)
                if "class" in args.parts:
                    out["class"] = await measure_class(browser, demo, s)
            finally:
                out["other_load_cpus"] = other.cpus()
                demo.stop()
            if "capstone" in args.parts:
                out["capstone"] = await measure_capstone(browser, capstone, args.capstone_events)
        finally:
            await browser.close()
    return out


def table(out: dict[str, Any]) -> str:
    lines = [
        f"Link: {link_label()}. Goals: a view's first load at most {GOALS['first_kib']:.0f} KiB and connected "
        f"within {GOALS['connected_s']} s; a reload at most {GOALS['reload_kib']:.0f} KiB with at most "
        f"{GOALS['reload_network']} requests that wait for the network.",
        "",
        "| view | first load KiB (HTTP + WebSocket) | requests | ready s (over the floor) | map s "
        "| reload KiB | reload requests (network) | reload ready s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    floor = out["views"]["floor"]["first"]["ready_s"] if "views" in out else float("nan")
    for view, r in out.get("views", {}).items():
        f, rl = r["first"], r["reload"]
        over = f" (+{f['ready_s'] - floor:.2f})" if view != "floor" else ""
        shown = f"{f['map_s']:.2f}" if f.get("map_s") == f.get("map_s") else "-"  # NaN: no map
        lines.append(
            f"| {view} | {f['kib']:.1f} ({f['http_bytes'] / KIB:.1f} + {f['ws_wire_bytes'] / KIB:.1f}) "
            f"| {f['requests']} | {f['ready_s']:.2f}{over} | {shown} "
            f"| {rl['kib']:.1f} | {rl['requests']} ({rl['network']}) | {rl['ready_s']:.2f} |"
        )
    lines.append(
        f"\nOther work on the machine while the views and the laptops were measured: "
        f"{out['other_load_cpus']:.2f} CPUs (timings are worth what the machine was)."
    )
    heavy = sorted(out["views"]["team"]["first"]["sizes"].items(), key=lambda kv: -kv[1]) if "views" in out else []
    lines.append(
        "\nThe team view's first load, file by file (KiB on the wire): "
        + ", ".join(f"{url.split('?')[0] or '/'} {size / KIB:.1f}" for url, size in heavy)
    )
    c = out.get("capstone", {})
    for label, key in (("first load", "first"), ("reload", "reload")) if c else ():
        x = c[key]
        lines.append(
            f"\nCapstone ({c['events']} events), a trainee's {label}: snapshot and what followed "
            f"{x['ws_bytes'] / KIB:.1f} KiB over the WebSocket (about {x['ws_deflated_bytes'] / KIB:.1f} KiB "
            f"deflated: {x['ws_extensions'] or 'no compression agreed'}), {x['http_bytes'] / KIB:.1f} KiB over "
            f"HTTP; the snapshot in after {x['largest_frame_s']:.2f} s, caught up after {x['ready_s']:.2f} s."
        )
    k = out.get("class")
    if not k:
        return "\n".join(lines)
    lines.append(
        f"\n{k['laptops']} laptops opening the team view at once (each on its own emulated link): the last "
        f"connected after {k['last_connected_s']:.2f} s (median {k['median_connected_s']:.2f} s); "
        f"{k['total_mib']:.2f} MiB in all."
    )
    if k["connected"] < k["laptops"]:
        lines.append(
            f"{k['laptops'] - k['connected']} not connected after {PAGE_DEADLINE:.0f} s, still waiting for: "
            + "; ".join(", ".join(u.split("/")[-1] for u in urls) for urls in k["stalled_waiting_for"])
        )
    return "\n".join(lines)


def waterfalls(out: dict[str, Any]) -> str:
    """Each view's first load, request by request, in s from the navigation: what "ready" waited for."""
    lines = []
    for view, r in out.get("views", {}).items():
        f = r["first"]
        lines.append(f"\n{view}: ready {f['ready_s']:.2f} s; asked, headers, done (s), priority, file")
        for name, priority, asked, answered, done in sorted(f["waterfall"], key=lambda row: row[2]):
            lines.append(f"  {asked:5.2f} {answered:5.2f} {done:5.2f}  {priority:8} {name}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench page", description=__doc__)
    parser.add_argument("--laptops", type=int, default=30, help="laptops joining at once (default 30)")
    parser.add_argument("--capstone-events", type=int, default=7300, help="length of the capstone log (default 7300)")
    parser.add_argument("--server-src", type=Path, default=ROOT, help="checkout whose server is measured (A/B runs)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 laptops, a short capstone log, a fast link: checks the harness; not saved",
    )
    parser.add_argument(
        "--parts",
        default="views,capstone,class",
        help="what to measure, comma-separated: views, capstone, class (default: all three)",
    )
    parser.add_argument(
        "--waterfall",
        action="store_true",
        help="also print each view's first load request by request (asked, answered, done): its critical path",
    )
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/")
    args = parser.parse_args(argv)
    args.parts = set(args.parts.split(","))
    if args.parts - {"views", "capstone", "class"}:
        parser.error(f"--parts: unknown {', '.join(sorted(args.parts - {'views', 'capstone', 'class'}))}")
    if args.quick:
        args.laptops, args.capstone_events = 3, 500
        LINK.update(QUICK_LINK)
    if not Path(CHROMIUM).exists():
        print(f"the page benchmark drives {CHROMIUM}: install Debian's chromium package", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-page-"))
    try:
        out = asyncio.run(run_all(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(out))
    if args.waterfall:
        print(waterfalls(out))
    if not args.quick and not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        doc = {"scenario": "page", "date": datetime.date.today().isoformat(), "machine": machine(), "link": LINK}
        path = RESULTS / f"{doc['date']}-page.json"
        for n in range(2, 100):  # another run of the same day keeps the earlier one's figures
            if not path.exists():
                break
            path = RESULTS / f"{doc['date']}-page-{n}.json"
        path.write_text(json.dumps(doc | out, indent=1, default=str) + "\n")
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 0
