"""The exercise clock's tolerance after a kill -9 and a restart, as docs/protocol.md (section 3,
the clock) and docs/architecture.md ("Time") state it.

The clock is a fold of the stored clock events: after a restart the anchors are the very same
numbers, so the server's exercise time at any wall moment is what it was before the crash
(difference 0, not a small one), and every event it stamps agrees with them. What a client shows
is off by no more than the speed times the longer of two round trips it measures itself: its
hello's (the `server_time` of the welcome gives its offset to the server's clock) and the
command's. These are bounds that hold whatever the machine's load, not timings.
"""

from __future__ import annotations

import time

from exercise_server.core.clock import ClockState

from .server_harness import Client, ServerProcess

SPEED = 60
ROUNDS = 3


def anchors(clock: dict) -> ClockState:
    return ClockState(clock["status"], clock["speed"], clock["anchor_wall"], clock["anchor_ex"])


async def measured_client(server: ServerProcess, exercise: str, token: str) -> tuple[Client, float, float]:
    """A client connected, its offset to the server's wall clock (from the welcome) and the round trip it took."""
    sent = time.time()
    client = await Client(server, exercise, token).connect()
    got = time.time()  # after caught_up: later than the welcome, so the bound below only widens
    return client, client.welcome["server_time"] - got, got - sent


async def test_after_kill_9_the_exercise_clock_stands_where_the_stored_anchors_put_it(tmp_path):
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    exercise, codes, fac_token = server.open_exercise()
    fac = await Client(server, exercise, fac_token).connect()
    await fac.ok("clock.speed", speed=SPEED)
    await fac.ok("clock.start")
    token = server.join(codes["pol-1"], "Inspector Lee")["token"]
    worst, offsets = 0.0, []
    try:
        for round_no in range(ROUNDS):
            await fac.ok("room.post", room="plenary", text=f"before crash {round_no}")
            before = (await Client(server, exercise, fac_token).connect()).snapshot["clock"]
            server.kill()
            server = ServerProcess(data).start()

            viewer, offset, _ = await measured_client(server, exercise, fac_token)
            after = viewer.snapshot["clock"]
            # On the server: the same anchors, bit for bit (the fold of the same clock events).
            assert after == before and after["status"] == "running" and after["speed"] == SPEED
            clock = anchors(after)
            pol, pol_offset, pol_trip = await measured_client(server, exercise, token)
            offsets += [offset, pol_offset]
            for i in range(5):
                sent = time.time()
                ack = await pol.ok("room.post", room="plenary", text=f"after crash {round_no}: {i}")
                if pol.last_seq < ack["seq"]:
                    await pol.until(lambda f: f["type"] == "event" and f["event"]["seq"] == ack["seq"])
                got = time.time()
                event = next(e for e in pol.events if e["seq"] == ack["seq"])
                # Every event stamped after the restart agrees with the stored anchors (float rounding only).
                assert abs(event["ex_time"] - clock.at(event["wall_time"])) < 1e-6
                # A client's reckoning at the moment it holds the event: within speed x its own round trips.
                shown = clock.at(got + pol_offset)
                bound = SPEED * max(got - sent, pol_trip)
                assert abs(shown - event["ex_time"]) <= bound + 1e-6, (shown, event["ex_time"], bound)
                worst = max(worst, abs(shown - event["ex_time"]))
            await pol.close()
            fac.url = viewer.url
            await fac.connect()
        print(f"\nclock after {ROUNDS} kill -9 at x{SPEED}: anchors identical each time (difference 0); clients' "
              f"offsets to the server {min(offsets) * 1e3:+.2f} to {max(offsets) * 1e3:+.2f} ms; a client's reckoning "
              f"of an event's exercise time off by {worst:.3f} s at most ({worst / SPEED * 1e3:.1f} ms of wall time)")
    finally:
        server.stop()
