"""Backfill of a company's recent past: a local GDELT stand-in serving the recorded sample's
format with 90 days of results and a local news-search feed. Through the bot
:func:`bot.runtime.app.build` wires and the real ``/deal`` handlers: everything is stored and
clustered, nothing is alerted (no deliveries), ``/deal <company> 90d`` lists it; an
interrupted backfill resumes by running again; Retry-After is honoured; a failing backfill is
logged and never raised."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.config.loader import load_settings
from bot.domain import FeedEntry
from bot.ingest.backfill import MAX_WAIT_S, Backfiller, BackfillJobs
from bot.runtime import app
from bot.sources import gdelt
from bot.sources.base import FetchLimits
from bot.sources.client import build_client
from bot.sources.spacing import Spacer
from bot.store.sources_repo import DesiredSource, SourceRecord, unpolled
from handlers.api import Caller
from tests.fakes.feedserver import FeedServer
from tests.fakes.gdelt_api import GdeltStandIn, sample_keys

CALLER = Caller(platform="console", channel="console", user="u1", is_admin=True)
NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _no_gdelt_spacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 5-second GDELT slot is tested in tests/sources; here it would only cost time."""
    monkeypatch.setattr(gdelt, "SPACER", Spacer(0.0))


@pytest.fixture
def standin() -> Iterator[GdeltStandIn]:
    with GdeltStandIn("Foxconn", now=NOW, days=90, per_day=2) as server:
        yield server


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        items = [
            {
                "title": f"Foxconn weighs new plant in Vietnam, report {n}",
                "link": f"https://search.example/foxconn-{n}",
                "guid": f"s-{n}",
            }
            for n in range(3)
        ]
        server.set_feed("/rss/search", items)
        yield server


