"""The shared feed client keeps no cookies: what one source sets is never sent anywhere."""

from __future__ import annotations

import httpx

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
