"""Story candidate retrieval in SQL: the store's twin of :class:`bot.stories.index.InMemoryIndex`.

A story is filed under its index keys (canonical companies, and ``~``-prefixed names that
never collide with a company) in ``story_companies`` with the story's first-seen time; its
clustering signature lives in ``StoryRow.features`` (:meth:`StoryState.signature_json`).
:meth:`SqlStoryIndex.candidates` runs one indexed range query per key on
``ix_story_companies_company_seen`` (``company = ? AND first_seen_at BETWEEN ? AND ?``,
newest first, at most :data:`PER_KEY_LIMIT`), all keys in one ``UNION ALL`` statement, and
then loads the matched stories by primary key, so its cost depends on the keys and the limit,
not on how many stories are stored.
Scoring stays pure in :mod:`bot.stories.clusterer`.

Decoding signatures was most of a placement's cost once a company has dozens of stories (up to
:data:`PER_KEY_LIMIT` candidates per key × 12 members each, JSON → features, ~30 ms per
placement). A :class:`SignatureCache` keeps decoded signatures by story id and
``article_count``, which every merge increments, so a hit needs only ``(id,
article_count)`` from the database. The story book caches what it writes (the next report
of the same story in the batch is a hit); if the transaction rolls back, those entries are
dropped (:func:`forget_on_rollback`), so the cache never holds a count the database lacks.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Executable, Table, bindparam, event, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import StoreError
from bot.store.models import StoryCompanyRow, StoryRow
from bot.stories.index import PER_KEY_LIMIT, WINDOW_AHEAD, WINDOW_BACK, StoryCandidate
from bot.stories.state import signature_from_json

WRITTEN = "dealradar.stories_written"  # session.info: story ids cached by this transaction
FILED = "dealradar.keys_filed"  # session.info: story id -> index keys this transaction filed
UNFLUSHED = "dealradar.unflushed_signatures"  # session.info: see unflushed_signatures


def unflushed_signatures(session: AsyncSession) -> dict[int, StoryCandidate]:
    """Signatures of stories this transaction changed in memory, by story id: their rows may
    not be flushed yet, so their stored ``article_count`` and ``features`` may be stale."""
    found: dict[int, StoryCandidate] = session.info.setdefault(UNFLUSHED, {})
    return found


class SignatureCache:
    """Decoded story signatures by story id, valid while ``article_count`` is unchanged.

    Bounded by members, not stories: a decoded member (MinHash, word sets) is ~5 KB, a full
    story of 12 members ~65 KB, so the default budget (6,000 members) stays near 30 MB.
    """

    def __init__(self, max_members: int = 6_000) -> None:
        self._max_members = max_members
        self._members = 0
        self._entries: OrderedDict[int, tuple[int, StoryCandidate]] = OrderedDict()

    def get(self, story_id: int, article_count: int) -> StoryCandidate | None:
        entry = self._entries.get(story_id)
        if entry is None or entry[0] != article_count:
            return None
        self._entries.move_to_end(story_id)
        return entry[1]

    def put(self, story_id: int, article_count: int, candidate: StoryCandidate) -> None:
        self.discard(story_id)
        self._entries[story_id] = (article_count, candidate)
        self._members += len(candidate.members)
        while self._members > self._max_members and len(self._entries) > 1:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._members -= len(dropped.members)

    def discard(self, story_id: int) -> None:
        entry = self._entries.pop(story_id, None)
        if entry is not None:
            self._members -= len(entry[1].members)

    @property
    def members(self) -> int:
        return self._members


def forget_on_rollback(session: AsyncSession, cache: SignatureCache, story_id: int) -> None:
    """Drop ``story_id`` from ``cache`` if this session's transaction rolls back."""
    written: set[int] | None = session.info.get(WRITTEN)
    if written is None:
        written = session.info[WRITTEN] = set()

        def forget(_session: object) -> None:
            for dropped in written:
                cache.discard(dropped)

        event.listen(session.sync_session, "after_rollback", forget)
    written.add(story_id)


