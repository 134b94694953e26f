"""Live gap detection (protocol 1.1), with faults injected into the Redis bus as Centrifugo tests its
PUB/SUB liveness: a process whose live delivery skipped an event notices within seconds and catches
up from the store, so every client still gets every event its view may see, in order; a stream
trimmed behind the reader is reported (the log, and the clients' `service` frame), never skipped."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest
import redis
import uvicorn

import exercise_server.bus.redis as redis_bus
from exercise_server.server.app import create_app
from exercise_server.server.fastsend import FanoutProtocol
from exercise_server.server.gc_bursts import BURSTS
from exercise_server.server.settings import Settings

from .server_harness import MINI, SECRET, Client, ServerProcess


class InProcessServer(ServerProcess):
    """The same server, run by uvicorn in the test's own event loop, so that a test can break its
    bus from inside (a real server still: its sockets, its Redis, its clients are real)."""

    def __init__(self, data_dir, redis_url: str, redis_prefix: str) -> None:
        super().__init__(data_dir)
        settings = Settings(
            port=self.port, data_dir=data_dir, scenario_paths=[str(MINI)], redis_url=redis_url,
            redis_prefix=redis_prefix, facilitator_secret=SECRET, tick_interval=0.05,
        )
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, ws=FanoutProtocol,
                                lifespan="on", log_config=None,
                                timeout_graceful_shutdown=5)  # a failed test's open clients cannot hang the worker
        self.server = uvicorn.Server(config)

    async def serve(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            assert not self.task.done(), self.task.exception()
            await asyncio.sleep(0.02)

    async def shutdown(self) -> None:
        self.server.should_exit = True
        await self.task
        BURSTS.close()  # this process lives on (the worker's next tests): its cyclic GC back, whatever closed last


@pytest.fixture
def writer(tmp_path, redis_url, redis_prefix):
    """The process the facilitator uses: every event the tests watch is stored there."""
    s = ServerProcess(tmp_path / "data-a", "--redis-url", redis_url, "--redis-prefix", redis_prefix).start()
    yield s
    s.stop()


def texts(client: Client) -> list[str]:
    return [e["payload"]["text"] for e in client.events if e["type"] == "room.message_posted"]


async def test_every_client_gets_every_event_it_may_see_when_the_bus_drops_deliveries(
    tmp_path, redis_url, redis_prefix, writer, monkeypatch, caplog
):
    # The bus of the clients' process loses the delivery holding m3 (a later one reveals the
    # gap) and the one holding the last message (nothing follows it: the live check finds it).
    dropped: list[int] = []
    deliver = redis_bus.notify

    def lossy(subscriber, exercise, events):
        if any(e.payload.get("text") in ("m3", "m11") for e in events):
            dropped.extend(e.seq for e in events)
            return
        deliver(subscriber, exercise, events)

    monkeypatch.setattr(redis_bus, "notify", lossy)
    caplog.set_level(logging.WARNING, logger="exercise_server")
    served = InProcessServer(tmp_path / "data-b", redis_url, redis_prefix)
    await served.serve()
    try:
        exercise, codes, fac_token = writer.open_exercise()
        fac = await Client(writer, exercise, fac_token).connect()
        hum = await Client(served, exercise, writer.join(codes["hum-1"], "Amina")["token"]).connect()
        mil = await Client(served, exercise, writer.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
        sent = []
        for i in range(12):
            room = "team:hum-1" if i % 4 == 1 else "joint"  # some only the humanitarians may see
            await fac.ok("room.post", room=room, text=f"m{i}")
            sent.append((room, f"m{i}"))
        for client, sees in ((hum, {"joint", "team:hum-1"}), (mil, {"joint"})):
            expected = [text for room, text in sent if room in sees]
            await client.until(lambda f: f["type"] == "event" and f["event"]["payload"].get("text") == expected[-1])
            assert texts(client) == expected  # the harness asserts the order of every sequence number
        assert dropped, "the fault was not injected"
        assert "live delivery missed events" in caplog.text
        for c in (fac, hum, mil):
            await c.close()
    finally:
        await served.shutdown()


async def test_a_stream_trimmed_behind_a_reader_is_reported_and_not_skipped(tmp_path, redis_url, redis_prefix, writer):
    reader = ServerProcess(tmp_path / "data-b", "--redis-url", redis_url, "--redis-prefix", redis_prefix).start()
    try:
        exercise, codes, fac_token = writer.open_exercise()
        fac = await Client(writer, exercise, fac_token).connect()
        hum = await Client(reader, exercise, writer.join(codes["hum-1"], "Amina")["token"]).connect()
        await fac.ok("room.post", room="joint", text="m1")
        await hum.event("room.message_posted")
        assert reader.proc is not None
        os.kill(reader.proc.pid, signal.SIGSTOP)  # the reader falls behind ...
        try:
            for text in ("m2", "m3", "m4"):
                last = await fac.ok("room.post", room="joint", text=text)
            # ... and an operator trims the stream under it (XTRIM MINID keeps m4 and later)
            log = f"{redis_prefix}ex:{exercise}:log"
            redis.Redis.from_url(redis_url).xtrim(log, minid=f"{last['seq']}-1", approximate=False)
        finally:
            os.kill(reader.proc.pid, signal.SIGCONT)
        notice = await hum.until(lambda f: f["type"] == "service")
        assert notice["state"] == "degraded"
        assert reader.log_lines("skipped from", timeout=10)
        assert reader.log_lines("the event log has no events", timeout=10)
        got = texts(hum)
        assert got == ["m1", "m2", "m3", "m4"][: len(got)]  # a prefix: m4 never reaches it without m3
        assert "m4" not in got
        refused = await hum.command("room.post", room="joint", text="after the hole")
        assert refused["type"] == "error" and refused["code"] == "unavailable"  # not stored after a hole
        for c in (fac, hum):
            await c.close()
    finally:
        reader.stop()
