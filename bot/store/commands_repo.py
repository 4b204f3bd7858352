"""SQL implementation of :class:`bot.ports.CommandStore` (``/deal``) and of the reads the
router needs, over the existing tables, on SQLite and PostgreSQL alike.

``/deal <company>`` reads ``story_companies`` through its ``(company, first_seen_at)`` index,
newest first with a LIMIT, and joins the few matching ``stories`` rows by primary key: its cost
depends on the page size, not on how many stories or articles are stored, and it never touches
``articles``. Upserts are select-then-write inside one transaction, so the same code runs on
both backends. Database failures surface as :class:`bot.errors.StoreError`.

Writes go through writer sessions (:func:`bot.store.db.writer_sessions`): on SQLite they take
the write lock at ``BEGIN`` and wait for it up to the busy timeout, so a command that writes
while the poller (or another process) holds the lock waits its turn. A deferred transaction
that read first and then tried to write would instead fail at once with "database is locked":
SQLite cannot upgrade a read snapshot that another writer has moved past.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config.defaults import NEWS_SEARCH_TEMPLATE
from bot.domain import ChannelRef, EventType, Status, Story
from bot.errors import StoreError
from bot.filters import Filters
from bot.ports import (
    EVERY_COMPANY,
    ChannelPrefs,
    Mute,
    RemoveResult,
    SourceHealth,
    Subscription,
)
from bot.store.models import (
    ChannelSettingsRow,
    FeedbackRow,
    MuteRow,
    SourceRow,
    StoryCompanyRow,
    StoryRow,
    SubscriptionRow,
)


def story_from_row(row: StoryRow) -> Story:
    return Story(
        id=row.id,
        key=row.key,
        event_type=EventType(row.event_type),
        status=Status(row.status),
        headline=row.headline,
        url=row.url,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
        companies=tuple(row.companies or ()),
        plant=row.plant,
        country=row.country,
        jobs=row.jobs,
        outlets=tuple(row.outlets or ()),
        article_count=row.article_count,
        evidence=tuple(row.evidence or ()),
    )


def _health(row: SourceRow) -> SourceHealth:
    return SourceHealth(
        name=row.name,
        kind=row.kind,
        target=row.url or row.query or "",
        enabled=row.enabled,
        origin=row.origin,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        consecutive_failures=row.consecutive_failures,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        next_poll_at=row.next_poll_at,
        recent_polls=row.recent_polls,
    )


class SqlCommandStore:
    """``CommandStore`` and ``RoutingStore`` on SQLAlchemy async sessions."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        poll_interval_s: float = 300.0,
        *,
        writers: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        """``sessions`` serve reads; ``writers`` (default: ``sessions``, enough for a store
        that only reads, like the router's) serve every transaction that writes."""
        self._sessions = sessions
        self._writers = writers or sessions
        self._poll_interval_s = poll_interval_s

    @asynccontextmanager
    async def _tx(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        try:
            async with (self._writers if write else self._sessions).begin() as session:
                yield session
        except (OperationalError, PoolTimeout, OSError) as exc:
            raise StoreError(f"database unavailable: {type(exc).__name__}") from exc

    # StoryQueries --------------------------------------------------------------------------
    async def stories_for_companies(
        self, companies: Sequence[str], since: datetime, limit: int
    ) -> list[Story]:
        wanted = sorted(set(companies))
        if not wanted or limit <= 0:
            return []
        company = (
            StoryCompanyRow.company == wanted[0]
            if len(wanted) == 1
            else StoryCompanyRow.company.in_(wanted)
        )
        stmt = (
            select(StoryRow)
            .join(StoryCompanyRow, StoryCompanyRow.story_id == StoryRow.id)
            .where(company, StoryCompanyRow.first_seen_at >= since)
            .order_by(StoryCompanyRow.first_seen_at.desc(), StoryRow.id.desc())
            .limit(limit * len(wanted))
        )
        async with self._tx() as session:
            rows = (await session.scalars(stmt)).all()
        unique = {row.id: row for row in rows}
        return [story_from_row(row) for row in unique.values()][:limit]

    async def latest_stories(
        self, event_type: EventType | None, since: datetime, limit: int
    ) -> list[Story]:
        stmt = select(StoryRow).where(StoryRow.first_seen_at >= since)
        if event_type is not None:
            stmt = stmt.where(StoryRow.event_type == event_type.value)
        stmt = stmt.order_by(
            StoryRow.article_count.desc(), StoryRow.first_seen_at.desc(), StoryRow.id.desc()
        ).limit(limit)
        async with self._tx() as session:
            return [story_from_row(row) for row in (await session.scalars(stmt)).all()]

    async def known_companies(self) -> list[str]:
        stmt = select(StoryCompanyRow.company).distinct().order_by(StoryCompanyRow.company)
        async with self._tx() as session:
            return list((await session.scalars(stmt)).all())

    # SubscriptionStore -------------------------------------------------------------------
    async def add_subscription(self, sub: Subscription, now: datetime) -> bool:
        async with self._tx(write=True) as session:
            row = await session.scalar(_by_channel(SubscriptionRow, sub.channel, sub.company))
            if row is not None:
                row.events, row.created_by = sub.events, sub.created_by
                row.filters = sub.filters.to_json()
                return False
            session.add(
                SubscriptionRow(
                    platform=sub.channel.platform,
                    channel=sub.channel.channel,
                    company=sub.company,
                    events=sub.events,
                    created_by=sub.created_by,
                    created_at=now,
                    filters=sub.filters.to_json(),
                )
            )
            return True

    async def remove_subscription(self, channel: ChannelRef, company: str) -> bool:
        return await self._delete(SubscriptionRow, channel, company)

    async def channel_subscriptions(self, channel: ChannelRef) -> list[Subscription]:
        stmt = _by_channel(SubscriptionRow, channel).order_by(SubscriptionRow.company)
        async with self._tx() as session:
            return [_sub(row) for row in (await session.scalars(stmt)).all()]

    async def subscriptions_for(self, companies: Iterable[str]) -> list[Subscription]:
        wanted = sorted({*companies, EVERY_COMPANY})
        stmt = select(SubscriptionRow).where(SubscriptionRow.company.in_(wanted))
        async with self._tx() as session:
            return [
                _sub(row)
                for row in (await session.scalars(stmt.order_by(SubscriptionRow.id))).all()
            ]

    async def count_subscriptions(self, platform: str) -> int:
        stmt = select(func.count()).where(SubscriptionRow.platform == platform)
        async with self._tx() as session:
            return int(await session.scalar(stmt) or 0)

    # MuteStore ---------------------------------------------------------------------------
    async def set_mute(self, mute: Mute) -> None:
        async with self._tx(write=True) as session:
            row = await session.scalar(_by_channel(MuteRow, mute.channel, mute.company))
            if row is None:
                row = MuteRow(
                    platform=mute.channel.platform,
                    channel=mute.channel.channel,
                    company=mute.company,
                )
                session.add(row)
            row.until, row.created_by = mute.until, mute.created_by

    async def remove_mute(self, channel: ChannelRef, company: str) -> bool:
        return await self._delete(MuteRow, channel, company)

    async def channel_mutes(self, channel: ChannelRef, now: datetime) -> list[Mute]:
        stmt = _by_channel(MuteRow, channel).where(MuteRow.until > now).order_by(MuteRow.company)
        async with self._tx() as session:
            return [_mute(row) for row in (await session.scalars(stmt)).all()]

    async def mutes_for(self, companies: Iterable[str], now: datetime) -> list[Mute]:
        wanted = sorted(set(companies))
        if not wanted:
            return []
        stmt = select(MuteRow).where(MuteRow.company.in_(wanted), MuteRow.until > now)
        async with self._tx() as session:
            return [_mute(row) for row in (await session.scalars(stmt)).all()]

    # ChannelSettingsStore ----------------------------------------------------------------
    async def channel_prefs(self, channel: ChannelRef) -> ChannelPrefs:
        async with self._tx() as session:
            row = await session.get(ChannelSettingsRow, (channel.platform, channel.channel))
        if row is None:
            return ChannelPrefs(channel)
        return ChannelPrefs(channel, row.digest_time, row.timezone, row.quiet_start, row.quiet_end)

    async def save_channel_prefs(self, prefs: ChannelPrefs) -> None:
        key = (prefs.channel.platform, prefs.channel.channel)
        async with self._tx(write=True) as session:
            row = await session.get(ChannelSettingsRow, key)
            if row is None:
                row = ChannelSettingsRow(platform=key[0], channel=key[1])
                session.add(row)
            row.digest_time, row.timezone = prefs.digest_time, prefs.timezone
            row.quiet_start, row.quiet_end = prefs.quiet_start, prefs.quiet_end

    # SourceAdmin -------------------------------------------------------------------------
    async def list_sources(self) -> list[SourceHealth]:
        async with self._tx() as session:
            rows = (await session.scalars(select(SourceRow).order_by(SourceRow.name))).all()
        return [_health(row) for row in rows]

    async def add_source(self, url: str, name: str, added_by: str, now: datetime) -> bool:
        async with self._tx(write=True) as session:
            clash = await session.scalar(
                select(SourceRow.id).where((SourceRow.name == name) | (SourceRow.url == url))
            )
            if clash is not None:
                return False
            session.add(
                self._new_source(name, "rss", now, origin="chat", url=url, created_by=added_by)
            )
            return True

    async def count_chat_sources(self, platform: str, user: str | None = None) -> int:
        made = SourceRow.created_by == f"{platform}:{user}"
        if user is None:
            made = SourceRow.created_by.startswith(f"{platform}:", autoescape=True)
        stmt = select(func.count()).where(SourceRow.origin.in_(("chat", "watch")), made)
        async with self._tx() as session:
            return int(await session.scalar(stmt) or 0)

    async def covering_source(self, company: str) -> str | None:
        async with self._tx() as session:
            return _covering(await _search_sources(session), company)

    async def remove_source(self, name: str) -> RemoveResult:
        async with self._tx(write=True) as session:
            row = await session.scalar(select(SourceRow).where(SourceRow.name == name))
            if row is None:
                return "missing"
            if row.origin == "config":
                return "config"
            await session.delete(row)
            return "removed"

    async def ensure_news_search_source(
        self, company: str, now: datetime, created_by: str | None = None
    ) -> str | None:
        name = f"News search: {company}"
        async with self._tx(write=True) as session:
            if _covering(await _search_sources(session), company) is not None:
                return None
            if await session.scalar(select(SourceRow.id).where(SourceRow.name == name)):
                return None
            query = NEWS_SEARCH_TEMPLATE.format(company=company)
            session.add(
                self._new_source(
                    name, "news_search", now, origin="watch", query=query, created_by=created_by
                )
            )
            return name

    def _new_source(self, name: str, kind: str, now: datetime, **values: Any) -> SourceRow:
        return SourceRow(
            name=name,
            kind=kind,
            interval_s=self._poll_interval_s,
            enabled=True,
            next_poll_at=now,
            created_at=now,
            consecutive_failures=0,
            backlog_done=False,
            **values,
        )

    # FeedbackStore -----------------------------------------------------------------------
    async def record_feedback(
        self, story_id: int, platform: str, user: str, useful: bool, now: datetime
    ) -> bool:
        async with self._tx(write=True) as session:
            if await session.get(StoryRow, story_id) is None:
                return False
            row = await session.scalar(
                select(FeedbackRow).where(
                    FeedbackRow.story_id == story_id,
                    FeedbackRow.platform == platform,
                    FeedbackRow.user == user,
                )
            )
            if row is None:
                session.add(
                    FeedbackRow(
                        story_id=story_id,
                        platform=platform,
                        user=user,
                        useful=useful,
                        created_at=now,
                    )
                )
            else:
                row.useful, row.created_at = useful, now
            return True

    async def _delete(
        self, model: type[SubscriptionRow] | type[MuteRow], channel: ChannelRef, company: str
    ) -> bool:
        async with self._tx(write=True) as session:
            result = await session.execute(
                delete(model).where(
                    model.platform == channel.platform,
                    model.channel == channel.channel,
                    model.company == company,
                )
            )
            return bool(getattr(result, "rowcount", 0))


async def _search_sources(session: AsyncSession) -> list[tuple[str, str]]:
    stmt = select(SourceRow.name, SourceRow.query).where(
        SourceRow.kind.in_(("news_search", "gdelt"))
    )
    return [(name, query or "") for name, query in (await session.execute(stmt)).all()]


def _covering(sources: list[tuple[str, str]], company: str) -> str | None:
    key = company.casefold()
    return next((name for name, query in sources if key in query.casefold()), None)


def _by_channel(model: Any, channel: ChannelRef, company: str | None = None) -> Any:
    stmt = select(model).where(model.platform == channel.platform, model.channel == channel.channel)
    return stmt if company is None else stmt.where(model.company == company)


def _sub(row: SubscriptionRow) -> Subscription:
    return Subscription(
        ChannelRef(row.platform, row.channel),
        row.company,
        row.events,
        row.created_by,
        Filters.from_json(row.filters),
    )


def _mute(row: MuteRow) -> Mute:
    return Mute(ChannelRef(row.platform, row.channel), row.company, row.until, row.created_by)
