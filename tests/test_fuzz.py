"""Protocol fuzzing against a live server: every frame gets a documented answer, and
nothing but an acknowledged command changes the log.

Hypothesis draws frames from the protocol's own schema (every command type, with its
fields filled by any value of any type), plus random bytes, truncated frames and
oversized frames. The short mode runs in `make test`; `make soak` sends 100,000 frames.
"""

from __future__ import annotations

import json

import httpx
import msgpack
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from exercise_server.core.access import ALL_COMMANDS
from exercise_server.core.errors import CLOSE_CODES, ERROR_CODES
from exercise_server.store.sqlite import SqliteLog

from .server_harness import ServerProcess
from .soak import FUZZ_FRAMES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MAX_FRAME = 8192
BATCH = 50
FIELDS = ["room", "text", "as", "inject_id", "changes", "speed", "to", "feature", "feature_id", "set", "code",
          "from", "channel", "title", "body", "last_seq", "token", "before", "limit", "id", "type"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
                    st.text(max_size=40), st.binary(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
commands = st.builds(lambda t, fields, cid: {"type": t, **fields, **({"id": cid} if cid is not None else {})},
                     st.sampled_from(sorted(ALL_COMMANDS) + ["ping", "room.history", "hello", "nonsense"]),
                     st.dictionaries(st.sampled_from(FIELDS[:-2]), values, max_size=5),
                     st.one_of(st.none(), st.text(max_size=70), st.integers(), st.booleans()))


def as_msgpack(message: dict) -> bytes:
    try:
        return msgpack.packb(message, use_bin_type=True)
    except (OverflowError, ValueError, TypeError):
        return b"\xc1"


def as_json(message: dict) -> str:
    try:
        return json.dumps(message)
    except (TypeError, ValueError):
        return "{"


frames = st.one_of(
    commands.map(as_msgpack),
    commands.map(as_json),
    st.binary(max_size=200),
    st.text(max_size=200),
    st.tuples(commands.map(as_msgpack), st.floats(0, 1)).map(lambda t: t[0][: int(len(t[0]) * t[1])]),
    st.builds(lambda n: as_msgpack({"type": "room.post", "id": "big", "room": "joint", "text": "x" * n}),
              st.integers(MAX_FRAME, MAX_FRAME * 2)),
)


class Fuzzer:
    """One role's connection to the live server, reopened whenever the server closes it."""

    def __init__(self, server: ServerProcess, exercise: str, token: str) -> None:
        self.server, self.exercise, self.token = server, exercise, token
        self.ws = None
        self.events_acked = 0
        self.frames = 0
        self.closes: dict[int, int] = {}
        self.errors: dict[str, int] = {}

    def open(self) -> None:
        self.ws = connect(f"{self.server.ws_base}/ws/{self.exercise}", max_size=None, open_timeout=10)
        self.ws.send(msgpack.packb({"type": "hello", "token": self.token, "last_seq": 0}))
        while self.recv()["type"] != "caught_up":
            pass

    def recv(self) -> dict:
        raw = self.ws.recv(timeout=10)
        return msgpack.unpackb(raw) if isinstance(raw, bytes) else json.loads(raw)

    def send(self, frame: bytes | str) -> None:
        if self.ws is None:
            self.open()
        self.frames += 1
        try:
            self.ws.send(frame)
            while True:  # the answer to this frame comes before the answer to the next
                answer = self.recv()
                if answer["type"] in ("ack", "error", "pong", "history"):
                    break
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
            assert code in CLOSE_CODES, f"undocumented close {code} after {frame[:80]!r}"
            self.closes[code] = self.closes.get(code, 0) + 1
            self.ws = None
            return
        if answer["type"] == "error":
            assert answer["code"] in ERROR_CODES and answer["message"], answer
            self.errors[answer["code"]] = self.errors.get(answer["code"], 0) + 1
        elif answer["type"] == "ack":
            self.events_acked += answer["seq"] - answer["first_seq"] + 1


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("fuzz") / "data", "--max-frame-bytes", str(MAX_FRAME),
                           "--commands-per-second", "1000000", "--command-burst", "1000000").start()
    exercise, codes, fac_token = server.open_exercise()
    fuzzers = [Fuzzer(server, exercise, server.join(codes["pol-1"], "Fuzzing police")["token"]),
               Fuzzer(server, exercise, fac_token)]
    head = head_of(server, exercise, fac_token)
    yield server, exercise, fac_token, fuzzers, head
    server.stop()


def head_of(server: ServerProcess, exercise: str, token: str) -> int:
    r = httpx.get(f"{server.base}/api/exercises", headers={"Authorization": f"Bearer {token}"})
    return next(x["seq"] for x in r.json()["exercises"] if x["id"] == exercise)


# One frame of each refusal the suite must reach, sent by both roles whatever hypothesis draws.
SEEDS = [b"\xc1", as_msgpack({"type": "nonsense", "id": "s1"}), as_msgpack({"type": "room.post", "id": "s2"}),
         as_msgpack({"type": "clock.start", "id": "s3"}), "{", as_json({"type": "ping", "id": "s4"})]


@settings(max_examples=max(1, FUZZ_FRAMES // BATCH), deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(batch=st.lists(frames, min_size=BATCH, max_size=BATCH), role=st.integers(0, 1))
@example(batch=SEEDS, role=0)
@example(batch=SEEDS, role=1)
def test_fuzzed_frames_get_documented_answers_and_change_nothing_unacknowledged(target, batch, role):
    server, exercise, fac_token, fuzzers, head = target
    for frame in batch:
        fuzzers[role].send(frame)
    assert httpx.get(f"{server.base}/healthz").status_code == 200
    acked = sum(f.events_acked for f in fuzzers)
    # Nothing but acknowledged commands, and the releases of a clock one of them started, adds events.
    log = SqliteLog(server.data_dir / "events.sqlite3")
    try:
        scheduled = sum(1 for e in log.read(exercise, after=head) if e.actor.role == "system")
    finally:
        log.close()
    assert head_of(server, exercise, fac_token) == head + acked + scheduled


def test_the_fuzzing_really_happened(target):
    server, exercise, fac_token, fuzzers, head = target
    total = sum(f.frames for f in fuzzers)
    assert total >= FUZZ_FRAMES * 0.9, total
    errors = {code for f in fuzzers for code in f.errors}
    assert {"bad_frame", "unknown_type", "invalid", "forbidden"} <= errors
    assert 1009 in {code for f in fuzzers for code in f.closes}  # oversized frames were cut off
    print(f"fuzzed {total} frames: errors {[f.errors for f in fuzzers]}, closes {[f.closes for f in fuzzers]}")
