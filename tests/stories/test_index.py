"""Candidate retrieval: by key inside the time window, bounded per key; the SQL twin agrees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.domain import Event, EventType, Status
from bot.store.models import Base, StoryRow
from bot.store.story_index import SqlStoryIndex
from bot.stories.features import StoryFeatures, features_for
from bot.stories.index import PER_KEY_LIMIT, WINDOW_BACK, InMemoryIndex, StoryCandidate
from bot.stories.state import ArticleInfo, StoryState, new_story
from tests.stories.conftest import DAY0


def _features(
    company: str, days: float, title: str = "closes plant", dated: bool = True
) -> StoryFeatures:
    event = Event(EventType.PLANT_CLOSURE, Status.PLANNED, (company,))
    return features_for(f"{company} {title}", "", [event], DAY0 + timedelta(days=days), dated=dated)


def _story(company: str, days: float, n: int = 0) -> StoryState:
    features = _features(company, days, f"closes plant number {n}")
    return new_story(features, None, ArticleInfo(f"{company} {n}", url=f"u{n}"))


def test_lookup_is_by_key_and_time_window() -> None:
    index = InMemoryIndex()
    near, far, other = _story("Acme", 0, 1), _story("Acme", -500, 2), _story("Beta", 0, 3)
    for story in (near, far, other):
        index.put(story.signature)
    found = index.candidates(["Acme"], DAY0 + timedelta(days=1))
    assert [c.key for c in found] == [near.key]
    assert {c.key for c in index.candidates(["Acme"], None)} == {near.key, far.key}
    assert index.candidates(["Gamma"], DAY0) == []


def test_lookup_is_bounded_per_key() -> None:
    index = InMemoryIndex()
    for n in range(PER_KEY_LIMIT * 3):
        index.put(_story("Acme", -n / 10, n).signature)
    assert len(index.candidates(["Acme"], DAY0)) == PER_KEY_LIMIT


def test_undated_stories_are_found_at_any_time_and_move_once_dated() -> None:
    index = InMemoryIndex()
    undated = StoryCandidate.start("s1", _features("Acme", 3000, dated=False))
    index.put(undated)
    assert [c.key for c in index.candidates(["Acme"], DAY0)] == ["s1"]
    dated = undated.with_member(_features("Acme", 0))
    assert dated.first_seen == DAY0
    index.put(dated)
    assert [c.key for c in index.candidates(["Acme"], DAY0)] == ["s1"]
    assert index.candidates(["Acme"], DAY0 + WINDOW_BACK * 2) == []


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'stories.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        yield db
    await engine.dispose()


async def _store(db: AsyncSession, index: SqlStoryIndex, state: StoryState) -> None:
    row = StoryRow(
        key=state.key,
        event_type=state.event_type,
        status="planned",
        headline=state.headline,
        url=state.url,
        features=state.signature_json(),
        first_seen_at=state.first_seen,
        updated_at=state.updated_at,
    )
    db.add(row)
    await db.flush()
    await index.file(row.id, state.index_keys(), state.first_seen)


async def test_sql_index_returns_what_the_memory_index_returns(session: AsyncSession) -> None:
    sql, memory = SqlStoryIndex(session), InMemoryIndex()
    stories = [_story("Acme", 0, 1), _story("Acme", -500, 2), _story("Beta", 1, 3)]
    stories += [_story("Acme", -n / 10, 10 + n) for n in range(PER_KEY_LIMIT + 5)]
    for state in stories:
        await _store(session, sql, state)
        memory.put(state.signature)
    await session.commit()
    for keys, around in [
        (["Acme"], DAY0),
        (["Beta", "Acme"], DAY0),
        (["Acme"], None),
        (["Zed"], DAY0),
    ]:
        from_sql = {c.key: c for c in await sql.candidates(keys, around)}
        from_memory = {c.key: c for c in memory.candidates(keys, around)}
        assert from_sql.keys() == from_memory.keys()
        for key, candidate in from_sql.items():
            assert candidate.members == from_memory[key].members


async def test_sql_index_skips_unreadable_signatures_and_refiles_idempotently(
    session: AsyncSession,
) -> None:
    sql = SqlStoryIndex(session)
    good = _story("Acme", 0, 1)
    await _store(session, sql, good)
    bad = StoryRow(
        key="broken",
        event_type="plant_closure",
        status="planned",
        headline="h",
        url="u",
        features={"v": 1},
        first_seen_at=DAY0,
        updated_at=DAY0,
    )
    session.add(bad)
    await session.flush()
    await sql.file(bad.id, ["Acme"], DAY0)
    await sql.file(bad.id, ["Acme", "Acme"], DAY0)
    found = await sql.candidates(["Acme"], DAY0)
    assert [c.key for c in found] == [good.key]
