"""Keep requests to one API a minimum interval apart, across the whole process.

GDELT asks for at most one request every 5 seconds. :class:`Spacer` hands out start slots
``interval`` apart; a caller sleeps until its slot. Slots are reserved without awaiting, so the
spacer needs no lock and works from any event loop (tests run one loop per test). The clock and
the sleep are injected, so tests check the spacing without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Spacer:
    """Process-wide minimum spacing between request starts."""

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next_slot = float("-inf")

    def reserve(self) -> float:
        """Reserve the next free slot and return how many seconds to wait for it."""
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        """Sleep until this caller's slot (cancellation leaves the slot unused, harmlessly)."""
        delay = self.reserve()
        if delay > 0:
            await self._sleep(delay)
