"""Configuration in one place: built from flags and environment, then passed in."""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path | None = Path("data")  # None: in-memory store (tests only)
    scenario_paths: list[str] = field(default_factory=lambda: ["injects"])
    redis_url: str | None = None
    redis_prefix: str = "exsrv:"  # every key this server writes in Redis starts with it
    open_scenario: str | None = None  # open an exercise of this scenario at start, unless one is running
    facilitator_secret: str | None = None  # None: generated on first run, kept in data_dir
    allowed_origins: list[str] = field(default_factory=list)  # besides the server's own host
    max_frame_bytes: int = 64 * 1024
    send_queue_frames: int = 1000
    commands_per_second: float = 20.0
    command_burst: int = 40
    connections_per_code: int = 40  # open WebSockets at once per join code (per process)
    wrong_sign_ins: int = 20  # wrong join codes or secrets per client address, refilled over 10 minutes
    hello_timeout: float = 10.0
    snapshot_after_missed: int = 5000  # resume gap beyond which a snapshot is cheaper
    token_ttl: float = 7 * 24 * 3600.0
    tick_interval: float = 0.2  # how often the scheduler looks for due injects (wall seconds)
    web_dir: Path = field(default_factory=paths.web_dir)
    centre_file: Path | None = None  # certificates' centre.toml (exercise_server/centre.py); None: in data_dir

    def centre_path(self) -> Path | None:
        """Where the centre's details for certificates are read from."""
        return self.centre_file or (self.data_dir / "centre.toml" if self.data_dir else None)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Settings:
        return cls(
            host=args.host,
            port=args.port,
            data_dir=Path(args.data_dir),
            scenario_paths=args.scenarios or ["injects"],
            redis_url=args.redis_url,
            redis_prefix=args.redis_prefix,
            open_scenario=args.open,
            facilitator_secret=os.environ.get("EXERCISE_FACILITATOR_SECRET") or None,
            allowed_origins=args.allowed_origin or [],
            max_frame_bytes=args.max_frame_bytes,
            send_queue_frames=args.send_queue,
            commands_per_second=args.commands_per_second,
            command_burst=args.command_burst,
            connections_per_code=args.connections_per_code,
            wrong_sign_ins=args.wrong_sign_ins,
            hello_timeout=args.hello_timeout,
            tick_interval=args.tick_interval,
            centre_file=Path(args.centre) if args.centre else None,
        )

    def server_secret(self) -> bytes:
        """The HMAC key for session tokens: kept in the data dir so tokens survive restarts."""
        if self.data_dir is None:
            return self._ephemeral
        return _read_or_create(self.data_dir / "server-secret", lambda: secrets.token_hex(32)).encode()

    def facilitator_sign_in_secret(self) -> str:
        if self.facilitator_secret:
            return self.facilitator_secret
        if self.data_dir is None:
            self.facilitator_secret = secrets.token_urlsafe(12)
            return self.facilitator_secret
        return _read_or_create(self.data_dir / "facilitator-secret", lambda: secrets.token_urlsafe(12))

    @property
    def _ephemeral(self) -> bytes:
        if not hasattr(self, "_ephemeral_key"):
            self._ephemeral_key = secrets.token_bytes(32)
        return self._ephemeral_key


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    """Where the events are: for `serve`, and for the commands that read the store beside it (export, report)."""
    env = os.environ.get
    p.add_argument(
        "--data-dir",
        default=env("EXERCISE_DATA_DIR", "data"),
        help="embedded durable storage: event log and secrets (default ./data)",
    )
    p.add_argument(
        "--redis-url",
        default=env("REDIS_URL"),
        help="use Redis (redis://host:port/db) for the event store and fan-out, so that several "
        "server processes serve one exercise (default $REDIS_URL, else embedded storage in --data-dir)",
    )
    p.add_argument(
        "--redis-prefix",
        default=env("EXERCISE_REDIS_PREFIX", "exsrv:"),
        help="prefix of every Redis key the server writes (default exsrv:)",
    )


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    env = os.environ.get
    p.add_argument("scenarios", nargs="*", help="scenario files or folders (default: injects/)")
    p.add_argument("--host", default=env("EXERCISE_HOST", "127.0.0.1"), help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=env("EXERCISE_PORT", "8000"), help="port (default 8000)")
    add_store_arguments(p)
    p.add_argument(
        "--open",
        metavar="SCENARIO",
        default=env("EXERCISE_OPEN"),
        help="at start, open an exercise of this scenario unless one not yet ended exists (make run opens the demo)",
    )
    p.add_argument(
        "--centre",
        metavar="FILE",
        default=env("EXERCISE_CENTRE"),
        help="the training centre's details for certificates (default: centre.toml in the data directory)",
    )
    p.add_argument(
        "--allowed-origin",
        action="append",
        metavar="ORIGIN",
        help="a further browser Origin allowed to open WebSockets (repeatable)",
    )
    p.add_argument(
        "--max-frame-bytes",
        type=_positive_int,
        default=env("EXERCISE_MAX_FRAME_BYTES", "65536"),
        help="largest WebSocket frame accepted (default 65536)",
    )
    p.add_argument(
        "--send-queue",
        type=_positive_int,
        default=env("EXERCISE_SEND_QUEUE", "1000"),
        help="frames queued for one connection before it is told to resume (default 1000)",
    )
    p.add_argument(
        "--commands-per-second",
        type=_positive_float,
        default=env("EXERCISE_COMMANDS_PER_SECOND", "20"),
        help="steady command rate allowed per connection (default 20)",
    )
    p.add_argument(
        "--command-burst",
        type=_positive_int,
        default=env("EXERCISE_COMMAND_BURST", "40"),
        help="commands allowed in a burst per connection (default 40)",
    )
    p.add_argument(
        "--connections-per-code",
        type=_positive_int,
        default=env("EXERCISE_CONNECTIONS_PER_CODE", "40"),
        help="WebSockets open at once with one join code (default 40)",
    )
    p.add_argument(
        "--wrong-sign-ins",
        type=_positive_int,
        default=env("EXERCISE_WRONG_SIGN_INS", "20"),
        help="wrong join codes or facilitator secrets allowed per client address, "
        "refilled over 10 minutes (default 20)",
    )
    p.add_argument(
        "--hello-timeout",
        type=_positive_float,
        default=env("EXERCISE_HELLO_TIMEOUT", "10"),
        help="seconds a new WebSocket has to say hello before it is closed with 4408 (default 10)",
    )
    p.add_argument(
        "--tick-interval",
        type=_positive_float,
        default=env("EXERCISE_TICK_INTERVAL", "0.2"),
        help="seconds between looks at the MSEL for due injects (default 0.2)",
    )
