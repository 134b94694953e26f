"""Wrong sign-ins per client address: a guessed join code or facilitator secret costs one try.

Each address holds `attempts` tries, refilled evenly over `refill_seconds`; only wrong
codes and secrets spend them, so a classroom behind one address (a school's NAT, the
reverse proxy) can join all at once. An address with no try left is refused with
`rate_limited` before its code or secret is even looked at.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .errors import RequestError

MAX_ADDRESSES = 10_000  # beyond this, addresses whose tries are all back are forgotten


class WrongSignIns:
    def __init__(
        self, attempts: int, refill_seconds: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.attempts, self.rate, self.clock = attempts, attempts / refill_seconds, clock
        self.tries: dict[str, tuple[float, float]] = {}  # address -> (tries left, when counted)

    def _left(self, address: str) -> float:
        left, stamp = self.tries.get(address, (self.attempts, self.clock()))
        return min(self.attempts, left + (self.clock() - stamp) * self.rate)

    def check(self, address: str) -> None:
        """Refuse an address that has no try left (raises RequestError rate_limited)."""
        left = self._left(address)
        if left < 1:
            wait = math.ceil((1 - left) / self.rate)
            raise RequestError(
                "rate_limited", f"too many wrong codes or secrets from your address: try again in {wait} s"
            )

    def wrong(self, address: str) -> None:
        """Spend one try of `address`."""
        if len(self.tries) >= MAX_ADDRESSES:
            self.tries = {a: t for a, t in self.tries.items() if self._left(a) < self.attempts}
        self.tries[address] = (self._left(address) - 1, self.clock())
