"""The local feed server fake works from sync code, in its own thread, and counts hits."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from bot.sources.feeds import parse_feed
from tests.fakes.feedserver import FeedServer
from tests.fakes.feedserver_process import FeedServerProcess


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_sync_use_feed_rendering_304_and_hits() -> None:
    with FeedServer() as server:
        when = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
        server.set_feed(
            "/f.xml",
            [
                {
                    "title": "A & B <merge>",
                    "link": "https://n.test/1",
                    "guid": "g1",
                    "description": "<p>text</p>",
                    "pub_date": when,
                }
            ],
        )
        status, headers, body = get(server.url("/f.xml"))
        assert status == 200
        (entry,) = parse_feed(body, content_type=headers["Content-Type"], base_url=server.url("/"))
        assert (entry.title, entry.guid, entry.summary, entry.published) == (
            "A & B <merge>",
            "g1",
            "text",
            when,
        )
        assert get(server.url("/f.xml"), {"If-None-Match": headers["ETag"]})[0] == 304
        lm = headers["Last-Modified"]
        assert get(server.url("/f.xml"), {"If-Modified-Since": lm})[0] == 304
        server.add_item("/f.xml", {"title": "New", "link": "https://n.test/2"})
        assert get(server.url("/f.xml"), {"If-None-Match": headers["ETag"]})[0] == 200
        assert server.hits("/f.xml") == 4
        assert get(server.url("/missing"))[0] == 404


def test_raw_redirect_and_gzip_routes() -> None:
    with FeedServer() as server:
        server.set_raw("/busy", b"later", {"Retry-After": "30"}, status=429)
        status, headers, _ = get(server.url("/busy"))
        assert (status, headers["Retry-After"]) == (429, "30")
        server.set_feed("/z", [{"title": "t", "link": "https://n.test/"}], gzip=True)
        status, headers, body = get(server.url("/z"), {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body).startswith(b"<?xml")
        server.set_redirect("/old", "/z", status=301)
        assert get(server.url("/old"))[0] == 200  # urllib follows it
        assert server.hits("/z") == 2


def test_stop_is_idempotent_and_port_is_released() -> None:
    server = FeedServer().start()
    port = server.port
    assert port > 0
    server.stop()
    server.stop()
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{port}/")


def test_populate_serves_synthetic_feeds() -> None:
    with FeedServer() as server:
        urls = server.populate(3, items=5)
        status, headers, body = get(urls[2])
        entries = parse_feed(body, content_type=headers["Content-Type"], base_url=urls[2])
    assert status == 200
    assert [e.guid for e in entries] == [f"2-{j}" for j in range(5)]


def test_process_mode_offers_the_same_calls() -> None:
    with FeedServerProcess() as server:
        urls = server.populate(2, items=3)
        server.add_item("/f0.xml", {"title": "Fresh story", "link": "https://news.test/fresh"})
        server.set_raw("/busy", b"later", {"Retry-After": "7"}, status=429)
        assert b"Fresh story" in get(urls[0])[2]
        assert get(server.url("/busy"))[0] == 429
        assert server.hits("/f0.xml") == 1
        server.set_feed("/custom.xml", [{"title": "Only", "link": "https://news.test/only"}])
        assert b"<title>Only</title>" in get(server.url("/custom.xml"))[2]
