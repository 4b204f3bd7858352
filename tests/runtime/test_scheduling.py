"""The ticker: a tick still running when shutdown's grace period ends is cancelled quietly."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.runtime import scheduling
from bot.runtime.scheduling import Tick, Ticker


async def test_a_tick_cancelled_at_shutdown_is_logged_as_such_not_as_a_crash(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(scheduling, "SHUTDOWN_GRACE_S", 0.2)
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.Event().wait()  # never finishes on its own

    ticker = Ticker([Tick("stuck", 60.0, stuck)])
    caplog.set_level(logging.INFO)
    ticker.start()
    await asyncio.wait_for(started.wait(), 5)
    await ticker.shutdown()
    await asyncio.sleep(0.05)  # let the cancelled tick finish
    assert "tick cancelled at shutdown" in caplog.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
