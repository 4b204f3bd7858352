"""One transaction per fetched batch: articles, their events, story changes and outbox rows.

Everything a poll learns is committed together, so a crash either loses the whole batch (it is
fetched again: the source's ETag/hash is only advanced in the same commit) or keeps all of it,
deliveries included. Nothing is sent before that commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Article, DeliveryKind, Event, Message
from bot.store.codec import message_to_json
from bot.store.models import (
    ArticleRow,
    DeliveryRow,
    EventRow,
    SourceRow,
)


@dataclass(frozen=True, slots=True)
class NewArticle:
    url: str
    canonical_url: str
    title: str
    summary: str
    outlet: str
    guid: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class ArticleGroup:
    """One fetch's items: whose they are, when they were seen, whether they may alert."""

    source_id: int | None
    items: Sequence[NewArticle]
    now: datetime
    alertable: bool


GUID_LOOKUP_CHUNK = 900  # bound parameters per IN (...) lookup, under every SQLite's limit


class IngestUnits:
    """Opens one :class:`IngestUnit` per transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[IngestUnit]:
        """A unit whose writes commit together when the block ends (rolled back on error)."""
        async with self._sessions.begin() as session:
            unit = IngestUnit(session)
            yield unit
            await unit.flush_events()

    async def finish_polls(self, owner: str, updates: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Store many polled sources' new fetch state and release their leases, in one commit
        (the poller's ``finish_many``)."""
        async with self.begin() as unit:
            await unit.update_sources(owner, updates)


