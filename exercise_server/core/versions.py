"""Versions of the things facilitators edit in place (an inject, a COP feature; the scenario studio's
saves later), so that of two people editing the same thing at once the second learns of the first.

A thing's version is the `seq` of the last event that changed it: the snapshot row carries it and a
client's live fold takes it from the event, so no counter of its own is needed. An edit names the
version it was made on; a stale one is refused with `conflict` and what changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import CommandError


@dataclass
class Versions:
    """The seq of the last event that changed a thing, and of the last that changed each of its fields."""

    version: int = 0
    fields: dict[str, int] = field(default_factory=dict)

    def touch(self, seq: int, names: Iterable[str]) -> None:
        self.version = seq
        for name in names:
            self.fields[name] = seq

    def changed_since(self, base: int) -> list[str]:
        """The fields some event changed after version `base`."""
        return sorted(name for name, seq in self.fields.items() if seq > base)


def check_version(command: Mapping[str, Any], versions: Versions, current: Mapping[str, Any], what: str) -> None:
    """Refuse an edit made on an older version of `what` than `versions.version` (`conflict`).

    The command's `version` is optional: without it the edit is taken as a 1.0 client's always was.
    The refusal carries `changed`: the version now, the fields changed since the edit's version and
    their values now (`current`, the thing as its editor may see it), for the editor to reapply."""
    base = command.get("version")
    if base is None:
        return
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        raise CommandError("invalid", "version must be the version you edited (a sequence number)")
    if base == versions.version:
        return
    names = versions.changed_since(base)
    changed = {"version": versions.version, "fields": names, "current": {n: current[n] for n in names if n in current}}
    which = f": {', '.join(names)}" if names else ""
    raise CommandError(
        "conflict",
        f"{what} was changed meanwhile (you edited version {base}, it is now at {versions.version}){which}; "
        "nothing was stored: look at the changes and apply yours again",
        changed=changed,
    )
