"""What the HTTP and WebSocket handlers share: settings, the exercises, the signing key."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.clock import WallClock
from ..scenarios import Library
from ..store.base import EventStore
from .registry import Exercises
from .settings import Settings
from .sign_ins import WrongSignIns
from .staff import Staff


@dataclass
class AppContext:
    settings: Settings
    store: EventStore
    exercises: Exercises
    clock: WallClock
    secret_key: bytes
    facilitator_secret: str
    library: Library
    wrong_sign_ins: WrongSignIns
    staff: Staff = field(default_factory=lambda: Staff(None))  # the control cell by name (staff.py)
