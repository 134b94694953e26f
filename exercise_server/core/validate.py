"""Field validators shared by every decider: each returns the checked value or raises CommandError("invalid")."""

from __future__ import annotations

from typing import Any, TypeVar

from .errors import CommandError
from .geometry import geometry_problem
from .scenario import Scenario
from .timefmt import parse_offset

MAX_OFFSET = 30 * 24 * 3600  # a window or time limit beyond a month of exercise time is a mistake
TEXT_CHARS = 4000
SHORT_CHARS = 200

T = TypeVar("T")


def field(command: dict[str, Any], name: str, kind: type[T] | tuple[type[T], ...]) -> T:
    """A required field of type `kind` (a boolean is never a number)."""
    value = command.get(name)
    if value is None:
        raise CommandError("invalid", f"missing field {name!r}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CommandError("invalid", f"field {name!r} has the wrong type")
    return value


def optional(command: dict[str, Any], name: str, kind: type[T]) -> T | None:
    value = command.get(name)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise CommandError("invalid", f"field {name!r} has the wrong type")
    return value


def text(value: Any, name: str, max_chars: int = TEXT_CHARS, required: bool = True) -> str:
    """Non-empty text of at most `max_chars`, stripped; "" for a missing value that is not `required`."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CommandError("invalid", f"{name} must be non-empty text")
    if len(value) > max_chars:
        raise CommandError("invalid", f"{name} is longer than {max_chars} characters")
    return value.strip()


def offset(value: Any, name: str) -> float:
    """Exercise seconds, given as an offset such as "+1:30" or a number, up to MAX_OFFSET."""
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        try:
            seconds = parse_offset(value)
        except ValueError:
            pass
    if seconds is None:
        raise CommandError("invalid", f'{name} must be an offset such as "+1:30" or a number of seconds')
    if not 0 <= seconds <= MAX_OFFSET:  # also refuses NaN
        raise CommandError("invalid", f"{name} must be between 0 and {MAX_OFFSET} seconds")
    return float(seconds)


def components(scenario: Scenario, command: dict[str, Any], name: str) -> list[str]:
    """At least one of the scenario's component ids, sorted, without repeats."""
    raw = field(command, name, list)
    known = {c.id for c in scenario.components}
    if not raw or not all(isinstance(c, str) for c in raw):
        raise CommandError("invalid", f"{name} must list at least one component id")
    unknown = [c for c in raw if c not in known]
    if unknown:
        raise CommandError("not_found", f"no component {unknown[0]!r}")
    return sorted(set(raw))


def geometry(value: Any, types: tuple[str, ...], name: str) -> dict[str, Any]:
    """A GeoJSON geometry of one of `types`, checked as scenario geometries are."""
    if not isinstance(value, dict) or value.get("type") not in types:
        raise CommandError("invalid", f"{name} must be a GeoJSON {' or '.join(types)}")
    problem = geometry_problem(value)
    if problem:
        raise CommandError("invalid", f"{name}: {problem}")
    return value


def choice(command: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = command.get(name)
    if value not in allowed:
        raise CommandError("invalid", f"{name} must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value
