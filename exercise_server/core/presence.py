"""Who a participant sees online: everyone for the control cell; for a team, the trainees of its rooms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from .access import PLENARY, TRAINEE, Principal, may_read
from .scenario import Scenario


class PresenceEntry(TypedDict):
    """One participant connected, on one process or summed over all of them."""

    participant: str
    name: str
    role: str
    team: str | None
    connections: int


def presence_view(
    scenario: Scenario, principal: Principal, online: Mapping[str, PresenceEntry]
) -> tuple[list[PresenceEntry], dict[str, list[str]]]:
    """What `principal` may see of `online` (participant -> entry): the entries, by team then
    name, and the members online of each room it reads. The control cell is invisible to trainees."""
    trainee_sight = principal.role in (TRAINEE, PLENARY)  # the plenary screen shows what every trainee sees
    if trainee_sight:
        online = {pid: entry for pid, entry in online.items() if entry["role"] == TRAINEE}
    rooms = {
        room.id: sorted(pid for pid, entry in online.items() if entry["team"] in room.readers)
        for room in scenario.rooms.values()
        if may_read(principal, room, scenario)
    }
    if trainee_sight:
        visible = {pid for members in rooms.values() for pid in members}
        online = {pid: entry for pid, entry in online.items() if pid in visible}
    return sorted(online.values(), key=lambda entry: (entry["team"] or "", entry["name"])), rooms
