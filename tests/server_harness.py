"""A real server in a child process on a free loopback port, and real WebSocket clients."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx
import msgpack
import websockets

from exercise_server.paths import private_cache_dir

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
SECRET = "test-facilitator-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bytecode() -> dict[str, str]:
    """Where the servers keep their compiled modules when the environment says to write none beside
    the sources (PYTHONDONTWRITEBYTECODE): in a folder of this user's own instead, so that only the
    first server of a run compiles the package (a third of a start's CPU) and the rest load it."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return {}
    folder = private_cache_dir("pycache")
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(folder)} if folder else {}


BYTECODE = _bytecode()
RUNNING: set[ServerProcess] = set()  # started and not yet stopped: conftest.py stops what a test left running


class ServerProcess:
    """`exercise-server serve` as users run it, on its own data directory."""

    def __init__(self, data_dir: Path, *args: str, scenarios: tuple[Path, ...] = (MINI,)) -> None:
        self.data_dir, self.args, self.scenarios = data_dir, args, scenarios
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None
        self.log_path = data_dir.parent / f"server-{self.port}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        """Start the server and wait for its health check; a server that does not come up is stopped
        before the error is raised, so a failed start leaves no process behind."""
        env = {**os.environ, "EXERCISE_FACILITATOR_SECRET": SECRET, "PYTHONUNBUFFERED": "1", **BYTECODE}
        cmd = [sys.executable, "-m", "exercise_server", "serve", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--tick-interval", "0.05", *self.args, *map(str, self.scenarios)]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        RUNNING.add(self)
        try:
            self._wait_healthy(timeout=60)  # a guard, not a measure: generous on a busy machine
        except BaseException:
            self.kill()
            raise
        return self

    def _wait_healthy(self, timeout: float) -> None:
        assert self.proc
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
                try:
                    if http.get(f"{self.base}/healthz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        raise RuntimeError(f"server did not start within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_lines(self, text: str, timeout: float = 0.0) -> list[str]:
        """The lines of the server's log containing `text`, waiting up to `timeout` for a first one."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.log().splitlines() if text in line]
            if lines or time.monotonic() >= deadline:
                return lines
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as a user stops it; SIGKILL if it has not exited within 10 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._closed()

    def kill(self) -> None:
        assert self.proc
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._closed()

    def _closed(self) -> None:
        RUNNING.discard(self)
        if self._log is not None:
            self._log.close()

    # -- HTTP ------------------------------------------------------------------------

    def facilitator_token(self) -> str:
        r = httpx.post(f"{self.base}/api/session/facilitator", json={"secret": SECRET})
        r.raise_for_status()
        return r.json()["token"]

    def open_exercise(self, scenario: str = "mini") -> tuple[str, dict[str, str], str]:
        """Open an exercise; returns its id, codes by team (and 'evaluator'), facilitator token."""
        token = self.facilitator_token()
        r = httpx.post(f"{self.base}/api/exercises", json={"scenario": scenario},
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        body = r.json()
        codes = {c["team"] or c["role"]: c["code"] for c in body["codes"]}
        return body["exercise"], codes, token

    def join(self, code: str, name: str) -> dict[str, Any]:
        r = httpx.post(f"{self.base}/api/join", json={"code": code, "name": name})
        assert r.status_code == 200, r.text
        return r.json()


class Client:
    """One participant's WebSocket, speaking the protocol the way a browser client would."""

    _ids = itertools.count(1)

    def __init__(self, server: ServerProcess, exercise: str, token: str, fmt: str = "msgpack") -> None:
        self.url = f"{server.ws_base}/ws/{exercise}"
        self.token, self.fmt = token, fmt
        self.ws: Any = None
        self.frames: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.snapshot: dict[str, Any] | None = None
        self.welcome: dict[str, Any] | None = None
        self.last_seq = 0
        self.epoch: str | None = None  # the log's history the client's last_seq counts in (from a welcome)
        self.close_code: int | None = None

    def encode(self, message: dict[str, Any]) -> bytes | str:
        return msgpack.packb(message) if self.fmt == "msgpack" else json.dumps(message)

    async def connect(self, last_seq: int | None = None, **connect_args: Any) -> Client:
        self.ws = await websockets.connect(self.url, max_size=None, **connect_args)
        hello = {"type": "hello", "token": self.token, "last_seq": self.last_seq if last_seq is None else last_seq}
        if self.epoch is not None:
            hello["epoch"] = self.epoch
        await self.ws.send(self.encode(hello))
        self.welcome = await self.recv()
        assert self.welcome["type"] == "welcome", self.welcome
        self.epoch = self.welcome.get("epoch")
        await self.until(lambda f: f["type"] == "caught_up")
        return self

    async def recv(self, timeout: float = 10) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame = msgpack.unpackb(raw) if isinstance(raw, bytes) else json.loads(raw)
        self.frames.append(frame)
        if frame["type"] == "event":
            seq = frame["event"]["seq"]
            assert seq > self.last_seq, f"duplicate or out-of-order event {seq} after {self.last_seq}"
            self.events.append(frame["event"])
            self.last_seq = seq
        elif frame["type"] == "snapshot":
            self.snapshot = frame["state"]
            self.last_seq = frame["seq"]
        return frame

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("no matching frame")
            frame = await self.recv(remaining)
            if predicate(frame):
                return frame

    async def event(self, etype: str, timeout: float = 10) -> dict[str, Any]:
        frame = await self.until(lambda f: f["type"] == "event" and f["event"]["type"] == etype, timeout)
        return frame["event"]

    async def send_raw(self, data: bytes | str) -> None:
        await self.ws.send(data)

    async def command(self, ctype: str, **fields: Any) -> dict[str, Any]:
        """Send a command; return its ack or error frame (events meanwhile are kept)."""
        cid = f"c{next(self._ids)}"
        await self.ws.send(self.encode({"type": ctype, "id": cid, **fields}))
        return await self.until(lambda f: f["type"] in ("ack", "error") and f.get("id") == cid)

    async def ok(self, ctype: str, **fields: Any) -> dict[str, Any]:
        answer = await self.command(ctype, **fields)
        assert answer["type"] == "ack", answer
        return answer

    async def closed(self, timeout: float = 10) -> int:
        """Read until the server closes the connection; return the close code."""
        try:
            while True:
                await self.recv(timeout)
        except websockets.ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd else None
            return self.close_code

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def reconnect(client: Client, server: ServerProcess, exercise: str) -> None:
    """Connect `client` again, to `server`, retrying while the server (re)starts (up to 15 s)."""
    client.url = f"{server.ws_base}/ws/{exercise}"
    for _ in range(150):
        try:
            await client.connect()
            return
        except (OSError, websockets.WebSocketException, TimeoutError):
            await asyncio.sleep(0.1)
    raise AssertionError("could not reconnect")


class StalledClient:
    """A client that says hello, then stops reading its socket: the slow consumer.

    It speaks WebSocket through the `websockets` sans-I/O protocol over a plain socket
    with a tiny receive buffer, so nothing reads ahead on its behalf."""

    def __init__(self, server: ServerProcess, exercise: str, token: str) -> None:
        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        self.port, self.token = server.port, token
        self.proto = ClientProtocol(parse_uri(f"{server.ws_base}/ws/{exercise}"), max_size=None)
        self.last_seq = 0
        self.events: list[dict[str, Any]] = []

    async def connect(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", self.port))
        sock.setblocking(False)
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=1024)
        self.proto.send_request(self.proto.connect())
        self._flush()
        while self.proto.handshake_exc is None and self.proto.state.name == "CONNECTING":
            self.proto.receive_data(await self.reader.read(4096))
        assert self.proto.handshake_exc is None
        self.proto.events_received()  # the handshake response
        self.proto.send_binary(msgpack.packb({"type": "hello", "token": self.token, "last_seq": 0}))
        self._flush()

    def _flush(self) -> None:
        for data in self.proto.data_to_send():
            if data:
                self.writer.write(data)

    async def read_until_closed(self, timeout: float = 30) -> int | None:
        """Start reading again: every frame that was waiting, then the close code."""
        from websockets.frames import Opcode

        async def run() -> int | None:
            while True:
                data = await self.reader.read(65536)
                if data:
                    self.proto.receive_data(data)
                else:
                    self.proto.receive_eof()
                for frame in self.proto.events_received():
                    if frame.opcode == Opcode.BINARY:
                        message = msgpack.unpackb(frame.data)
                        if message["type"] == "event":
                            self.last_seq = message["event"]["seq"]
                            self.events.append(message["event"])
                        elif message["type"] in ("snapshot", "caught_up"):
                            self.last_seq = max(self.last_seq, message["seq"])
                    elif frame.opcode == Opcode.CLOSE:
                        return self.proto.close_rcvd.code if self.proto.close_rcvd else None
                self._flush()
                if not data:
                    return None

        return await asyncio.wait_for(run(), timeout)
