"""`exercise-server export | import | report`: a log exported from one server and imported into
another replays identically; broken logs are refused with file:line and change nothing."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from exercise_server.cli_evaluation import add_subcommands
from exercise_server.core.events import Event
from exercise_server.core.replay import Replay, point_of_view
from exercise_server.store.base import open_store

from .server_harness import Client, ServerProcess

VIEWS = ("control", "team:hum-1", "team:mil-1", "team:pol-1")


def cli(*argv: str) -> int:
    """The subcommands as `exercise-server` runs them (cli.py adds them with add_subcommands)."""
    parser = argparse.ArgumentParser(prog="exercise-server")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def read_log(data_dir: Path, exercise: str) -> list[Event]:
    async def read() -> list[Event]:
        store = open_store(data_dir)
        try:
            return await store.read(exercise)
        finally:
            await store.close()
    return asyncio.run(read())


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A server on which a small exercise was played, evaluated and ended."""
    server = ServerProcess(tmp_path_factory.mktemp("export-a") / "data").start()
    exercise, codes, fac_token = server.open_exercise()

    async def act() -> None:
        fac = await Client(server, exercise, fac_token).connect()
        hum = await Client(server, exercise, server.join(codes["hum-1"], "Amina (OCHA)")["token"]).connect()
        mil = await Client(server, exercise, server.join(codes["mil-1"], "Maj. Okafor")["token"]).connect()
        observer = await Client(server, exercise, server.join(codes["evaluator"], "Observer")["token"]).connect()
        await fac.ok("clock.start")
        await fac.ok("inject.release", inject_id="I-1")
        await hum.ok("inject.ack", inject_id="I-1")
        await hum.ok("room.post", room="joint", text='Road to Kora blocked, "avoid",\nnew line; ünïcode')
        await hum.ok("cop.add", feature={"kind": "camp", "name": "Distribution site",
                                         "geometry": {"type": "Point", "coordinates": [31.2, 4.6]},
                                         "visible_to": ["humanitarian"]})
        await mil.ok("room.post", room="liaison:hum-1~mil-1", text="Do you need an escort?")
        await fac.ok("clock.jump", to="+0:40")  # I-2, I-4 and I-6 fall due
        await hum.event("cop.feature_added")
        await observer.ok("observation.record", text="Shared at once", rating=4, objective="O5", team="hum-1")
        await observer.ok("expectation.mark", inject_id="I-1", team="hum-1", action=0, status="met")
        await fac.ok("exercise.end")
        for c in (fac, hum, mil, observer):
            await c.close()

    asyncio.run(act())
    yield server, exercise, fac_token
    server.stop()


