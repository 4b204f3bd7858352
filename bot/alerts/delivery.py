"""The delivery worker: drains the outbox into the platform sinks.

Each tick claims due deliveries (a lease, so replicas share the work and a crash only delays a
message), then sends them channel by channel: channels in parallel, messages of one channel in
order and paced (``delivery.per_channel_interval``). A sink failure is mapped by the sink to a
:class:`bot.errors.DeliveryError`: retryable ones come back after the platform's ``retry_after``
or an exponential backoff, until ``delivery.max_attempts``; the others fail at once with the
reason stored on the row and logged with the channel, so a deleted channel causes one error, not
a retry storm. A rate limit (:attr:`bot.errors.DeliveryError.rate_limited`) is the platform
saying "later": the delivery waits the ``retry_after`` and comes back as often as it takes,
without using up ``delivery.max_attempts``. One channel's trouble never holds up another's.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.alerts.grouping import build_digest, digest_title, group_flood
from bot.domain import Alert, Delivery
from bot.errors import DeliveryError
from bot.ports import Sink
from bot.store.outbox import ClaimedDelivery, Outbox

log = logging.getLogger("dealradar.delivery")

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0
PARENT_WAIT_S = 2.0  # a follow-up waits this long for its top-level message to be sent
CLAIM_BATCH = 200
LEASE_S = 120.0


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    grouped: int = 0
    latencies: list[float] = field(default_factory=list)


def backoff_delay(attempt: int, retry_after: float | None, rand: Callable[[], float]) -> float:
    """Seconds before the next try: the platform's hint, else capped exponential full jitter."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), BACKOFF_CAP_S)
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(max(attempt, 0), 30))
    return max(0.5, ceiling * rand())


