"""Attendance, from the log: who took part in an exercise, in which team, from when to when.

One row per person and team: a trainee moved to another team (`participant.moved`) has a row for
each. A row starts when the person joined (or was moved in) and ends when they were moved out,
removed, or the exercise ended; still open, it ends at the log's last event. Someone who joined
several times (a second device, the next morning) as the same roster entry, or with the same name
in the same team, is one row. `last_active` is their last action in the log.
No I/O: the server reads the events and writes the CSV.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import events as ev

COLUMNS = (
    "exercise",
    "title",
    "syndicate",
    "name",
    "email",
    "role",
    "team",
    "team_name",
    "from",
    "to",
    "last_active",
)


@dataclass(eq=False)  # one stint is one object: several participants (devices) may share it
class Stint:
    """One person's time in one team of one exercise."""

    exercise: str
    title: str
    syndicate: str
    name: str
    person: str | None
    role: str
    team: str | None
    team_name: str
    start: float
    end: float | None = None
    last_active: float | None = None
    participants: set[str] = field(default_factory=set)

    def row(self, email: str) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "title": self.title,
            "syndicate": self.syndicate,
            "name": self.name,
            "email": email,
            "role": self.role,
            "team": self.team or "",
            "team_name": self.team_name,
            "from": self.start,
            "to": self.end,
            "last_active": self.last_active,
        }


def attendance(events: Iterable[ev.Event]) -> list[dict[str, Any]]:
    """The attendance rows of one exercise's log, in the order people arrived (times: wall clock seconds)."""
    exercise = title = syndicate = ""
    team_names: dict[str, str] = {}
    emails: dict[str, str] = {}
    stints: list[Stint] = []
    open_stint: dict[str, Stint] = {}  # participant -> their current stint
    by_key: dict[tuple[str, str | None], Stint] = {}  # (person or name, team) -> its stint
    last = 0.0
    for event in events:
        p, last = event.payload, event.wall_time
        if event.type == ev.EXERCISE_OPENED:
            exercise, title = event.exercise, p.get("title", "")
            syndicate = str(p.get("syndicate") or "")  # an exercise of a class (issue 17), else blank
            team_names = {row["id"]: row.get("name", row["id"]) for row in p["scenario"].get("teams", [])}
        elif event.type == ev.ROSTER_PERSON_ADDED:
            emails[p["person"]] = p["email"]
        elif event.type in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_MOVED):
            moved = event.type == ev.PARTICIPANT_MOVED
            pid = p["participant"]
            before = open_stint.pop(pid, None)
            if moved and before is not None:
                _close(before, event.wall_time, open_stint)
            person = p.get("person") or (before.person if before else None)
            role = before.role if moved and before else p.get("role", "")
            team = p["to"] if moved else p.get("team")
            key = (person or f"name:{p['name'].casefold()}", team)
            stint = by_key.get(key)
            if stint is None or stint.end is not None and not _rejoin(stint, event):
                stint = Stint(
                    exercise,
                    title,
                    syndicate,
                    p["name"],
                    person,
                    role,
                    team,
                    team_names.get(team or "", ""),
                    event.wall_time,
                )
                by_key[key] = stint
                stints.append(stint)
            stint.end = None
            stint.participants.add(pid)
            open_stint[pid] = stint
        elif event.type == ev.PARTICIPANT_REMOVED:
            stint = open_stint.pop(p["participant"], None)
            if stint is not None:
                _close(stint, event.wall_time, open_stint)
        elif event.type == ev.EXERCISE_ENDED:
            for stint in set(open_stint.values()):
                stint.end = event.wall_time
            open_stint.clear()
        actor = event.actor.participant
        if actor in open_stint and event.type not in (ev.PARTICIPANT_JOINED, ev.PARTICIPANT_MOVED):
            open_stint[actor].last_active = event.wall_time
    for stint in open_stint.values():
        stint.end = last
    return [s.row(emails.get(s.person or "", "")) for s in stints if s.role != "plenary"]


def _rejoin(stint: Stint, event: ev.Event) -> bool:
    """A closed stint is taken up again by the same person rejoining the same team (not by a move back)."""
    return event.type == ev.PARTICIPANT_JOINED


def _close(stint: Stint, when: float, still_open: dict[str, Stint]) -> None:
    """The stint ends when none of its participants (a person's devices) is left in it."""
    if stint not in still_open.values():
        stint.end = when
