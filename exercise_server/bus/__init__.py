"""The fan-out bus seam: publish an exercise's new events, subscribe to them."""

from .base import Bus, open_bus

__all__ = ["Bus", "open_bus"]
