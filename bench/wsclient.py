"""A lean WebSocket client (RFC 6455) for the load driver: one asyncio.Protocol per socket.

Thousands of clients share two driver processes with the servers under test on two
cores, so the client must cost little per frame: no task, future or queue per message,
a plain header parser over one buffer. It speaks the subset every target needs: the
upgrade handshake (no extension offered, so no target compresses), masked client
frames, unmasked server frames (fragmented messages reassembled), ping -> pong, close.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time

try:
    from websockets.speedups import apply_mask  # the C helper the `websockets` library uses
except ImportError:  # pragma: no cover - pure-Python fallback
    from websockets.utils import apply_mask

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
now = time.monotonic  # CLOCK_MONOTONIC is system-wide on Linux: one clock for every process


class HandshakeFailed(Exception):
    pass


class WSClient(asyncio.Protocol):
    """Subclass and override `on_open`, `on_message` and `on_close`."""

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.closed = False
        self.close_code: int | None = None
        self._key = base64.b64encode(os.urandom(16))
        self._buf = bytearray()
        self._frag: bytearray | None = None
        self._frag_op = 0
        self.handshake: asyncio.Future | None = None

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.handshake = asyncio.get_running_loop().create_future()
        transport.write(  # type: ignore[attr-defined]
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self._key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nUser-Agent: exercise-bench\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        t = now()
        buf = self._buf
        buf += data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1")
            del buf[: end + 4]
            status = head.split("\r\n", 1)[0]
            expected = base64.b64encode(hashlib.sha1(self._key + GUID).digest()).decode()
            if " 101 " not in status + " " or expected not in head:
                self._fail(HandshakeFailed(status))
                return
            self.open = True
            if self.handshake and not self.handshake.done():
                self.handshake.set_result(None)
            self.on_open()
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length = b1 & 0x7F
            hdr = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = (buf[pos + 2] << 8) | buf[pos + 3]
                hdr = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = struct.unpack_from(">Q", buf, pos + 2)[0]
                hdr = 10
            if n - pos < hdr + length:
                break
            payload = bytes(buf[pos + hdr : pos + hdr + length])
            pos += hdr + length
            self._frame(b0 & 0x80, b0 & 0x0F, payload, t)
            if self.closed:
                break
        if pos:
            del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.handshake and not self.handshake.done():
            self.handshake.set_exception(HandshakeFailed(f"connection lost: {exc}"))
        if not self.closed:
            self.closed = True
            self.on_close(self.close_code)

    # -- frames ------------------------------------------------------------------------

    def _frame(self, fin: int, op: int, payload: bytes, t: float) -> None:
        if op == OP_CONT:
            if self._frag is None:
                return
            self._frag += payload
            if fin:
                payload, op, self._frag = bytes(self._frag), self._frag_op, None
                self.on_message(payload, op == OP_BINARY, t)
        elif op in (OP_TEXT, OP_BINARY):
            if fin:
                self.on_message(payload, op == OP_BINARY, t)
            else:
                self._frag, self._frag_op = bytearray(payload), op
        elif op == OP_PING:
            self._send(OP_PONG, payload)
        elif op == OP_CLOSE:
            self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            self._send(OP_CLOSE, payload[:2])
            self.closed = True
            if self.transport:
                self.transport.close()
            self.on_close(self.close_code)

    def _send(self, op: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        n = len(payload)
        if n < 126:
            header = bytes((0x80 | op, 0x80 | n))
        elif n < 65536:
            header = struct.pack(">BBH", 0x80 | op, 0x80 | 126, n)
        else:
            header = struct.pack(">BBQ", 0x80 | op, 0x80 | 127, n)
        mask = os.urandom(4)
        self.transport.write(header + mask + apply_mask(payload, mask))

    def send_binary(self, payload: bytes) -> None:
        self._send(OP_BINARY, payload)

    def send_text(self, text: str) -> None:
        self._send(OP_TEXT, text.encode())

    def abort(self) -> None:
        """Drop the connection without a closing handshake, as a sleeping laptop does."""
        self.closed = True
        if self.transport:
            self.transport.abort()

    def close(self) -> None:
        if not self.closed:
            self._send(OP_CLOSE, struct.pack(">H", 1000))
            self.closed = True
            if self.transport:
                self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if self.handshake and not self.handshake.done():
            self.handshake.set_exception(exc)
        self.closed = True
        if self.transport:
            self.transport.abort()

    # -- for subclasses -----------------------------------------------------------------

    def on_open(self) -> None:
        pass

    def on_message(self, payload: bytes, binary: bool, t: float) -> None:
        pass

    def on_close(self, code: int | None) -> None:
        pass
