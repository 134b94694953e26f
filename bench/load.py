"""Load benchmarks against peers, in one run: inject fan-out, room chat, reconnect storm, memory.

For each target in turn (this server embedded and on Redis, python-socketio with its
memory and Redis managers, the bare-`websockets` floor and the picows floor; the Redis rows only when a
Redis answers on 127.0.0.1:6379) the harness starts the server, starts the driver
processes (bench/driver.py), connects every client, and runs the chosen scenarios on
the same connections, in this order:

- memory: resident memory of the server process per idle connection;
- fanout: one message to all rooms every `1/--fanout-rate` seconds; latency send ->
  receipt at every client; lost and repeated deliveries;
- chat: every client posts to its room at a steady rate; the rate doubles until p99
  passes `--p99-limit`, then is bisected twice; the figure is the delivered messages
  per second at the highest rate whose p99 stayed within the limit;
- reconnect: `--storm` clients drop at once and resume from the last sequence number
  they saw while the messages to all rooms go on; time until the last is caught up
  (given up after `--storm-deadline` seconds); messages missing (gaps) or repeated
  afterwards, at every client.

Results go to bench/results/<date>-<scenario>.json and a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing
import os
import statistics
import sys
import time
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgpack

from . import driver as drv
from .measure import OtherLoad, add_idle_window, cpu_seconds, latency_summary, machine, pct, wait_idle
from .spy import Profiler
from .tables import ALL_TARGETS, LABEL, RESULTS, SCENARIOS, load_saved, save, table
from .targets import ROOT, Target, default_target_names, make_targets, redis_available, remove, scratch_dir
from .wsclient import WSClient, now

# -- options ---------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "scenario", nargs="?", choices=(*SCENARIOS, "all"), default="all", help="one scenario, or all (default)"
    )
    p.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        metavar="SCENARIO",
        help="run only this scenario (repeatable): memory, fanout, reconnect, chat",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, the targets side by side, shorter idle checks: checks the harness, not the speed",
    )
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="start every target at once and run them side by side (quick's default): their figures then "
        "disturb each other, so they say that the harness works, not how fast anything is",
    )
    p.add_argument(
        "--targets",
        default=None,
        help=f"comma-separated, from {','.join(ALL_TARGETS)} (default: all; the Redis ones only "
        "if Redis answers on 127.0.0.1:6379)",
    )
    p.add_argument("--rooms", type=int, default=50, help="rooms (teams) (default 50)")
    p.add_argument("--per-room", type=int, default=40, help="clients per room (default 40)")
    p.add_argument("--drivers", type=int, default=2, help="driver processes (default 2)")
    p.add_argument(
        "--frame-bytes", type=int, default=512, help="size of every delivered frame, for every target (default 512)"
    )
    p.add_argument("--fanout-releases", type=int, default=5, help="releases per fan-out repetition (default 5)")
    p.add_argument("--fanout-rate", type=float, default=1.0, help="releases per second (default 1)")
    p.add_argument("--repeat", type=int, default=3, help="repetitions of the fan-out (default 3)")
    p.add_argument("--storm", type=int, default=1000, help="clients dropped at once (default 1000)")
    p.add_argument(
        "--storm-rate",
        type=float,
        default=1.0,
        help="messages to all rooms per second during the storm, as in the fan-out (default 1)",
    )
    p.add_argument(
        "--storm-repeat",
        type=int,
        default=2,
        help="storms per target (default 2; stops after one that misses the deadline)",
    )
    p.add_argument(
        "--storm-deadline",
        type=float,
        default=10.0,
        help="give up waiting for the storm's clients after this many seconds (default 10)",
    )
    p.add_argument(
        "--storm-wait",
        type=float,
        default=1.0,
        help="seconds of messages before the drop and after the last client is back (default 1)",
    )
    p.add_argument(
        "--chat-start",
        type=float,
        default=2000.0,
        help="deliveries per second of the lowest chat step; steps are this times powers of 2, and "
        "the ramp starts at the step below a quarter of the capacity the fan-out's server CPU "
        "time suggests (default 2000)",
    )
    p.add_argument("--chat-max", type=float, default=400_000.0, help="stop raising the chat rate here")
    p.add_argument("--chat-step", type=float, default=2.0, help="seconds each chat step posts (default 2)")
    p.add_argument("--chat-refine", type=int, default=2, help="bisections after the first failed step (default 2)")
    p.add_argument("--p99-limit", type=float, default=250.0, help="chat p99 limit in ms (default 250)")
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        help="seconds to wait, once the server is idle after the connect, before reading its memory (default 1)",
    )
    add_idle_window(p)
    p.add_argument(
        "--server-src", type=Path, default=ROOT, help="run this server from another checkout (A/B of a server change)"
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the server with py-spy during each phase (connect, fan-out, chat, reconnect); "
        "raw stacks and a summary of the hottest functions go to DIR",
    )
    p.add_argument("--results-dir", type=Path, default=RESULTS, help="where the JSON results go")
    p.add_argument("--no-save", action="store_true", help="print only; write no results")
    p.add_argument(
        "--table", metavar="YYYY-MM-DD", help="run nothing: print the table of that day's results in --results-dir"
    )


QUICK = dict(
    rooms=4,
    per_room=5,
    fanout_releases=4,
    fanout_rate=5.0,
    repeat=1,
    storm_repeat=1,
    storm=10,
    storm_rate=5.0,
    storm_wait=0.3,
    storm_deadline=10.0,
    chat_start=200.0,
    chat_max=400.0,
    chat_step=0.5,
    chat_refine=0,
    settle=0.3,
    idle_window=0.2,
    side_by_side=True,
)


# -- the same frame size for every target ----------------------------------------------------------


def peer_pad(kind: str, frame_bytes: int, room: str) -> int:
    """Padding that makes a peer's delivered frame `frame_bytes` long (representative ids)."""

    def frame(pad: int) -> bytes:
        message = {"r": room, "k": 10**9 if room != "*" else 1000, "t": 12345.678, "b": "x" * pad, "s": 100_000}
        if kind == "sio":
            return msgpack.packb({"type": 2, "data": ["m", message], "nsp": "/"})
        return msgpack.packb(message)

    pad = max(0, frame_bytes - len(frame(0)))
    while pad > 0 and len(frame(pad)) > frame_bytes:
        pad -= 1
    return pad


