"""Scenario-time notation: offsets `+H:MM[:SS]`, durations `H:MM`, and `D+N HH:MM`."""

from __future__ import annotations

import re

_OFFSET = re.compile(r"^\+(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_DDAY = re.compile(r"^D([+-]\d{1,3})\s+([01]\d|2[0-3]):([0-5]\d)$")

DAY = 86400


def parse_offset(text: str) -> float:
    """`+0:05` -> 300.0 seconds after exercise start."""
    m = _OFFSET.match(text.strip())
    if not m:
        raise ValueError(f"offset {text!r} is not of the form +H:MM or +H:MM:SS")
    h, mnt, s = m.groups()
    return float(int(h) * 3600 + int(mnt) * 60 + int(s or 0))


def parse_duration(text: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"duration {text!r} is not of the form H:MM")
    return float(int(m.group(1)) * 3600 + int(m.group(2)) * 60)


def parse_dday(text: str) -> float:
    """`D+3 06:00` -> seconds from D-day 00:00 (negative before D-day)."""
    m = _DDAY.match(text.strip())
    if not m:
        raise ValueError(f"scenario time {text!r} is not of the form D+N HH:MM")
    return float(int(m.group(1)) * DAY + int(m.group(2)) * 3600 + int(m.group(3)) * 60)


def parse_exercise_time(text: str, start: float) -> float:
    """An offset (`+1:30`) or a scenario time (`D+3 08:00`, given the scenario's `start` in
    seconds from D-day) -> seconds after exercise start; ValueError says what is wrong."""
    text = " ".join(text.split())
    if text.upper().startswith(("D", "J")):  # J+3 08:00, as French writes D+3 (jour J)
        return parse_dday("D" + text[1:].upper()) - start
    try:
        return parse_offset(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither an offset such as +1:30 nor a scenario time such as {format_dday(start + 5400)}"
        ) from None


def dday_parts(seconds: float) -> dict[str, str]:
    """A scenario time's parts, for a language that writes D+3 its own way: sign, day, time (HH:MM)."""
    total = int(seconds // 60)
    day, minute_of_day = divmod(total, 24 * 60)
    time = f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"
    return {"sign": "+" if day >= 0 else "-", "day": str(abs(day)), "time": time}


def format_dday(seconds: float) -> str:
    """Inverse of parse_dday, to the minute: 3*86400+6*3600 -> `D+3 06:00`."""
    parts = dday_parts(seconds)
    return f"D{parts['sign']}{parts['day']} {parts['time']}"


def format_duration(seconds: float) -> str:
    """Inverse of parse_duration, to the minute: 5400 -> `1:30`."""
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def format_offset(seconds: float) -> str:
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"+{h}:{m:02d}" + (f":{s:02d}" if s else "")
