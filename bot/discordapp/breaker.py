"""Stop hammering Discord after answers that will not change by themselves.

Discord bans clients that make 10,000 invalid requests (401/403/429) in 10 minutes. The sink
asks :meth:`SendGuard.check` before every request and reports failures back:

* 401 opens the breaker for the token: every further send is refused locally (not retryable)
  until :meth:`reset` — a new token needs a restart or an operator anyway.
* 403/404 on a channel opens it for that channel only; other channels keep working. After
  ``channel_cooloff`` seconds (:data:`CHANNEL_COOLOFF_S` unless given; ``None`` = until
  :meth:`reset`) one probe is let through, so a channel whose permission is restored works
  again without a restart. Sends refused meanwhile are retryable with the cool-off's
  remainder as ``retry_after``: they wait for the probe instead of being dropped.
  :meth:`channel_rejected` says whether this block is news (admins are told once per block,
  not at every failed probe); :meth:`channel_ok` ends the episode.
* a global 429 holds every send until its ``retry_after`` has passed; refusals during the
  hold are retryable and carry the remaining wait.

Time comes from the injected ``clock`` (monotonic seconds) so tests need no sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.errors import DeliveryError

CHANNEL_COOLOFF_S = 600.0  # a blocked channel is probed again after this many seconds


class SendGuard:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        channel_cooloff: float | None = CHANNEL_COOLOFF_S,
    ) -> None:
        self._clock = clock
        self._cooloff = channel_cooloff
        self._token_reason: str | None = None
        self._channels: dict[str, tuple[str, float]] = {}
        self._told: set[str] = set()  # channels whose current block admins have been told of
        self._hold_until = 0.0

    def check(self, channel: str) -> None:
        """Refuse a send that is known to fail.

        Raises:
            DeliveryError: the token or this channel is blocked, or a global rate limit holds.
        """
        if self._token_reason is not None:
            raise DeliveryError(
                f"discord: not sending, the bot token was rejected ({self._token_reason}); "
                "fix DISCORD_TOKEN and restart",
                retryable=False,
                reason="unauthorized",
            )
        blocked = self._channels.get(channel)
        if blocked is not None:
            reason, since = blocked
            if self._cooloff is None:
                raise DeliveryError(
                    f"discord: not sending to channel {channel}: {reason}",
                    retryable=False,
                    reason="channel_blocked",
                )
            left = self._cooloff - (self._clock() - since)
            if left > 0:
                raise DeliveryError(
                    f"discord: not sending to channel {channel} for {left:.0f}s: {reason}",
                    retryable=True,
                    retry_after=left,
                    reason="channel_blocked",
                )
            del self._channels[channel]  # one probe after the cool-off
        wait = self._hold_until - self._clock()
        if wait > 0:
            raise DeliveryError(
                f"discord: global rate limit, {wait:.1f}s left",
                retryable=True,
                retry_after=wait,
                reason="rate_limited_global",
            )

    def token_rejected(self, reason: str) -> None:
        self._token_reason = reason

    def channel_rejected(self, channel: str, reason: str) -> bool:
        """Block ``channel``; True when this starts a block admins have not been told of."""
        self._channels[channel] = (reason, self._clock())
        if channel in self._told:
            return False
        self._told.add(channel)
        return True

    def channel_ok(self, channel: str) -> None:
        """A send to ``channel`` went through: a later block is news again."""
        self._told.discard(channel)

    @property
    def channel_cooloff(self) -> float | None:
        return self._cooloff

    def hold_all(self, seconds: float) -> None:
        self._hold_until = max(self._hold_until, self._clock() + seconds)

    def blocked_channels(self) -> dict[str, str]:
        """Channel id → why it is blocked, for health pages and ``/deal sources``-like views."""
        return {channel: reason for channel, (reason, _) in self._channels.items()}

    def reset(self, channel: str | None = None) -> None:
        """Clear one channel's block, or (no argument) every block including the token's."""
        if channel is not None:
            self._channels.pop(channel, None)
            self._told.discard(channel)
            return
        self._token_reason = None
        self._channels.clear()
        self._told.clear()
        self._hold_until = 0.0
