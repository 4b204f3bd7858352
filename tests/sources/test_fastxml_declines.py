"""What the fast path declines because feedparser reads it otherwise: one small document per
case. Each is declined (None), and the parse that serves the source, feedparser's, shows the
title, link or date a reader expects."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from bot.sources.fastxml import fast_entries
from bot.sources.feeds import parse_feed

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
}


@pytest.mark.parametrize(("body", "expected"), CASES.values(), ids=CASES.keys())
def test_fast_path_declines_and_feedparser_reads_it(
    body: bytes, expected: dict[str, object]
) -> None:
    assert fast_entries(body, None) is None
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
