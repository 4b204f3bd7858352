"""The outbox: claiming due deliveries with a lease, and recording how each send went.

A delivery is ``pending`` until a sink confirms it (``sent``) or gives up (``failed``). A claim
counts as an attempt and is a lease: a process that dies mid-send leaves the row pending, and
another process (or the same one after restart) takes it again once ``lease_until`` has
passed. The sink's idempotency (Discord nonce, Slack metadata) then makes that second attempt
safe. A claim the platform answered with a rate limit is also counted in ``deferrals``, so the
retry budget (``attempts - deferrals``) is spent only on real failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import ChannelRef, Delivery, DeliveryKind, MessageRef
from bot.store.codec import message_from_json
from bot.store.leases import claim
from bot.store.models import DeliveryRow


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    delivery: Delivery
    story_id: int | None
    kind: DeliveryKind
    created_at: datetime
    parent_pending: bool  # a follow-up whose top-level message is not sent yet
    deferrals: int = 0  # earlier claims that met a rate limit (not failed tries)


class Outbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim_due(
        self, owner: str, now: datetime, limit: int, lease_s: float
    ) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries, oldest first."""
        async with self._sessions.begin() as session:
            ids = await claim(
                session,
                DeliveryRow,
                due=[DeliveryRow.state == "pending", DeliveryRow.not_before <= now],
                order_by=DeliveryRow.id,
                owner=owner,
                now=now,
                until=now + timedelta(seconds=lease_s),
                limit=limit,
                recheck=[DeliveryRow.state == "pending"],
                attempts=DeliveryRow.attempts + 1,
            )
            if not ids:
                return []
            rows = (
                await session.scalars(
                    select(DeliveryRow).where(DeliveryRow.id.in_(ids)).order_by(DeliveryRow.id)
                )
            ).all()
            claimed = []
            for row in rows:
                parent, pending = await self._parent(session, row)
                claimed.append(
                    ClaimedDelivery(
                        delivery=Delivery(
                            id=row.id,
                            key=row.key,
                            target=ChannelRef(row.platform, row.channel),
                            message=message_from_json(row.payload),
                            parent=parent,
                            attempt=row.attempts - 1,  # claims before this one
                        ),
                        story_id=row.story_id,
                        kind=row.kind,
                        created_at=row.created_at,
                        parent_pending=pending,
                        deferrals=row.deferrals,
                    )
                )
            return claimed

    async def _parent(
        self, session: AsyncSession, row: DeliveryRow
    ) -> tuple[MessageRef | None, bool]:
        if row.kind == "new" or row.story_id is None or row.kind in ("digest", "notice"):
            return None, False
        top = await _top(session, row.story_id, row.platform, row.channel)
        if top is None or top.state == "failed":
            return None, False
        if top.state != "sent" or top.message_id is None:
            return None, True
        ref = MessageRef(row.platform, row.channel, top.message_id, top.thread_id)
        return ref, False

    async def mark_sent(
        self, delivery_id: int, owner: str, now: datetime, message: MessageRef | None
    ) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(
                    state="sent",
                    sent_at=now,
                    lease_owner=None,
                    lease_until=None,
                    message_id=message.message_id if message else None,
                    last_error=None,
                )
            )

    async def set_thread(self, story_id: int, platform: str, channel: str, thread_id: str) -> None:
        """Remember the thread a sink opened under a story's top-level message (Discord)."""
        async with self._sessions.begin() as session:
            top = await _top(session, story_id, platform, channel)
            if top is not None:
                top.thread_id = thread_id

    async def retry_later(
        self,
        delivery_id: int,
        not_before: datetime,
        error: str | None,
        *,
        count: bool = True,
        rate_limited: bool = False,
    ) -> None:
        """Release the claim until ``not_before``. ``count=False``: the claim was no try at
        all (given back); ``rate_limited``: it was a try the platform postponed, recorded in
        ``deferrals`` so it does not count against the retry budget."""
        async with self._sessions.begin() as session:
            values: dict[str, object] = {
                "not_before": not_before,
                "lease_owner": None,
                "lease_until": None,
            }
            if error is not None:
                values["last_error"] = error[:2000]
            if not count:  # a postponement, not a try: give the claim back
                values["attempts"] = DeliveryRow.attempts - 1
            if rate_limited:
                values["deferrals"] = DeliveryRow.deferrals + 1
            await session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
            )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(
                    state="failed",
                    lease_owner=None,
                    lease_until=None,
                    last_error=error[:2000],
                )
            )

    async def thread_of(self, story_id: int, platform: str, channel: str) -> str | None:
        async with self._sessions() as session:
            top = await _top(session, story_id, platform, channel)
            return top.thread_id if top is not None else None

    async def depth(self, now: datetime) -> int:
        """Pending deliveries due now (the queue depth metric)."""
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(DeliveryRow)
                .where(DeliveryRow.state == "pending", DeliveryRow.not_before <= now)
            )
            return int(count or 0)

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
            )
            return {state: int(n) for state, n in rows.all()}


async def _top(
    session: AsyncSession, story_id: int, platform: str, channel: str
) -> DeliveryRow | None:
    """A story's top-level message in a channel: its own, or the one it is a facet of."""
    rows = (
        await session.scalars(
            select(DeliveryRow).where(
                DeliveryRow.story_id == story_id,
                DeliveryRow.platform == platform,
                DeliveryRow.channel == channel,
                DeliveryRow.kind.in_(("new", "facet")),
            )
        )
    ).all()
    own = next((row for row in rows if row.kind == "new"), None)
    if own is not None:
        return own
    facet = next((row for row in rows if row.joined_to is not None), None)
    return await session.get(DeliveryRow, facet.joined_to) if facet is not None else None