class IngestUnit:
    """Writes of one batch, inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._events: list[dict[str, Any]] = []

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql if dialect == "postgresql" else sqlite).insert(table)

    async def add_articles(
        self,
        source_id: int | None,
        items: Sequence[NewArticle],
        now: datetime,
        *,
        alertable: bool,
        classified: bool = False,
    ) -> list[Article]:
        """Insert the articles not stored yet (by canonical URL or guid); return the new ones.

        ``classified=True`` when the caller classifies them in this same transaction (the
        commit is atomic either way)."""
        group = ArticleGroup(source_id, items, now, alertable)
        return (await self.add_article_groups([group], classified=classified))[0]

    async def add_article_groups(
        self, groups: Sequence[ArticleGroup], *, classified: bool = False
    ) -> list[list[Article]]:
        """:meth:`add_articles` for several fetches at once: one guid lookup and one
        executemany for all of them. Returns the new articles of each group, in order; an
        article two groups share counts for the first."""
        picked: dict[str, tuple[int, NewArticle]] = {}
        for index, group in enumerate(groups):
            for item in group.items:
                picked.setdefault(item.canonical_url, (index, item))
        result: list[list[Article]] = [[] for _ in groups]
        if not picked:
            return result
        known_guids = await self._known_guids({i.guid for _, i in picked.values() if i.guid})
        fresh = [(g, i) for g, i in picked.values() if not (i.guid and i.guid in known_guids)]
        if not fresh:
            return result
        rows = [
            {
                "source_id": groups[g].source_id,
                "guid": i.guid,
                "url": i.url,
                "canonical_url": i.canonical_url,
                "title": i.title,
                "summary": i.summary,
                "outlet": i.outlet,
                "published_at": i.published_at,
                "first_seen_at": groups[g].now,
                "classified": classified,
                "alertable": groups[g].alertable,
            }
            for g, i in fresh
        ]
        # One cached executemany (SQLAlchemy batches it into multi-row INSERT ... RETURNING);
        # .values(rows) would compile a new statement per feed, most of a cold poll's store time.
        table = cast(Table, ArticleRow.__table__)
        stmt = (
            self._insert(table)
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(table.c.id, table.c.canonical_url)
        )
        inserted: dict[str, int] = {
            str(row[1]): int(row[0]) for row in (await self.session.execute(stmt, rows)).all()
        }
        for g, i in fresh:
            if i.canonical_url in inserted:
                result[g].append(
                    Article(
                        id=inserted[i.canonical_url],
                        url=i.url,
                        canonical_url=i.canonical_url,
                        title=i.title,
                        summary=i.summary,
                        outlet=i.outlet,
                        first_seen_at=groups[g].now,
                        guid=i.guid,
                        published_at=i.published_at,
                        source_id=groups[g].source_id,
                    )
                )
        return result

    async def _known_guids(self, guids: set[str]) -> set[str]:
        known: set[str] = set()
        ordered = sorted(guids)
        for start in range(0, len(ordered), GUID_LOOKUP_CHUNK):
            chunk = ordered[start : start + GUID_LOOKUP_CHUNK]
            found = await self.session.scalars(
                select(ArticleRow.guid).where(ArticleRow.guid.in_(chunk))
            )
            known.update(g for g in found.all() if g)
        return known

    async def add_event(self, article: Article, event: Event, story_id: int, now: datetime) -> None:
        """Queue the event row; :meth:`flush_events` writes them all before the commit (one
        executemany, not an INSERT per event between the story book's queries)."""
        self._events.append(
            {
                "article_id": article.id,
                "story_id": story_id,
                "type": event.type.value,
                "status": event.status.value,
                "companies": list(event.companies),
                "plant": event.plant,
                "country": event.country,
                "jobs": event.jobs,
                "confidence": event.confidence,
                "evidence": list(event.evidence),
                "created_at": now,
            }
        )

    async def flush_events(self) -> None:
        """Write the queued event rows (called when the unit's block ends)."""
        if self._events:
            rows, self._events = self._events, []
            await self.session.execute(insert(cast(Table, EventRow.__table__)), rows)

    # The delivery statements below run without autoflush: they need no story row written
    # first, and a merged story's row is written once per batch (bot.store.storybook).

    async def delivery_by_key(self, key: str) -> DeliveryRow | None:
        with self.session.no_autoflush:
            found = await self.session.scalars(select(DeliveryRow).where(DeliveryRow.key == key))
            return found.first()

    async def enqueue(
        self,
        *,
        key: str,
        story_id: int | None,
        platform: str,
        channel: str,
        kind: DeliveryKind,
        message: Message,
        not_before: datetime,
        now: datetime,
    ) -> bool:
        """Queue one delivery; False when a delivery with this key exists already."""
        stmt = (
            self._insert(DeliveryRow)
            .values(
                key=key,
                story_id=story_id,
                platform=platform,
                channel=channel,
                kind=kind,
                payload=message_to_json(message),
                state="pending",
                attempts=0,
                not_before=not_before,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(DeliveryRow.id)
        )
        with self.session.no_autoflush:
            return (await self.session.execute(stmt)).first() is not None

    async def top_of(self, key: str) -> DeliveryRow | None:
        """The top-level delivery a story's ``…:new`` key stands for: the row itself, or for a
        facet row the message it was joined to."""
        row = await self.delivery_by_key(key)
        if row is None or row.kind != "facet" or row.joined_to is None:
            return row
        with self.session.no_autoflush:
            return await self.session.get(DeliveryRow, row.joined_to)

    async def join(
        self,
        *,
        key: str,
        story_id: int,
        platform: str,
        channel: str,
        joined_to: int,
        message: Message,
        now: datetime,
    ) -> None:
        """Record that a story is shown in the message of delivery ``joined_to`` (its facet row):
        it is never sent itself, and the story's follow-ups thread under that message."""
        stmt = (
            self._insert(DeliveryRow)
            .values(
                key=key,
                story_id=story_id,
                platform=platform,
                channel=channel,
                kind="facet",
                payload=message_to_json(message),
                state="joined",
                attempts=0,
                not_before=now,
                created_at=now,
                joined_to=joined_to,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        with self.session.no_autoflush:
            await self.session.execute(stmt)

    async def refresh_pending(self, delivery_id: int, message: Message) -> None:
        """Replace a still-pending delivery's message with a newer snapshot (group_wait)."""
        with self.session.no_autoflush:
            await self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.state == "pending")
                .values(payload=message_to_json(message))
            )

    async def update_sources(
        self, owner: str, updates: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        """Advance many sources' fetch state and release their leases: one executemany per set
        of columns (a poll cycle's 304s and unchanged bodies share one), not one commit each."""
        table = cast(Table, SourceRow.__table__)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for source_id, values in updates:
            params = {"b_id": source_id, "b_owner": owner}
            params.update({f"v_{k}": v for k, v in values.items()})
            groups.setdefault(tuple(sorted(values)), []).append(params)
        for columns, params_list in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("b_id"), table.c.lease_owner == bindparam("b_owner"))
                .values(
                    lease_owner=None,
                    lease_until=None,
                    **{c: bindparam(f"v_{c}") for c in columns},
                )
            )
            await self.session.execute(stmt, params_list)