@pytest.fixture
async def bot(
    tmp_path: Path,
    standin: GdeltStandIn,
    feeds: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[app.Runtime]:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        "[fetch]\nallow_private_networks = true\nparse_workers = 0\n[http]\nenabled = false\n"
        '[[sources]]\nname = "GDELT Toyota"\nkind = "gdelt"\nquery = "Toyota"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DEALRADAR_GDELT_URL", standin.url)
    monkeypatch.setenv("DEALRADAR_NEWS_SEARCH_URL", feeds.url("/rss/search"))
    runtime = await app.build(load_settings(str(config)))
    yield runtime
    await runtime.close()


async def count(runtime: app.Runtime, table: str) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def test_the_standin_serves_the_recorded_sample_format(standin: GdeltStandIn) -> None:
    assert {key for a in standin.articles for key in a} == sample_keys()
    body = json.dumps({"articles": standin.articles[:3]}).encode()
    entries = gdelt.parse_gdelt(body, base_url=standin.url)
    assert entries[0].title.startswith("Foxconn to close Tijuana plant, cutting")


async def test_watch_backfills_90_days_stores_everything_alerts_nothing(
    bot: app.Runtime, standin: GdeltStandIn
) -> None:
    assert bot.commands is not None
    reply = await bot.commands.run("watch foxconn", CALLER)
    assert not reply.error, reply.title
    assert any("last 90 days about Foxconn" in line for line in reply.lines), reply.lines
    await bot.backfills.wait()

    windows = [r for r in standin.requests if "startdatetime" in r]
    assert len(windows) == 90
    assert {r["query"] for r in windows} == {"Foxconn"}
    assert {r["maxrecords"] for r in windows} == {"250"}
    assert await count(bot, "articles") == 180 + 3  # every GDELT article and the feed's items
    assert await count(bot, "stories") > 0
    assert await count(bot, "deliveries") == 0

    lookup = await bot.commands.run("foxconn 90d", CALLER)
    assert not lookup.error, lookup.title
    assert lookup.stories
    assert any("Foxconn" in story.companies for story in lookup.stories)

    await bot.poll_once()  # polling goes on; what it finds is stored already or backlog
    await bot.deliver_once()
    assert await count(bot, "deliveries") == 0


async def test_an_interrupted_backfill_resumes_when_run_again(
    bot: app.Runtime, standin: GdeltStandIn
) -> None:
    standin.delay = 0.02
    task = asyncio.create_task(bot.backfiller.run("Foxconn", 90))
    while len(standin.requests) < 30:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    partial = await count(bot, "articles")
    assert 0 < partial < 183

    standin.delay = 0
    report = await bot.backfiller.run("Foxconn", 90)
    assert await count(bot, "articles") == 183
    assert report.stored == 183 - partial and not report.failed
    again = await bot.backfiller.run("Foxconn", 90)
    assert again.stored == 0 and again.fetched == 183
    assert await count(bot, "deliveries") == 0


def record(source_id: int, kind: str, query: str) -> SourceRecord:
    spec = DesiredSource(f"{kind} {query}", kind, None, query, 300.0)
    return replace(unpolled(spec, NOW), id=source_id, backlog_done=True)


class Recorder:
    def __init__(self) -> None:
        self.stored: list[tuple[int | None, str, list[FeedEntry]]] = []
        self.waits: list[float] = []

    async def store(self, source_id: int | None, name: str, entries: Any, now: datetime) -> int:
        self.stored.append((source_id, name, list(entries)))
        return len(entries)

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


@asynccontextmanager
async def backfiller(recorder: Recorder, sources: list[SourceRecord]) -> AsyncIterator[Backfiller]:
    limits = FetchLimits(total_timeout=5.0, allow_private_networks=True)
    client = build_client(limits, user_agent="test")

    async def list_sources() -> list[SourceRecord]:
        return sources

    try:
        yield Backfiller(
            client, limits, recorder.store, list_sources, clock=lambda: NOW, sleep=recorder.sleep
        )
    finally:
        await client.aclose()


async def test_retry_after_is_honoured_and_capped(
    standin: GdeltStandIn, feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALRADAR_GDELT_URL", standin.url)
    monkeypatch.setenv("DEALRADAR_NEWS_SEARCH_URL", feeds.url("/rss/search"))
    standin.rate_limit_next(7)
    standin.rate_limit_next(0, notice=True)  # GDELT's HTTP-200 notice: its own 60 s
    standin.rate_limit_next(100_000)
    recorder = Recorder()
    sources = [record(1, "gdelt", '"Foxconn" plant'), record(2, "news_search", "Foxconn")]
    async with backfiller(recorder, sources) as fill:
        report = await fill.run("Foxconn", 2)
    assert recorder.waits == [7.0, gdelt.RATE_LIMIT_RETRY_AFTER_S, MAX_WAIT_S]
    assert not report.failed
    assert report.stored == 3 + 4  # the feed's items, two days of two articles
    assert [source_id for source_id, _, _ in recorder.stored] == [2, 1, 1]
    assert {r.get("query") for r in standin.requests if "startdatetime" in r} == {'"Foxconn" plant'}


async def test_without_a_gdelt_source_only_the_news_search_is_fetched(
    standin: GdeltStandIn, feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALRADAR_NEWS_SEARCH_URL", feeds.url("/rss/search"))
    recorder = Recorder()
    async with backfiller(recorder, []) as fill:
        assert await fill.steps("Foxconn", 90) == 1
        report = await fill.run("Foxconn", 90)
    assert report.stored == 3 and not standin.requests
    assert recorder.stored[0][:2] == (None, "backfill Foxconn")


async def test_a_refused_query_stops_gdelt_and_failures_are_reported(
    standin: GdeltStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALRADAR_GDELT_URL", standin.url + "?mode=timeline")  # answered "Invalid"
    monkeypatch.setenv("DEALRADAR_NEWS_SEARCH_URL", "http://127.0.0.1:9/nothing")
    recorder = Recorder()
    async with backfiller(recorder, [record(1, "gdelt", "Foxconn")]) as fill:
        report = await fill.run("Foxconn", 5)
    assert len(standin.requests) == 1  # not 5 windows
    assert report.steps == 6 and report.stored == 0
    assert any("news search" in f for f in report.failed)
    assert any("rejected the query" in f for f in report.failed)


async def test_days_out_of_range_are_refused() -> None:
    async with backfiller(Recorder(), []) as fill:
        for days in (0, 91):
            with pytest.raises(ValueError, match=r"1\.\.90"):
                await fill.run("Foxconn", days)


class Failing:
    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def run(self, company: str, days: int) -> None:
        await self.release.wait()
        raise RuntimeError("the store fell over")


async def test_a_failing_background_backfill_is_logged_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing = Failing()
    jobs = BackfillJobs(failing, days=30)  # type: ignore[arg-type]
    assert jobs.start("Foxconn")
    assert not jobs.start("Foxconn")  # one at a time per company
    assert jobs.start("Nissan")
    failing.release.set()
    await jobs.wait()
    assert caplog.text.count("backfill failed") == 2
    assert jobs.start("Foxconn")  # finished: may start again
    await jobs.close()


def test_windows_are_one_day_apart_newest_first() -> None:
    url = gdelt.gdelt_window_url("Foxconn", NOW - timedelta(days=1), NOW, "http://x/doc")
    assert "startdatetime=" in url and "enddatetime=" in url and "maxrecords=250" in url
