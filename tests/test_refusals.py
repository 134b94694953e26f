"""Refusals close cleanly and say why: a hostile hello is closed 4400 (never a dropped TCP connection),
every close reason fits a close frame, the log stays short, and a right code always gets in."""

from __future__ import annotations

import asyncio

import httpx
import msgpack
import pytest
import websockets

from exercise_server.core.errors import CLOSE_CODES
from exercise_server.server.protocol import close_reason

from .server_harness import SECRET, Client, ServerProcess

CLOSE_REASON_LIMIT = 123  # bytes a WebSocket close reason may hold (RFC 6455, 5.5: 125 minus the code)


def nested(depth: int) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_HELLOS = {
    "an integer above 2^53": msgpack.packb({"type": "hello", "token": "x", "last_seq": 2**60}),
    "a bin token": msgpack.packb({"type": "hello", "token": b"\x00\x01binary", "last_seq": 0}, use_bin_type=True),
    "an ext value": msgpack.packb({"type": "hello", "token": msgpack.ExtType(5, b"boom"), "last_seq": 0}),
    "nesting deeper than 32": msgpack.packb({"type": "hello", "token": "x", "last_seq": 0, "extra": nested(40)}),
    "a hello that is a nested list": msgpack.packb(nested(40)),
}


@pytest.mark.parametrize("code", sorted(CLOSE_CODES))
def test_every_close_reason_fits_a_close_frame(code):
    for reason in (CLOSE_CODES[code], f"{CLOSE_CODES[code]}: " + "détail " * 40, "é" * 200):
        fitted = close_reason(reason)
        assert len(fitted.encode()) <= CLOSE_REASON_LIMIT
        assert fitted == reason or fitted.endswith("\u2026") and reason.startswith(fitted[:-1])


async def first_frame_closes_with(server: ServerProcess, exercise: str, frame: bytes | str) -> tuple[int, str]:
    async with websockets.connect(f"{server.ws_base}/ws/{exercise}") as ws:
        await ws.send(frame)
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
    assert info.value.rcvd is not None, "the server dropped the connection without a close frame (the client sees 1006)"
    return info.value.rcvd.code, info.value.rcvd.reason


@pytest.mark.parametrize("case", sorted(HOSTILE_HELLOS))
async def test_a_hostile_hello_is_closed_4400_with_a_reason_that_fits(server, case):
    exercise, _, _ = server.open_exercise()
    code, reason = await first_frame_closes_with(server, exercise, HOSTILE_HELLOS[case])
    assert code == 4400
    assert 0 < len(reason.encode()) <= CLOSE_REASON_LIMIT


async def test_a_hundred_hostile_hellos_write_less_than_20_kb_of_log(server):
    exercise, _, _ = server.open_exercise()
    before = len(server.log().encode())
    frames = list(HOSTILE_HELLOS.values())
    for i in range(100):
        await first_frame_closes_with(server, exercise, frames[i % len(frames)])
    written = len(server.log().encode()) - before
    assert written < 20_000, f"{written} bytes of log for 100 hostile hellos"
    assert "Traceback" not in server.log()


async def test_a_null_command_id_is_refused(server):
    exercise, codes, _ = server.open_exercise()
    pol = await Client(server, exercise, server.join(codes["pol-1"], "Inspector Lee")["token"]).connect()
    await pol.send_raw(msgpack.packb({"type": "room.post", "id": None, "room": "joint", "text": "hi"}))
    reply = await pol.until(lambda m: m["type"] in ("ack", "error"))
    assert reply["type"] == "error" and reply["code"] == "invalid"
    await pol.close()


async def test_after_twenty_wrong_codes_from_one_address_a_right_code_still_gets_in(tmp_path, servers):
    # A server of its own: the module's would slow every later sign-in from this address.
    server = ServerProcess(tmp_path / "data").start()
    servers.append(server)
    exercise, codes, _ = server.open_exercise()
    async with httpx.AsyncClient(base_url=server.base) as http:

        async def wrong() -> httpx.Response:
            return await http.post("/api/join", json={"code": "WRONG-CODE1", "name": "typo"})

        # Twenty tries, then five more sent together: each of those waits out the slowdown (two
        # seconds) beside the others rather than after them.
        statuses = [(await wrong()).status_code for _ in range(20)]
        statuses += [r.status_code for r in await asyncio.gather(*(wrong() for _ in range(5)))]
        assert 429 in statuses, "the limiter never slowed the guessing"
        # Slowed, never locked out: a wrong code is refused, a right one and the secret get in.
        limited, right, secret = await asyncio.gather(
            wrong(),
            http.post("/api/join", json={"code": codes["hum-1"], "name": "Amina"}),
            http.post("/api/session/facilitator", json={"secret": SECRET}),
        )
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert right.status_code == 200, right.text
        assert secret.status_code == 200, secret.text
