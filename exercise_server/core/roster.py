"""People by name: a roster of names per team (typed or imported from CSV), personal join codes, and
moving a trainee to another team.

The roster is optional: a team code still joins anyone who types a name. With a roster, a person
who entered their team's code picks their name from it (`person` at join), or joins with the
personal code their roster entry was given; either way the join names the roster entry, which
attendance and certificates count by. The server draws the personal codes (`codes` of the command,
as `code.replace` draws its new code): the core takes no randomness.

A move is the participant's: `participant.moved` switches their team in the state, their open
connections close with 4412 and reconnect into a fresh snapshot of the new team (they then see the
new team's history, never the old one's new messages), and a roster entry follows its person.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import events as ev
from .access import TRAINEE, Principal
from .context import Decider, Decision, Handler
from .errors import CommandError
from .scenario import Scenario
from .validate import field

if TYPE_CHECKING:
    from .projections import ExerciseState

NAME_CHARS = 60
EMAIL_CHARS = 120
MAX_ROSTER = 500  # names in one exercise's roster
CSV_COLUMNS = ("name", "team", "email")
HEADERS = (["name", "team"], ["nom", "équipe"], ["nom", "equipe"])  # an optional first row, in English or French


@dataclass(frozen=True)
class RosterEntry:
    """One name on a team's roster and its personal join code (None once taken off the roster)."""

    id: str
    name: str
    team: str
    email: str
    code: str
    removed: bool = False


def team_of(scenario: Scenario, given: str) -> str | None:
    """The team a roster row names, by id or by name (any case), or None."""
    wanted = given.strip().casefold()
    for team in scenario.teams:
        if wanted in (team.id.casefold(), team.name.casefold()):
            return team.id
    return None


