"""The fast path agrees with feedparser wherever it answers, and declines the unusual."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from feedparser.datetimes import _parse_date
from feedparser.mixin import _FeedParserMixin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import SourceError
from bot.sources import fastxml
from bot.sources.entries import normalise_entries, struct_to_datetime
from bot.sources.fastxml import fast_entries
from bot.sources.feeds import parse_with_feedparser
from tests.sources.conftest import SAMPLES

NOW = datetime(2026, 11, 24, tzinfo=UTC)
BASE = "https://feeds.test/f"
XML_SAMPLES = sorted(
    p for p in SAMPLES.glob("*/*") if p.suffix in (".xml", ".rss") and "sitemap" not in p.name
)
FAST_SAMPLES = {  # the samples the fast path must take (plain UTF-8 RSS 2.0 / Atom 1.0)
    "bbc-news-front-page.rss.xml",
    "cnbc-international-top-news.rss.xml",
    "guardian-us.rss.xml",
    "heise-developer.atom.xml",
    "japantimes-latest.rss.xml",
    "nyt-business.rss.xml",
    "livemint-news-cdata-everywhere.rss.xml",
    "seekingalpha-aapl-symbol.rss.xml",
    "gn-search-nvidia-en-US-trimmed-5-items.xml",
    "google-alerts-slack.atom.xml",
    "gn-search-bears-ears-monument-en-US-full-92-items.xml",
    "nyt-us-news-mojibake.rss.xml",
}


def both(body: bytes, content_type: str | None = None) -> tuple[list, list] | None:  # type: ignore[type-arg]
    fast = fast_entries(body, content_type)
    if fast is None:
        return None
    try:
        slow = parse_with_feedparser(body, content_type, BASE)
    except SourceError:
        slow = []
    return (
        normalise_entries(fast, base_url=BASE, now=NOW),
        normalise_entries(slow, base_url=BASE, now=NOW),
    )


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")
@pytest.mark.parametrize("path", XML_SAMPLES, ids=lambda p: p.name)
def test_fast_path_matches_feedparser_on_samples(path) -> None:
    result = both(path.read_bytes())
    if path.name in FAST_SAMPLES:
        assert result is not None, "fast path declined a plain feed"
    if result is not None:
        fast, slow = result
        assert fast == slow
        assert fast


def rss(inner: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>', attrs: str = "") -> bytes:
    return (
        f'{head}<rss version="2.0"{attrs}><channel><title>c</title>'
        f"<item>{inner}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (rss("<title>t</title>", head='<?xml version="1.0" encoding="windows-1251"?>'), None),
        (rss("<title>t</title>"), "application/rss+xml; charset=ISO-8859-1"),
        (rss("<title>t</title>", head='<?xml version="1.0"?><!DOCTYPE rss>'), None),
        (
            b"<!-- pad -->" * 400
            + b'<!DOCTYPE rss [<!ENTITY e "x">]>'
            + rss("<title>&e;</title>", head=""),
            None,
        ),
        (rss("<title>t</title>", attrs=' xmlns="http://backend.userland.com/rss2"'), None),
        (rss("<title>t <b>bold</b></title>"), None),
        (rss('<title xml:base="https://other.test/">t</title>'), None),
        (rss("<title>t</title><title>unclosed"), None),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml">'
            b'<div xmlns="http://www.w3.org/1999/xhtml">x</div></title></entry></feed>',
            None,
        ),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', None),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', None),
    ],
)
def test_fast_path_declines_the_unusual(body: bytes, content_type: str | None) -> None:
    assert fast_entries(body, content_type) is None


def test_fast_path_reads_the_fields_feedparser_reads() -> None:
    body = rss(
        "<title>Plant &amp; jobs</title><guid>https://news.test/g</guid>"
        "<content:encoded><![CDATA[<p>full</p>]]></content:encoded>"
        "<description>short</description><dc:date>2026-11-20T08:00:00Z</dc:date>"
        '<source url="https://outlet.test/">Outlet</source>',
        attrs=' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    )
    result = both(body)
    assert result is not None
    fast, slow = result
    assert fast == slow
    (entry,) = fast
    assert (entry.title, entry.url, entry.summary, entry.outlet) == (
        "Plant & jobs",
        "https://news.test/g",
        "short",  # a description beats content:encoded, as in feedparser
        "Outlet",
    )
    assert entry.published == datetime(2026, 11, 20, 8, tzinfo=UTC)


fragments = st.lists(
    st.sampled_from(
        [
            "<title>",
            "</title>",
            "<link>",
            "</link>",
            "<guid>",
            "</guid>",
            '<guid isPermaLink="false">',
            "<description>",
            "</description>",
            "<pubDate>",
            "</pubDate>",
            "Tue, 24 Nov 2026 10:00:00 GMT",
            "2026-11-20",
            "https://n.test/a",
            "/rel",
            "&amp;",
            "&lt;b&gt;x&lt;/b&gt;",
            "<![CDATA[<i>c</i>]]>",
            "Ã©",
            " text ",
            "</item><item>",
            '<source url="u">S</source>',
            "<category>c</category>",
            "<x:y xmlns:x='urn:x'>z</x:y>",
            "<!-- a comment -->",
            "<?pi data?>",
            "<item>",
            "</item>",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments)
def test_fast_path_agrees_with_feedparser_whenever_it_answers(inner: str) -> None:
    result = both(rss(inner))
    if result is not None:
        fast, slow = result
        assert fast == slow


def feedparser_date(value: str) -> datetime | None:
    """The fast path's dates as feedparser's own date parser reads them."""
    return struct_to_datetime(_parse_date(value))


rfc822_dates = st.builds(
    "{}{} {} {} {:02d}:{:02d}:{:02d} {}".format,
    st.sampled_from(["", "Mon, ", "Tue, ", "Sun, "]),
    st.integers(0, 40),
    st.sampled_from(["Jan", "Feb", "Mar", "Jun", "Nov", "Dec"]),
    st.sampled_from([1, 99, 1970, 2000, 2024, 2026, 9999]).map(lambda y: f"{y:04d}"),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["GMT", "UT", "UTC", "+0000", "-0500", "EST", "Z"]),
)


@settings(max_examples=500, deadline=None)
@given(rfc822_dates)
def test_the_common_date_form_reads_as_feedparser_reads_it(value: str) -> None:
    assert fastxml._date(value) == feedparser_date(value)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab </>&;#x1p"), max_size=20))
def test_the_html_guess_is_feedparsers(value: str) -> None:
    assert fastxml.looks_like_html(value) == bool(_FeedParserMixin.looks_like_html(value))


def test_items_nested_deeper_than_the_recursion_limit_are_found() -> None:
    depth = 5_000
    body = rss(
        "<title>outer</title>"
        + "<x>" * depth
        + "</x>" * depth
        + "</item><wrap>"
        + "<w>" * depth
        + "<item><title>deep</title></item>"
        + "</w>" * depth
        + "</wrap><item><title>last</title>"
    )
    found = fast_entries(body, None)
    assert found is not None
    assert [e.title for e in found] == ["outer", "deep", "last"]  # in document order


NAMESPACES = (
    ' xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:x="urn:x"'
)
namespaced_fragments = st.lists(
    st.sampled_from(
        [
            "<title>t1</title>",
            "<TITLE>t2</TITLE>",
            "<title></title>",
            "<dc:title>t3</dc:title>",
            "<x:title>t4</x:title>",
            "<link>https://n.test/a</link>",
            "<link>https://n.test/q?a=1&amp;b;=2</link>",
            "<atom:link href='https://n.test/b'/>",
            "<atom:link rel='self' href='https://n.test/c'/>",
            "<guid>https://n.test/g</guid>",
            "<guid isPermaLink='false'>g2</guid>",
            "<description>d1</description>",
            "<media:description>d2</media:description>",
            "<dc:description>d3</dc:description>",
            "<abstract>d4</abstract>",
            "<atom:summary>d5</atom:summary>",
            "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>",
            "<atom:updated>2026-11-20T08:00:00Z</atom:updated>",
            "<dc:date>2026-11-21</dc:date>",
            "<source url='u'>S</source>",
            "<image>https://n.test/i.jpg</image>",
            "<media:content url='u'><media:credit>c</media:credit></media:content>",
            "<category>c<image><title>t5</title></image></category>",
            "\u0092 Ã© \u00e9",
            "</item><item>",
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(namespaced_fragments)
def test_fast_path_agrees_with_feedparser_on_namespaced_items(inner: str) -> None:
    # the channel's page: the link of last resort, so items without a link are compared too
    body = rss(inner, attrs=NAMESPACES).replace(
        b"<title>c</title>", b"<title>c</title><link>https://site.test/</link>", 1
    )
    result = both(body)
    if result is not None:
        fast, slow = result
        assert fast == slow
