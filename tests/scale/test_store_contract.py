"""Outbox + sources + story placement through the real pipeline, on SQLite and PostgreSQL.

``tests/store/test_store.py`` covers each repository on its own; this suite drives them the way
one replica does (claim a source, ingest a fetch, claim and send its alerts) and checks the
same outcomes on both backends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.domain import Alert, AlertKind, EventType, FeedEntry, MessageRef
from bot.sources.base import FetchOutcome
from bot.store.sources_repo import DesiredSource, SourceRecord
from tests.scale.stack import Stack, open_stack

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DEAL = "Brenholt and Vosmora sign partnership to build heat pumps"
DEAL_AGAIN = "Brenholt, Vosmora sign partnership to build heat pumps in Ohio"
CLOSURE = "Quilldric to close its Tilbury bottling plant, cutting 240 jobs"


def entry(title: str, n: int) -> FeedEntry:
    return FeedEntry(title=title, url=f"https://outlet{n}.example/story-{n}", guid=f"g{n}")


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[Stack]:
    s = await open_stack(db_url, "replica-a")
    feeds = [DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60) for i in range(3)]
    await s.sources.sync_config(feeds, T0)
    yield s
    await s.close()


async def claim_one(stack: Stack, name: str, now: datetime) -> SourceRecord:
    claimed = await stack.sources.claim_due(stack.owner, now, limit=10, lease_s=60)
    mine = [s for s in claimed if s.name == name]
    for other in claimed:
        if other.name != name:
            await stack.sources.finish_poll(other.id, stack.owner)
    assert mine, f"{name} was not due"
    return mine[0]


async def count(stack: Stack, sql: str) -> int:
    async with stack.engine.connect() as conn:
        return int(await conn.scalar(text(sql)) or 0)


async def test_backlog_is_stored_without_alerts(stack: Stack) -> None:
    source = await claim_one(stack, "feed-0", T0)
    assert not source.backlog_done
    outcome_articles = await stack.pipeline.ingest(
        source,
        FetchOutcome(status="changed", entries=[entry(CLOSURE, 1)]),
        T0,
        {"backlog_done": True},
    )
    assert outcome_articles == 1
    assert await count(stack, "SELECT count(*) FROM stories") == 1
    assert await count(stack, "SELECT count(*) FROM deliveries") == 0
    again = await claim_one(stack, "feed-0", T0)  # released by the ingest, still due
    assert again.backlog_done


async def test_two_reports_make_one_story_one_alert_per_channel(stack: Stack) -> None:
    await stack.ingest(await claim_one(stack, "feed-0", T0), [], T0)  # backlog: empty
    await stack.ingest(await claim_one(stack, "feed-0", T0), [entry(DEAL, 1)], T0)
    await stack.ingest(
        await claim_one(stack, "feed-1", T0), [], T0 + timedelta(seconds=1)
    )  # backlog of feed-1
    later = T0 + timedelta(seconds=5)
    await stack.ingest(await claim_one(stack, "feed-1", later), [entry(DEAL_AGAIN, 2)], later)

    assert await count(stack, "SELECT count(*) FROM stories") == 1
    assert await count(stack, "SELECT max(article_count) FROM stories") == 2
    # still inside group_wait: the second report folded into the waiting alerts
    due = T0 + timedelta(seconds=31)
    claimed = await stack.outbox.claim_due(stack.owner, due, limit=10, lease_s=60)
    assert sorted(c.delivery.target.channel for c in claimed) == ["C1", "C2"]
    assert all(c.kind == "new" and c.delivery.attempt == 0 for c in claimed)
    for c in claimed:
        ref = MessageRef("slack", c.delivery.target.channel, f"ts-{c.delivery.id}", None)
        await stack.outbox.mark_sent(c.delivery.id, stack.owner, due, ref)
    assert await stack.outbox.claim_due(stack.owner, due, limit=10, lease_s=60) == []

    # a third report after the alert went out is a follow-up threaded under it
    third = due + timedelta(seconds=60)
    await stack.ingest(await claim_one(stack, "feed-0", third), [entry(DEAL + " deal", 3)], third)
    follow = await stack.outbox.claim_due(stack.owner, third, limit=10, lease_s=60)
    assert {c.delivery.target.channel for c in follow} == {"C1", "C2"}
    for c in follow:
        assert c.delivery.message.kind is not AlertKind.NEW  # type: ignore[union-attr]
        assert c.delivery.parent is not None
        assert c.delivery.parent.message_id.startswith("ts-")


async def test_closures_reach_only_the_channels_routed_for_them(stack: Stack) -> None:
    await stack.ingest(await claim_one(stack, "feed-2", T0), [], T0)
    await stack.ingest(await claim_one(stack, "feed-2", T0), [entry(CLOSURE, 7)], T0)
    claimed = await stack.outbox.claim_due(stack.owner, T0 + timedelta(minutes=1), 10, 60)
    assert [c.delivery.target.channel for c in claimed] == ["C1"]
    assert await stack.outbox.depth(T0 + timedelta(minutes=1)) == 1  # claimed, still pending


async def test_claim_due_takes_the_most_overdue_free_sources_up_to_the_limit(
    stack: Stack,
) -> None:
    from sqlalchemy import select, update

    from bot.store.models import SourceRow

    async with stack.engine.begin() as conn:  # feed-2 most overdue, then feed-0, then feed-1
        for name, minutes in (("feed-0", 20), ("feed-1", 10), ("feed-2", 30)):
            await conn.execute(
                update(SourceRow)
                .where(SourceRow.name == name)
                .values(next_poll_at=T0 - timedelta(minutes=minutes))
            )
    first = await stack.sources.claim_due(stack.owner, T0, limit=2, lease_s=60)
    assert [s.name for s in first] == ["feed-2", "feed-0"]
    # leased: another owner gets only what is left, and nothing until the leases run out
    other = await stack.sources.claim_due("replica-b", T0, limit=10, lease_s=60)
    assert [s.name for s in other] == ["feed-1"]
    assert await stack.sources.claim_due("replica-b", T0 + timedelta(seconds=30), 10, 60) == []
    later = await stack.sources.claim_due("replica-b", T0 + timedelta(seconds=61), 10, 60)
    assert [s.name for s in later] == ["feed-2", "feed-0", "feed-1"]
    async with stack.engine.connect() as conn:
        owners = set((await conn.execute(select(SourceRow.lease_owner))).scalars())
    assert owners == {"replica-b"}


SEED = "Nissan explores Foxconn EV production to safeguard its Oppama plant"
SEED_CLOSURE = "Nissan weighs ending production at its Oppama plant, 3,900 jobs"


async def test_an_article_with_two_events_is_one_message_per_channel(stack: Stack) -> None:
    """The seed story (talks on a partnership, a closure averted) is two stories but one
    message in a channel watching both; a channel watching partnerships gets its alert; a
    later report of the closure threads under the one message."""
    await stack.ingest(await claim_one(stack, "feed-0", T0), [], T0)
    await stack.ingest(await claim_one(stack, "feed-0", T0), [entry(SEED, 1)], T0)
    assert await count(stack, "SELECT count(*) FROM stories") == 2

    due = T0 + timedelta(seconds=31)
    claimed = await stack.outbox.claim_due(stack.owner, due, limit=10, lease_s=60)
    assert sorted(c.delivery.target.channel for c in claimed) == ["C1", "C2"]
    assert all(c.kind == "new" for c in claimed)
    messages = {c.delivery.target.channel: c.delivery.message for c in claimed}
    both, deal_only = messages["C1"], messages["C2"]
    assert isinstance(both, Alert) and isinstance(deal_only, Alert)
    assert {s.event_type for s in both.facets} == {EventType.PLANT_CLOSURE, EventType.PARTNERSHIP}
    assert [s.event_type for s in deal_only.facets] == [EventType.PARTNERSHIP]
    for c in claimed:
        ref = MessageRef("slack", c.delivery.target.channel, f"ts-{c.delivery.id}", None)
        await stack.outbox.mark_sent(c.delivery.id, stack.owner, due, ref)
    top_c1 = next(f"ts-{c.delivery.id}" for c in claimed if c.delivery.target.channel == "C1")

    later = due + timedelta(minutes=5)
    await stack.ingest(await claim_one(stack, "feed-0", later), [entry(SEED_CLOSURE, 2)], later)
    follow = await stack.outbox.claim_due(stack.owner, later, limit=10, lease_s=60)
    closure = next(s for s in both.facets if s.event_type is EventType.PLANT_CLOSURE)
    assert [c.story_id for c in follow] == [closure.id]  # C2 does not watch closures
    (reply,) = follow
    assert reply.kind != "new"
    assert reply.delivery.parent is not None
    assert reply.delivery.parent.message_id == top_c1  # under the one message, not a new one
    assert isinstance(reply.delivery.message, Alert)
    # the message it updates still shows both facets
    assert {s.id for s in reply.delivery.message.facets} == {s.id for s in both.facets}
    assert await count(stack, "SELECT count(*) FROM deliveries WHERE kind = 'new'") == 2