@functools.lru_cache(maxsize=64)
def _candidates_statement(keys: int, windowed: bool) -> Executable:
    """``(story id, article_count)`` of each key's newest stories, in one round trip: a
    ``UNION ALL`` of the indexed range queries. Built once per shape (building the expression
    cost more than running it); keys are ``:k0``…, the window ``:lo``/``:hi``."""
    per_key = []
    for i in range(keys):
        query = select(StoryCompanyRow.story_id).where(
            StoryCompanyRow.company == bindparam(f"k{i}")
        )
        if windowed:
            query = query.where(
                StoryCompanyRow.first_seen_at >= bindparam("lo"),
                StoryCompanyRow.first_seen_at <= bindparam("hi"),
            )
        query = query.order_by(StoryCompanyRow.first_seen_at.desc()).limit(PER_KEY_LIMIT)
        per_key.append(select(query.subquery().c.story_id))
    ids = union_all(*per_key).subquery() if keys > 1 else per_key[0].subquery()
    return (
        select(StoryRow.id, StoryRow.article_count)
        .where(StoryRow.id.in_(select(ids.c.story_id)))
        .order_by(StoryRow.id)
    )


class SqlStoryIndex:
    """Candidate retrieval over ``story_companies`` + ``stories`` in one session."""

    def __init__(self, session: AsyncSession, cache: SignatureCache | None = None) -> None:
        self._session = session
        self._cache = cache

    async def candidates(
        self, keys: Sequence[str], around: datetime | None
    ) -> list[StoryCandidate]:
        """Stories filed under any of ``keys`` first seen in the window around ``around``
        (no window when ``None``). Stories whose stored signature cannot be read are skipped.

        Raises :class:`StoreError` when the database fails.
        """
        unique = list(dict.fromkeys(keys))
        if not unique:
            return []
        params: dict[str, object] = {f"k{i}": key for i, key in enumerate(unique)}
        if around is not None:
            params.update(lo=around - WINDOW_BACK, hi=around + WINDOW_AHEAD)
        try:
            with self._session.no_autoflush:  # changed rows are served from memory, below
                counts = await self._session.execute(
                    _candidates_statement(len(unique), around is not None), params
                )
                versions = [(int(row[0]), int(row[1])) for row in counts.all()]
                return await self._signatures(versions)
        except SQLAlchemyError as exc:
            raise StoreError(f"story candidate lookup failed: {type(exc).__name__}") from exc

    async def _signatures(self, versions: list[tuple[int, int]]) -> list[StoryCandidate]:
        """The signatures of ``(story id, article_count)``: cached, else loaded and decoded."""
        found: dict[int, StoryCandidate] = {}
        missing: list[int] = []
        unflushed = unflushed_signatures(self._session)
        for story_id, article_count in versions:
            hit = unflushed.get(story_id)
            if hit is None and self._cache is not None:
                hit = self._cache.get(story_id, article_count)
            if hit is None:
                missing.append(story_id)
            else:
                found[story_id] = hit
        if missing:
            rows = await self._session.execute(
                select(StoryRow.id, StoryRow.key, StoryRow.article_count, StoryRow.features).where(
                    StoryRow.id.in_(missing)
                )
            )
            for row in rows.all():
                try:
                    candidate = signature_from_json(str(row.key), dict(row.features or {}))
                except (KeyError, TypeError, ValueError):
                    continue  # written by an older version or by hand: not matchable
                found[row.id] = candidate
                if self._cache is not None:
                    self._cache.put(row.id, row.article_count, candidate)
        return [found[story_id] for story_id, _ in versions if story_id in found]

    async def file(self, story_id: int, keys: Iterable[str], first_seen: datetime) -> None:
        """Add the ``story_companies`` rows of ``keys`` the story does not have yet (one
        INSERT … ON CONFLICT DO NOTHING for all of them).

        Call after inserting or updating the story (keys: :meth:`StoryState.index_keys`).
        Keys this transaction filed for the story already are not sent again (the insert would
        do nothing for them): a batch often places several reports of one story.
        Raises :class:`StoreError` when the database fails.
        """
        filed: dict[int, set[str]] = self._session.info.setdefault(FILED, {})
        done = filed.setdefault(story_id, set())
        new = [key for key in dict.fromkeys(keys) if key not in done]
        rows = [{"story_id": story_id, "company": key, "first_seen_at": first_seen} for key in new]
        if not rows:
            return
        table = cast(Table, StoryCompanyRow.__table__)
        dialect = self._session.get_bind().dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        try:
            with self._session.no_autoflush:  # index rows need no story row written first
                await self._session.execute(
                    insert.on_conflict_do_nothing(index_elements=["story_id", "company"]), rows
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"story index update failed: {type(exc).__name__}") from exc
        done.update(new)
