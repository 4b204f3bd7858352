"""What the store holds, in brief: article and story counts and the newest stories (the first
run's summary, :mod:`bot.runtime.first_run`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Story
from bot.store.commands_repo import story_from_row
from bot.store.db import sessionmaker
from bot.store.models import ArticleRow, StoryRow


@dataclass(frozen=True, slots=True)
class StoreSummary:
    articles: int
    stories: int
    recent: list[Story]  # newest first


async def store_summary(engine: AsyncEngine, limit: int = 5) -> StoreSummary:
    """Counts and the ``limit`` most recently first-seen stories.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database failed.
    """
    async with sessionmaker(engine)() as session:
        articles = int(await session.scalar(select(func.count()).select_from(ArticleRow)) or 0)
        stories = int(await session.scalar(select(func.count()).select_from(StoryRow)) or 0)
        newest = select(StoryRow).order_by(StoryRow.first_seen_at.desc(), StoryRow.id.desc())
        rows = (await session.scalars(newest.limit(limit))).all()
        return StoreSummary(articles, stories, [story_from_row(r) for r in rows])
