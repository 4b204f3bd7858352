"""Adding many sources at once (``dealradar sources import``) and reading them all back for
``dealradar sources export``.

An import is one transaction: every feed is added or skipped, or nothing is. A feed is a
duplicate when an existing source (or an earlier outline of the same file) has the same
canonical URL (:func:`bot.stories.identity.canonical_url`: scheme, ``www.``, tracking
parameters and fragments do not make two feeds different), or, for news-search and GDELT,
the same kind and query. Imported sources have origin ``"opml"``: the config sync leaves them
alone, and admins can remove them from chat like chat-added ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.opml import OpmlFeed
from bot.store.models import SourceRow
from bot.stories.identity import canonical_url

ORIGIN = "opml"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: names added, and ``(outline name, why)`` for each skipped."""

    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _identity(kind: str, url: str | None, query: str | None) -> str:
    if kind == "rss" and url:
        return "rss " + canonical_url(url)
    return f"{kind} {' '.join((query or '').casefold().split())}"


async def import_feeds(
    sessions: async_sessionmaker[AsyncSession],
    feeds: Sequence[OpmlFeed],
    default_interval_s: float,
    now: datetime,
) -> ImportReport:
    """Add ``feeds`` that no source has yet, in one transaction.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database failed (nothing was added).
    """
    report = ImportReport()
    async with sessions.begin() as session:
        rows = (await session.scalars(select(SourceRow))).all()
        known = {_identity(r.kind, r.url, r.query): r.name for r in rows}
        taken = {r.name.casefold() for r in rows}
        for feed in feeds:
            identity = _identity(feed.kind, feed.url, feed.query)
            if identity in known:
                report.skipped.append((feed.name, f"same feed as source {known[identity]!r}"))
                continue
            name = _free_name(feed.name, taken)
            taken.add(name.casefold())
            known[identity] = name
            session.add(
                SourceRow(
                    name=name,
                    kind=feed.kind,
                    url=feed.url,
                    query=feed.query,
                    interval_s=feed.interval_s or default_interval_s,
                    origin=ORIGIN,
                    enabled=True,
                    next_poll_at=now,
                    created_at=now,
                    consecutive_failures=0,
                    backlog_done=False,
                )
            )
            report.added.append(name)
    return report


def _free_name(name: str, taken: set[str]) -> str:
    if name.casefold() not in taken:
        return name
    number = 2
    while f"{name[:190]} ({number})".casefold() in taken:
        number += 1
    return f"{name[:190]} ({number})"


async def all_feeds(sessions: async_sessionmaker[AsyncSession]) -> list[OpmlFeed]:
    """Every source as an OPML feed, by name (a read; disabled sources included)."""
    async with sessions() as session:
        rows = (await session.scalars(select(SourceRow).order_by(SourceRow.name))).all()
        return [OpmlFeed(r.name, r.kind, r.url, r.query, r.interval_s) for r in rows]
