"""The shared fake clock (tests/fakes/clock.py): what the other tests rely on it doing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.clock import T0, FakeClock


def test_the_fixture_starts_frozen_at_t0(clock: FakeClock) -> None:
    assert clock() == clock() == clock.now == T0
    assert clock.seconds() == T0.timestamp()


def test_advance_moves_both_readings_together() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    before = clock.seconds()
    assert clock.advance(minutes=2) == datetime(2026, 3, 1, 12, 2, tzinfo=UTC)
    assert clock.advance(timedelta(seconds=30)) == datetime(2026, 3, 1, 12, 2, 30, tzinfo=UTC)
    assert clock.seconds() - before == 150.0


def test_advance_refuses_going_back_or_ambiguous_arguments(clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        clock.advance(seconds=-1)
    with pytest.raises(TypeError):
        clock.advance()
    with pytest.raises(TypeError):
        clock.advance(timedelta(seconds=1), seconds=1)
    assert clock() == T0


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 3, 1, 12, 0))


async def test_sleep_takes_no_time_but_moves_the_clock(clock: FakeClock) -> None:
    await clock.sleep(5.0)
    await clock.sleep(0.0)
    assert clock.slept == [5.0, 0.0]
    assert clock() == T0 + timedelta(seconds=5)
