"""The close codes the WebSocket layer sends (uvicorn and the websockets library, before the
endpoint sees a frame), seen from outside: each is in the tables (core/errors.py CLOSE_CODES,
docs/protocol.md), arrives as a close frame, and costs the log one short line at most.

Found by sending each kind of broken frame to a live server (a text frame that is not UTF-8,
an unmasked frame, reserved bits, bad opcodes and control frames, invalid close codes, a
frame over the size limit, a close of the client's own, SIGTERM): 1007, 1002, 1009, the
client's own code echoed back, and 1012.
"""

from __future__ import annotations

import asyncio
import os
import struct

import msgpack
import pytest

from bench.wsclient import WSClient
from exercise_server.core.errors import CLOSE_CODES

from .server_harness import ServerProcess

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE = 0x0, 0x1, 0x2, 0x8


def frame(op: int, payload: bytes, fin: bool = True, mask: bool = True) -> bytes:
    """A client frame as RFC 6455 lays it out, broken where the caller asks."""
    head = bytes(((0x80 if fin else 0) | op, (0x80 if mask else 0) | len(payload)))
    assert len(payload) < 126
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


NOT_UTF8 = {
    "a text frame with invalid bytes": frame(OP_TEXT, b'{"type":"hello","token":"\xff\xfe"}'),
    "a text frame cut inside a character": frame(OP_TEXT, b'{"type":"ping","id":"\xc3'),
    "a fragmented text message broken in its second part": frame(OP_TEXT, b'{"id":"', fin=False)
    + frame(OP_CONT, b'\xed\xa0\x80"}'),
    "a close frame whose reason is not UTF-8": frame(OP_CLOSE, struct.pack(">H", 1000) + b"\xff"),
}


class RawSocket(WSClient):
    """A WebSocket whose frames are written byte by byte: after the hello (if a token is given)
    it sends `raw`, then waits for the server's close frame."""

    def __init__(self, server: ServerProcess, exercise: str, raw: bytes, token: str | None) -> None:
        super().__init__("127.0.0.1", server.port, f"/ws/{exercise}")
        self.raw, self.token = raw, token
        self.done: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    def on_open(self) -> None:
        if self.token is None:
            self.transport.write(self.raw)
        else:
            self.send_binary(msgpack.packb({"type": "hello", "token": self.token, "last_seq": 0}))

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        if self.token is not None and msgpack.unpackb(payload)["type"] == "caught_up":
            self.transport.write(self.raw)

    def on_close(self, code: int | None) -> None:
        if not self.done.done():
            self.done.set_result(code)


async def closes_with(server: ServerProcess, exercise: str, raw: bytes, token: str | None = None) -> int | None:
    """The code of the close frame the server answers `raw` with (None: no close frame, the client sees 1006)."""
    _, sock = await asyncio.get_running_loop().create_connection(
        lambda: RawSocket(server, exercise, raw, token), "127.0.0.1", server.port)
    try:
        return await asyncio.wait_for(sock.done, 10)
    finally:
        sock.abort()


@pytest.mark.parametrize("case", sorted(NOT_UTF8))
@pytest.mark.parametrize("after_hello", [False, True], ids=["first frame", "after the hello"])
async def test_a_frame_that_is_not_utf8_is_closed_1007(server, case, after_hello):
    exercise, codes, _ = server.open_exercise()
    token = server.join(codes["pol-1"], "Inspector Lee")["token"] if after_hello else None
    assert await closes_with(server, exercise, NOT_UTF8[case], token) == 1007
    assert 1007 in CLOSE_CODES


BROKEN = {
    "an unmasked frame": frame(OP_BINARY, msgpack.packb({"type": "ping"}), mask=False),
    "a reserved opcode": frame(0x3, b"x"),
    "a continuation with nothing to continue": frame(OP_CONT, b"x"),
    "a close with an invalid code": frame(OP_CLOSE, struct.pack(">H", 1005)),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
async def test_a_frame_that_breaks_the_websocket_protocol_is_closed_1002(server, case):
    exercise, codes, _ = server.open_exercise()
    token = server.join(codes["hum-1"], "Amina")["token"]
    assert await closes_with(server, exercise, BROKEN[case], token) == 1002
    assert 1002 in CLOSE_CODES


@pytest.mark.parametrize("code", [1000, 1001, 4000])
async def test_a_close_from_the_client_is_answered_with_its_own_code(server, code):
    exercise, codes, _ = server.open_exercise()
    token = server.join(codes["mil-1"], "Major Diallo")["token"]
    assert await closes_with(server, exercise, frame(OP_CLOSE, struct.pack(">H", code)), token) == code
    assert 1000 in CLOSE_CODES


async def test_a_hundred_broken_frames_write_one_short_line_each_and_no_traceback(server):
    exercise, codes, _ = server.open_exercise()
    token = server.join(codes["civ-1"], "Ms Okafor")["token"]
    cases = [*NOT_UTF8.values(), *BROKEN.values()]
    before = len(server.log().encode())
    for i in range(100):
        await closes_with(server, exercise, cases[i % len(cases)], token if i % 2 else None)
    await asyncio.sleep(0.5)  # the last close's line
    written = server.log().encode()[before:].decode(errors="replace")
    assert "Traceback" not in written
    lines = [line for line in written.splitlines() if "uvicorn.access" not in line]
    assert len(lines) <= 100 and len(written.encode()) < 20_000, f"{len(lines)} lines, {len(written)} bytes of log"
    not_utf8 = sum(1 for i in range(100) if i % len(cases) < len(NOT_UTF8))
    assert sum("closed with 1007" in line for line in lines) == not_utf8, "each 1007 is logged once, in a line of its own"
