"""Feed items are not dropped silently (issue 19, defect 7), on both parse paths.

An item without a usable link takes a URL guid, else the feed's own page with a fragment
naming the item; an item that still cannot be used is logged with its source; a document
longer than :data:`MAX_ENTRIES` keeps its newest items, not its first, and says so.
The fast path (:mod:`bot.sources.fastxml`) reads plain UTF-8 RSS/Atom; a declared
ISO-8859-1 encoding sends the same document to feedparser.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.sources.entries import MAX_ENTRIES
from bot.sources.fastxml import fast_entries
from bot.sources.feeds import parse_feed
from bot.sources.offload import _identified

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BASE = "https://reader:s3cret@feeds.test/x.rss?token=abc"
FAST = '<?xml version="1.0" encoding="UTF-8"?>'
SLOW = '<?xml version="1.0" encoding="ISO-8859-1"?>'


def rss(declaration: str, items: str, site: str = "https://site.test/news") -> bytes:
    return (
        f'{declaration}\n<rss version="2.0"><channel><title>T</title><link>{site}</link>'
        f"{items}</channel></rss>"
    ).encode()


def atom(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>T</title><link rel="self" href="https://feeds.test/x.atom"/>'
        '<link rel="alternate" type="text/html" href="https://site.test/news"/>'
        f"{items}</feed>"
    ).encode()


LINKLESS_RSS = (
    "<item><title>Guid is a URL</title><guid>https://news.test/from-guid</guid></item>"
    '<item><title>Opaque guid</title><guid isPermaLink="false">tag:site,1</guid></item>'
    "<item><title>Nothing but a title</title></item>"
    "<item><title>Another bare title</title></item>"
)


def parse(body: bytes) -> list:  # type: ignore[type-arg]
    return parse_feed(body, content_type=None, base_url=BASE, now=NOW)


@pytest.mark.parametrize("declaration", [FAST, SLOW], ids=["fast", "feedparser"])
def test_linkless_items_use_the_guid_else_the_site_link_and_stay_distinct(
    declaration: str,
) -> None:
    body = rss(declaration, LINKLESS_RSS)
    assert (fast_entries(body, None) is None) == (declaration == SLOW)
    entries = {e.title: e for e in parse(body)}
    assert list(entries) == [
        "Guid is a URL",
        "Opaque guid",
        "Nothing but a title",
        "Another bare title",
    ]
    assert entries["Guid is a URL"].url == "https://news.test/from-guid"
    site_items = [entries[t] for t in list(entries)[1:]]
    for entry in site_items:
        assert entry.url.startswith("https://site.test/news#item-")
        # the fragment is the item's identity: canonical_url keeps it, so each is an article
        assert _identified(entry).canonical_url == entry.url
    assert len({e.url for e in site_items}) == 3
    assert parse(body) == list(entries.values())  # stable across polls: the same identity


def test_atom_entries_without_a_link_use_the_feeds_alternate_page() -> None:
    body = atom("<entry><title>No link</title><id>urn:x:1</id></entry>")
    assert fast_entries(body, None) is not None
    (entry,) = parse(body)
    assert entry.url.startswith("https://site.test/news#item-")


@pytest.mark.parametrize("declaration", [FAST, SLOW], ids=["fast", "feedparser"])
def test_unusable_items_are_logged_with_their_source(
    declaration: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = rss(
        declaration,
        "<item><title>Kept</title><link>https://news.test/a</link></item>"
        "<item><title>No link anywhere</title></item>"
        "<item><link>https://news.test/empty</link><title> </title></item>",
        site="",
    )
    with caplog.at_level(logging.WARNING, logger="dealradar.sources"):
        assert [e.title for e in parse(body)] == ["Kept"]
    (record,) = [r for r in caplog.records if "left out" in r.getMessage()]
    message = record.getMessage()
    assert message.startswith("https://feeds.test/x.rss?token=***: 2 feed items left out (")
    assert "1 with no title or summary" in message
    assert "1 with no usable link, guid or site link" in message
    assert "s3cret" not in message and "abc" not in message


def _oldest_first(declaration: str, count: int) -> bytes:
    start = NOW - timedelta(days=30)
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.test/{i}</link>"
        f"<pubDate>{(start + timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}"
        "</pubDate></item>"
        for i in range(count)
    )
    return rss(declaration, items)


@pytest.mark.parametrize(
    ("declaration", "count"), [(FAST, 10_000), (SLOW, 1_200)], ids=["fast", "feedparser"]
)
def test_a_long_feed_listing_oldest_first_keeps_its_newest_items_and_warns(
    declaration: str, count: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dealradar.sources"):
        entries = parse(_oldest_first(declaration, count))
    assert len(entries) == MAX_ENTRIES
    assert [e.title for e in entries] == [f"Item {i}" for i in range(count - MAX_ENTRIES, count)]
    assert any(
        f"{count} feed items, more than {MAX_ENTRIES}; reading the newest" in r.getMessage()
        for r in caplog.records
    )


def test_undated_items_of_a_long_feed_come_after_dated_ones() -> None:
    dated = "".join(
        f"<item><title>Dated {i}</title><link>https://news.test/d{i}</link>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
        for i in range(10)
    )
    undated = "".join(
        f"<item><title>Undated {i}</title><link>https://news.test/u{i}</link></item>"
        for i in range(MAX_ENTRIES)
    )
    entries = parse(rss(FAST, undated + dated))
    titles = [e.title for e in entries]
    assert len(titles) == MAX_ENTRIES
    assert titles[-10:] == [f"Dated {i}" for i in range(10)]  # document order kept
    assert titles[: MAX_ENTRIES - 10] == [f"Undated {i}" for i in range(MAX_ENTRIES - 10)]
