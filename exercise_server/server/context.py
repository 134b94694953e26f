"""What the HTTP and WebSocket handlers share: settings, the exercises, the signing key."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.clock import WallClock
from ..scenarios import Library
from ..store.base import EventStore
from .registry import Exercises
from .settings import Settings
from .sign_ins import WrongSignIns


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
