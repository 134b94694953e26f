"""The event store seam: append and read an exercise's log. One file per backend."""

from .base import EventStore, StoreUnavailable, open_store

__all__ = ["EventStore", "StoreUnavailable", "open_store"]
