"""Property tests: feed normalisation never fails with anything but SourceError."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.errors import SourceError
from bot.redaction import redact_url
from bot.sources.addresses import parse_ip_literal
from bot.sources.cleaning import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, clean_text, repair_mojibake
from bot.sources.entries import RawEntry, normalise
from bot.sources.feeds import parse_feed
from bot.sources.gdelt import parse_gdelt

NOW = datetime(2026, 11, 24, tzinfo=UTC)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

xml_fragments = st.lists(
    st.sampled_from(
        [
            b"<?xml version='1.0'?>",
            b"<rss version='2.0'>",
            b"<channel>",
            b"<item>",
            b"</item>",
            b"<title>",
            b"</title>",
            b"<link>",
            b"</link>",
            b"<guid>",
            b"</guid>",
            b"&amp;",
            b"&bogus;",
            b"<![CDATA[",
            b"]]>",
            b"<pubDate>",
            b"</pubDate>",
            b"https://x.test/a",
            b"Mon, 99 Foo 2026",
            b"\xff\xfe",
            b"\xc3\xa9",
            b"<!DOCTYPE rss [<!ENTITY a 'b'>]>",
            b"<feed xmlns='http://www.w3.org/2005/Atom'>",
            b"<entry>",
            b"{",
            b'"items": [',
            b'{"version": "https://jsonfeed.org/version/1.1"',
            b"</channel></rss>",
            b"<",
        ]
    ),
    max_size=40,
).map(b"".join)


@FAST
@given(
    st.one_of(st.binary(max_size=2000), xml_fragments),
    st.sampled_from(
        [
            None,
            "application/rss+xml",
            "text/html; charset=koi8-r",
            "application/json",
            "x/y; charset=bogus",
        ]
    ),
)
def test_parse_feed_only_raises_source_error(body: bytes, content_type: str | None) -> None:
    try:
        entries = parse_feed(body, content_type=content_type, base_url="https://f.test/", now=NOW)
    except SourceError:
        return
    for entry in entries:
        assert entry.url.startswith(("http://", "https://"))
        assert len(entry.title) <= TITLE_MAX_CHARS
        assert entry.title
        assert len(entry.summary) <= SUMMARY_MAX_CHARS


@FAST
@given(st.binary(max_size=1000))
def test_parse_gdelt_only_raises_source_error(body: bytes) -> None:
    with contextlib.suppress(SourceError):
        parse_gdelt(body, base_url="https://api.test/")


@FAST
@given(
    title=st.one_of(st.none(), st.text(max_size=3000)),
    summary=st.one_of(st.none(), st.text(max_size=3000)),
    link=st.one_of(st.none(), st.text(max_size=100), st.just("https://ok.test/a")),
    guid=st.one_of(st.none(), st.text(max_size=2000)),
    outlet=st.one_of(st.none(), st.text(max_size=300)),
    html=st.booleans(),
)
def test_normalise_never_raises(
    title: str | None,
    summary: str | None,
    link: str | None,
    guid: str | None,
    outlet: str | None,
    html: bool,
) -> None:
    raw = RawEntry(
        title=title, link=link, guid=guid, summary=summary, outlet=outlet, title_is_html=html
    )
    entry = normalise(raw, base_url="https://f.test/feed", now=NOW)
    if entry is not None:
        assert len(entry.title) <= TITLE_MAX_CHARS
        assert entry.guid is None or len(entry.guid) <= 1024


@FAST
@given(st.text(max_size=500))
@example("ÐÂ¡")  # UTF-8 read as Windows-1252 twice
def test_clean_text_is_idempotent_for_plain_text(text: str) -> None:
    once = clean_text(text, is_html=False, limit=TITLE_MAX_CHARS)
    assert clean_text(once, is_html=False, limit=TITLE_MAX_CHARS) == once


def as_cp1252_mojibake(text: str) -> str:
    """What a reader that decodes UTF-8 bytes as Windows-1252 shows (undefined bytes as C1)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


@FAST
@given(st.text(alphabet="abc XYZ,.éèêàçñöüßÉÀ’‘“”–—€…™°", max_size=80))
def test_mojibake_repair_restores_the_original(text: str) -> None:
    assert repair_mojibake(as_cp1252_mojibake(text)) == text


@FAST
@given(st.text(alphabet="abc XYZ,.éèêàçñöüßÉÀ’‘“”–—€…™°Москва建国", max_size=80))
def test_mojibake_repair_leaves_correct_text_alone(text: str) -> None:
    assert repair_mojibake(text) == text


@FAST
@given(st.text(max_size=60))
def test_address_helpers_never_raise(text: str) -> None:
    parse_ip_literal(text)
    redact_url(text)