class Probe(WSClient):
    """One trainee of room 0 of this server: the sizes of the frames its view receives."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec["host"], spec["port"], f"/ws/{spec['exercise']}")
        self.spec = spec
        self.ready = asyncio.get_running_loop().create_future()
        self.sizes: dict[str, asyncio.Future] = {}

    def on_open(self) -> None:
        self.send_binary(msgpack.packb({"type": "hello", "token": self.spec["tokens"][0], "last_seq": 0}))

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        msg = msgpack.unpackb(payload)
        if msg["type"] == "caught_up" and not self.ready.done():
            self.ready.set_result(None)
        elif msg["type"] == "event":
            fut = self.sizes.get(msg["event"]["type"])
            if fut is not None and not fut.done():
                fut.set_result(len(payload))

    async def size_of(self, etype: str, send: Any) -> int:
        self.sizes[etype] = asyncio.get_running_loop().create_future()
        send()
        return await asyncio.wait_for(self.sizes[etype], 10)


async def calibrate_ours(spec: dict[str, Any], frame_bytes: int) -> tuple[int, int]:
    """Padding of the inject body and of the chat text that makes this server's delivered
    event frames (as a team sees them) `frame_bytes` long, like the peers' frames."""
    loop = asyncio.get_running_loop()
    sender = await drv.open_sender(spec)
    _, probe = await loop.create_connection(lambda: Probe(spec), spec["host"], spec["port"])
    await asyncio.wait_for(probe.ready, 30)
    base = 300
    size = await probe.size_of("inject.released", lambda: sender.release(1000, now(), base))
    fanout_pad = base + frame_bytes - size
    size = await probe.size_of(
        "room.message_posted",
        lambda: probe.send_binary(
            msgpack.packb({"type": "room.post", "room": "team:t01", "text": f"{10**9} {now()!r} {'x' * base}"})
        ),
    )
    chat_pad = base + frame_bytes - size
    sender.close()
    probe.close()
    await asyncio.sleep(0.1)
    return max(0, fanout_pad), max(0, chat_pad)


# -- the driver processes, seen from here ----------------------------------------------------------


