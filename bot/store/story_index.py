"""Story candidate retrieval in SQL: the store's twin of :class:`bot.stories.index.InMemoryIndex`.

A story is filed under its index keys (canonical companies, and ``~``-prefixed names that
never collide with a company) in ``story_companies`` with the story's first-seen time; its
clustering signature lives in ``StoryRow.features`` (:meth:`StoryState.signature_json`).
:meth:`SqlStoryIndex.candidates` runs one indexed range query per key on
``ix_story_companies_company_seen`` (``company = ? AND first_seen_at BETWEEN ? AND ?``,
newest first, at most :data:`PER_KEY_LIMIT`) and then loads the matched stories by primary
key, so its cost depends on the keys and the limit, not on how many stories are stored.
Scoring stays pure in :mod:`bot.stories.clusterer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import StoreError
from bot.store.models import StoryCompanyRow, StoryRow
from bot.stories.index import PER_KEY_LIMIT, WINDOW_AHEAD, WINDOW_BACK, StoryCandidate
from bot.stories.state import signature_from_json


class SqlStoryIndex:
    """Candidate retrieval over ``story_companies`` + ``stories`` in one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def candidates(
        self, keys: Sequence[str], around: datetime | None
    ) -> list[StoryCandidate]:
        """Stories filed under any of ``keys`` first seen in the window around ``around``
        (no window when ``None``). Stories whose stored signature cannot be read are skipped.

        Raises :class:`StoreError` when the database fails.
        """
        try:
            ids: dict[int, None] = {}
            for key in dict.fromkeys(keys):
                query = select(StoryCompanyRow.story_id).where(StoryCompanyRow.company == key)
                if around is not None:
                    query = query.where(
                        StoryCompanyRow.first_seen_at >= around - WINDOW_BACK,
                        StoryCompanyRow.first_seen_at <= around + WINDOW_AHEAD,
                    )
                query = query.order_by(StoryCompanyRow.first_seen_at.desc()).limit(PER_KEY_LIMIT)
                for story_id in (await self._session.scalars(query)).all():
                    ids.setdefault(story_id, None)
            if not ids:
                return []
            rows = await self._session.execute(
                select(StoryRow.key, StoryRow.features).where(StoryRow.id.in_(list(ids)))
            )
            found: list[StoryCandidate] = []
            for row in rows.all():
                try:
                    found.append(signature_from_json(str(row.key), dict(row.features or {})))
                except (KeyError, TypeError, ValueError):
                    continue  # written by an older version or by hand: not matchable
            return found
        except SQLAlchemyError as exc:
            raise StoreError(f"story candidate lookup failed: {type(exc).__name__}") from exc

    async def file(self, story_id: int, keys: Iterable[str], first_seen: datetime) -> None:
        """Add the ``story_companies`` rows of ``keys`` the story does not have yet.

        Call after inserting or updating the story (keys: :meth:`StoryState.index_keys`).
        Raises :class:`StoreError` when the database fails.
        """
        try:
            existing = set(
                (
                    await self._session.scalars(
                        select(StoryCompanyRow.company).where(StoryCompanyRow.story_id == story_id)
                    )
                ).all()
            )
            for key in dict.fromkeys(keys):
                if key not in existing:
                    self._session.add(
                        StoryCompanyRow(story_id=story_id, company=key, first_seen_at=first_seen)
                    )
            await self._session.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"story index update failed: {type(exc).__name__}") from exc
