"""Parse a fetched document (RSS 0.9x/1.0/2.0, RDF, Atom, JSON Feed) into :class:`FeedEntry` values.

Plain UTF-8 RSS 2.0 / Atom 1.0 documents take a fast expat path (:mod:`bot.sources.fastxml`,
several times faster, same results); everything else goes to feedparser, which only ever sees
bytes (``BytesIO``), never a URL or a path, so it cannot fetch anything itself. The HTTP
``Content-Type`` is passed along so its charset takes part in encoding detection; feedparser
transcodes declared, sniffed and mislabelled encodings (ISO-8859-1, windows-1251, GB2312…)
before the XML parser runs, and :mod:`bot.sources.cleaning` repairs UTF-8-read-as-cp1252 mojibake
in the resulting text.

Hostile XML: feedparser removes the DOCTYPE and keeps only entity declarations that map a name
to a single character reference (``sanitizer.replace_doctype``), disables external general
entities on the SAX parser, and expat (2.4+) limits entity amplification. So "billion laughs"
never expands and ``SYSTEM "file:///etc/passwd"`` is never read; the fast path declines any
document with a DOCTYPE or entity declaration. The test suite pins all of it.

How malformed documents are treated (``bozo``):

* entries found → kept, even when the document was not well-formed (feedparser's loose parser
  recovers a great deal of real-world breakage);
* no ``rss``/``feed``/``RDF`` element in the first :data:`SNIFF_BYTES`, or no entries and
  no feed version (HTML, a sitemap, plain text, empty) →
  ``SourceError(reason="not_a_feed", retryable=False)``: repeating the fetch soon
  will not help, and the poller disables such sources sooner (:mod:`bot.sources.backoff`);
* no entries, recognisably a feed but broken (truncated output, a server error rendered into the
  XML) → ``SourceError(reason="malformed")``, retryable: the next render may be whole;
* no entries in a well-formed feed → an empty list, not an error.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import feedparser

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.redaction import redact_url
from bot.sources.entries import RawEntry, normalise_entries, struct_to_datetime
from bot.sources.fastxml import fast_entries
from bot.sources.jsonfeed import looks_like_json, parse_json_feed

_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")
_HTML_STARTS = (b"<!doctype html", b"<html")
# A feed's root element (any namespace prefix) within the first SNIFF_BYTES, or it is no feed.
SNIFF_BYTES = 64 * 1024
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.IGNORECASE)


def parse_feed(
    body: bytes, *, content_type: str | None, base_url: str, now: datetime | None = None
) -> list[FeedEntry]:
    """The entries of one feed document, normalised (see :mod:`bot.sources.entries`).

    ``base_url`` (the URL the body came from) resolves relative links; ``now`` bounds
    future-dated items and defaults to the current time.

    Raises:
        SourceError: ``not_a_feed``, ``malformed`` or ``parse_error``; never anything else.
    """
    where = redact_url(base_url)
    try:
        if looks_like_json(body, content_type):
            raws = parse_json_feed(body, where)
        else:
            raws = _parse_xml(body, content_type, where)
        return normalise_entries(raws, base_url=base_url, now=now)
    except SourceError:
        raise
    except Exception as exc:  # a parser bug on hostile input must stay this source's problem
        raise SourceError(
            f"{where}: could not parse ({type(exc).__name__}: {exc})", reason="parse_error"
        ) from exc


def _parse_xml(body: bytes, content_type: str | None, where: str) -> list[RawEntry]:
    if not body.strip():
        raise SourceError(f"{where}: empty body, not a feed", reason="not_a_feed", retryable=False)
    head = body[:SNIFF_BYTES].replace(b"\x00", b"")  # NULs: UTF-16 markup, still readable
    if not _FEED_ROOT.search(head):
        # feedparser's lenient fallback costs seconds per MB on large non-feed markup; an HTML
        # page or a sitemap has no rss/feed/RDF element, so it is rejected before parsing.
        kind = "an HTML page" if b"<html" in head.lower() else "a document"
        raise SourceError(
            f"{where}: {kind} without an RSS/Atom/RDF root element, not a feed",
            reason="not_a_feed",
            retryable=False,
        )
    fast = fast_entries(body, content_type)
    if fast is not None:
        return fast
    return parse_with_feedparser(body, content_type, where)


def parse_with_feedparser(body: bytes, content_type: str | None, where: str) -> list[RawEntry]:
    """feedparser's reading of an XML feed (the fallback of the fast path).

    Raises:
        SourceError: ``not_a_feed`` or ``malformed`` when it finds no entries.
    """
    # No content-location: feedparser would "resolve" guids against it, changing their
    # identity; links are resolved against base_url in bot.sources.entries instead.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,  # we reduce every field to plain text ourselves
        resolve_relative_uris=False,
    )
    entries: list[Any] = list(parsed.get("entries") or [])
    if not entries:
        _raise_for_empty(parsed, body, where)
        return []
    feed = parsed.get("feed")
    site = dict.get(feed, "link") if isinstance(feed, dict) else None
    return [_raw(entry, site if isinstance(site, str) else None) for entry in entries]


def _raise_for_empty(parsed: Any, body: bytes, where: str) -> None:
    """No entries: decide between an empty feed, a broken feed and something else entirely."""
    version = parsed.get("version") or ""
    head = body.lstrip()[:200].lower()
    if not version or head.startswith(_HTML_STARTS):
        kind = "an HTML page" if head.startswith(_HTML_STARTS) or b"<html" in head else "a document"
        raise SourceError(
            f"{where}: {kind} that is not an RSS/Atom/JSON feed",
            reason="not_a_feed",
            retryable=False,
        )
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and type(problem).__name__ not in _BENIGN_BOZO:
        raise SourceError(f"{where}: malformed feed ({problem})", reason="malformed")


def _is_html(detail: Any) -> bool:
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    return "html" in kind


def _raw(entry: Any, site: str | None) -> RawEntry:
    # dict.get on purpose: FeedParserDict.get maps missing keys to others (with a warning).
    get = dict.get
    source = get(entry, "source")
    outlet = source.get("title") if isinstance(source, dict) else None
    published = struct_to_datetime(get(entry, "published_parsed")) or struct_to_datetime(
        get(entry, "updated_parsed")
    )
    summary = get(entry, "summary")
    return RawEntry(
        title=get(entry, "title"),
        title_is_html=_is_html(get(entry, "title_detail")),
        link=get(entry, "link"),
        guid=get(entry, "id"),
        summary=summary if isinstance(summary, str) else None,
        summary_is_html=True,
        published=published,
        outlet=outlet if isinstance(outlet, str) else None,
        site=site,
    )
