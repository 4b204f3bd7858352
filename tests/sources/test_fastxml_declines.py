"""Where feedparser reads a document in a way a plain reading would not: one small document per
case. The fast path either declines it (None) or reads it exactly as feedparser does, and the
parse that serves the source shows the title, link or date a reader expects. The whole of
feedparser's own test suite is run through both paths in test_fastxml_fidelity.py."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from bot.errors import SourceError
from bot.sources.entries import normalise_entries
from bot.sources.fastxml import fast_entries
from bot.sources.feeds import parse_feed, parse_with_feedparser

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
DC = ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
MEDIA = ' xmlns:media="http://search.yahoo.com/mrss/"'
DCTERMS = ' xmlns:dcterms="http://purl.org/dc/terms/"'
TITLE = "Nissan to close Sunderland plant"
URL = "https://news.test/a"
WHEN = datetime(2026, 11, 20, 8, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def rss(item: str, namespaces: str = "") -> bytes:
    return (
        f'{HEAD}<rss version="2.0"{namespaces}><channel><title>c</title>'
        f"<link>https://site.test/</link><item>{item}</item></channel></rss>"
    ).encode()


def atom(entry: str, namespaces: str = "") -> bytes:
    return (
        f'{HEAD}<feed xmlns="http://www.w3.org/2005/Atom"{namespaces}><title>f</title>'
        f"<entry><id>urn:a</id>{entry}</entry></feed>"
    ).encode()


LINK = f'<link href="{URL}"/>'
CASES = {
    "title only in dc:title": (
        rss(f"<dc:title>{TITLE}</dc:title><link>{URL}</link><description>d</description>", DC),
        {"title": TITLE},
    ),
    "title only in media:title": (
        rss(
            f"<media:title>{TITLE}</media:title><link>{URL}</link><description>d</description>",
            MEDIA,
        ),
        {"title": TITLE},
    ),
    "media:title inside media:content": (
        rss(
            f'<media:content url="https://news.test/a.jpg"><media:title>{TITLE}</media:title>'
            f"</media:content><link>{URL}</link><description>d</description>",
            MEDIA,
        ),
        {"title": TITLE},
    ),
    "Atom title only in dc:title": (
        atom(f"<dc:title>{TITLE}</dc:title>{LINK}", DC),
        {"title": TITLE},
    ),
    "base64 Atom title": (
        atom(
            f'<title type="text/plain" mode="base64">{base64.b64encode(TITLE.encode()).decode()}'
            f"</title>{LINK}"
        ),
        {"title": TITLE},
    ),
    "date only in dcterms:issued": (
        rss(
            f"<title>{TITLE}</title><link>{URL}</link><dcterms:issued>2026-11-20T08:00:00Z</dcterms:issued>",
            DCTERMS,
        ),
        {"published": WHEN},
    ),
    "date only in dcterms:modified": (
        rss(
            f"<title>{TITLE}</title><link>{URL}</link><dcterms:modified>2026-11-20T08:00:00Z</dcterms:modified>",
            DCTERMS,
        ),
        {"published": WHEN},
    ),
    "repeated Atom updated": (
        atom(
            f"<title>{TITLE}</title>{LINK}<updated>2019-01-01T00:00:00Z</updated>"
            "<updated>2026-11-20T08:00:00Z</updated>"
        ),
        {"published": WHEN},
    ),
    "Atom published and issued": (
        atom(
            f"<title>{TITLE}</title>{LINK}<published>2019-01-01T00:00:00Z</published>"
            "<issued>2026-11-20T08:00:00Z</issued>"
        ),
        {"published": WHEN},
    ),
    "repeated RSS pubDate": (
        rss(
            f"<title>{TITLE}</title><link>{URL}</link><pubDate>Tue, 01 Jan 2019 00:00:00 GMT"
            "</pubDate><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>"
        ),
        {"published": WHEN},
    ),
    "Atom link with the URL as text": (
        atom(f"<title>{TITLE}</title><link>{URL}</link>"),
        {"url": URL},
    ),
    "RSS item with an Atom-style link href": (
        rss(f'<title>{TITLE}</title><link href="{URL}"/>'),
        {"url": URL},
    ),
    "Atom title base64 by its type": (
        atom(
            f'<title type="application/octet-stream">{base64.b64encode(TITLE.encode()).decode()}'
            f"</title>{LINK}"
        ),
        {"title": TITLE},
    ),
    "the first of two titles": (
        rss(f"<title>{TITLE}</title><title>Other</title><link>{URL}</link>"),
        {"title": TITLE},
    ),
    "a title in capitals": (rss(f"<TITLE>{TITLE}</TITLE><link>{URL}</link>"), {"title": TITLE}),
    "the last of two RSS links": (
        rss(f"<title>{TITLE}</title><link>https://news.test/old</link><link>{URL}</link>"),
        {"url": URL},
    ),
    "the last of two Atom alternate links": (
        atom(f'<title>{TITLE}</title><link href="https://news.test/old"/>{LINK}'),
        {"url": URL},
    ),
    "an alternate link of another type": (
        atom(f'<title>{TITLE}</title>{LINK}<link type="text/html; charset=utf-8" href="x"/>'),
        {"url": URL},
    ),
    "a mangled query in a link": (
        rss(f"<title>{TITLE}</title><link>{URL}?a=1&amp;b;=2</link>"),
        {"url": URL + "?a=1&b=2"},
    ),
    "windows-1252 characters as C1 controls": (
        rss(f"<title>Nissan\u0092s plant</title><link>{URL}</link>"),
        {"title": "Nissan\u2019s plant"},
    ),
    "summary only in itunes:summary": (
        rss(
            f"<itunes:summary>{TITLE}</itunes:summary><link>{URL}</link>",
            ' xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd"',
        ),
        {"title": TITLE},
    ),
    "summary only in an XHTML body": (
        rss(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{TITLE}</p></body><link>{URL}</link>'),
        {"title": TITLE},
    ),
    "title of an image inside an item": (
        rss(f"<category>c<image><title>{TITLE}</title></image></category><link>{URL}</link>"),
        {"title": TITLE},
    ),
    "dc:title under another namespace's prefix": (
        rss(f"<dc:title>{TITLE}</dc:title><link>{URL}</link>", ' xmlns:dc="urn:not-dc"'),
        {"title": TITLE},
    ),
}


@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_fast_path_declines_or_reads_it_as_feedparser_does(
    body: bytes, expected: dict[str, object]
) -> None:
    fast = fast_entries(body, None)
    if fast is not None:
        try:
            slow = parse_with_feedparser(body, None, "https://feeds.test/f")
        except SourceError:
            slow = []
        base = "https://feeds.test/f"
        assert normalise_entries(fast, base_url=base, now=NOW) == normalise_entries(
            slow, base_url=base, now=NOW
        )
    (entry,) = parse_feed(body, content_type=None, base_url="https://feeds.test/f", now=NOW)
    for field, value in expected.items():
        assert getattr(entry, field) == value, field


def test_plain_documents_like_these_still_take_the_fast_path() -> None:
    plain_rss = rss(
        f"<title>{TITLE}</title><link>{URL}</link>"
        "<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate><dc:date>2026-11-21T00:00:00Z</dc:date>",
        DC,
    )
    plain_atom = atom(
        f"<title>{TITLE}</title>{LINK}<published>2026-11-20T08:00:00Z</published>"
        '<updated>2026-11-21T00:00:00Z</updated><link rel="self" href="https://feeds.test/a"/>'
    )
    for body in (plain_rss, plain_atom):
        fast = fast_entries(body, None)
        assert fast is not None
        (entry,) = fast
        assert (entry.title, entry.link, entry.published) == (TITLE, URL, WHEN)
