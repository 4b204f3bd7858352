"""The one fake clock the tests move by hand: nothing sleeps, nothing reads the wall clock.

The bot takes its time as an injected callable. Most seats want the wall time as an aware UTC
``datetime`` (``Callable[[], datetime]``: :func:`bot.runtime.app.build`,
:class:`bot.ingest.poller.Poller`, :class:`bot.alerts.delivery.DeliveryWorker`,
:class:`bot.ingest.backfill.Backfiller`, :class:`bot.store.processed_requests.ProcessedRequests`,
:class:`handlers.commands.DealCommands`...):
pass the clock itself. A few want seconds as a float (``Callable[[], float]``, ``time.time`` or
``time.monotonic`` by default: the Discord REST buckets and circuit breaker, the send guard, the
Slack admin cache and request signatures, the web guard, the source spacer): pass
:meth:`FakeClock.seconds`, which reads the same moment, so one clock drives both kinds. Seats
that also take a ``sleep`` coroutine (the source spacer, the backfiller) can be given
:meth:`FakeClock.sleep`: it returns at once, moving the clock by the time asked and noting it in
:attr:`FakeClock.slept`.

Tests get a fresh one from the ``clock`` fixture (``tests/conftest.py``), starting at :data:`T0`,
or build ``FakeClock(start)`` when they need another starting moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""Where the ``clock`` fixture starts: a fixed, timezone-aware UTC moment."""


class FakeClock:
    """A frozen clock: ``clock()`` is :attr:`now` until a test moves it.

    Move it with ``clock.advance(minutes=2)`` (or a ``timedelta``), or set ``clock.now`` outright.
    """

    def __init__(self, start: datetime = T0) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start (the bot's times are UTC)")
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def seconds(self) -> float:
        """The same moment as POSIX seconds, for the seats that take ``Callable[[], float]``."""
        return self.now.timestamp()

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**parts)``; returns the new time."""
        if (delta is None) == (not parts):
            raise TypeError("advance() takes either a timedelta or keyword parts, not both")
        step = delta if delta is not None else timedelta(**parts)
        if step < timedelta(0):
            raise ValueError("a clock only moves forward; set clock.now to go back")
        self.now += step
        return self.now

    async def sleep(self, seconds: float) -> None:
        """A sleep that takes no time: notes ``seconds`` in :attr:`slept` and moves the clock."""
        self.slept.append(seconds)
        self.advance(seconds=max(seconds, 0.0))

    def __repr__(self) -> str:
        return f"FakeClock({self.now.isoformat()})"