class Drivers:
    """The driver processes of one target, and the room -> members layout they share."""

    def __init__(self, spec: dict[str, Any], rooms: int, per_room: int, processes: int) -> None:
        self.layout = {r: [r * per_room + j for j in range(per_room)] for r in range(rooms)}
        self.per_room = per_room
        ctx = multiprocessing.get_context("spawn")
        self.procs, self.conns = [], []
        for d in range(processes):
            mine = {r: ids for r, ids in self.layout.items() if r % processes == d}
            if not mine:
                continue
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=drv.main, args=(child, spec, mine), daemon=True, name=f"bench-driver-{d}")
            proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)
        self.members = rooms * per_room

    async def call(self, cmd: str, per_driver: list[dict[str, Any]] | None = None, **kw: Any) -> list[dict]:
        """Send `cmd` to every driver at once; their answers, in driver order."""
        loop = asyncio.get_running_loop()
        futures = []
        for i, conn in enumerate(self.conns):
            fut = loop.create_future()

            def readable(conn=conn, fut=fut) -> None:
                loop.remove_reader(conn.fileno())
                try:
                    fut.set_result(conn.recv())
                except Exception as exc:  # noqa: BLE001
                    fut.set_exception(exc)

            loop.add_reader(conn.fileno(), readable)
            conn.send({"cmd": cmd, **kw, **(per_driver[i] if per_driver else {})})
            futures.append(fut)
        answers = await asyncio.gather(*futures)
        for a in answers:
            if "exception" in a:
                raise RuntimeError(f"driver failed in {cmd}: {a['exception']}")
        return answers

    def storm_members(self, count: int) -> list[list[int]]:
        """`count` members spread evenly over the rooms, per driver."""
        chosen: set[int] = set()
        j = 0
        while len(chosen) < min(count, self.members):
            for ids in self.layout.values():
                if j < len(ids) and len(chosen) < count:
                    chosen.add(ids[j])
            j += 1
        out = []
        for conn_index in range(len(self.conns)):
            rooms = [r for r in self.layout if r % len(self.conns) == conn_index]
            out.append(sorted(i for r in rooms for i in self.layout[r] if i in chosen))
        return out

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.call("quit"), 20)
        except Exception:  # noqa: BLE001 - a stuck driver is killed below
            pass
        for p in self.procs:
            await asyncio.to_thread(p.join, 5)  # other targets may be running beside this one
            if p.is_alive():
                p.kill()
                p.join()


def merged(answers: list[dict[str, Any]]) -> dict[str, Any]:
    lat: list[float] = []
    for a in answers:
        lat.extend(memoryview(a["latencies"]).cast("d"))
    out = {
        k: sum(a[k] for a in answers)
        for k in ("deliveries", "dups", "lost", "gaps", "frame_bytes", "in_window", "errors", "closes")
    }
    out["latencies"] = lat
    out["frame_bytes_mean"] = out.pop("frame_bytes") / out["deliveries"] if out["deliveries"] else 0
    return out


# -- one target through the scenarios -------------------------------------------------------------


