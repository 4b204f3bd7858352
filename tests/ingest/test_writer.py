"""Changed feeds are stored many per transaction: the same results as one by one, all or
nothing per batch, and one source's bad data never costs the others their results."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.domain import FeedEntry
from bot.ingest.pipeline import ChangedFetch
from bot.ingest.poller import Poller
from bot.sources.base import FetchLimits, FetchOutcome, FetchState, SourceSpec
from bot.store import ingest as ingest_module
from bot.store.db import writer_sessions
from bot.store.ingest import ArticleGroup, IngestUnits, NewArticle
from bot.store.models import ArticleRow, DeliveryRow, EventRow
from bot.store.sources_repo import DesiredSource, SourceRecord
from tests.scale.stack import Stack, open_stack

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLOSURE = "Ford to close its Saarlouis plant, cutting 1,200 jobs"


def item(url: str, guid: str | None = None, title: str = "routine news") -> NewArticle:
    return NewArticle(url, url, title, "", "example", guid, None)


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[Stack]:
    opened = await open_stack(db_url, "me")
    yield opened
    await opened.close()


async def claim(stack: Stack, count: int, *, backlog_done: bool = True) -> list[SourceRecord]:
    await stack.sources.sync_config(
        [
            DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60)
            for i in range(count)
        ],
        T0,
    )
    claimed = await stack.sources.claim_due("me", T0, count, 60)
    if backlog_done:  # as after a first poll: new articles may alert
        claimed = [replace(s, backlog_done=True) for s in claimed]
    return sorted(claimed, key=lambda s: s.name)


def changed(source: SourceRecord, *entries: FeedEntry) -> ChangedFetch:
    outcome = FetchOutcome(status="changed", entries=list(entries))
    values: dict[str, object] = {"backlog_done": True, "last_success_at": T0, "body_hash": "h"}
    return ChangedFetch(source, outcome, T0, values)


async def count(stack: Stack, table: type) -> int:
    async with stack.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_groups_dedupe_across_fetches_and_keep_each_ones_source(stack: Stack) -> None:
    units = IngestUnits(writer_sessions(stack.engine))
    async with units.begin() as unit:
        await unit.add_articles(
            None, [item("https://a.test/old", guid="g-old")], T0, alertable=True
        )
    later = T0 + timedelta(minutes=1)
    groups = [
        ArticleGroup(None, [item("https://a.test/1"), item("https://a.test/2")], T0, True),
        ArticleGroup(  # shares a URL with the first group, and a guid with the stored article
            None,
            [
                item("https://a.test/2"),
                item("https://a.test/3", guid="g-old"),
                item("https://a.test/4"),
            ],
            later,
            False,
        ),
        ArticleGroup(None, [], later, True),
    ]
    async with units.begin() as unit:
        result = await unit.add_article_groups(groups)
    assert [[a.url for a in group] for group in result] == [
        ["https://a.test/1", "https://a.test/2"],
        ["https://a.test/4"],
        [],
    ]
    assert result[1][0].first_seen_at == later
    assert await count(stack, ArticleRow) == 4


async def test_guid_lookup_is_chunked(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "GUID_LOOKUP_CHUNK", 3)
    units = IngestUnits(writer_sessions(stack.engine))
    old = [item(f"https://a.test/{i}", guid=f"g{i}") for i in range(10)]
    async with units.begin() as unit:
        assert len(await unit.add_articles(None, old, T0, alertable=True)) == 10
    again = [item(f"https://b.test/{i}", guid=f"g{i}") for i in range(12)]  # 10 known guids
    async with units.begin() as unit:
        fresh = await unit.add_articles(None, again, T0, alertable=True)
    assert [a.guid for a in fresh] == ["g10", "g11"]


async def test_ingest_many_stores_like_one_by_one(stack: Stack) -> None:
    a, b, c = await claim(stack, 3)
    counts = await stack.pipeline.ingest_many(
        [
            changed(
                a, FeedEntry(CLOSURE, "https://news.test/ford"), FeedEntry("x", "https://n.test/1")
            ),
            changed(b, FeedEntry(CLOSURE, "https://news.test/ford")),  # the same article again
            changed(c, FeedEntry("Quarterly results beat forecasts", "https://n.test/2")),
        ]
    )
    assert counts == [2, 0, 1]
    assert await count(stack, ArticleRow) == 3
    assert await count(stack, EventRow) == 1  # the closure, classified in the same commit
    assert await count(stack, DeliveryRow) == 1  # routed to the channel watching closures
    assert all(r.body_hash == "h" for r in await stack.sources.all())
    assert len(await stack.sources.claim_due("other", T0, 10, 60)) == 3  # leases released


async def test_ingest_many_is_all_or_nothing(stack: Stack) -> None:
    a, b = await claim(stack, 2)
    bad = FeedEntry("t" * 10, "https://n.test/bad")
    poisoned = changed(b, bad)
    poisoned.source_values["no_such_column"] = 1  # the source update fails after the articles
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        await stack.pipeline.ingest_many(
            [changed(a, FeedEntry(CLOSURE, "https://n.test/1")), poisoned]
        )
    assert await count(stack, ArticleRow) == 0
    assert await count(stack, EventRow) == 0
    assert await stack.sources.claim_due("other", T0, 10, 60) == []  # still ours: refetched


class BatchRecorder:
    """``ingest_many`` that records its batches and refuses any batch holding ``poison``."""

    def __init__(self, stack: Stack, poison: str | None = None) -> None:
        self.stack = stack
        self.poison = poison
        self.batches: list[list[str]] = []

    async def ingest_many(self, fetches: list[ChangedFetch]) -> list[int]:
        names = [f.source.name for f in fetches]
        self.batches.append(names)
        await asyncio.sleep(0.05)  # a commit takes a while; fetches finishing meanwhile queue up
        if self.poison in names:
            raise RuntimeError("bad data")
        return await self.stack.pipeline.ingest_many(fetches)


def feed_kind():
    async def fetch(
        client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
    ) -> FetchOutcome:
        number = int(spec.name.split("-")[1])
        await asyncio.sleep(0.001 * number)  # fetches finish one after another
        entry = FeedEntry(f"routine news {number}", f"https://n.test/{number}")
        return FetchOutcome(status="changed", entries=[entry], state=FetchState(None, None, "h"))

    return fetch


def batching_poller(stack: Stack, recorder: BatchRecorder) -> Poller:
    return Poller(
        stack.sources,
        httpx.AsyncClient(),
        {"rss": feed_kind()},
        recorder.ingest_many,
        finish_many=IngestUnits(writer_sessions(stack.engine)).finish_polls,
        owner="me",
        limits=FetchLimits(),
        clock=lambda: T0,
        ingest_batch=100,
    )


async def test_poller_batches_changed_feeds(stack: Stack) -> None:
    await stack.sources.sync_config(
        [DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60) for i in range(20)],
        T0,
    )
    recorder = BatchRecorder(stack)
    stats = await batching_poller(stack, recorder).poll_due()
    assert (stats.changed, stats.new_articles, stats.failed) == (20, 20, 0)
    assert sorted(n for batch in recorder.batches for n in batch) == sorted(
        f"feed-{i}" for i in range(20)
    )
    assert len(recorder.batches) < 20  # the point: fewer commits than feeds
    assert await count(stack, ArticleRow) == 20
    assert all(r.body_hash == "h" for r in await stack.sources.all())


async def test_a_failing_batch_is_retried_one_source_at_a_time(stack: Stack) -> None:
    await stack.sources.sync_config(
        [DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60) for i in range(10)],
        T0,
    )
    recorder = BatchRecorder(stack, poison="feed-7")
    stats = await batching_poller(stack, recorder).poll_due()
    assert (stats.changed, stats.new_articles, stats.failed) == (10, 9, 1)
    assert ["feed-7"] in recorder.batches  # retried alone after its batch failed
    assert await count(stack, ArticleRow) == 9
    rows = {r.name: r for r in await stack.sources.all()}
    assert rows["feed-7"].last_error is not None
    assert "could not store" in rows["feed-7"].last_error
    assert rows["feed-7"].next_poll_at <= T0 + timedelta(seconds=60)  # polled again soon
    assert rows["feed-3"].last_error is None


class MiscountingRecorder(BatchRecorder):
    """A batch store with a bug: it stores nothing and answers with no counts at all (one per
    fetch is the contract), so the writer's own batch code fails, not the store call."""

    async def ingest_many(self, fetches: list[ChangedFetch]) -> list[int]:
        self.batches.append([f.source.name for f in fetches])
        return []