def test_export_then_import_into_another_server_gives_an_identical_replay(source, tmp_path):
    server_a, exercise, token_a = source
    exported = tmp_path / "log.jsonl"
    assert cli("export", exercise, "--data-dir", str(server_a.data_dir), "-o", str(exported)) == 0
    data_b = tmp_path / "b" / "data"
    assert cli("import", str(exported), "--data-dir", str(data_b), "--as", "archive-1") == 0

    original, imported = read_log(server_a.data_dir, exercise), read_log(data_b, "archive-1")
    assert len(original) == len(imported) > 20
    for a, b in zip(original, imported):
        assert (a.seq, a.type, a.wall_time, a.ex_time, a.actor, a.payload, a.audience) == \
               (b.seq, b.type, b.wall_time, b.ex_time, b.actor, b.payload, b.audience)
    replay_a, replay_b = Replay(original, every=7), Replay(imported, every=7)
    for seq in range(1, len(original) + 1):  # fold equality at every moment, from every point of view
        for view in VIEWS:
            a = point_of_view(replay_a.state_at(seq), view)
            b = point_of_view(replay_b.state_at(seq), view)
            assert a | {"exercise": None} == b | {"exercise": None}, (seq, view)

    server_b = ServerProcess(data_b).start()  # another server replays the imported log over HTTP
    try:
        token_b = server_b.facilitator_token()
        for seq in (1, len(original) // 2, len(original)):
            for view in VIEWS:
                answers = [httpx.get(f"{s.base}/api/exercises/{ex}/replay", params={"seq": seq, "view": view},
                                     headers={"Authorization": f"Bearer {t}"}).json()
                           for s, ex, t in ((server_a, exercise, token_a), (server_b, "archive-1", token_b))]
                for answer in answers:
                    answer.pop("exercise"), answer["state"].pop("exercise")
                assert answers[0] == answers[1], (seq, view)
    finally:
        server_b.stop()


def test_csv_export_has_a_row_per_event_for_spreadsheets(source, tmp_path):
    server, exercise, _ = source
    out = tmp_path / "log.csv"
    assert cli("export", exercise, "--data-dir", str(server.data_dir), "--format", "csv", "-o", str(out)) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    message = next(r for r in rows if r["type"] == "room.message_posted")
    assert json.loads(message["payload"])["text"] == 'Road to Kora blocked, "avoid",\nnew line; ünïcode'
    assert message["actor_team"] == "hum-1" and message["scenario_time"].startswith("D+3 06:")
    assert "team:hum-1" in message["audience"].split()


def test_export_to_standard_output(source, capsys):
    server, exercise, _ = source
    assert cli("export", exercise, "--data-dir", str(server.data_dir)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["type"] == "exercise.opened" and json.loads(lines[-1])["type"] == "exercise.ended"


def test_export_into_a_pipe_closed_early_ends_quietly(source):
    """`exercise-server export EX | head -1`: no traceback when the reader has stopped reading."""
    server, exercise, _ = source
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line: every write meets a broken pipe
    try:
        proc = subprocess.run([sys.executable, "-m", "exercise_server", "export", exercise, "--data-dir",
                               str(server.data_dir)], stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    stderr = proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr


def test_the_report_command_writes_a_self_contained_report(source, tmp_path):
    server, exercise, _ = source
    out = tmp_path / "report.html"
    assert cli("report", exercise, "--data-dir", str(server.data_dir), "-o", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert "After-action report" in html and "Shared at once" in html and "<svg" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_an_unknown_exercise_or_data_directory_is_reported(source, tmp_path, capsys):
    server, _, _ = source
    assert cli("export", "nope-000000", "--data-dir", str(server.data_dir)) == 1
    assert "no exercise 'nope-000000'" in capsys.readouterr().err
    assert cli("report", "nope-000000", "--data-dir", str(tmp_path / "empty")) == 1
    assert "no event log" in capsys.readouterr().err
    assert not (tmp_path / "empty").exists()  # nothing created by looking


def _exported(source, tmp_path) -> list[dict]:
    server, exercise, _ = source
    out = tmp_path / "good.jsonl"
    assert cli("export", exercise, "--data-dir", str(server.data_dir), "-o", str(out)) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _broken(lines: list[dict], where: int, change) -> list:  # type: ignore[no-untyped-def]
    out = [dict(line) for line in lines]
    out[where] = change(out[where])
    return out


@pytest.mark.parametrize("name, breakage, message", [
    ("not JSON", lambda ls: ls[:3] + ["{not json"] + ls[4:], "log.jsonl:4: not a JSON event"),
    ("a gap", lambda ls: ls[:5] + ls[6:], "log.jsonl:6: event 7 where 6 was due"),
    ("a duplicate", lambda ls: ls[:5] + [ls[4]] + ls[5:], "log.jsonl:6: event 5 where 6 was due"),
    ("unknown type", lambda ls: _broken(ls, 7, lambda e: {**e, "type": "magic.happened"}),
     "log.jsonl:8: unknown event type 'magic.happened'"),
    ("missing field", lambda ls: _broken(ls, 2, lambda e: {k: v for k, v in e.items() if k != "audience"}),
     "log.jsonl:3: missing audience"),
    ("extra field", lambda ls: _broken(ls, 2, lambda e: {**e, "secret": 1}), "log.jsonl:3: unknown secret"),
    ("newer schema", lambda ls: _broken(ls, 0, lambda e: {**e, "v": 2}), "log.jsonl:1: event schema version 2"),
    ("bad time", lambda ls: _broken(ls, 9, lambda e: {**e, "ex_time": "soon"}), "log.jsonl:10: wall_time and ex_time"),
    ("two exercises", lambda ls: _broken(ls, 9, lambda e: {**e, "exercise": "other-1"}),
     "log.jsonl:10: event of exercise 'other-1'"),
    ("not opened first", lambda ls: [{**e, "seq": i + 1} for i, e in enumerate(ls[1:])],
     "the first event must be exercise.opened"),
    ("does not fold", lambda ls: _broken(ls, 12, lambda e: {**e, "type": "inject.acknowledged",
                                                          "payload": {"inject_id": "I-99", "team": "hum-1"}}),
     "event 13 (inject.acknowledged) does not fold"),
    ("empty", lambda ls: [], "log.jsonl: no events"),
])
def test_a_broken_log_is_refused_with_its_line_and_nothing_is_stored(source, tmp_path, capsys, name, breakage,
                                                                      message):
    lines = breakage(_exported(source, tmp_path))
    path = tmp_path / "log.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
                    encoding="utf-8")
    capsys.readouterr()
    assert cli("import", str(path), "--data-dir", str(tmp_path / "target")) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "target").exists()


def test_import_appends_only_into_an_empty_log_and_checks_the_new_id(source, tmp_path, capsys):
    lines = _exported(source, tmp_path)
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    target = str(tmp_path / "target")
    assert cli("import", str(path), "--data-dir", target) == 0
    assert cli("import", str(path), "--data-dir", target) == 1
    assert "already has" in capsys.readouterr().err
    assert cli("import", str(path), "--data-dir", target, "--as", "Bad Id!") == 1
    assert "exercise id 'Bad Id!'" in capsys.readouterr().err
    assert cli("import", str(tmp_path / "missing.jsonl"), "--data-dir", target) == 1
    assert "cannot read" in capsys.readouterr().err
    assert len(read_log(Path(target), lines[0]["exercise"])) == len(lines)


def test_export_import_and_report_work_against_the_servers_redis(source, tmp_path, redis_url, redis_prefix, capsys):
    """A deployment on Redis (docs/deployment.md) exports, imports and reports from Redis itself."""
    server, exercise, _ = source
    exported = tmp_path / "log.jsonl"
    assert cli("export", exercise, "--data-dir", str(server.data_dir), "-o", str(exported)) == 0
    on_redis = ("--redis-url", redis_url, "--redis-prefix", redis_prefix)
    assert cli("import", str(exported), *on_redis, "--as", "on-redis-1") == 0
    again = tmp_path / "again.jsonl"
    assert cli("export", "on-redis-1", *on_redis, "-o", str(again)) == 0
    original = [json.loads(line) for line in exported.read_text().splitlines()]
    from_redis = [json.loads(line) for line in again.read_text().splitlines()]
    assert [e | {"exercise": None} for e in original] == [e | {"exercise": None} for e in from_redis]
    report = tmp_path / "report.html"
    assert cli("report", "on-redis-1", *on_redis, "-o", str(report)) == 0
    assert "<html" in report.read_text()
    capsys.readouterr()
    assert cli("export", "nope-000000", *on_redis) == 1
    assert "no exercise 'nope-000000' in Redis" in capsys.readouterr().err
    assert cli("export", "on-redis-1", "--redis-url", "redis://127.0.0.1:1/0") == 1
    assert "cannot reach Redis redis://127.0.0.1:1/0" in capsys.readouterr().err