class DeliveryWorker:
    def __init__(
        self,
        outbox: Outbox,
        sinks: Mapping[str, Sink],
        *,
        owner: str,
        clock: Callable[[], datetime],
        max_attempts: int = 12,
        per_channel_interval: float = 1.0,
        flood_threshold: int = 8,
        on_result: Callable[[ClaimedDelivery, str, float | None], None] | None = None,
        rand: Callable[[], float] = random.random,
        lease_s: float = LEASE_S,
    ) -> None:
        self._lease_s = lease_s
        self._outbox = outbox
        self._sinks = sinks
        self._owner = owner
        self._clock = clock
        self._max_attempts = max_attempts
        self._interval = per_channel_interval
        self._flood_threshold = flood_threshold
        self._on_result = on_result
        self._rand = rand

    async def run_once(self, horizon: timedelta = timedelta(0)) -> DeliveryStats:
        """Send everything due now (or within ``horizon``: a flush); returns what happened."""
        stats = DeliveryStats()
        while True:
            due_by = self._clock() + horizon
            claimed = await self._outbox.claim_due(self._owner, due_by, CLAIM_BATCH, self._lease_s)
            if not claimed:
                return stats
            by_channel: dict[tuple[str, str], list[ClaimedDelivery]] = defaultdict(list)
            for item in claimed:
                target = item.delivery.target
                by_channel[(target.platform, target.channel)].append(item)
            await asyncio.gather(*(self._drain(items, stats) for items in by_channel.values()))
            if len(claimed) < CLAIM_BATCH:
                return stats

    async def _drain(self, items: Sequence[ClaimedDelivery], stats: DeliveryStats) -> None:
        for index, (batch, title) in enumerate(self._plan(items, stats)):
            if index and self._interval > 0:
                await asyncio.sleep(self._interval)
            await self._send(batch, title, stats)

    def _plan(
        self, items: Sequence[ClaimedDelivery], stats: DeliveryStats
    ) -> list[tuple[list[ClaimedDelivery], str | None]]:
        """Batches to send, each with a digest title when it goes out as one grouped message.

        Held alerts (digest mode, quiet hours) go out together as the channel's digest; past
        the flood threshold, a channel's new-story alerts go out as one grouped message.
        """
        planned: list[tuple[list[ClaimedDelivery], str | None]] = []
        for batch in group_flood(
            items,
            self._flood_threshold,
            lambda item: item.delivery.message,
            held=lambda item: item.kind == "digest",
        ):
            if batch[0].kind == "digest":
                planned.append((batch, digest_title(len(batch), "digest")))
            elif len(batch) > 1:
                stats.grouped += len(batch)
                planned.append((batch, digest_title(len(batch), None)))
            else:
                planned.append((batch, None))
        return planned

    async def _send(
        self, batch: list[ClaimedDelivery], title: str | None, stats: DeliveryStats
    ) -> None:
        first = batch[0]
        delivery = first.delivery
        if title is not None:
            digest = build_digest(
                title, [i.delivery.message for i in batch if isinstance(i.delivery.message, Alert)]
            )
            delivery = Delivery(
                id=delivery.id,
                key=f"{delivery.key}+group{len(batch)}",
                target=delivery.target,
                message=digest,
                attempt=delivery.attempt,
            )
        if first.parent_pending and title is None:
            when = self._clock() + timedelta(seconds=PARENT_WAIT_S)
            await self._outbox.retry_later(delivery.id, when, None, count=False)
            return
        sink = self._sinks.get(delivery.target.platform)
        where = {"platform": delivery.target.platform, "channel": delivery.target.channel}
        if sink is None:
            reason = f"no {delivery.target.platform} sink: that platform is not configured"
            for item in batch:
                await self._outbox.mark_failed(item.delivery.id, reason)
            stats.failed += len(batch)
            log.error("delivery failed", extra={"kv": {**where, "error": reason}})
            return
        try:
            result = await sink.send(delivery)
        except DeliveryError as exc:
            await self._failed(batch, exc, stats)
            return
        except Exception as exc:  # a sink bug must not stop the other channels
            log.exception("sink raised unexpectedly", extra={"kv": where})
            await self._failed(batch, DeliveryError(repr(exc), retryable=True), stats)
            return
        now = self._clock()
        for item in batch:
            await self._outbox.mark_sent(item.delivery.id, self._owner, now, result.message)
            stats.sent += 1
            if isinstance(item.delivery.message, Alert):  # from first queued to sent
                stats.latencies.append((now - item.created_at).total_seconds())
            if self._on_result:
                self._on_result(item, "sent", None)
        if (
            result.message
            and result.message.thread_id
            and first.story_id is not None
            and (first.delivery.parent is None or not first.delivery.parent.thread_id)
            and first.kind != "new"
        ):
            await self._outbox.set_thread(
                first.story_id,
                delivery.target.platform,
                delivery.target.channel,
                result.message.thread_id,
            )

    async def _failed(
        self, batch: list[ClaimedDelivery], exc: DeliveryError, stats: DeliveryStats
    ) -> None:
        for item in batch:
            delivery = item.delivery
            tries = delivery.attempt + 1 - item.deferrals  # failed tries, this one included
            where = {
                "platform": delivery.target.platform,
                "channel": delivery.target.channel,
                "delivery": delivery.key,
                "attempt": tries,
                "reason": exc.reason,
            }
            if exc.rate_limited:  # without a retry_after, back off on the limits met so far
                delay = backoff_delay(item.deferrals, exc.retry_after, self._rand)
                when = self._clock() + timedelta(seconds=delay)
                await self._outbox.retry_later(delivery.id, when, str(exc), rate_limited=True)
                stats.retried += 1
                where["attempt"] = tries - 1  # this one is not a failed try
                log.info(
                    "delivery rate limited; postponed",
                    extra={"kv": {**where, "in_s": round(delay, 1)}},
                )
                outcome = "retry"
            elif exc.retryable and tries < self._max_attempts:
                delay = backoff_delay(tries - 1, exc.retry_after, self._rand)
                when = self._clock() + timedelta(seconds=delay)
                await self._outbox.retry_later(delivery.id, when, str(exc))
                stats.retried += 1
                log.warning(
                    "delivery will be retried",
                    extra={"kv": {**where, "in_s": round(delay, 1), "error": str(exc)}},
                )
                outcome = "retry"
            else:
                await self._outbox.mark_failed(delivery.id, str(exc))
                stats.failed += 1
                log.error("delivery failed", extra={"kv": {**where, "error": str(exc)}})
                outcome = "failed"
            if self._on_result:
                self._on_result(item, outcome, None)
