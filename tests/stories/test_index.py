"""Candidate retrieval: by key inside the time window, bounded per key; the SQL twin agrees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.domain import Event, EventType, Status
from bot.store import story_index
from bot.store.models import Base, StoryCompanyRow, StoryRow
from bot.store.story_index import SignatureCache, SqlStoryIndex, forget_on_rollback
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


async def test_cached_signatures_are_served_while_the_story_is_unchanged(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = SignatureCache()
    sql = SqlStoryIndex(session, cache)
    state = _story("Acme", 0, 1)
    await _store(session, sql, state)
    (first,) = await sql.candidates(["Acme"], DAY0)

    def no_decoding(*_args: object) -> StoryCandidate:
        raise AssertionError("decoded again although unchanged")

    monkeypatch.setattr(story_index, "signature_from_json", no_decoding)
    (again,) = await sql.candidates(["Acme"], DAY0)
    assert again is first
    monkeypatch.undo()
    # a merge (here: another replica's) bumps article_count and rewrites the signature
    grown = first.with_member(_features("Acme", 0.5, "shuts plant for good"))
    row = (await session.scalars(select(StoryRow).where(StoryRow.key == state.key))).one()
    row.article_count += 1
    row.features = {**state.signature_json(), "members": [m.to_json() for m in grown.members]}
    await session.flush()
    (fresh,) = await sql.candidates(["Acme"], DAY0)
    assert fresh.members == grown.members


async def test_entries_written_by_a_rolled_back_transaction_are_forgotten(
    session: AsyncSession,
) -> None:
    cache = SignatureCache()
    candidate = _story("Acme", 0, 1).signature
    await session.execute(select(StoryRow.id))  # inside a transaction, as the story book is
    cache.put(7, 2, candidate)
    forget_on_rollback(session, cache, 7)
    assert cache.get(7, 2) is candidate
    await session.rollback()
    assert cache.get(7, 2) is None


def test_cache_is_bounded_by_members_and_keeps_the_recently_used() -> None:
    cache = SignatureCache(max_members=3)
    a, b = (_story("Acme", 0, n).signature for n in (1, 2))
    c = _story("Acme", 0, 3).signature.with_member(_features("Acme", 0.1))  # two members
    cache.put(1, 1, a)
    cache.put(2, 1, b)
    assert cache.get(1, 1) is a  # 1 is now the most recent
    cache.put(3, 1, c)  # 4 members: the least recently used (2) goes
    assert cache.get(2, 1) is None
    assert cache.get(1, 1) is a
    assert cache.members == 3
    assert cache.get(1, 2) is None  # another version is a miss
    cache.put(1, 2, c)  # replaces 1's old version (not counted twice); 3 goes for room
    assert cache.get(1, 2) is c
    assert cache.get(3, 1) is None
    assert cache.members == 2


async def test_keys_a_transaction_filed_for_a_story_are_not_sent_again(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = SqlStoryIndex(session)
    good = _story("Acme", 0, 1)
    await _store(session, sql, good)
    sent: list[list[str]] = []
    execute = session.execute

    async def recording(statement: object, params: object = None, **kw: object) -> object:
        if isinstance(params, list):
            sent.append([row["company"] for row in params])
        return await execute(statement, params, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(session, "execute", recording)
    row_id = int((await session.execute(select(StoryRow.id))).scalar_one())
    await sql.file(row_id, ["Acme"], DAY0)  # filed when stored: nothing to send
    await sql.file(row_id, ["Acme", "~Oppama"], DAY0)
    await sql.file(row_id, ["~Oppama", "Acme"], DAY0)
    assert sent == [["~Oppama"]]
    monkeypatch.undo()
    keys = (await session.execute(select(StoryCompanyRow.company).order_by("company"))).scalars()
    assert list(keys) == ["Acme", "~Oppama"]
