"""`python -m bench classroom`: a class on one server process, against the floor in the same run.

This server: a class of `--syndicates` (8) syndicates of the bundled demo's 4 teams, `--people` (8)
trainees per team (256) and the control cell (one facilitator connection per syndicate). Each
class command is one HTTP request (an ad-hoc inject to every team, fanned out server-side to
every syndicate, server/classes.py): its latency is measured at every trainee, from just before
the request to the frame's receipt, and the server's CPU time over the run is divided by the
trainee deliveries. The floor (bench/peers/floor_server.py, a bare `websockets` broadcast) gets
the same 256 clients in 32 rooms and one message to all of them per step, sent over a WebSocket.

The clients run in this process (asyncio `websockets`), the same for both targets. Results go
to bench/results/<date>-classroom.json and a Markdown table is printed (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import msgpack
import websockets

from .measure import OtherLoad, cpu_seconds, latency_summary, machine
from .targets import ROOT, free_port

SECRET = "bench-classroom-secret"
RESULTS = ROOT / "bench" / "results"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--syndicates", type=int, default=8, help="syndicates of the class (default 8)")
    p.add_argument("--people", type=int, default=8, help="trainees per team (default 8; 4 teams)")
    p.add_argument("--steps", type=int, default=20, help="measured class commands (default 20)")
    p.add_argument("--warmup", type=int, default=3, help="class commands before measuring (default 3)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between commands (default 0.5)")
    p.add_argument("--no-save", action="store_true", help="print, do not write bench/results/")


async def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(url, timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


class Deliveries:
    """Receipt times per step, at every client, and the step's send time."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.sent: dict[int, float] = {}
        self.got: dict[int, list[float]] = {}
        self.done: dict[int, asyncio.Event] = {}

    def expect(self, step: int) -> None:
        self.got[step] = []
        self.done[step] = asyncio.Event()

    def received(self, step: int, at: float) -> None:
        got = self.got.get(step)
        if got is None:
            return
        got.append(at)
        if len(got) == self.clients:
            self.done[step].set()

    def latencies(self, steps: range) -> list[float]:
        return [t - self.sent[s] for s in steps for t in self.got[s]]


async def read_ours(ws: Any, deliveries: Deliveries) -> None:
    async for raw in ws:
        frame = msgpack.unpackb(raw)
        if frame.get("type") == "event" and frame["event"]["type"] == "inject.released":
            title = frame["event"]["payload"]["inject"]["title"]
            if title.startswith("step "):
                deliveries.received(int(title[5:]), time.monotonic())