def parse_csv(source: str, scenario: Scenario) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of a roster CSV (name, team[, email]; a header row is optional) and every problem
    in it, each naming its line. The caller writes nothing unless the problems are none."""
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    lines = list(csv.reader(io.StringIO(source.lstrip("\ufeff"))))
    if lines and [c.strip().casefold() for c in lines[0][:2]] in HEADERS:
        lines = [[], *lines[1:]]  # the header: line numbers keep counting it
    for number, cells in enumerate(lines, start=1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 2 or len(cells) > 3:
            problems.append(f"line {number}: expected name, team and an optional email; got {len(cells)} columns")
            continue
        name, team_given = cells[0].strip(), cells[1].strip()
        email = cells[2].strip() if len(cells) == 3 else ""
        if not name:
            problems.append(f"line {number}: the name is empty")
        elif len(name) > NAME_CHARS:
            problems.append(f"line {number}: the name is longer than {NAME_CHARS} characters")
        team = team_of(scenario, team_given)
        if team is None:
            known = ", ".join(t.id for t in scenario.teams)
            problems.append(f"line {number}: no team {team_given!r} in this scenario (teams: {known})")
        if email and ("@" not in email or len(email) > EMAIL_CHARS or any(c.isspace() for c in email)):
            problems.append(f"line {number}: {email!r} is not an email address")
        if team is not None and name and len(name) <= NAME_CHARS:
            rows.append({"name": name, "team": team, "email": email})
    if not rows and not problems:
        problems.append("the file holds no names")
    return rows, problems


def _people(decision: Decision, command: dict[str, Any]) -> list[dict[str, str]]:
    """The people a roster.add command lists, checked; every problem is reported at once."""
    people = field(command, "people", list)
    codes = field(command, "codes", list)
    if not people:
        raise CommandError("invalid", "people must list at least one name")
    if len(codes) < len(people) or not all(isinstance(c, str) and c for c in codes):
        raise CommandError("invalid", "codes must give one new code per person (the server draws them)")
    roster = decision.state.roster
    if len([e for e in roster.values() if not e.removed]) + len(people) > MAX_ROSTER:
        raise CommandError("invalid", f"a roster holds at most {MAX_ROSTER} names")
    problems, out = [], []
    for i, person in enumerate(people, start=1):
        if not isinstance(person, dict):
            problems.append(f"person {i}: must be a map of name, team and email")
            continue
        name, team, email = (person.get(k) for k in CSV_COLUMNS)
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_CHARS:
            problems.append(f"person {i}: the name must be non-empty text of at most {NAME_CHARS} characters")
        found = team_of(decision.scenario, team) if isinstance(team, str) else None
        if found is None:
            problems.append(f"person {i}: no team {team!r} in this scenario")
        email = email or ""
        if not isinstance(email, str) or (email and ("@" not in email or len(email) > EMAIL_CHARS)):
            problems.append(f"person {i}: {email!r} is not an email address")
        if isinstance(name, str) and found and isinstance(email, str):
            out.append({"name": name.strip(), "team": found, "email": email.strip()})
    if problems:
        raise CommandError("invalid", "; ".join(problems))
    return out


def add_people(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    people = _people(decision, command)
    codes = command["codes"]
    taken = set(decision.state.codes) | set(decision.state.personal_codes)
    if any(c in taken for c in codes[: len(people)]):
        raise CommandError("conflict", "a new code is taken; try again")
    first = len(decision.state.roster) + 1
    drafts = []
    for i, (person, code) in enumerate(zip(people, codes, strict=False)):
        payload = {"person": f"r-{first + i}", "code": code, **person}
        drafts.append(decision.draft(ev.ROSTER_PERSON_ADDED, payload, (ev.FACILITATOR,)))
    return drafts


def remove_person(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    pid = field(command, "person", str)
    entry = decision.state.roster.get(pid)
    if entry is None or entry.removed:
        raise CommandError("not_found", f"no person {pid!r} on the roster")
    return [decision.draft(ev.ROSTER_PERSON_REMOVED, {"person": pid, "name": entry.name}, (ev.FACILITATOR,))]


def move_participant(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    pid, to = field(command, "participant", str), field(command, "team", str)
    person = decision.state.participants.get(pid)
    if person is None:
        raise CommandError("not_found", f"no participant {pid!r}")
    if person.role != TRAINEE or person.team is None:
        raise CommandError("invalid", "only a trainee moves between teams")
    if decision.scenario.team(to) is None:
        raise CommandError("not_found", f"no team {to!r}")
    if to == person.team:
        raise CommandError("conflict", f"{person.name} is in {to} already")
    payload = {"participant": pid, "name": person.name, "from": person.team, "to": to}
    if pid in decision.state.person_of:
        payload["person"] = decision.state.person_of[pid]
    audience = (*ev.CONTROL_CELL, ev.team_key(person.team), ev.team_key(to))
    return [decision.draft(ev.PARTICIPANT_MOVED, payload, audience)]


def join_as(state: ExerciseState, code: str, person: Any) -> tuple[str | None, str | None, str | None]:
    """Who a join names: (the roster entry, its name, its team), or Nones for a name typed freely.

    `code` is a team code (then `person`, if given, must be on that team's roster) or a personal code."""
    pid = state.personal_codes.get(code)
    if pid is None and person is None:
        return None, None, None
    if pid is None:
        if not isinstance(person, str):
            raise CommandError("invalid", "person must be the id of a name on the roster")
        pid = person
        info = state.codes.get(code)
        entry = state.roster.get(pid)
        if entry is None or entry.removed or info is None or entry.team != info.team:
            raise CommandError("not_found", "no such name on this team's roster")
    entry = state.roster[pid]
    if entry.removed:
        raise CommandError("forbidden", "this personal code no longer lets anyone in")
    return entry.id, entry.name, entry.team


def moved_from(state: ExerciseState, participant: str, team: str | None) -> bool:
    """Whether the participant is in another team now than `team` (their token's): moved since."""
    now = state.participants.get(participant)
    return now is not None and now.role == TRAINEE and now.team != team


def seated(state: ExerciseState, principal: Principal) -> Principal:
    """`principal` (from a token) in the team the log has them in now: a moved trainee's token names
    the team they joined, their seat is the one they were moved to."""
    now = state.participants.get(principal.participant)
    if principal.role != TRAINEE or now is None or now.team == principal.team or state.scenario is None:
        return principal
    team = state.scenario.team(now.team) if now.team else None
    return replace(principal, team=now.team, component=team.component if team else None)


def roster_rows(state: ExerciseState) -> list[dict[str, str]]:
    """The roster as the facilitator's snapshot holds it (names taken off it are left out)."""
    return [
        {"person": e.id, "name": e.name, "team": e.team, "email": e.email, "code": e.code}
        for e in state.roster.values()
        if not e.removed
    ]


def team_roster(state: ExerciseState, team: str | None) -> list[dict[str, str]]:
    """The names on a team's roster, for its members to pick from at join (no codes, no emails)."""
    return [{"person": e.id, "name": e.name} for e in state.roster.values() if e.team == team and not e.removed]


def _added(state: ExerciseState, event: ev.Event) -> None:
    p = event.payload
    state.roster[p["person"]] = RosterEntry(p["person"], p["name"], p["team"], p["email"], p["code"])
    state.personal_codes[p["code"]] = p["person"]


def _removed(state: ExerciseState, event: ev.Event) -> None:
    pid = event.payload["person"]
    state.roster[pid] = replace(state.roster[pid], removed=True)


def _moved(state: ExerciseState, event: ev.Event) -> None:
    p = event.payload
    moved = state.participants[p["participant"]]  # replaced, not changed: a replay's snapshots share it
    state.participants[p["participant"]] = replace(moved, team=p["to"])
    pid = p.get("person")
    if pid is not None:
        state.roster[pid] = replace(state.roster[pid], team=p["to"])


DECIDERS: dict[str, Decider] = {
    "roster.add": add_people,
    "roster.remove": remove_person,
    "participant.move": move_participant,
}
HANDLERS: dict[str, Handler] = {
    ev.ROSTER_PERSON_ADDED: _added,
    ev.ROSTER_PERSON_REMOVED: _removed,
    ev.PARTICIPANT_MOVED: _moved,
}
