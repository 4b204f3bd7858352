"""Store contract suite (SQLite and PostgreSQL): sources with leases, article dedup, the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Alert, AlertKind, EventType, Notice, Status, Story
from bot.store.db import create_engine, migration_state, sessionmaker, upgrade
from bot.store.ingest import IngestUnits, NewArticle
from bot.store.outbox import Outbox
from bot.store.sources_repo import DesiredSource, SourcesRepo

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[object]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield sessionmaker(engine)
    await engine.dispose()


def desired(n: int, interval: float = 60) -> list[DesiredSource]:
    return [
        DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, interval) for i in range(n)
    ]


async def test_migrations_are_current(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        await upgrade(engine)  # idempotent
        current, head = await migration_state(engine)
        assert current == head
    finally:
        await engine.dispose()


async def test_sync_config_adds_updates_and_disables(sessions: object) -> None:
    repo = SourcesRepo(sessions)  # type: ignore[arg-type]
    await repo.sync_config(desired(3), T0)
    assert [s.name for s in await repo.all()] == ["feed-0", "feed-1", "feed-2"]
    changed = [DesiredSource("feed-0", "rss", "http://127.0.0.1/moved", None, 30), *desired(2)[1:]]
    await repo.sync_config(changed, T0)
    rows = {s.name: s for s in await repo.all()}
    assert rows["feed-0"].url == "http://127.0.0.1/moved"
    assert rows["feed-0"].interval_s == 30
    assert rows["feed-2"].enabled is False
    assert rows["feed-2"].disabled_reason == "removed from config"


async def test_claims_are_exclusive_until_the_lease_ends(sessions: object) -> None:
    repo = SourcesRepo(sessions)  # type: ignore[arg-type]
    await repo.sync_config(desired(5), T0)
    first = await repo.claim_due("a", T0, limit=3, lease_s=60)
    second = await repo.claim_due("b", T0, limit=10, lease_s=60)
    assert len(first) == 3
    assert len(second) == 2
    assert {s.id for s in first}.isdisjoint({s.id for s in second})
    assert await repo.claim_due("c", T0 + timedelta(seconds=30), limit=10, lease_s=60) == []
    # "a" died: after its lease runs out the sources are taken again
    again = await repo.claim_due("c", T0 + timedelta(seconds=61), limit=10, lease_s=60)
    assert {s.id for s in again} == {s.id for s in first} | {s.id for s in second}


async def test_finish_poll_releases_and_reschedules(sessions: object) -> None:
    repo = SourcesRepo(sessions)  # type: ignore[arg-type]
    await repo.sync_config(desired(1), T0)
    (source,) = await repo.claim_due("a", T0, 10, 60)
    await repo.finish_poll(source.id, "a", next_poll_at=T0 + timedelta(minutes=5), etag='"v1"')
    assert await repo.claim_due("b", T0 + timedelta(minutes=4), 10, 60) == []
    (again,) = await repo.claim_due("b", T0 + timedelta(minutes=5), 10, 60)
    assert again.etag == '"v1"'
    assert again.next_poll_at == T0 + timedelta(minutes=5)


def article(n: int, *, guid: str | None = None, url: str | None = None) -> NewArticle:
    link = url or f"https://news.example/{n}"
    return NewArticle(link, link, f"title {n}", "", "example", guid, None)


async def test_articles_deduplicated_by_canonical_url_and_guid(sessions: object) -> None:
    units = IngestUnits(sessions)  # type: ignore[arg-type]
    async with units.begin() as unit:
        first = await unit.add_articles(
            None, [article(1, guid="g1"), article(2), article(2)], T0, alertable=True
        )
    assert [a.title for a in first] == ["title 1", "title 2"]
    async with units.begin() as unit:
        again = await unit.add_articles(
            None,
            [article(1), article(3, guid="g1"), article(4)],  # same URL; same guid elsewhere; new
            T0,
            alertable=True,
        )
    assert [a.title for a in again] == ["title 4"]


def alert(story_id: int = 1) -> Alert:
    story = Story(
        id=story_id,
        key=f"k{story_id}",
        event_type=EventType.PLANT_CLOSURE,
        status=Status.PLANNED,
        headline="h",
        url="https://x.example/a",
        first_seen_at=T0,
        updated_at=T0,
    )
    return Alert(AlertKind.NEW, story, "h", "https://x.example/a", "x", "why")


async def test_outbox_claim_send_retry_and_fail(sessions: object) -> None:
    units = IngestUnits(sessions)  # type: ignore[arg-type]
    outbox = Outbox(sessions)  # type: ignore[arg-type]
    async with units.begin() as unit:
        assert await unit.enqueue(
            key="n1",
            story_id=None,
            platform="console",
            channel="",
            kind="notice",
            message=Notice("one"),
            not_before=T0,
            now=T0,
        )
        assert not await unit.enqueue(
            key="n1",
            story_id=None,
            platform="console",
            channel="",
            kind="notice",
            message=Notice("dup"),
            not_before=T0,
            now=T0,
        )
        await unit.enqueue(
            key="n2",
            story_id=None,
            platform="slack",
            channel="C1",
            kind="notice",
            message=Notice("two"),
            not_before=T0 + timedelta(minutes=1),
            now=T0,
        )
    (claimed,) = await outbox.claim_due("w1", T0, 10, 30)
    assert claimed.delivery.message == Notice("one")
    assert claimed.delivery.attempt == 0
    assert await outbox.claim_due("w2", T0, 10, 30) == []  # leased
    await outbox.retry_later(claimed.delivery.id, T0 + timedelta(seconds=5), "boom")
    (retry,) = await outbox.claim_due("w2", T0 + timedelta(seconds=6), 10, 30)
    assert retry.delivery.attempt == 1
    await outbox.mark_failed(retry.delivery.id, "gone")
    later = await outbox.claim_due("w2", T0 + timedelta(minutes=2), 10, 30)
    assert [c.delivery.key for c in later] == ["n2"]
    await outbox.mark_sent(later[0].delivery.id, "w2", T0, None)
    assert await outbox.counts() == {"failed": 1, "sent": 1}


async def test_crashed_claim_is_retaken_as_a_second_attempt(sessions: object) -> None:
    units = IngestUnits(sessions)  # type: ignore[arg-type]
    outbox = Outbox(sessions)  # type: ignore[arg-type]
    async with units.begin() as unit:
        await unit.enqueue(
            key="s1:new",
            story_id=None,
            platform="slack",
            channel="C",
            kind="new",
            message=alert(),
            not_before=T0,
            now=T0,
        )
    (first,) = await outbox.claim_due("dead", T0, 10, 30)
    (second,) = await outbox.claim_due("alive", T0 + timedelta(seconds=31), 10, 30)
    assert first.delivery.key == second.delivery.key
    assert second.delivery.attempt == 1  # the sink reconciles before posting again
    assert second.delivery.message == alert()
