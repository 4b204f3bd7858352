"""Scheduling arithmetic: jitter, backoff, Retry-After and max-age caps, when to disable."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import BlockedAddressError, SourceError
from bot.sources.backoff import (
    DISABLE_AFTER,
    MAX_AGE_CAP_S,
    MAX_BACKOFF_S,
    MAX_RETRY_AFTER_S,
    next_delay,
    should_disable,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def fixed(value: float):
    return lambda: value


@pytest.mark.parametrize(("rand", "expected"), [(0.0, 270.0), (0.5, 300.0), (0.999999, 330.0)])
def test_healthy_interval_has_ten_percent_jitter(rand: float, expected: float) -> None:
    assert next_delay(300, 0, rand=fixed(rand)) == pytest.approx(expected, abs=0.01)


def test_max_age_pushes_out_but_is_capped() -> None:
    assert next_delay(60, 0, max_age=600, rand=fixed(0.5)) == 600
    assert next_delay(60, 0, max_age=10 * 86400, rand=fixed(0.5)) == MAX_AGE_CAP_S
    assert next_delay(600, 0, max_age=30, rand=fixed(0.5)) == 600  # never polls faster


def test_failure_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    tops = [next_delay(60, n, rand=fixed(0.999999)) for n in range(1, 12)]
    assert tops[:4] == pytest.approx([120, 240, 480, 960], rel=1e-4)
    assert max(tops) == pytest.approx(MAX_BACKOFF_S, rel=1e-4)
    assert all(a <= b for a, b in itertools.pairwise(tops))
    assert next_delay(60, 5, rand=fixed(0.0)) == 60  # full jitter, floored at the interval


def test_non_retryable_errors_back_off_further() -> None:
    assert next_delay(60, 1, rand=fixed(0.999999), retryable=False) == pytest.approx(960, rel=1e-4)


def test_retry_after_is_a_capped_floor() -> None:
    assert next_delay(60, 1, retry_after=900, rand=fixed(0.0)) == 900
    assert next_delay(60, 1, retry_after=10, rand=fixed(0.0)) == 60
    assert next_delay(60, 1, retry_after=10**9, rand=fixed(0.0)) == MAX_RETRY_AFTER_S


def test_delays_stay_in_range_for_any_random_value() -> None:
    for n in range(60):
        for r in (0.0, 0.3, 0.9999):
            delay = next_delay(2.0, n, rand=fixed(r))
            assert 1.8 <= delay <= MAX_BACKOFF_S


def test_retryable_errors_need_ten_failures_over_a_day() -> None:
    error = SourceError("https://feeds.test/x: HTTP 500", reason="server_error")
    assert should_disable(DISABLE_AFTER, NOW - timedelta(hours=23), NOW, error) is None
    assert should_disable(DISABLE_AFTER - 1, NOW - timedelta(days=3), NOW, error) is None
    reason = should_disable(DISABLE_AFTER, NOW - timedelta(hours=25), NOW, error)
    assert reason is not None
    assert reason.startswith("server_error 10 times in a row over 25.0 h")
    assert "HTTP 500" in reason


def test_non_retryable_errors_disable_sooner() -> None:
    gone = SourceError("https://feeds.test/x: HTTP 410", reason="gone", retryable=False)
    assert should_disable(5, NOW - timedelta(hours=5), NOW, gone) is None
    assert should_disable(5, NOW - timedelta(hours=7), NOW, gone) is not None


def test_config_level_errors_disable_after_three_attempts() -> None:
    blocked = BlockedAddressError("http://10.0.0.1/: refusing non-public address")
    assert should_disable(2, NOW, NOW, blocked) is None
    assert should_disable(3, None, NOW, blocked) is not None
