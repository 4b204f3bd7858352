"""When to poll a source next, and when to give up on it: pure functions, no clock, no I/O.

The poller calls :func:`next_delay` after every fetch and :func:`should_disable` after every
failure, and stores the results (``next_poll_at``, ``disabled_reason``).

* **Healthy**: the configured interval ±10 % jitter (so 1,000 sources added at once spread out),
  pushed out to the server's ``Cache-Control: max-age`` when that is longer, capped at
  :data:`MAX_AGE_CAP_S`.
* **Failing**: exponential backoff with full jitter, drawn uniformly from
  ``[interval, min(interval * 2**failures, MAX_BACKOFF_S)]``: never faster than a healthy
  source, at most 6 h apart. Errors that will not fix themselves (``retryable=False``: 404,
  403, not a feed…) start three doublings further along. A ``Retry-After`` (429/503, GDELT's
  notice) is a floor, capped at :data:`MAX_RETRY_AFTER_S` so a bogus value cannot park a source
  for a year.
* **Disabling** needs *both* a count and a duration, so a weekend outage of a good feed never
  disables it (MonitoRSS disables after ~11 failures; it is easy to hit in one bad night):

  ====================================================  ============  ==============
  error                                                 failures      failing for
  ====================================================  ============  ==============
  config-level (bad_url, bad_query, blocked_address)    3             any
  non-retryable (404, 410, 401/403, not_a_feed, …)      5             6 h
  everything else (timeouts, 5xx, 429, malformed…)      10            24 h
  ====================================================  ============  ==============
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.errors import SourceError

JITTER = 0.10
MAX_BACKOFF_S = 6 * 3600.0
MAX_RETRY_AFTER_S = 6 * 3600.0
MAX_AGE_CAP_S = 3600.0
NON_RETRYABLE_HEAD_START = 3  # extra doublings for errors that will not fix themselves

DISABLE_AFTER = 10
DISABLE_AFTER_DURATION = timedelta(hours=24)
NON_RETRYABLE_DISABLE_AFTER = 5
NON_RETRYABLE_DISABLE_DURATION = timedelta(hours=6)
CONFIG_DISABLE_AFTER = 3
CONFIG_REASONS = frozenset({"bad_url", "bad_query", "blocked_address"})


def next_delay(
    interval_s: float,
    consecutive_failures: int,
    retry_after: float | None = None,
    max_age: float | None = None,
    rand: Callable[[], float] = random.random,
    *,
    retryable: bool = True,
) -> float:
    """Seconds until the next poll of a source (``rand`` returns a float in [0, 1))."""
    interval = max(interval_s, 0.0)
    if consecutive_failures <= 0:
        delay = interval * (1 - JITTER + 2 * JITTER * rand())
        if max_age is not None and max_age > delay:
            delay = min(max_age, MAX_AGE_CAP_S)
        return delay
    doublings = consecutive_failures + (0 if retryable else NON_RETRYABLE_HEAD_START)
    ceiling = min(interval * 2.0 ** min(doublings, 40), MAX_BACKOFF_S)
    ceiling = max(ceiling, interval)
    delay = interval + (ceiling - interval) * rand()
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, MAX_RETRY_AFTER_S)
    return delay


def should_disable(
    failures: int, first_failure_at: datetime | None, now: datetime, error: SourceError
) -> str | None:
    """The reason to disable a source after this failure, or None to keep polling it.

    ``failures`` counts consecutive failures including this one; ``first_failure_at`` is when
    the current run of failures began (None: now).
    """
    failing_for = now - (first_failure_at or now)
    if error.reason in CONFIG_REASONS:
        needed, duration = CONFIG_DISABLE_AFTER, timedelta(0)
    elif not error.retryable:
        needed, duration = NON_RETRYABLE_DISABLE_AFTER, NON_RETRYABLE_DISABLE_DURATION
    else:
        needed, duration = DISABLE_AFTER, DISABLE_AFTER_DURATION
    if failures < needed or failing_for < duration:
        return None
    hours = failing_for.total_seconds() / 3600
    return f"{error.reason} {failures} times in a row over {hours:.1f} h; last: {error}"
