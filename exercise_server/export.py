"""An exercise's log out of the store and back in: JSON Lines (lossless) and CSV (for spreadsheets).

JSON Lines holds one event per line exactly as the store keeps it, so an exported log
imported into another server folds to the same states: the replay is identical. CSV
is for reading and charting; it is not imported.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .core import events as ev
from .core.log_upgrades import upgraded
from .core.projections import ExerciseState
from .core.timefmt import format_dday, parse_dday
from .store.base import EventStore

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "seq",
    "type",
    "ex_time",
    "scenario_time",
    "wall_time",
    "actor_role",
    "actor_team",
    "actor_name",
    "actor_participant",
    "audience",
    "payload",
)
EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_EVENT_KEYS = {"exercise", "seq", "type", "wall_time", "ex_time", "actor", "payload", "audience", "v", "command"}
_OPTIONAL_KEYS = {"v", "command"}  # `command`: protocol 1.1's command ids, absent from older logs
_ACTOR_KEYS = {"role", "team", "name", "participant"}


class LogImportError(ValueError):
    """A log that cannot be imported; the message says where and why. Nothing was stored."""


def write_jsonl(events: Iterable[ev.Event], out: TextIO) -> int:
    n = 0
    for event in events:
        out.write(json.dumps(event.to_dict(), ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n")
        n += 1
    return n


def write_csv(events: Iterable[ev.Event], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    start = 0.0
    n = 0
    for event in events:
        if event.type == ev.EXERCISE_OPENED:
            start = _scenario_start(event.payload.get("scenario", {}))
        a = event.actor
        writer.writerow(
            [
                event.seq,
                event.type,
                event.ex_time,
                format_dday(start + event.ex_time),
                event.wall_time,
                a.role,
                a.team or "",
                a.name,
                a.participant or "",
                " ".join(event.audience),
                json.dumps(event.payload, ensure_ascii=False, sort_keys=True),
            ]
        )
        n += 1
    return n


def _scenario_start(doc: dict[str, Any]) -> float:
    try:
        return parse_dday(str(doc.get("start", "D+0 00:00")))
    except ValueError:
        return 0.0


def read_jsonl(lines: Iterable[str], source: str = "<log>") -> list[ev.Event]:
    """Parse and check an exported log: every line an event, numbered 1, 2, 3 ... of one exercise,
    folding without fault. Raises LogImportError naming the line."""
    events: list[ev.Event] = []
    exercise: str | None = None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            data = json.loads(line, parse_constant=_no_constant)
        except ValueError as exc:
            raise LogImportError(f"{where}: not a JSON event ({exc})") from None
        event = _event(data, where)
        if event.seq != len(events) + 1:
            raise LogImportError(
                f"{where}: event {event.seq} where {len(events) + 1} was due "
                "(the log must be numbered 1, 2, 3 ... without gaps)"
            )
        if exercise is not None and event.exercise != exercise:
            raise LogImportError(f"{where}: event of exercise {event.exercise!r} in the log of {exercise!r}")
        exercise = event.exercise
        events.append(event)
    if not events:
        raise LogImportError(f"{source}: no events")
    check_log(events, source)
    return events


def check_log(events: Sequence[ev.Event], source: str = "<log>") -> ExerciseState:
    """Fold the log as the server will: an event the fold refuses stops the import."""
    if events[0].type != ev.EXERCISE_OPENED:
        raise LogImportError(f"{source}: the first event must be {ev.EXERCISE_OPENED}, not {events[0].type}")
    state = ExerciseState()
    for event in events:
        try:
            state.apply(event)
        except Exception as exc:  # noqa: BLE001 - any fault in the fold means a log we cannot serve
            raise LogImportError(
                f"{source}: event {event.seq} ({event.type}) does not fold: {type(exc).__name__}: {exc}"
            ) from None
    return state


async def import_log(store: EventStore, events: Sequence[ev.Event], as_id: str | None = None) -> str:
    """Append a checked log as exercise `as_id` (default: its own id) into an empty log."""
    exercise = as_id or events[0].exercise
    if not EXERCISE_ID.match(exercise):
        raise LogImportError(f"exercise id {exercise!r}: lowercase letters, digits and '-', at most 80")
    head = await store.head(exercise)
    if head:
        raise LogImportError(f"exercise {exercise!r} already has {head} events here; import it --as another id")
    drafts = [ev.Draft(e.type, e.payload, e.audience, e.wall_time, e.ex_time, e.actor, e.command) for e in events]
    await store.append(exercise, drafts, expected_head=0)
    return exercise


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _event(data: Any, where: str) -> ev.Event:
    if not isinstance(data, dict):
        raise LogImportError(f"{where}: an event must be a JSON object")
    missing, unknown = _EVENT_KEYS - _OPTIONAL_KEYS - set(data), set(data) - _EVENT_KEYS
    if missing or unknown:
        raise LogImportError(
            f"{where}: "
            + "; ".join(
                ([f"missing {', '.join(sorted(missing))}"] if missing else [])
                + ([f"unknown {', '.join(sorted(unknown))}"] if unknown else [])
            )
        )
    if data.get("v", ev.SCHEMA_VERSION) != ev.SCHEMA_VERSION:
        raise LogImportError(f"{where}: event schema version {data['v']!r} (this server reads {ev.SCHEMA_VERSION})")
    actor = data["actor"]
    checks = [
        (isinstance(data["exercise"], str) and EXERCISE_ID.match(data["exercise"]), "exercise must be an exercise id"),
        (_is_int(data["seq"]) and data["seq"] >= 1, "seq must be a whole number from 1"),
        (data["type"] in ev.EVENT_TYPES, f"unknown event type {data['type']!r}"),
        (_is_time(data["wall_time"]) and _is_time(data["ex_time"]), "wall_time and ex_time must be numbers"),
        (
            isinstance(actor, dict)
            and set(actor) == _ACTOR_KEYS
            and isinstance(actor["role"], str)
            and isinstance(actor["name"], str)
            and all(actor[k] is None or isinstance(actor[k], str) for k in ("team", "participant")),
            "actor must be {role, team, name, participant}",
        ),
        (isinstance(data["payload"], dict), "payload must be an object"),
        (_is_command(data.get("command")), "command must be {participant, id, digest}"),
        (
            isinstance(data["audience"], list) and all(isinstance(a, str) for a in data["audience"]),
            "audience must be a list of audience keys",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise LogImportError(f"{where}: {message}")
    if isinstance(data["payload"], dict):  # an earlier server's payload, read in today's form
        data = {**data, "payload": upgraded(data["type"], data["payload"])}
    problem = ev.payload_problem(data["type"], data["payload"])
    if problem:
        raise LogImportError(f"{where}: {problem}")
    return ev.Event.from_dict(data)


def _is_command(value: Any) -> bool:
    """Absent, or the command an event came from (events.CommandRef)."""
    return value is None or (
        isinstance(value, dict)
        and set(value) == {"participant", "id", "digest"}
        and isinstance(value["participant"], str)
        and isinstance(value["digest"], str)
        and (isinstance(value["id"], str) or _is_int(value["id"]))
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_time(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
