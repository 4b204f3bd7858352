"""What the operator's console (:mod:`bot.console`) reads: stories, one story's history, the
outbox and the channels' subscriptions, as plain rows. Read-only.

Every query follows an index the bot already has, with a LIMIT, so a page costs the same at
1,000,000 articles as at 1,000:

- the story list walks ``ix_stories_first_seen_at`` (newest first) or, filtered by company,
  ``ix_story_companies_company_seen`` exactly as ``/deal <company>`` does
  (:meth:`bot.store.commands_repo.SqlCommandStore.stories_for_companies`);
- the weekly chart is one grouped range scan over the same index;
- a story is fetched by its unique key; its reports, events, deliveries and feedback by the
  indexed ``story_id`` columns;
- the outbox by ``ix_deliveries_due`` (``state, not_before``).

Database failures surface as :class:`bot.errors.StoreError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import DeliveryKind, DeliveryState, Story
from bot.errors import StoreError
from bot.store.commands_repo import story_from_row
from bot.store.models import (
    ArticleRow,
    ChannelSettingsRow,
    DeliveryRow,
    EventRow,
    FeedbackRow,
    MuteRow,
    StoryCompanyRow,
    StoryRow,
    SubscriptionRow,
)

REPORT_LIMIT = 200  # reports listed on a story page
CHANNEL_ROWS_LIMIT = 5_000  # subscriptions and mutes listed at most


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """The story list's filters; ``company`` is a canonical name (aliases resolved before)."""

    since: datetime
    company: str | None = None
    event_type: str | None = None
    status: str | None = None
    country: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Report:
    """One article filed under a story, with what it said the status was."""

    outlet: str
    title: str
    url: str
    seen_at: datetime
    status: str
    confidence: float


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    story_key: str | None
    platform: str
    channel: str
    kind: DeliveryKind
    state: DeliveryState
    attempts: int
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class StoryDetail:
    story: Story
    reports: list[Report]
    deliveries: list[DeliveryView]
    useful: int
    not_useful: int


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A subscription (``until`` None) or a running mute of one channel."""

    platform: str
    channel: str
    company: str
    events: str | None
    until: datetime | None
    created_by: str | None


@dataclass(frozen=True, slots=True)
class ChannelMode:
    platform: str
    channel: str
    digest_time: str | None
    timezone: str
    quiet_start: str | None
    quiet_end: str | None


class ConsoleReads:
    """The console's queries over one database (read sessions only)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self._sessions() as session:
                yield session
        except (OperationalError, PoolTimeout, OSError) as exc:
            raise StoreError(f"database unavailable: {type(exc).__name__}") from exc

    async def stories(self, wanted: StoryFilter) -> list[Story]:
        """Stories matching ``wanted``, newest first, at most ``wanted.limit``."""
        stmt = select(StoryRow)
        if wanted.company is not None:
            stmt = stmt.join(StoryCompanyRow, StoryCompanyRow.story_id == StoryRow.id).where(
                StoryCompanyRow.company == wanted.company,
                StoryCompanyRow.first_seen_at >= wanted.since,
            )
            order = StoryCompanyRow.first_seen_at.desc()
        else:
            stmt = stmt.where(StoryRow.first_seen_at >= wanted.since)
            order = StoryRow.first_seen_at.desc()
        if wanted.event_type:
            stmt = stmt.where(StoryRow.event_type == wanted.event_type)
        if wanted.status:
            stmt = stmt.where(StoryRow.status == wanted.status)
        if wanted.country:
            stmt = stmt.where(func.lower(StoryRow.country) == wanted.country.casefold())
        stmt = stmt.order_by(order, StoryRow.id.desc()).limit(wanted.limit)
        async with self._tx() as session:
            return [story_from_row(row) for row in (await session.scalars(stmt)).all()]

    async def weekly_counts(
        self, weeks: Sequence[datetime], company: str | None = None
    ) -> dict[tuple[int, str], int]:
        """Stories first seen in each week starting at ``weeks[i]`` (ascending; the last week
        runs on unbounded), by event type: ``{(week index, event type): count}``."""
        if not weeks:
            return {}
        seen = StoryCompanyRow.first_seen_at if company is not None else StoryRow.first_seen_at
        bucket = case(
            *((seen < start, index - 1) for index, start in enumerate(weeks[1:], start=1)),
            else_=len(weeks) - 1,
        ).label("week")
        stmt = select(bucket, StoryRow.event_type, func.count()).where(seen >= weeks[0])
        if company is not None:
            stmt = stmt.select_from(StoryCompanyRow).join(
                StoryRow, StoryRow.id == StoryCompanyRow.story_id
            )
            stmt = stmt.where(StoryCompanyRow.company == company)
        stmt = stmt.group_by(bucket, StoryRow.event_type)
        async with self._tx() as session:
            rows: list[Any] = list((await session.execute(stmt)).all())
        return {(int(week), str(kind)): int(n) for week, kind, n in rows}

    async def story(self, key: str) -> StoryDetail | None:
        """One story with its reports (oldest first), deliveries and feedback; None when the
        key is unknown."""
        async with self._tx() as session:
            row = await session.scalar(select(StoryRow).where(StoryRow.key == key))
            if row is None:
                return None
            found = await session.execute(
                select(ArticleRow, EventRow.status, EventRow.confidence)
                .join(EventRow, EventRow.article_id == ArticleRow.id)
                .where(EventRow.story_id == row.id)
                .order_by(ArticleRow.first_seen_at, ArticleRow.id)
                .limit(REPORT_LIMIT)
            )
            reports = [
                Report(a.outlet, a.title, a.url, a.first_seen_at, status, confidence)
                for a, status, confidence in found.all()
            ]
            sent = await session.execute(
                select(DeliveryRow)
                .where(DeliveryRow.story_id == row.id)
                .order_by(DeliveryRow.platform, DeliveryRow.channel, DeliveryRow.id)
            )
            deliveries = [_delivery(d, row.key) for d in sent.scalars().all()]
            votes = await session.execute(
                select(FeedbackRow.useful, func.count())
                .where(FeedbackRow.story_id == row.id)
                .group_by(FeedbackRow.useful)
            )
            tally = {bool(useful): int(n) for useful, n in votes.all()}
        return StoryDetail(
            story_from_row(row), reports, deliveries, tally.get(True, 0), tally.get(False, 0)
        )

    async def deliveries(
        self, state: DeliveryState, limit: int, *, newest: bool
    ) -> list[DeliveryView]:
        """Deliveries in ``state`` (pending: by due time; else newest first), with their
        story's key."""
        order = (DeliveryRow.id.desc(),) if newest else (DeliveryRow.not_before, DeliveryRow.id)
        stmt = (
            select(DeliveryRow, StoryRow.key)
            .outerjoin(StoryRow, StoryRow.id == DeliveryRow.story_id)
            .where(DeliveryRow.state == state)
            .order_by(*order)
            .limit(limit)
        )
        async with self._tx() as session:
            rows = (await session.execute(stmt)).all()
        return [_delivery(row, key) for row, key in rows]

    async def delivery_counts(self) -> dict[str, int]:
        stmt = select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)
        async with self._tx() as session:
            return {str(state): int(n) for state, n in (await session.execute(stmt)).all()}

    async def channels(
        self, now: datetime
    ) -> tuple[list[ChannelRow], list[ChannelRow], list[ChannelMode]]:
        """Every subscription, every mute still running at ``now``, every channel's mode."""
        async with self._tx() as session:
            subs = (
                await session.scalars(
                    select(SubscriptionRow)
                    .order_by(
                        SubscriptionRow.platform, SubscriptionRow.channel, SubscriptionRow.company
                    )
                    .limit(CHANNEL_ROWS_LIMIT)
                )
            ).all()
            mutes = (
                await session.scalars(
                    select(MuteRow)
                    .where(MuteRow.until > now)
                    .order_by(MuteRow.platform, MuteRow.channel, MuteRow.company)
                    .limit(CHANNEL_ROWS_LIMIT)
                )
            ).all()
            modes = (
                await session.scalars(
                    select(ChannelSettingsRow)
                    .order_by(ChannelSettingsRow.platform, ChannelSettingsRow.channel)
                    .limit(CHANNEL_ROWS_LIMIT)
                )
            ).all()
        return (
            [
                ChannelRow(s.platform, s.channel, s.company, s.events, None, s.created_by)
                for s in subs
            ],
            [
                ChannelRow(m.platform, m.channel, m.company, None, m.until, m.created_by)
                for m in mutes
            ],
            [
                ChannelMode(
                    m.platform, m.channel, m.digest_time, m.timezone, m.quiet_start, m.quiet_end
                )
                for m in modes
            ],
        )


def week_starts(now: datetime, days: int = 90) -> list[datetime]:
    """The starts of the weeks covering the last ``days`` days, ascending, the last one
    ending at ``now``."""
    count = -(-days // 7)
    return [now - timedelta(weeks=count - i) for i in range(count)]


def _delivery(row: DeliveryRow, story_key: str | None) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        story_key=story_key,
        platform=row.platform,
        channel=row.channel,
        kind=row.kind,
        state=row.state,
        attempts=row.attempts,
        not_before=row.not_before,
        created_at=row.created_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )
