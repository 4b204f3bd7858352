"""The three source kinds and the registry, on httpx.MockTransport (the wire swapped)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.errors import SourceError
from bot.sources import gdelt, news_search, rss
from bot.sources.base import FetchLimits, FetchState, SourceSpec
from bot.sources.feeds import parse_feed
from bot.sources.registry import SOURCE_KINDS
from bot.sources.spacing import Spacer
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import render_rss

LIMITS = FetchLimits(total_timeout=2.0)
FEED = render_rss(
    "Autos",
    [
        {
            "title": "Carmaker to close plant - Daily Wire Test",
            "link": "https://news.test/1",
            "guid": "a1",
            "source": "Daily Wire Test",
        },
        {"title": "Two suppliers form joint venture", "link": "https://news.test/2", "guid": "a2"},
    ],
)


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def test_registry_is_a_plain_dict_of_the_three_kinds() -> None:
    assert {
        "rss": rss.fetch,
        "news_search": news_search.fetch,
        "gdelt": gdelt.fetch,
    } == SOURCE_KINDS


async def test_rss_changed_then_unchanged_then_not_modified() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"' and len(seen) > 2:
            return httpx.Response(304)
        return httpx.Response(200, content=FEED, headers={"ETag": '"v1"'})

    spec = SourceSpec("autos", "rss", url="https://feeds.test/autos.xml")
    async with mock_client(handler) as client:
        first = await rss.fetch(client, spec, FetchState(), LIMITS)
        assert first.status == "changed"
        assert [e.guid for e in first.entries] == ["a1", "a2"]
        assert first.entries[0].title == "Carmaker to close plant"
        assert first.entries[0].outlet == "Daily Wire Test"
        assert first.state.etag == '"v1"'
        assert first.state.body_hash == rss.body_hash(FEED)
        second = await rss.fetch(client, spec, FetchState(body_hash=first.state.body_hash), LIMITS)
        assert second.status == "unchanged"
        assert second.entries == []
        third = await rss.fetch(client, spec, first.state, LIMITS)
        assert third.status == "not_modified"
        assert third.state == first.state
    assert seen[2].headers["if-none-match"] == '"v1"'


async def test_unchanged_body_is_not_parsed() -> None:
    calls: list[int] = []

    def counting_parser(result: object) -> list:  # type: ignore[type-arg]
        calls.append(1)
        return []

    async with mock_client(lambda r: httpx.Response(200, content=FEED)) as client:
        state = FetchState(body_hash=rss.body_hash(FEED))
        outcome = await rss.fetch_document(
            client, "https://feeds.test/a", state, LIMITS, counting_parser
        )
        assert outcome.status == "unchanged"
        changed = await rss.fetch_document(
            client, "https://feeds.test/a", FetchState(), LIMITS, counting_parser
        )
        assert changed.status == "changed"
    assert calls == [1]


async def test_rss_without_url_is_a_config_error() -> None:
    async with mock_client(lambda r: httpx.Response(200)) as client:
        with pytest.raises(SourceError) as info:
            await rss.fetch(client, SourceSpec("x", "rss"), FetchState(), LIMITS)
    assert info.value.reason == "bad_url"


def test_news_search_url_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    url = news_search.search_url("Nissan plant & Foxconn")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://news.google.com/rss/search"
    assert parse_qs(parts.query) == {
        "q": ["Nissan plant & Foxconn"],
        "hl": ["en-US"],
        "gl": ["US"],
        "ceid": ["US:en"],
    }
    assert news_search.search_url("x", base_url="http://127.0.0.1:9/s").startswith(
        "http://127.0.0.1:9/s?q=x&"
    )
    monkeypatch.setenv(news_search.BASE_URL_ENV, "http://127.0.0.1:9/rss?edition=1")
    assert news_search.search_url("y").startswith("http://127.0.0.1:9/rss?edition=1&q=y&")


async def test_news_search_fetches_the_query_feed() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=FEED, headers={"Content-Type": "application/xml"})

    async with mock_client(handler) as client:
        outcome = await news_search.fetch(
            client, SourceSpec("n", "news_search", query="Toyota"), FetchState(), LIMITS
        )
        with pytest.raises(SourceError) as info:
            await news_search.fetch(
                client, SourceSpec("e", "news_search", query=" "), FetchState(), LIMITS
            )
    assert parse_qs(urlsplit(asked[0]).query)["q"] == ["Toyota"]
    assert outcome.entries[0].outlet == "Daily Wire Test"
    assert info.value.reason == "bad_query"


async def test_spacer_keeps_requests_five_seconds_apart(clock: FakeClock) -> None:
    spacer = Spacer(5.0, clock=clock.seconds, sleep=clock.sleep)
    start = clock.seconds()
    starts = []
    for _ in range(3):
        await spacer.wait()
        starts.append(clock.seconds() - start)
    clock.advance(seconds=12)  # idle for a while: the next request goes at once
    await spacer.wait()
    starts.append(clock.seconds() - start)
    assert starts == [0.0, 5.0, 10.0, 22.0]
    assert clock.slept == [5.0, 5.0]


def test_spacer_reserves_distinct_slots_for_concurrent_callers(clock: FakeClock) -> None:
    spacer = Spacer(5.0, clock=clock.seconds, sleep=clock.sleep)
    assert [spacer.reserve() for _ in range(4)] == [0.0, 5.0, 10.0, 15.0]


GDELT_BODY = json.dumps(
    {
        "articles": [
            {
                "url": "https://paper.test/a",
                "url_mobile": "",
                "title": "Automaker shuts factory , cuts jobs",
                "seendate": "20261120T101500Z",
                "socialimage": "",
                "domain": "paper.test",
                "language": "English",
                "sourcecountry": "Japan",
            },
            {"url": "ftp://bad.test/x", "title": "Dropped: not http", "seendate": "x"},
        ]
    }
).encode()


@pytest.fixture
def fake_spacer(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> FakeClock:
    monkeypatch.setattr(gdelt, "SPACER", Spacer(5.0, clock=clock.seconds, sleep=clock.sleep))
    return clock


async def test_gdelt_fetch_parses_articles_and_is_spaced(fake_spacer: FakeClock) -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=GDELT_BODY, headers={"Content-Type": "application/json"})

    spec = SourceSpec("g", "gdelt", query='"plant closure" Nissan')
    async with mock_client(handler) as client:
        first = await gdelt.fetch(client, spec, FetchState(), LIMITS)
        second = await gdelt.fetch(client, spec, first.state, LIMITS)
    query = parse_qs(urlsplit(asked[0]).query)
    assert query == {
        "query": ['"plant closure" Nissan'],
        "mode": ["artlist"],
        "format": ["json"],
        "maxrecords": ["75"],
        "sort": ["datedesc"],
    }
    assert [(e.title, e.outlet) for e in first.entries] == [
        ("Automaker shuts factory, cuts jobs", "paper.test")
    ]
    assert first.entries[0].published is not None
    assert first.entries[0].published.isoformat() == "2026-11-20T10:15:00+00:00"
    assert second.status == "unchanged"
    assert fake_spacer.slept == [5.0]


@pytest.mark.parametrize(
    ("body", "reason", "retryable"),
    [
        (
            b"Please limit requests to one every 5 seconds or contact us for larger queries.",
            "rate_limited",
            True,
        ),
        (b"The specified phrase is too short.", "bad_query", False),
        (
            b"Your search contained keywords that were too short, too long or too common.",
            "bad_query",
            False,
        ),
        (b"<html><body>Service busy</body></html>", "gdelt_error", True),
        (b"Something unexpected happened", "gdelt_error", True),
        (b'{"articles": [ {"url": "https://x.test", ', "gdelt_error", True),
        (b'{"articles": "none"}', "gdelt_error", True),
    ],
)
def test_gdelt_error_notices(body: bytes, reason: str, retryable: bool) -> None:
    with pytest.raises(SourceError) as info:
        gdelt.parse_gdelt(body, base_url="https://api.gdelt.test/doc")
    assert (info.value.reason, info.value.retryable) == (reason, retryable)
    if reason == "rate_limited":
        assert info.value.retry_after == gdelt.RATE_LIMIT_RETRY_AFTER_S


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}", b'{"articles": []}'])
def test_gdelt_no_results(body: bytes) -> None:
    assert gdelt.parse_gdelt(body, base_url="https://api.gdelt.test/doc") == []


def test_gdelt_tolerates_control_characters_in_strings() -> None:
    body = b'{"articles": [{"url": "https://x.test/1", "title": "Tab\there", "domain": "x.test"}]}'
    (entry,) = gdelt.parse_gdelt(body, base_url="https://api.gdelt.test/doc")
    assert entry.title == "Tab here"


def test_gdelt_base_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gdelt.gdelt_url("x").startswith("https://api.gdeltproject.org/api/v2/doc/doc?query=x&")
    monkeypatch.setenv(gdelt.BASE_URL_ENV, "http://127.0.0.1:1/doc")
    assert gdelt.gdelt_url("x").startswith("http://127.0.0.1:1/doc?query=x&")


@pytest.mark.parametrize("body", [b'{"a":' * 100_000, b"[" * 100_000 + b"]" * 100_000])
def test_deeply_nested_json_is_a_source_error(body: bytes) -> None:
    with pytest.raises(SourceError):
        gdelt.parse_gdelt(b'{"articles": ' + body, base_url="https://api.test/")
    feed = b'{"version": "https://jsonfeed.org/version/1", "items": ' + body + b"}"
    with pytest.raises(SourceError):
        parse_feed(feed, content_type="application/json", base_url="https://f.test/")
