"""The shared feed client keeps no cookies: what one source sets is never sent anywhere."""

from __future__ import annotations

import httpx
import pytest

from bot.sources.base import FetchLimits, FetchState
from bot.sources.client import FeedClient
from bot.sources.fetcher import fetch_bytes

LIMITS = FetchLimits(allow_private_networks=True)


async def test_set_cookie_is_ignored_and_never_sent() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(
            200,
            headers={"Set-Cookie": "session=secret; Path=/", "Content-Type": "application/rss+xml"},
            content=b"<rss/>",
        )

    async with FeedClient(transport=httpx.MockTransport(handler)) as client:
        for url in ("http://127.0.0.1/a.xml", "http://127.0.0.1/b.xml", "http://127.0.0.1/a.xml"):
            await fetch_bytes(client, url, FetchState(None, None, None), LIMITS)
        assert not client.cookies
        client.cookies = {"forced": "1"}  # even an explicit assignment keeps the jar empty
        await fetch_bytes(client, "http://127.0.0.1/a.xml", FetchState(None, None, None), LIMITS)
    assert seen == [None, None, None, None]


async def test_requests_carry_what_build_request_would_and_the_conditional_headers() -> None:
    from bot.sources.client import build_client, client_timeout
    from bot.sources.fetcher import _request, _timeouts

    limits = FetchLimits(allow_private_networks=True)
    client = build_client(limits, user_agent="dealradar-test/1")
    state = FetchState('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT", None)
    url = "http://127.0.0.1:8/f.xml?q=a%20b"
    built = _request(client, url, state, _timeouts(limits))
    expected = client.build_request(
        "GET",
        url,
        headers={
            "Accept-Encoding": "gzip, deflate",
            "If-None-Match": '"v1"',
            "If-Modified-Since": "Tue, 24 Nov 2026 10:00:00 GMT",
        },
        timeout=client_timeout(limits),
    )
    assert sorted(built.headers.multi_items()) == sorted(expected.headers.multi_items())
    assert built.headers["user-agent"] == "dealradar-test/1"
    assert built.url == expected.url and built.method == "GET"
    assert built.extensions["timeout"] == expected.extensions["timeout"]
    await client.aclose()


async def test_repeated_response_headers_read_as_httpx_joins_them() -> None:
    from bot.sources.fetcher import header_map

    response = httpx.Response(
        200, headers=[("Cache-Control", "public"), ("cache-control", "max-age=60"), ("ETag", "x")]
    )
    found = header_map(response)
    assert found["cache-control"] == response.headers["cache-control"] == "public, max-age=60"
    assert found["etag"] == "x" and "location" not in found


async def test_send_direct_answers_like_send_and_refuses_after_close() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(304 if request.headers.get("if-none-match") == '"v"' else 200)

    client = FeedClient(transport=httpx.MockTransport(handler))
    request = httpx.Request("GET", "http://127.0.0.1/f.xml", headers={"If-None-Match": '"v"'})
    direct = await client.send_direct(request)
    via_send = await client.send(request, stream=True, follow_redirects=False)
    assert direct.status_code == via_send.status_code == 304
    assert direct.request is request
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.send_direct(request)