async def ours(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "EXERCISE_FACILITATOR_SECRET": SECRET}
    cmd = [
        sys.executable,
        "-m",
        "exercise_server",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(work / "data"),
        "--connections-per-code",
        str(args.people + 2),
        str(ROOT / "injects" / "demo.yaml"),
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, sockets = f"http://127.0.0.1:{port}", []
    try:
        await wait_http(base + "/healthz")
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            token = (await http.post("/api/session/facilitator", json={"secret": SECRET})).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            klass = (
                await http.post("/api/classes", json={"scenario": "demo", "syndicates": args.syndicates}, headers=auth)
            ).json()
            seats = []
            for s in klass["syndicates"]:
                for code in s["codes"]:
                    if code["team"]:
                        for k in range(args.people):
                            seats.append((s["exercise"], code["code"], f"{code['team']} {k}"))
            teams = sorted({c["team"] for c in klass["syndicates"][0]["codes"] if c["team"]})
            deliveries = Deliveries(len(seats))
            gate = asyncio.Semaphore(16)

            async def seat(exercise: str, code: str, name: str) -> Any:
                async with gate:
                    joined = (await http.post("/api/join", json={"code": code, "name": name})).json()
                    return await connect(f"ws://127.0.0.1:{port}/ws/{exercise}", joined["token"])

            async def connect(url: str, seat_token: str) -> Any:
                ws = await websockets.connect(url, max_size=None, compression=None)
                await ws.send(msgpack.packb({"type": "hello", "token": seat_token, "last_seq": 0}))
                while msgpack.unpackb(await ws.recv())["type"] != "caught_up":
                    pass
                return ws

            sockets = list(await asyncio.gather(*(seat(*s) for s in seats)))
            readers = [asyncio.create_task(read_ours(ws, deliveries)) for ws in sockets]
            control = [await connect(f"ws://127.0.0.1:{port}/ws/{x}", token) for x in klass["exercises"]]
            sockets += control
            readers += [asyncio.create_task(read_ours(ws, Deliveries(0))) for ws in control]
            await http.post(
                f"/api/classes/{klass['class']}/commands", headers=auth, json={"command": {"type": "clock.start"}}
            )

            async def release(step: int) -> None:
                command = {
                    "type": "inject.adhoc",
                    "from": "EXCON",
                    "to": {"teams": teams},
                    "channel": "radio",
                    "title": f"step {step}",
                    "body": "x" * 400,
                }
                r = await http.post(f"/api/classes/{klass['class']}/commands", headers=auth, json={"command": command})
                assert r.status_code == 200, r.text

            cpu, other = await run_steps(args, server.pid, deliveries, release)
            for task in readers:
                task.cancel()
        return summary("ours (class, server-side fan-out)", args, deliveries, len(seats), cpu, other)
    finally:
        for ws in sockets:
            await ws.close()
        server.terminate()
        server.wait(10)


async def floor(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.peers.floor_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sockets: list[Any] = []
    try:
        await wait_http(f"http://127.0.0.1:{port}/health")
        rooms = args.syndicates * 4
        members = rooms * args.people
        deliveries = Deliveries(members)

        async def member(room: int) -> Any:
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/?room={room}&last=0", compression=None)
            while "c" not in msgpack.unpackb(await ws.recv()):
                pass
            return ws

        async def read(ws: Any) -> None:
            async for raw in ws:
                msg = msgpack.unpackb(raw)
                if "k" in msg:
                    deliveries.received(msg["k"], time.monotonic())

        gate = asyncio.Semaphore(16)

        async def gated(room: int) -> Any:
            async with gate:
                return await member(room)

        sockets = list(await asyncio.gather(*(gated(i % rooms) for i in range(members))))
        readers = [asyncio.create_task(read(ws)) for ws in sockets]
        sender = await websockets.connect(f"ws://127.0.0.1:{port}/", compression=None)
        sockets.append(sender)

        async def broadcast(step: int) -> None:
            await sender.send(msgpack.packb({"r": "*", "k": step, "t": deliveries.sent[step], "b": "x" * 400}))

        cpu, other = await run_steps(args, server.pid, deliveries, broadcast)
        for task in readers:
            task.cancel()
        return summary("floor (websockets broadcast)", args, deliveries, members, cpu, other)
    finally:
        for ws in sockets:
            await ws.close()
        server.terminate()
        server.wait(10)


async def run_steps(
    args: argparse.Namespace, pid: int, deliveries: Deliveries, send: Callable[[int], Awaitable[None]]
) -> tuple[float, OtherLoad]:
    """The warm-up and measured steps, one every `args.interval`: `send(step)` once its send time
    is noted, then wait until every receiver has it. The server's CPU seconds over the measured ones."""
    other = OtherLoad([pid, os.getpid()])
    cpu0 = 0.0
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            cpu0 = cpu_seconds(pid)
        deliveries.expect(step)
        deliveries.sent[step] = time.monotonic()
        await send(step)
        await asyncio.wait_for(deliveries.done[step].wait(), 30)
        await asyncio.sleep(max(0.0, args.interval - (time.monotonic() - deliveries.sent[step])))
    return cpu_seconds(pid) - cpu0, other


def summary(
    target: str, args: argparse.Namespace, deliveries: Deliveries, receivers: int, cpu: float, other: OtherLoad
) -> dict[str, Any]:
    count = receivers * args.steps
    return {
        "target": target,
        **latency_summary(deliveries.latencies(range(args.warmup, args.warmup + args.steps))),
        "deliveries": count,
        "server_cpu_us_per_delivery": cpu / count * 1e6,
        "other_load_cpus": other.cpus(),
    }


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| target | p50 ms | p99 ms | max ms | deliveries | server CPU µs per delivery | other load (CPUs) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        out.append(
            f"| {r['target']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['deliveries']} "
            f"| {r['server_cpu_us_per_delivery']:.1f} | {r['other_load_cpus']:.2f} |"
        )
    return "\n".join(out)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench classroom", description=__doc__)
    add_arguments(p)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as work:
        rows = [asyncio.run(ours(args, Path(work))), asyncio.run(floor(args))]
    print(table(rows))
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"{time.strftime('%Y-%m-%d')}-classroom.json"
        out.write_text(json.dumps({"machine": machine(), "args": vars(args), "rows": rows}, indent=2) + "\n")
        print(f"kept in {out.relative_to(ROOT)}")
    return 0
