"""The fetcher against a real local server behaving badly: each case ends fast, clearly."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import tracemalloc

import httpx
import pytest

from bot.errors import SourceError
from bot.sources.base import FetchState, SourceSpec
from bot.sources.fetcher import fetch_bytes
from bot.sources.rss import fetch as fetch_rss
from tests.fakes.feedserver import FeedServer
from tests.sources.conftest import LIMITS

ITEMS = [
    {"title": f"Story {i}", "link": f"https://news.test/{i}", "guid": f"g{i}"} for i in range(3)
]


async def failure(client: httpx.AsyncClient, url: str, **limits: object) -> SourceError:
    with pytest.raises(SourceError) as info:
        await fetch_bytes(client, url, FetchState(), dataclasses.replace(LIMITS, **limits))  # type: ignore[arg-type]
    return info.value


async def test_conditional_get_with_etag_gets_304(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/etag", ITEMS)
    first = await fetch_bytes(client, server.url("/etag"), FetchState(), LIMITS)
    assert first.status == 200
    assert b"Story 0" in first.body
    assert first.etag
    assert first.last_modified
    second = await fetch_bytes(client, server.url("/etag"), FetchState(etag=first.etag), LIMITS)
    assert second.status == 304
    assert second.body == b""
    assert second.etag == first.etag
    assert server.last_headers("/etag")["if-none-match"] == first.etag


async def test_conditional_get_with_last_modified_gets_304(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/lm", ITEMS)
    first = await fetch_bytes(client, server.url("/lm"), FetchState(), LIMITS)
    state = FetchState(last_modified=first.last_modified)
    second = await fetch_bytes(client, server.url("/lm"), state, LIMITS)
    assert second.status == 304
    assert second.last_modified == first.last_modified


async def test_changed_feed_is_fetched_again(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set_feed("/changing", ITEMS)
    first = await fetch_bytes(client, server.url("/changing"), FetchState(), LIMITS)
    server.add_item("/changing", {"title": "Fresh", "link": "https://news.test/new", "guid": "n"})
    second = await fetch_bytes(client, server.url("/changing"), FetchState(etag=first.etag), LIMITS)
    assert second.status == 200
    assert b"Fresh" in second.body


async def test_gzip_body_is_decoded(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set_feed("/gz", ITEMS, gzip=True)
    result = await fetch_bytes(client, server.url("/gz"), FetchState(), LIMITS)
    assert result.body.startswith(b"<?xml")
    assert b"Story 2" in result.body


async def test_gzip_bomb_stops_at_the_decoded_cap_with_bounded_memory(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_gzip_bomb("/bomb", decoded_size=1 << 30)  # 1 GiB of zeros, ~1 MB on the wire
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = await failure(client, server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too_large"
    assert time.perf_counter() - started < 2.0
    assert peak < 8 * LIMITS.max_body_bytes  # cap is 1 MiB; a 1 GiB inflate never happens


async def test_100_mb_body_is_cut_early(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set_oversize("/huge", size=100 * 1024 * 1024)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = await failure(client, server.url("/huge"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too_large"
    assert "1048576 bytes" in str(error)
    assert server.url("/huge") in str(error)
    assert time.perf_counter() - started < 2.0
    assert peak < 8 * LIMITS.max_body_bytes


async def test_trickling_server_is_cut_off_by_the_total_deadline(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_trickle("/trickle", b"<rss>" + b" " * 10_000, interval=0.01)  # ~100 s in full
    started = time.perf_counter()
    error = await failure(client, server.url("/trickle"), total_timeout=0.5)
    elapsed = time.perf_counter() - started
    assert error.reason == "timeout"
    assert "0.5s" in str(error)
    assert 0.4 < elapsed < 1.5


async def test_silent_server_hits_the_read_timeout(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/slow", ITEMS)
    server.set_delay("/slow", 5.0)
    started = time.perf_counter()
    error = await failure(client, server.url("/slow"), read_timeout=0.3)
    assert error.reason == "timeout"
    assert time.perf_counter() - started < 1.5


async def test_refused_connection_is_a_connect_error(client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await failure(client, f"http://127.0.0.1:{port}/feed")
    assert error.reason == "connect"
    assert error.retryable


async def test_connect_timeout_on_a_full_accept_queue(client: httpx.AsyncClient) -> None:
    """A listener that never accepts: once its queue is full, SYNs go unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(16):  # fill the accept queue until a connect attempt hangs
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel accepts every connection; cannot provoke a connect timeout")
        started = time.perf_counter()
        error = await failure(client, f"http://127.0.0.1:{port}/feed", connect_timeout=0.3)
        assert error.reason == "timeout"
        assert "ConnectTimeout" in str(error)
        assert time.perf_counter() - started < 1.5
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_one_trickling_source_does_not_delay_the_others(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_trickle("/stuck", b"<rss>" + b" " * 10_000, interval=0.01)
    server.set_feed("/quick", ITEMS)
    limits = dataclasses.replace(LIMITS, total_timeout=1.0)
    done: dict[str, float] = {}
    started = time.perf_counter()

    async def quick(i: int) -> None:
        await fetch_bytes(client, server.url("/quick"), FetchState(), limits)
        done[f"q{i}"] = time.perf_counter() - started

    stuck = asyncio.create_task(fetch_bytes(client, server.url("/stuck"), FetchState(), limits))
    await asyncio.gather(*(quick(i) for i in range(20)))
    with pytest.raises(SourceError):
        await stuck
    assert len(done) == 20
    assert max(done.values()) < 0.5


async def test_redirect_chain_is_followed_and_permanent_moves_reported(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_feed("/final", ITEMS)
    server.set_redirect("/hop2", "/final", status=308)
    server.set_redirect("/hop1", server.url("/hop2"), status=301)
    result = await fetch_bytes(client, server.url("/hop1"), FetchState(), LIMITS)
    assert result.status == 200
    assert result.final_url == server.url("/final")
    assert result.moved_to == server.url("/final")
    server.set_redirect("/temp", "/final", status=302)
    temporary = await fetch_bytes(client, server.url("/temp"), FetchState(), LIMITS)
    assert temporary.moved_to is None
    assert temporary.final_url == server.url("/final")


async def test_redirect_limit(server: FeedServer, client: httpx.AsyncClient) -> None:
    for i in range(6):
        server.set_redirect(f"/r{i}", f"/r{i + 1}")
    server.set_feed("/r6", ITEMS)
    error = await failure(client, server.url("/r0"))
    assert error.reason == "too_many_redirects"
    assert server.hits("/r4") == 0  # limit 3: r0 -> r1 -> r2 -> r3, and no further


async def test_redirect_loop_is_detected(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set_redirect("/loop-a", "/loop-b")
    server.set_redirect("/loop-b", "/loop-a")
    before = server.hits("/loop-b")
    error = await failure(client, server.url("/loop-a"))
    assert error.reason == "redirect_loop"
    assert server.hits("/loop-b") - before == 1


async def test_redirect_to_another_scheme_is_refused(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_redirect("/to-file", "file:///etc/passwd")
    assert (await failure(client, server.url("/to-file"))).reason == "bad_url"


async def test_429_with_retry_after_seconds(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set_raw("/busy", b"slow down", {"Retry-After": "120"}, status=429)
    error = await failure(client, server.url("/busy"))
    assert error.reason == "rate_limited"
    assert error.retryable
    assert error.retry_after == 120


async def test_503_with_retry_after_date(server: FeedServer, client: httpx.AsyncClient) -> None:
    when = time.time() + 600
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
    server.set_raw("/maint", b"", {"Retry-After": date}, status=503)
    error = await failure(client, server.url("/maint"))
    assert error.reason == "rate_limited"
    assert error.retry_after is not None
    assert 590 <= error.retry_after <= 601


@pytest.mark.parametrize(
    ("status", "reason", "retryable"),
    [
        (500, "server_error", True),
        (502, "server_error", True),
        (503, "server_error", True),
        (404, "not_found", False),
        (410, "gone", False),
        (401, "forbidden", False),
        (403, "forbidden", False),
        (400, "client_error", False),
        (418, "client_error", False),
    ],
)
async def test_http_errors_map_to_reasons(
    server: FeedServer, client: httpx.AsyncClient, status: int, reason: str, retryable: bool
) -> None:
    server.set_raw(f"/s{status}", b"<html>error</html>", status=status)
    error = await failure(client, server.url(f"/s{status}"))
    assert (error.reason, error.retryable) == (reason, retryable)
    assert server.url(f"/s{status}") in str(error)


async def test_credentials_never_appear_in_errors(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_raw("/private", b"", status=500)
    url = f"http://reader:hunter2@127.0.0.1:{server.port}/private"
    error = await failure(client, url)
    assert "hunter2" not in str(error)
    assert "reader" not in str(error)
    assert f"127.0.0.1:{server.port}/private" in str(error)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("max-age=600", 600.0), ("public, max-age=999999", 3600.0), ("no-cache, max-age=60", None)],
)
async def test_cache_control_max_age_is_capped(
    server: FeedServer, client: httpx.AsyncClient, header: str, expected: float | None
) -> None:
    server.set_feed("/cc", ITEMS, headers={"Cache-Control": header})
    result = await fetch_bytes(client, server.url("/cc"), FetchState(), LIMITS)
    assert result.max_age == expected


async def test_rss_kind_reports_malformed_and_html_documents(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set_raw(
        "/broken",
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>x",
        {"Content-Type": "application/rss+xml"},
    )
    server.set_raw(
        "/page",
        b"<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>",
        {"Content-Type": "text/html"},
    )
    with pytest.raises(SourceError) as broken:
        await fetch_rss(
            client, SourceSpec("b", "rss", url=server.url("/broken")), FetchState(), LIMITS
        )
    with pytest.raises(SourceError) as page:
        await fetch_rss(
            client, SourceSpec("p", "rss", url=server.url("/page")), FetchState(), LIMITS
        )
    assert broken.value.reason == "malformed"
    assert broken.value.retryable
    assert page.value.reason == "not_a_feed"
    assert not page.value.retryable
