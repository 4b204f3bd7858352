"""APScheduler's home: the ticks that drive the poller, the delivery worker and housekeeping.

The scheduler only ticks; what is due is data in the store. Every job runs with
``max_instances=1`` and ``coalesce=True``, so a slow tick is never overlapped by the next one
and missed ticks collapse into one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("dealradar.scheduler")


@dataclass(frozen=True, slots=True)
class Tick:
    name: str
    seconds: float
    job: Callable[[], Awaitable[object]]


SHUTDOWN_GRACE_S = 20.0  # how long shutdown waits for ticks in flight


class Ticker:
    def __init__(self, ticks: list[Tick]) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = False
        for tick in ticks:
            self._scheduler.add_job(
                self._guard(tick),
                "interval",
                seconds=tick.seconds,
                id=tick.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=datetime.now(UTC),  # first run right away, then every interval
            )

    def _guard(self, tick: Tick) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await tick.job()
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                # cancelled by shutdown after the grace period: expected, not a crash (and
                # APScheduler would log it with a traceback)
                log.info("tick cancelled at shutdown", extra={"kv": {"tick": tick.name}})
            except Exception:  # one failing tick must not stop the schedule
                log.exception("tick failed", extra={"kv": {"tick": tick.name}})
            finally:
                if task is not None:
                    self._running.discard(task)

        run.__name__ = f"tick_{tick.name}"
        return run

    def start(self) -> None:
        """Start ticking; needs a running asyncio loop."""
        self._scheduler.start()

    async def shutdown(self) -> None:
        """Stop scheduling and let ticks in flight finish (up to :data:`SHUTDOWN_GRACE_S`).

        A tick still running after that is cancelled; its leased work stays queued in the
        store and is picked up again when the lease runs out.
        """
        self._stopping = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._running:
            _done, pending = await asyncio.wait(set(self._running), timeout=SHUTDOWN_GRACE_S)
            for task in pending:
                task.cancel()