class Session:
    def __init__(self, target: Target, args: argparse.Namespace) -> None:
        self.target, self.args = target, args
        self.spec = target.spec()
        self.kind = target.kind
        self.k = 10_000  # ids of messages to all rooms (chat ids are member * 1e6 + n)

    def log(self, text: str) -> None:
        print(f"  [{self.target.name}] {text}", flush=True)

    async def calibrate(self) -> None:
        """Pad fan-out and chat messages so that every target sends frames of `--frame-bytes`."""
        frame_bytes = self.args.frame_bytes
        if self.kind == "ours":
            self.fanout_pad, self.chat_pad = await calibrate_ours(self.spec, frame_bytes)
        else:
            self.fanout_pad = peer_pad(self.kind, frame_bytes, "*")
            self.chat_pad = peer_pad(self.kind, frame_bytes, "12")

    async def run(self, scenarios: list[str]) -> dict[str, dict[str, Any]]:
        a = self.args
        await self.calibrate()
        rss0 = self.target.rss_bytes()
        cpu0 = cpu_seconds(self.target.pid)
        self.drivers = Drivers(self.spec, a.rooms, a.per_room, a.drivers)
        other = OtherLoad([self.target.pid, os.getpid(), *(p.pid for p in self.drivers.procs)])
        out: dict[str, dict[str, Any]] = {}
        try:
            t0 = time.monotonic()
            profiler = Profiler(a.profile, self.target.pid, f"{self.target.name}-connect")
            answers = await self.drivers.call("connect")
            profiler.stop()
            connected = sum(x["connected"] for x in answers)
            failed = sum(x["failed"] for x in answers)
            setup = {
                "connect_seconds": round(time.monotonic() - t0, 3),
                "connected": connected,
                "connect_failed": failed,
            }
            if failed:
                raise RuntimeError(f"{failed} clients could not connect:\n{self.target.log()}")
            setup["idle_after_connect_s"] = round(await wait_idle(self.target.pid, 120, a.idle_window), 1)
            setup["connect_server_cpu_s"] = round(cpu_seconds(self.target.pid) - cpu0, 3)
            self.log(
                f"{connected} connected in {setup['connect_seconds']:.1f} s, server idle "
                f"{setup['idle_after_connect_s']:.1f} s later; {setup['connect_server_cpu_s']:.1f} s of its CPU"
            )
            if "memory" in scenarios:
                await asyncio.sleep(a.settle)
                rss1 = self.target.rss_bytes()
                out["memory"] = {
                    **setup,
                    "rss_before_mib": rss0 / 2**20,
                    "rss_after_mib": rss1 / 2**20,
                    "connections": connected,
                    "kib_per_connection": (rss1 - rss0) / connected / 1024,
                }
                self.log(f"memory: {out['memory']['kib_per_connection']:.1f} KiB per idle connection")
            if "fanout" in scenarios:
                async with self.sending():
                    profiler = Profiler(a.profile, self.target.pid, f"{self.target.name}-fanout")
                    out["fanout"] = {**setup, **await self.fanout()}
                    profiler.stop()
            if "chat" in scenarios:
                profiler = Profiler(a.profile, self.target.pid, f"{self.target.name}-chat")
                out["chat"] = {**setup, **await self.chat(out.get("fanout"))}
                profiler.stop()
            if "reconnect" in scenarios:
                await wait_idle(self.target.pid, 30, a.idle_window)
                async with self.sending():
                    profiler = Profiler(a.profile, self.target.pid, f"{self.target.name}-reconnect")
                    out["reconnect"] = {**setup, **await self.reconnect()}
                    profiler.stop()
        finally:
            self.other_cpus = other.cpus()
            self.log(f"other work on the machine meanwhile: {self.other_cpus:.2f} CPUs on average")
            await self.drivers.close()
        for result in out.values():
            result["other_load_cpus"] = round(self.other_cpus, 2)
        return out

    @contextlib.asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        """The fan-out sender's connection (closed during chat, where it has no part)."""
        self.sender = await drv.open_sender(self.spec)
        try:
            yield
        finally:
            self.sender.close()
            if self.sender.error_messages:
                self.log(f"sender refused: {self.sender.error_messages[:5]}")
            await asyncio.sleep(0.2)

    async def _send_all(self, count: int, rate: float, sent: list[int] | None = None) -> list[int]:
        """`count` messages to all rooms, one every 1/rate seconds, on schedule; `sent`
        collects their ids (also when the sending is cancelled)."""
        sent = [] if sent is None else sent
        start = now()
        for n in range(count):
            delay = start + n / rate - now()
            if delay > 0:
                await asyncio.sleep(delay)
            self.k += 1
            self.sender.release(self.k, now(), self.fanout_pad)
            sent.append(self.k)
        return sent

    async def fanout(self) -> dict[str, Any]:
        a = self.args
        reps = []
        for rep in range(a.repeat):
            await self.drivers.call("record", on=True)
            cpu0 = cpu_seconds(self.target.pid)
            sent = await self._send_all(a.fanout_releases, a.fanout_rate)
            expected = {"*": sent}
            await asyncio.sleep(1.0 / a.fanout_rate)
            await self.drivers.call("drain", expected=expected, timeout=10.0)
            cpu = cpu_seconds(self.target.pid) - cpu0
            m = merged(await self.drivers.call("collect", expected=expected))
            await self.drivers.call("record", on=False)
            r = {
                **latency_summary(m["latencies"]),
                "releases": len(sent),
                "deliveries": m["deliveries"],
                "expected": len(sent) * self.drivers.members,
                "lost": m["lost"],
                "duplicates": m["dups"],
                "frame_bytes": round(m["frame_bytes_mean"], 1),
                "server_cpu_s": round(cpu, 3),
                "loadavg": os.getloadavg()[0],
            }
            reps.append(r)
            self.log(
                f"fanout rep {rep + 1}: p50 {r['p50_ms']:.1f} p99 {r['p99_ms']:.1f} max {r['max_ms']:.1f} ms, "
                f"lost {r['lost']}, dup {r['duplicates']}, {r['frame_bytes']:.0f} B/frame"
            )
        return {
            "repetitions": reps,
            **{k: statistics.median(r[k] for r in reps) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
            "lost": sum(r["lost"] for r in reps),
            "duplicates": sum(r["duplicates"] for r in reps),
            "frame_bytes": statistics.median(r["frame_bytes"] for r in reps),
            "clients": self.drivers.members,
            "rooms": a.rooms,
            "rate_per_s": a.fanout_rate,
        }

    async def reconnect(self) -> dict[str, Any]:
        a = self.args
        reps = []
        for rep in range(a.storm_repeat):
            await self.drivers.call("record", on=True)
            sent: list[int] = []
            sending = asyncio.ensure_future(self._send_all(10**9, a.storm_rate, sent))
            await asyncio.sleep(a.storm_wait)
            chosen = self.drivers.storm_members(a.storm)
            cpu0 = cpu_seconds(self.target.pid)
            answers = await self.drivers.call(
                "storm", per_driver=[{"ids": ids} for ids in chosen], deadline=a.storm_deadline
            )
            cpu = cpu_seconds(self.target.pid) - cpu0  # the server's CPU from the drop to the last caught up
            times = sorted(t for x in answers for t in x["times"])
            late = sum(x["late"] for x in answers)
            failed = sum(x["failed"] for x in answers)
            r: dict[str, Any] = {
                "clients": sum(len(c) for c in chosen),
                "caught_up": len(times),
                "late": late,
                "failed": failed,
                "p50_caught_up_s": pct(times, 0.5),
                "all_caught_up_s": times[-1] if times and not late and not failed else float("nan"),
                "gaps": None,
                "duplicates": None,
                "server_cpu_s": round(cpu, 3),
                "loadavg": os.getloadavg()[0],
            }
            if not late and not failed:
                await asyncio.sleep(a.storm_wait)
                sending.cancel()
                expected = {"*": sent}
                await asyncio.sleep(0.5)
                await self.drivers.call("drain", expected=expected, timeout=10.0)
                m = merged(await self.drivers.call("collect", expected=expected))
                r.update(
                    gaps=m["gaps"], undelivered=m["lost"] - m["gaps"], duplicates=m["dups"], messages_during=len(sent)
                )
            else:
                sending.cancel()
            await self.drivers.call("record", on=False)
            reps.append(r)
            if late or failed:
                self.log(
                    f"storm rep {rep + 1}: {r['clients']} clients, {late} not caught up after "
                    f"{a.storm_deadline:.0f} s, {failed} failed to reconnect; median of the others "
                    f"{r['p50_caught_up_s']:.2f} s"
                )
                break  # the server is still busy with this storm: a repetition would measure that
            self.log(
                f"storm rep {rep + 1}: {r['clients']} clients, all caught up in {r['all_caught_up_s']:.2f} s "
                f"(median {r['p50_caught_up_s']:.2f}; server CPU {r['server_cpu_s']:.2f} s), gaps {r['gaps']}, "
                f"dup {r['duplicates']}, "
                f"{r['undelivered']} of {r['messages_during'] * self.drivers.members} deliveries still "
                f"on the way after the drain"
            )
            await asyncio.sleep(0.5)
        done = [r for r in reps if r["gaps"] is not None]
        return {
            "repetitions": reps,
            "clients": reps[0]["clients"],
            "deadline_s": a.storm_deadline,
            "all_caught_up_s": statistics.median(r["all_caught_up_s"] for r in reps),
            "p50_caught_up_s": statistics.median(r["p50_caught_up_s"] for r in reps),
            "late": sum(r["late"] for r in reps),
            "failed": sum(r["failed"] for r in reps),
            "gaps": sum(r["gaps"] for r in done) if done else None,
            "undelivered": sum(r["undelivered"] for r in done) if done else None,
            "duplicates": sum(r["duplicates"] for r in done) if done else None,
            "rate_per_s": a.storm_rate,
        }

    def chat_first_rate(self, fanout: dict[str, Any] | None) -> float:
        """Deliveries per second of the first step: on the grid chat_start * 2^n, the step
        below a quarter of what the fan-out's server CPU per delivery suggests."""
        a = self.args
        if not fanout:
            return a.chat_start
        cpu = sum(r["server_cpu_s"] for r in fanout["repetitions"])
        deliveries = sum(r["deliveries"] for r in fanout["repetitions"])
        if cpu <= 0 or not deliveries:
            return a.chat_start
        estimate = deliveries / cpu / 4
        n = max(0, math.floor(math.log2(max(estimate, a.chat_start) / a.chat_start)))
        return min(a.chat_start * 2**n, a.chat_max)

    async def chat(self, fanout: dict[str, Any] | None) -> dict[str, Any]:
        a = self.args
        members = self.drivers.members
        steps: list[dict[str, Any]] = []
        good: float | None = None
        bad: float | None = None
        refine = 0
        per_s = self.chat_first_rate(fanout)  # offered deliveries per second
        # A first step, not counted: the first post of every client takes paths taken once
        # per connection (and per pooled Redis connection); its outliers would stop the ramp.
        await self.drivers.call(
            "chat", rate=per_s / members / a.per_room, duration=min(1.0, a.chat_step), pad=self.chat_pad, drain=4.0
        )
        await asyncio.sleep(0.3)
        while True:
            rate = per_s / members / a.per_room  # posts per member per second
            cpu0 = cpu_seconds(self.target.pid)
            answers = await self.drivers.call(
                "chat", rate=rate, duration=a.chat_step, pad=self.chat_pad, drain=max(4.0, 2 * a.chat_step)
            )
            cpu = cpu_seconds(self.target.pid) - cpu0
            m = merged(answers)
            posts = sum(x["posts"] for x in answers)
            drained = max(x["drain_seconds"] for x in answers)
            lat = latency_summary(m["latencies"])
            ok = lat["p99_ms"] <= a.p99_limit and m["lost"] == 0 and m["dups"] == 0
            step = {
                "offered_per_s": per_s,
                "rate_per_client": rate,
                "posts": posts,
                "delivered_per_s": m["in_window"] / a.chat_step,
                "deliveries": m["deliveries"],
                "expected": posts * a.per_room,
                "lost": m["lost"],
                "duplicates": m["dups"],
                "errors": m["errors"],
                "frame_bytes": round(m["frame_bytes_mean"], 1),
                **lat,
                "server_cpu_s": round(cpu, 3),
                "drain_s": round(drained, 2),
                "within_limit": ok,
                "loadavg": os.getloadavg()[0],
            }
            steps.append(step)
            self.log(
                f"chat {per_s:,.0f}/s offered: delivered {step['delivered_per_s']:,.0f}/s, "
                f"p99 {lat['p99_ms']:.1f} ms, lost {m['lost']}, dup {m['dups']}, drain {drained:.1f} s"
            )
            if ok:
                good = per_s if good is None else max(good, per_s)
            else:
                bad = per_s if bad is None else min(bad, per_s)
            if bad is None:  # still within the limit: double
                if per_s * 2 > a.chat_max:
                    break
                per_s *= 2
            elif good is None:  # the first step already failed: halve
                if per_s / 2 < a.chat_start / 8:
                    break
                per_s /= 2
            else:  # between the last good and the first bad: bisect
                if refine >= a.chat_refine:
                    break
                refine += 1
                per_s = math.sqrt(good * bad)
            await asyncio.sleep(0.3)
        within = [s for s in steps if s["within_limit"]]
        best = max(within, key=lambda s: s["delivered_per_s"]) if within else None
        return {
            "steps": steps,
            "delivered_per_s": best["delivered_per_s"] if best else 0.0,
            "p99_ms": best["p99_ms"] if best else float("nan"),
            "offered_per_s": best["offered_per_s"] if best else 0.0,
            "lost": sum(s["lost"] for s in steps),
            "duplicates": sum(s["duplicates"] for s in steps),
            "frame_bytes": statistics.median(s["frame_bytes"] for s in steps),
            "p99_limit_ms": a.p99_limit,
            "rooms": a.rooms,
            "per_room": a.per_room,
        }


# -- entry point ---------------------------------------------------------------------------------


async def run_all(args: argparse.Namespace, scenarios: list[str], names: list[str]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {s: {} for s in scenarios}
    work = scratch_dir()

    async def one(target: Target) -> None:
        print(f"\n{LABEL[target.name]} ({target.name}); load average {os.getloadavg()[0]:.2f}", flush=True)
        t0 = time.monotonic()
        try:
            await asyncio.to_thread(target.start)
            out = await Session(target, args).run(scenarios)
            for s in scenarios:
                results[s][target.name] = {**out.get(s, {}), "loadavg_end": os.getloadavg()[0]}
        except Exception as exc:  # noqa: BLE001 - the other targets still run; the table says it failed
            print(f"  [{target.name}] FAILED: {exc}", flush=True)
            traceback.print_exc()
            for s in scenarios:
                results[s][target.name] = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            await asyncio.to_thread(target.stop)
        print(f"  [{target.name}] {time.monotonic() - t0:.0f} s", flush=True)

    try:
        targets = make_targets(names, args.rooms, work, args.server_src)
        if args.side_by_side:
            await asyncio.gather(*(one(target) for target in targets))
            for s in scenarios:  # the table's rows in the usual order
                results[s] = {target.name: results[s][target.name] for target in targets}
        else:
            for target in targets:
                await one(target)
    finally:
        remove(work)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.table:
        print(table(load_saved(args.results_dir, args.table)))
        return 0
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    scenarios = [
        s for s in SCENARIOS if (args.only and s in args.only) or (not args.only and args.scenario in (s, "all"))
    ]
    with_redis = redis_available()
    if args.targets:
        names = [n.strip() for n in args.targets.split(",") if n.strip()]
        unknown = set(names) - set(ALL_TARGETS)
        if unknown:
            parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    else:
        names = default_target_names(with_redis)
        if not with_redis:
            print("no Redis answers on 127.0.0.1:6379: the Redis rows are left out", flush=True)
    drv.raise_fd_limit()
    started = time.monotonic()
    load_before = os.getloadavg()
    print(
        f"scenarios {', '.join(scenarios)}; targets {', '.join(names)}; {args.rooms} rooms x {args.per_room} "
        f"clients; {args.drivers} driver processes; load average {load_before[0]:.2f}",
        flush=True,
    )
    results = asyncio.run(run_all(args, scenarios, names))
    meta = {
        "command": "python -m bench " + (" ".join(sys.argv[1:] if argv is None else argv) or "all"),
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "quick": args.quick,
        "side_by_side": args.side_by_side,
        "sizes": {
            k: getattr(args, k)
            for k in (
                "rooms",
                "per_room",
                "drivers",
                "frame_bytes",
                "fanout_releases",
                "fanout_rate",
                "repeat",
                "storm",
                "storm_rate",
                "storm_repeat",
                "storm_deadline",
                "chat_start",
                "chat_step",
                "chat_refine",
                "p99_limit",
            )
        },
    }
    print("\n" + table(results) + "\n", flush=True)
    others = {t: r["other_load_cpus"] for rows in results.values() for t, r in rows.items() if "other_load_cpus" in r}
    if others:
        print(
            "Other work on the machine while each target ran (CPUs): "
            + ", ".join(f"{LABEL[t]} {v:.2f}" for t, v in others.items()),
            flush=True,
        )
        if args.side_by_side:
            print("The targets ran side by side: each one's figures include the others' work", flush=True)
        elif max(others.values()) - min(others.values()) > 0.5:
            print(
                "WARNING: the machine was much busier with other work for some targets than for others; "
                "their ratios are not comparable: run again on a quieter machine",
                flush=True,
            )
    print(
        f"{meta['seconds']:.0f} s; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        f"(on {os.cpu_count()} CPUs)",
        flush=True,
    )
    if not args.no_save:
        for path in save(results, args, meta):
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)
    failed = [t for rows in results.values() for t, r in rows.items() if "error" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