async def test_a_drain_that_dies_fails_its_sources_instead_of_hanging(stack: Stack) -> None:
    await stack.sources.sync_config(
        [DesiredSource(f"feed-{i}", "rss", f"http://127.0.0.1/{i}", None, 60) for i in range(5)],
        T0,
    )
    recorder = MiscountingRecorder(stack)
    stats = await asyncio.wait_for(batching_poller(stack, recorder).poll_due(), 30)
    assert recorder.batches  # the store was reached; the writer failed after it
    assert (stats.changed, stats.failed, stats.new_articles) == (5, 5, 0)
    rows = await stack.sources.all()
    assert all(r.last_error and "could not store" in r.last_error for r in rows)


async def test_placement_starts_before_the_whole_batch_is_analysed_where_nothing_locks(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.classify import default_classifier
    from bot.classify.companies import CompanyTable
    from bot.ingest import pipeline as pipeline_module
    from bot.ingest.analysis import Analyser
    from bot.ingest.pipeline import Pipeline
    from bot.store.storybook import SqlStoryBook
    from bot.stories.placement import ArticleText, company_finder

    monkeypatch.setattr(pipeline_module, "ANALYSIS_PART", 4)
    steps: list[str] = []
    inline = Analyser(default_classifier())

    async def analyse_many(texts: list[ArticleText]) -> list[object]:
        part = steps.count("analyse")
        steps.append("analyse")
        await asyncio.sleep(0.02 * part)  # later parts come back later, as from busy workers
        steps.append("analysed")
        return inline.analyse_inline(texts)  # type: ignore[return-value]

    class RecordingBook(SqlStoryBook):
        async def place(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            steps.append("place")
            return await super().place(*args, **kwargs)  # type: ignore[arg-type]

    pipeline = Pipeline(
        IngestUnits(writer_sessions(stack.engine)),
        default_classifier(),
        RecordingBook(company_finder(CompanyTable.default())),  # type: ignore[arg-type]
        stack.pipeline._router,
        owner="me",
        group_wait=30,
        analyse_many=analyse_many,  # type: ignore[arg-type]
    )
    (source,) = await claim(stack, 1)
    entries = [FeedEntry(CLOSURE, f"https://news.test/ford-{i}") for i in range(12)]
    assert await pipeline.ingest_many([changed(source, *entries)]) == [12]
    assert steps.count("place") == 12 and await count(stack, EventRow) == 12
    last_analysed = max(i for i, step in enumerate(steps) if step == "analysed")
    if stack.engine.dialect.name == "postgresql":  # keys are locked up front: all analysed first
        assert steps.count("analyse") == 1 and steps.index("place") > last_analysed
    else:  # three parts, all sent at once; the first is placed while the others are out
        assert steps[:3] == ["analyse"] * 3 and steps.index("place") < last_analysed


async def test_a_story_several_reports_of_a_batch_join_is_written_once(
    stack: Stack,
) -> None:
    from sqlalchemy import event

    from bot.store.models import StoryRow

    updates: list[str] = []

    def count_story_updates(*args: object) -> None:
        statement = str(args[2])
        if statement.startswith("UPDATE stories"):
            updates.append(statement)

    event.listen(stack.engine.sync_engine, "before_cursor_execute", count_story_updates)
    sources = await claim(stack, 5)
    reports = [
        changed(source, FeedEntry(CLOSURE, f"https://outlet-{n}.test/ford"))
        for n, source in enumerate(sources)
    ]
    assert await stack.pipeline.ingest_many(reports) == [1] * 5
    event.remove(stack.engine.sync_engine, "before_cursor_execute", count_story_updates)
    async with stack.engine.connect() as conn:
        stories = (await conn.execute(select(StoryRow.article_count, StoryRow.outlets))).all()
    # every report found the story the first one started, though its row was written only
    # at commit: the index served the story's signature from memory
    assert [(count, len(outlets)) for count, outlets in stories] == [(5, 5)]  # type: ignore[arg-type]
    assert len(updates) == 1
