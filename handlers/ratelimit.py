"""How many ``/deal`` commands one user, and one channel, may run in a minute.

A sliding window per key: the times of the commands let through in the last minute, so a key
costs at most its limit in timestamps. Time is the caller's clock (``now`` is passed in), so
tests step it instead of sleeping. The window is per process: with several replicas a user
gets the limit on each, which still bounds what one user can do.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)
_PRUNE_AT = 10_000  # keys kept before idle ones are dropped


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command was not run: which limit (``"user"`` or ``"channel"``), its size, and
    how long until the oldest counted command leaves the window."""

    scope: str
    limit: int
    retry_after: timedelta


class SlidingWindow:
    """At most ``limit`` hits per key within :data:`WINDOW`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hits: dict[tuple[str, ...], deque[datetime]] = {}

    def wait(self, key: tuple[str, ...], now: datetime) -> timedelta | None:
        """None when ``key`` may run now, else how long until it may."""
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and now - hits[0] >= WINDOW:
            hits.popleft()
        if len(hits) < self.limit:
            return None
        return WINDOW - (now - hits[0])

    def hit(self, key: tuple[str, ...], now: datetime) -> None:
        if len(self._hits) >= _PRUNE_AT and key not in self._hits:
            self._hits = {k: h for k, h in self._hits.items() if h and now - h[-1] < WINDOW}
        self._hits.setdefault(key, deque(maxlen=self.limit)).append(now)


class CommandRateLimiter:
    """The per-user and per-channel limits together; a refused command counts against
    neither, so a user over the limit cannot use up the channel's share."""

    def __init__(self, per_user: int, per_channel: int) -> None:
        self._user = SlidingWindow(per_user)
        self._channel = SlidingWindow(per_channel)

    def admit(self, platform: str, channel: str, user: str, now: datetime) -> Refusal | None:
        """Count one command and return None, or return why it may not run now."""
        user_key, channel_key = (platform, user), (platform, channel)
        for scope, window, key in (
            ("user", self._user, user_key),
            ("channel", self._channel, channel_key),
        ):
            wait = window.wait(key, now)
            if wait is not None:
                return Refusal(scope, window.limit, wait)
        self._user.hit(user_key, now)
        self._channel.hit(channel_key, now)
        return None
