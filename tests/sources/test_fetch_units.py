"""Header arithmetic and MockTransport cases of the fetcher."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bot.errors import SourceError
from bot.sources.base import FetchLimits, FetchState
from bot.sources.fetcher import fetch_bytes, parse_max_age, parse_retry_after

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 24 Nov 2026 12:05:00 GMT", 300.0),
        ("Tue, 24 Nov 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("max-age=300", 300.0),
        ("public, max-age=86400", 3600.0),
        ('max-age="60"', 60.0),
        ("s-maxage=100", None),
        ("no-store", None),
        (None, None),
        ("private", None),
    ],
)
def test_max_age(value: str | None, expected: float | None) -> None:
    assert parse_max_age(value) == expected


async def test_mock_transport_body_cap_and_conditional_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"x" * 2048)

    limits = FetchLimits(max_body_bytes=1024)
    state = FetchState(etag='W/"abc"', last_modified="Tue, 24 Nov 2026 10:00:00 GMT")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SourceError) as info:
            await fetch_bytes(client, "https://feeds.test/big", state, limits)
    assert info.value.reason == "too_large"
    assert seen[0].headers["if-none-match"] == 'W/"abc"'
    assert seen[0].headers["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"


async def test_unsupported_content_encoding_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "br"}, stream=Stream())

    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b"\x00\x01"

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SourceError) as info:
            await fetch_bytes(client, "https://feeds.test/br", FetchState(), FetchLimits())
    assert info.value.reason == "bad_encoding"


async def test_corrupt_gzip_is_a_clear_error() -> None:
    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b"\x1f\x8b\x08\x00garbage-not-deflate"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Stream())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(SourceError) as info:
            await fetch_bytes(client, "https://u:p@feeds.test/gz", FetchState(), FetchLimits())
    assert info.value.reason == "bad_encoding"
    assert "u:p@" not in str(info.value)


async def test_raw_deflate_is_accepted() -> None:
    import zlib

    compressor = zlib.compressobj(wbits=-15)
    payload = compressor.compress(b"<rss/>" * 100) + compressor.flush()

    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield payload

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "deflate"}, stream=Stream())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await fetch_bytes(client, "https://feeds.test/d", FetchState(), FetchLimits())
    assert result.body == b"<rss/>" * 100
