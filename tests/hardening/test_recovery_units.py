"""The two store guards hardening added, on SQLite and (with DEALRADAR_TEST_POSTGRES_URL)
PostgreSQL: the shared replay guard (bot.store.processed_requests) and the release of leases held by
dead local processes (bot.store.leases)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Notice
from bot.store.db import create_engine, sessionmaker, upgrade, writer_sessions
from bot.store.ingest import IngestUnits
from bot.store.leases import orphaned, release_orphaned
from bot.store.models import DeliveryRow, ProcessedRequestRow
from bot.store.processed_requests import ProcessedRequests
from tests.fakes.clock import FakeClock

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_a_key_is_claimed_once_across_instances(engine: AsyncEngine) -> None:
    a, b = ProcessedRequests(writer_sessions(engine)), ProcessedRequests(writer_sessions(engine))
    results = await asyncio.gather(*(repo.claim("slack:event:E1") for repo in (a, b, a, b)))
    assert sorted(results) == [False, False, False, True]
    assert await b.claim("slack:event:E2") is True


async def test_discord_ids_live_beside_slack_keys(engine: AsyncEngine) -> None:
    repo = ProcessedRequests(writer_sessions(engine))
    assert await repo.claim("discord:123") is True
    assert await repo.claim("discord:123") is False
    assert await repo.claim("123") is True  # a Slack key "123" is another key


async def test_old_keys_are_pruned(engine: AsyncEngine) -> None:
    clock = FakeClock(T0)
    repo = ProcessedRequests(writer_sessions(engine), clock=clock)
    await repo.claim("old")
    clock.advance(days=2)
    await repo.claim("new")
    assert await repo.prune() == 1
    async with sessionmaker(engine)() as session:
        keys = (await session.scalars(select(ProcessedRequestRow.key))).all()
    assert keys == ["new"]
    assert await repo.claim("old") is True  # forgotten after a day: no platform retries that late


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("host:4242:abcdef", True),  # same host, pid gone
        ("host:7:abcdef", False),  # same host, pid alive
        ("host:100:abcdef", True),  # same host, our own pid: a previous life of this container
        ("host:100:mine00", False),  # ourselves
        ("other:4242:abcdef", False),  # another host: cannot tell, let the lease run out
        ("garbage", False),
    ],
)
def test_orphaned_owner(owner: str, expected: bool) -> None:
    result = orphaned(owner, "host:100:mine00", host="host", my_pid=100, alive=lambda p: p == 7)
    assert result is expected


async def test_release_frees_only_dead_owners(engine: AsyncEngine) -> None:
    units = IngestUnits(writer_sessions(engine))
    async with units.begin() as unit:
        for key in ("a", "b"):
            await unit.enqueue(
                key=key,
                story_id=None,
                platform="console",
                channel="",
                kind="notice",
                message=Notice(key),
                not_before=T0,
                now=T0,
            )
    async with writer_sessions(engine).begin() as session:
        for key, owner in (("a", "dead"), ("b", "alive")):
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.key == key)
                .values(lease_owner=owner, lease_until=T0 + timedelta(minutes=2), attempts=1)
            )
    released = await release_orphaned(
        writer_sessions(engine), "me", is_orphaned=lambda owner, _me: owner == "dead"
    )
    assert released == 1
    async with sessionmaker(engine)() as session:
        rows = {r.key: r for r in (await session.scalars(select(DeliveryRow))).all()}
    assert rows["a"].lease_owner is None and rows["a"].attempts == 1  # keeps its attempt count
    assert rows["b"].lease_owner == "alive"
