"""Parsing off the event loop: same results, and SourceError survives a process boundary."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.sources import offload, rss
from bot.sources.base import FetchLimits, FetchState, SourceSpec
from bot.sources.fetcher import HttpResult
from bot.sources.offload import set_parse_executor
from bot.stories.identity import canonical_url
from tests.fakes.feedserver import render_rss

FEED = render_rss(
    "t", [{"title": "Supplier plant to shut", "link": "https://n.test/1", "guid": "1"}]
)
SPEC = SourceSpec("s", "rss", url="https://feeds.test/f")


@pytest.fixture(params=["thread", "process"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "thread":
        pool: Executor = ThreadPoolExecutor(1)
    else:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    set_parse_executor(pool)
    yield pool
    set_parse_executor(None)
    pool.shutdown()


async def test_parsing_in_an_executor_gives_the_same_entries(executor: Executor) -> None:
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=FEED))
    ) as client:
        outcome = await rss.fetch(client, SPEC, FetchState(), FetchLimits())
    assert [(e.title, e.guid) for e in outcome.entries] == [("Supplier plant to shut", "1")]


async def test_source_errors_cross_the_executor_intact(executor: Executor) -> None:
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=b"<html><body>login</body></html>")
        )
    ) as client:
        with pytest.raises(SourceError) as info:
            await rss.fetch(client, SPEC, FetchState(), FetchLimits())
    assert info.value.reason == "not_a_feed"
    assert info.value.retryable is False
    assert "https://feeds.test/f" in str(info.value)


RELEASE = threading.Event()


def stuck_parser(result: HttpResult) -> list[FeedEntry]:
    RELEASE.wait(5)  # a hostile document that takes "forever" to parse
    return []


async def test_parse_timeout_in_an_executor() -> None:
    pool = ThreadPoolExecutor(1)
    set_parse_executor(pool, timeout=0.2)
    try:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, content=FEED))
        ) as client:
            with pytest.raises(SourceError) as info:
                await rss.fetch_document(
                    client,
                    "https://u:pw@feeds.test/slow",
                    FetchState(),
                    FetchLimits(),
                    stuck_parser,
                )
    finally:
        RELEASE.set()
        set_parse_executor(None)
        pool.shutdown()
    assert info.value.reason == "parse_timeout"
    assert str(info.value) == "https://feeds.test/slow: parsing took longer than 0.2s"


async def test_entries_come_back_with_their_canonical_url(executor: Executor) -> None:
    feed = render_rss(
        "t",
        [
            {
                "title": "Supplier plant to shut",
                "link": "https://www.n.test/story?utm_source=rss&id=7",
                "guid": "1",
            }
        ],
    )
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=feed))
    ) as client:
        outcome = await rss.fetch(client, SPEC, FetchState(), FetchLimits())
    (entry,) = outcome.entries
    assert entry.canonical_url == canonical_url(entry.url)
    assert entry.canonical_url is not None
    assert "utm_source" not in entry.canonical_url
    assert entry.outlet == "n.test"  # the feed names none: the link's site, without www.


def test_identifying_keeps_every_field_and_a_named_outlet() -> None:
    published = datetime(2026, 11, 24, tzinfo=UTC)
    named = FeedEntry("t", "https://www.n.test/a", "g", "s", published, "Reuters")
    assert offload._identified(named) == replace(
        named, canonical_url=canonical_url(named.url)
    )  # fails when FeedEntry gains a field _identified does not copy
    hostless = FeedEntry("t", "https:///nohost", outlet=None)
    assert offload._identified(hostless).outlet is None


def test_entries_cross_process_boundaries_whole() -> None:
    entry = FeedEntry(
        "t", "https://n.test/a", "g", "s", datetime(2026, 11, 24, tzinfo=UTC), "Reuters", "c"
    )
    assert pickle.loads(pickle.dumps([entry, replace(entry, guid=None)])) == [  # noqa: S301
        entry,
        replace(entry, guid=None),
    ]  # every field survives: FeedEntry pickles through its constructor


class BrokenPool(Executor):
    """An executor whose worker died: every request fails as a broken process pool's do."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future[object] = Future()
        future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future


async def test_a_parse_worker_dying_is_a_retryable_source_error() -> None:
    set_parse_executor(BrokenPool())
    try:
        result = HttpResult(200, b"<rss/>", None, None, None, None, "https://feeds.test/f")
        with pytest.raises(SourceError) as info:
            await offload.run_parser(rss.parse_http_feed, result)
    finally:
        set_parse_executor(None)
    assert info.value.reason == "parse_worker_died" and info.value.retryable
    assert (
        str(info.value) == "https://feeds.test/f: the parse worker died; retried at the next poll"
    )


def items(*numbers: int) -> list[dict[str, str]]:
    return [
        {"title": f"Story {n}", "link": f"https://n.test/{n}?utm_source=rss", "guid": str(n)}
        for n in numbers
    ]


def serving(documents: list[bytes]) -> httpx.AsyncClient:
    """A client whose feed answers with ``documents[-1]`` (append to change the feed)."""
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=documents[-1]))
    )


async def test_a_changed_feed_brings_only_entries_not_seen_before(executor: Executor) -> None:
    documents = [render_rss("t", items(1, 2))]
    async with serving(documents) as client:
        first = await rss.fetch(client, SPEC, FetchState(), FetchLimits())
        documents.append(render_rss("t", items(3, 1, 2)))
        second = await rss.fetch(client, SPEC, first.state, FetchLimits())
        # the same body again: not parsed, and what was seen is kept
        again = await rss.fetch(client, SPEC, second.state, FetchLimits())
    assert [e.guid for e in first.entries] == ["1", "2"]
    assert [e.guid for e in second.entries] == ["3"]
    # the digests of every entry of the document, in its order: the next poll's "seen"
    by_guid = {e.guid: offload.entry_digest(e) for e in first.entries + second.entries}
    assert second.state.seen == by_guid["3"] + by_guid["1"] + by_guid["2"]
    assert again.status == "unchanged" and again.state.seen == second.state.seen


def test_seen_is_keyed_by_link_and_leaves_unstorable_entries_alone() -> None:
    entries = [
        FeedEntry("Kept", "https://n.test/a?utm_medium=x", "g1"),
        FeedEntry("", "https://n.test/untitled", "g2"),  # not stored by the pipeline
        FeedEntry("Same article, another link", "https://n.test/a", "g3"),
    ]
    result = HttpResult(200, b"", None, None, None, None, "https://feeds.test/f")
    first, seen = offload.parse_unseen(lambda _: entries, result, b"")
    assert first == [offload._identified(e) for e in entries]
    assert seen == offload.entry_digest(entries[0]) + offload.entry_digest(entries[2])
    moved = [*entries, FeedEntry("New", "https://n.test/b", "g4")]
    again, seen_again = offload.parse_unseen(lambda _: moved, result, seen)
    # seen links are left out; the untitled entry is never seen and passes on as before
    assert [e.url for e in again] == ["https://n.test/untitled", "https://n.test/b"]
    assert seen_again == seen + offload.entry_digest(moved[3])
    # links differing only in tracking are two digests: the store, not the parse, keeps one
    assert first[0].canonical_url == first[2].canonical_url
    assert offload.entry_digest(entries[0]) != offload.entry_digest(entries[2])
