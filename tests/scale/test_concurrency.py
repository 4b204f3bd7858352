"""Replicas racing on one database: two engines (two connection pools) stand for two processes.

Runs on SQLite and PostgreSQL (``db_url``); PostgreSQL is where the races are real
(``FOR UPDATE SKIP LOCKED`` claims, advisory locks around story placement), SQLite serialises
writers with ``BEGIN IMMEDIATE``. Time is injected; a crash is an engine disposed without
finishing its work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.classify import CompanyTable
from bot.domain import FeedEntry, Notice
from bot.ingest.pipeline import ChangedFetch
from bot.sources.base import FetchOutcome
from bot.store.db import writer_sessions
from bot.store.ingest import IngestUnits
from bot.store.sources_repo import DesiredSource, SourceRecord
from bot.store.storybook import SqlStoryBook
from bot.stories.placement import Placement, company_finder
from tests.scale.stack import Stack, open_stack

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
EVENTS = [
    (
        "Talvane to close its Harrow paper mill, cutting 310 jobs",
        "Talvane will close Harrow paper mill, 310 jobs cut",
    ),
    (
        "Korholt and Pelmora sign partnership to build wind turbines",
        "Korholt, Pelmora sign partnership to build wind turbines",
    ),
    (
        "Drawyn to close its Redcar smelter, cutting 520 jobs",
        "Drawyn to shut Redcar smelter, cutting 520 jobs",
    ),
    (
        "Sundlund and Ostacor sign partnership to build solar glass",
        "Sundlund and Ostacor sign a partnership to build solar glass",
    ),
]


@pytest.fixture
async def replicas(db_url: str) -> AsyncIterator[list[Stack]]:
    stacks = [await open_stack(db_url, f"replica-{n}") for n in range(4)]
    yield stacks
    for s in stacks:
        await s.close()


def sources(n: int) -> list[DesiredSource]:
    return [DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60) for i in range(n)]


async def claim(stack: Stack, names: set[str], now: datetime) -> list[SourceRecord]:
    claimed = await stack.sources.claim_due(stack.owner, now, limit=1000, lease_s=60)
    mine = [s for s in claimed if s.name in names]
    for other in claimed:
        if other.name not in names:
            await stack.sources.finish_poll(other.id, stack.owner)
    return mine


async def scalar(stack: Stack, sql: str) -> int:
    async with stack.engine.connect() as conn:
        return int(await conn.scalar(text(sql)) or 0)


async def test_two_replicas_placing_one_event_at_once_make_one_story(
    replicas: list[Stack],
) -> None:
    a, b = replicas[:2]
    await a.sources.sync_config(sources(2 * len(EVENTS)), T0)
    names = [f"feed-{i}" for i in range(2 * len(EVENTS))]
    for stack, mine in ((a, set(names[::2])), (b, set(names[1::2]))):  # backlogs, then alertable
        for source in await claim(stack, mine, T0):
            await stack.ingest(source, [], T0)
    now = T0 + timedelta(seconds=10)
    mine_a = sorted(await claim(a, set(names[::2]), now), key=lambda s: s.name)
    mine_b = sorted(await claim(b, set(names[1::2]), now), key=lambda s: s.name)
    assert len(mine_a) == len(mine_b) == len(EVENTS)

    jobs = []
    for n, (first, second) in enumerate(EVENTS):
        jobs.append(a.ingest(mine_a[n], [FeedEntry(first, f"https://a.example/{n}")], now))
        jobs.append(b.ingest(mine_b[n], [FeedEntry(second, f"https://b.example/{n}")], now))
    assert await asyncio.gather(*jobs) == [1] * (2 * len(EVENTS))

    assert await scalar(a, "SELECT count(*) FROM stories") == len(EVENTS)
    assert await scalar(a, "SELECT min(article_count) FROM stories") == 2
    partnerships = sum(1 for first, _ in EVENTS if "partnership" in first)
    new_alerts = await scalar(a, "SELECT count(*) FROM deliveries WHERE kind = 'new'")
    assert new_alerts == len(EVENTS) + partnerships  # C1 for each story, C2 for partnerships
    assert await scalar(a, "SELECT count(*) FROM deliveries") == new_alerts


async def test_claims_from_several_owners_never_overlap(replicas: list[Stack]) -> None:
    await replicas[0].sources.sync_config(sources(120), T0)
    units = IngestUnits(writer_sessions(replicas[0].engine))
    async with units.begin() as unit:
        for i in range(120):
            await unit.enqueue(
                key=f"notice:{i}",
                story_id=None,
                platform="slack",
                channel="C1",
                kind="notice",
                message=Notice(f"note {i}"),
                not_before=T0,
                now=T0,
            )

    for _round in range(3):  # each round: everyone grabs at once, then gives everything back
        got = await asyncio.gather(
            *(s.sources.claim_due(s.owner, T0, limit=50, lease_s=60) for s in replicas)
        )
        ids = [src.id for batch in got for src in batch]
        assert len(ids) == len(set(ids)) == 120  # disjoint, and nothing due was left out
        for stack, batch in zip(replicas, got, strict=True):
            for src in batch:
                await stack.sources.finish_poll(src.id, stack.owner)

    got_d = await asyncio.gather(
        *(s.outbox.claim_due(s.owner, T0, limit=50, lease_s=60) for s in replicas)
    )
    delivery_ids = [c.delivery.id for batch in got_d for c in batch]
    assert len(delivery_ids) == len(set(delivery_ids)) == 120
    assert sum(1 for batch in got_d if batch) >= 3  # the work was spread, not taken by one


async def test_a_crashed_owners_leases_are_taken_over_after_the_ttl(
    db_url: str, replicas: list[Stack]
) -> None:
    crashed = await open_stack(db_url, "crashed", migrate=False)
    await crashed.sources.sync_config(sources(5), T0)
    units = IngestUnits(writer_sessions(crashed.engine))
    async with units.begin() as unit:
        await unit.enqueue(
            key="notice:x",
            story_id=None,
            platform="slack",
            channel="C1",
            kind="notice",
            message=Notice("x"),
            not_before=T0,
            now=T0,
        )
    assert len(await crashed.sources.claim_due("crashed", T0, 100, lease_s=60)) == 5
    assert len(await crashed.outbox.claim_due("crashed", T0, 100, lease_s=60)) == 1
    await crashed.close()  # dies: nothing finished, nothing released

    survivor = replicas[1]
    inside = T0 + timedelta(seconds=59)
    assert await survivor.sources.claim_due(survivor.owner, inside, 100, lease_s=60) == []
    assert await survivor.outbox.claim_due(survivor.owner, inside, 100, lease_s=60) == []
    after = T0 + timedelta(seconds=61)
    assert len(await survivor.sources.claim_due(survivor.owner, after, 100, lease_s=60)) == 5
    [retaken] = await survivor.outbox.claim_due(survivor.owner, after, 100, lease_s=60)
    assert retaken.delivery.attempt == 1  # a second attempt: the sink checks before re-posting


class SlowBook(SqlStoryBook):
    """Places like the real one, then dawdles: two batches interleave article by article."""

    async def place(self, *args: Any, **kwargs: Any) -> Placement:
        placed = await super().place(*args, **kwargs)
        await asyncio.sleep(0.3)
        return placed


async def test_two_batches_naming_the_same_companies_in_opposite_order_do_not_deadlock(
    postgres_url: str,
) -> None:
    """Locking article by article, batch A would hold Talvane's key and wait for Drawyn's
    while batch B holds Drawyn's and waits for Talvane's: PostgreSQL would abort one batch
    as a deadlock. Each batch locks all its keys up front, in sorted order."""
    stacks = [
        await open_stack(
            postgres_url, f"r{n}", book=SlowBook(company_finder(CompanyTable.default()))
        )
        for n in range(2)
    ]
    try:
        a, b = stacks
        await a.sources.sync_config(sources(4), T0)
        mine_a = await claim(a, {"feed-0", "feed-1"}, T0)
        mine_b = await claim(b, {"feed-2", "feed-3"}, T0)
        talvane, drawyn = EVENTS[0][0], EVENTS[2][0]

        def fetch(source: SourceRecord, title: str, n: int) -> ChangedFetch:
            outcome = FetchOutcome(
                status="changed", entries=[FeedEntry(title, f"https://x.test/{n}")]
            )
            return ChangedFetch(source, outcome, T0, {"backlog_done": True})

        counts = await asyncio.wait_for(
            asyncio.gather(
                a.pipeline.ingest_many([fetch(mine_a[0], talvane, 1), fetch(mine_a[1], drawyn, 2)]),
                b.pipeline.ingest_many([fetch(mine_b[0], drawyn, 3), fetch(mine_b[1], talvane, 4)]),
            ),
            timeout=30,
        )
        assert list(counts) == [[1, 1], [1, 1]]
        assert await scalar(a, "SELECT count(*) FROM stories") == 2  # one per event
    finally:
        for stack in stacks:
            await stack.close()
