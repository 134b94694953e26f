"""Wrong sign-ins per client address: a guessed join code or facilitator secret costs one try.

Each address holds `attempts` tries, refilled evenly over `refill_seconds`; only wrong
codes and secrets spend them, so a classroom behind one address (a school's NAT, the
reverse proxy) can join all at once. An address with no try left is slowed, never locked
out: each of its sign-ins waits `delay` seconds before its code or secret is looked at (at
most `max_waiting` of them at once; more are refused at once), then a right one gets in and
a wrong one is refused with `rate_limited` and the seconds until a try is back. Guessing
from one address is held to about `max_waiting / delay` tries a second, whoever answers.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable

from .errors import RequestError

MAX_ADDRESSES = 10_000  # beyond this, addresses whose tries are all back are forgotten


class WrongSignIns:
    def __init__(
        self,
        attempts: int,
        refill_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        delay: float = 2.0,
        max_waiting: int = 32,
    ) -> None:
        self.attempts, self.rate, self.clock = attempts, attempts / refill_seconds, clock
        self.delay, self.max_waiting = delay, max_waiting
        self.tries: dict[str, tuple[float, float]] = {}  # address -> (tries left, when counted)
        self.waiting: Counter[str] = Counter()  # address -> its sign-ins waiting out the delay now

    def _left(self, address: str) -> float:
        left, stamp = self.tries.get(address, (self.attempts, self.clock()))
        return min(self.attempts, left + (self.clock() - stamp) * self.rate)

    def retry_after(self, address: str) -> int:
        """Seconds until `address` has a try again (at least 1)."""
        return max(1, math.ceil((1 - self._left(address)) / self.rate))

    def _refused(self, address: str) -> RequestError:
        wait = self.retry_after(address)
        return RequestError(
            "rate_limited",
            f"too many wrong codes or secrets from your address: try again in {wait} s",
            retry_after=wait,
        )

    async def pace(self, address: str) -> None:
        """Before a code or secret from `address` is looked at: wait if it has no try left."""
        if self._left(address) >= 1:
            return
        if self.waiting[address] >= self.max_waiting:
            raise self._refused(address)
        self.waiting[address] += 1
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.waiting[address] -= 1
            if not self.waiting[address]:
                del self.waiting[address]

    def wrong(self, address: str) -> None:
        """Spend one try of `address`; raises RequestError rate_limited if it had none left."""
        left = self._left(address)
        if len(self.tries) >= MAX_ADDRESSES:
            self.tries = {a: t for a, t in self.tries.items() if self._left(a) < self.attempts}
        self.tries[address] = (max(left - 1, -1.0), self.clock())
        if left < 1:
            raise self._refused(address)
