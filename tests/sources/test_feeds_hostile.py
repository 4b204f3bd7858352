"""parse_feed on hostile and broken documents: bounded, no entity expansion, no file reads."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import SourceError
from bot.sources.cleaning import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS
from bot.sources.entries import MAX_ENTRIES
from bot.sources.feeds import parse_feed
from tests.fakes.feedserver import FeedServer, render_rss

BASE = "https://feeds.test/news/rss.xml"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def rss(items_xml: str, doctype: str = "", declaration: str = '<?xml version="1.0"?>') -> bytes:
    return (
        f'{declaration}\n{doctype}\n<rss version="2.0"><channel><title>T</title>'
        f"<link>https://feeds.test/</link>{items_xml}</channel></rss>"
    ).encode()


def item(title: str, link: str = "https://news.test/a", extra: str = "") -> str:
    return f"<item><title>{title}</title><link>{link}</link>{extra}</item>"


def parse(body: bytes, content_type: str | None = None) -> list:  # type: ignore[type-arg]
    return parse_feed(body, content_type=content_type, base_url=BASE, now=NOW)


def test_external_entity_never_reads_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    body = rss(item("Leak &xxe; here", extra="<description>&xxe;</description>"), doctype)
    entries = parse(body)
    text = " ".join(e.title + e.summary for e in entries)
    assert "TOP-SECRET-MARKER" not in text
    assert "/etc/passwd" not in text


def test_external_parameter_entity_is_never_fetched() -> None:
    with FeedServer() as server:
        server.set_raw("/evil.dtd", b'<!ENTITY leak "LEAKED">')
        doctype = f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{server.url("/evil.dtd")}"> %ext;]>'
        entries = parse(rss(item("Title &leak;"), doctype))
        assert server.hits("/evil.dtd") == 0
    assert all("LEAKED" not in e.title for e in entries)


def test_billion_laughs_does_not_expand() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE rss [" + "".join(levels) + "]>"
    started = time.perf_counter()
    try:
        entries = parse(rss(item("&lol9;"), doctype))
    except SourceError:
        entries = []
    assert time.perf_counter() - started < 2.0
    assert all("lollollol" not in e.title for e in entries)


def test_quadratic_blowup_is_bounded() -> None:
    doctype = '<!DOCTYPE rss [<!ENTITY big "' + "x" * 50_000 + '">]>'
    started = time.perf_counter()
    try:
        entries = parse(rss(item("&big;" * 20_000)))
        entries += parse(rss(item("&big;" * 20_000), doctype))
    except SourceError:
        entries = []
    assert time.perf_counter() - started < 3.0
    assert all(len(e.title) <= TITLE_MAX_CHARS for e in entries)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Home</title></head><body>hi</body></html>",
            "text/html",
        ),
        (b"<html><body><a href='/feed'>feed</a></body></html>", None),
        (b"Service temporarily unavailable", "text/plain"),
        (b"", None),
        (b"   \n ", "application/rss+xml"),
        (b'{"status": "ok"}', "application/json"),
        (b"<?xml version='1.0'?><urlset><url><loc>https://x.test/</loc></url></urlset>", None),
    ],
)
def test_documents_that_are_not_feeds(body: bytes, content_type: str | None) -> None:
    with pytest.raises(SourceError) as info:
        parse(body, content_type)
    assert info.value.reason == "not_a_feed"
    assert not info.value.retryable
    assert BASE in str(info.value)


def test_truncated_feed_without_items_is_malformed_and_retryable() -> None:
    with pytest.raises(SourceError) as info:
        parse(b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><!-- boom')
    assert info.value.reason == "malformed"
    assert info.value.retryable


def test_malformed_feed_with_items_keeps_them() -> None:
    body = rss(item("Works &nbsp; anyway", "https://news.test/1") + "<item><title>Unclosed")
    entries = parse(body)
    assert [e.url for e in entries][:1] == ["https://news.test/1"]


def test_empty_feed_is_an_empty_list() -> None:
    assert parse(render_rss("Nothing yet", [])) == []


def test_duplicate_and_missing_guids() -> None:
    body = rss(
        item("First", "https://news.test/1", "<guid>same</guid>")
        + item("Second copy", "https://news.test/2", "<guid>same</guid>")
        + item("No guid A", "https://news.test/3")
        + item("No guid B", "https://news.test/4")
        + item("No guid A again", "https://news.test/3")
    )
    entries = parse(body)
    assert [e.title for e in entries] == ["First", "No guid A", "No guid B"]
    assert [e.guid for e in entries] == ["same", None, None]


def test_dates_unparseable_future_and_valid() -> None:
    soon = (NOW + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = rss(
        item("Garbage", "https://news.test/1", "<pubDate>the day after tomorrow</pubDate>")
        + item(
            "Far future", "https://news.test/2", "<pubDate>Mon, 01 Jan 2080 00:00:00 GMT</pubDate>"
        )
        + item("Soon", "https://news.test/3", f"<pubDate>{soon}</pubDate>")
        + item(
            "Offset", "https://news.test/4", "<pubDate>Tue, 24 Nov 2026 09:30:00 +0200</pubDate>"
        )
    )
    published = {e.title: e.published for e in parse(body)}
    assert published["Garbage"] is None
    assert published["Far future"] is None
    assert published["Soon"] == NOW + timedelta(hours=2)
    assert published["Offset"] == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def test_100_kb_title_and_huge_summary_are_capped_quickly() -> None:
    title = "Plant closure " * 8_000  # ~110 KB
    summary = "<p>" + "word " * 100_000 + "</p>"
    started = time.perf_counter()
    (entry,) = parse(rss(item(title, extra=f"<description><![CDATA[{summary}]]></description>")))
    assert time.perf_counter() - started < 2.0
    assert len(entry.title) <= TITLE_MAX_CHARS
    assert entry.title.endswith("…")
    assert len(entry.summary) <= SUMMARY_MAX_CHARS
    assert entry.summary.endswith("…")


def test_markup_is_reduced_to_plain_text_and_mentions_survive_as_text() -> None:
    summary = (
        "&lt;p&gt;Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;world&lt;/b&gt;&lt;/p&gt;"
    )
    body = rss(
        item(
            "@everyone &lt;!channel&gt; &lt;@U123&gt; *bold* [x](https://evil.test)",
            extra=f"<description>{summary}</description>",
        )
    )
    (entry,) = parse(body)
    # Chat escaping is the renderer's job; the source hands over the exact plain text.
    assert entry.title == "@everyone <!channel> <@U123> *bold* [x](https://evil.test)"
    assert entry.summary == "Hello world"


def test_links_are_resolved_trimmed_and_restricted_to_http() -> None:
    body = rss(
        item("Relative", "/story/1")
        + item("Spaced", "\n   https://news.test/spaced  \n")
        + item("Script", "javascript:alert(1)")
        + "<item><title>Guid only</title><guid>https://news.test/from-guid</guid></item>"
        + "<item><title>Nothing to link</title><guid>opaque-id</guid></item>"
    )
    urls = {e.title: e.url for e in parse(body)}
    # no http(s) link and no URL guid: the channel's own page, with a fragment per item
    fallback = {title: url for title, url in urls.items() if url.startswith("https://feeds.test/#")}
    assert sorted(fallback) == ["Nothing to link", "Script"]
    assert len(set(fallback.values())) == 2
    assert {t: u for t, u in urls.items() if t not in fallback} == {
        "Relative": "https://feeds.test/story/1",
        "Spaced": "https://news.test/spaced",
        "Guid only": "https://news.test/from-guid",
    }


def test_wrong_declared_encoding_and_invalid_utf8_still_parse() -> None:
    latin1 = rss(item("Caf\xe9 r\xe9ouvert"), declaration='<?xml version="1.0" encoding="utf-8"?>')
    latin1 = latin1.replace("Café réouvert".encode(), "Café réouvert".encode("latin-1"))
    (entry,) = parse(latin1)
    assert entry.title == "Café réouvert"
    broken = rss(item("Ok")).replace(b"<title>Ok", b"<title>Ok \xff\xfe bytes")
    assert [e.url for e in parse(broken)] == ["https://news.test/a"]


def test_control_characters_and_whitespace_are_cleaned() -> None:
    (entry,) = parse(rss(item("  Line\tone\n\n  line   two &#x1; ")))
    assert entry.title == "Line one line two"


def test_entry_count_is_capped() -> None:
    items = [{"title": f"n{i}", "link": f"https://news.test/{i}"} for i in range(MAX_ENTRIES + 50)]
    assert len(parse(render_rss("many", items))) == MAX_ENTRIES


def test_json_feed_minimal_and_hostile_fields() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "1", "url": "https://news.test/j1", "title": "Ford &amp; VW", '
        b'"content_html": "<p>Deal <b>signed</b></p>", "date_published": "2026-11-20T10:00:00Z"},'
        b'{"id": 2, "url": 5, "title": ["bad"]}, "not an object",'
        b'{"id": "3", "external_url": "https://news.test/j3", "content_text": "Only text"}]}'
    )
    entries = parse(body, "application/feed+json")
    assert [(e.title, e.guid) for e in entries] == [("Ford & VW", "1"), ("Only text", "3")]
    assert entries[0].summary == "Deal signed"
    assert entries[0].published == datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json", None])
def test_mislabelled_content_type_does_not_hide_a_feed(content_type: str | None) -> None:
    entries = parse(rss(item("Labelled wrongly", "https://news.test/w")), content_type)
    assert [e.title for e in entries] == ["Labelled wrongly"]


@pytest.mark.parametrize(
    "body", [b"<" * 1_000_000, b"<a" * 500_000, b"<html>" + b"<div><p>x</p></div>" * 50_000]
)
def test_large_non_feed_markup_is_rejected_without_parsing(body: bytes) -> None:
    """feedparser's lenient fallback takes seconds on these; the root-element sniff does not."""
    started = time.perf_counter()
    with pytest.raises(SourceError) as info:
        parse(body)
    assert info.value.reason == "not_a_feed"
    assert time.perf_counter() - started < 0.5


def test_utf16_feed_is_still_recognised() -> None:
    body = (
        rss(item("Werk schließt", "https://news.test/u16"))
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-16"?>')
        .encode("utf-16")
    )
    assert [e.title for e in parse(body)] == ["Werk schließt"]
