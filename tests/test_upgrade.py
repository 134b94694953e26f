"""An exercise socket's opening request, handed straight to the WebSocket handshake when it comes
whole (server/upgrade.py), or through uvicorn's HTTP parser when it does not: the same answer."""

from __future__ import annotations

import asyncio
import base64
import os

import msgpack

from .server_harness import ServerProcess


def upgrade_request(server: ServerProcess, path: str, origin: str | None = None) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin:
        lines.append(f"Origin: {origin}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def status_of(server: ServerProcess, parts: list[bytes]) -> tuple[int, asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for part in parts:
        writer.write(part)
        await writer.drain()
        await asyncio.sleep(0.05)  # separate reads on the server's side
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    return int(head.split(b" ", 2)[1]), reader, writer


def masked_binary(payload: bytes) -> bytes:
    mask = os.urandom(4)
    assert len(payload) < 126
    return bytes([0x82, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def test_a_socket_opens_and_is_refused_alike_whether_its_request_comes_whole_or_in_pieces(server):
    exercise, _, _ = server.open_exercise()
    request = upgrade_request(server, f"/ws/{exercise}")
    for parts in ([request], [request[:20], request[20:]]):
        status, reader, writer = await status_of(server, parts)
        assert status == 101
        writer.write(masked_binary(msgpack.packb({"type": "hello", "token": "not-a-token", "last_seq": 0})))
        frame = await asyncio.wait_for(reader.read(2), 30)
        assert frame[0] == 0x88  # closed: the token is refused, as for any socket
        writer.close()
    foreign = upgrade_request(server, f"/ws/{exercise}", origin="http://elsewhere.example")
    for parts in ([foreign], [foreign[:20], foreign[20:]]):
        status, _, writer = await status_of(server, parts)
        assert status == 403, parts
        writer.close()


async def test_a_plain_request_for_a_socket_path_is_not_taken_for_an_upgrade(server):
    status, _, writer = await status_of(server, [f"GET /ws/x HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()])
    assert status == 404
    writer.close()
