"""OPML 2.0 in and out: the feed lists other readers import and export.

:func:`read_opml` turns a file into :class:`OpmlFeed` rows, or refuses the whole file with an
:class:`bot.errors.OpmlError` naming why: it is parsed by defusedxml with DTDs, entities and
external references forbidden (so XXE and entity-expansion bombs never expand), and it must
be at most :data:`MAX_BYTES` and :data:`MAX_OUTLINES` outlines, with an http(s) URL on every
feed. :func:`write_opml` writes sources back, RSS feeds at the top and news-search and GDELT
sources in folders of their own; those carry their query in ``dealradar:`` attributes (and a
subscribable ``xmlUrl``), so an export imports back as the same sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from bot.errors import OpmlError

NAMESPACE = "https://github.com/dealradar/dealradar/opml"
MAX_BYTES = 5 * 1024 * 1024
MAX_OUTLINES = 10_000
MAX_DEPTH = 32
MAX_URL = 2048
QUERY_KINDS = {"news_search": "News search", "gdelt": "GDELT"}
_KIND, _QUERY, _INTERVAL = (f"{{{NAMESPACE}}}{a}" for a in ("kind", "query", "interval"))


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One source as an OPML outline: ``url`` for RSS, ``query`` for news-search and GDELT."""

    name: str
    kind: str = "rss"
    url: str | None = None
    query: str | None = None
    interval_s: float | None = None


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, in document order.

    Raises:
        OpmlError: the document is too large, not well-formed, has a DTD or entities, is not
            OPML, has too many or too deeply nested outlines, or a feed whose URL is not
            http(s); nothing is returned in part.
    """
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the file is over {MAX_BYTES // (1024 * 1024)} MB; refused")
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OpmlError(
            f"the file declares a DTD, entities or external references ({type(exc).__name__}); "
            "refused: OPML needs none"
        ) from None
    except (ParseError, ValueError) as exc:
        raise OpmlError(f"not well-formed XML: {exc}"[:200]) from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise OpmlError("not an OPML document (no <opml> root with a <body>)")
    feeds: list[OpmlFeed] = []
    count = 0
    stack: list[tuple[Element, int]] = [(o, 1) for o in reversed(list(body))]
    while stack:
        outline, depth = stack.pop()
        if outline.tag != "outline":
            continue
        count += 1
        if count > MAX_OUTLINES:
            raise OpmlError(f"more than {MAX_OUTLINES} outlines; refused")
        if depth > MAX_DEPTH:
            raise OpmlError(f"outlines nested deeper than {MAX_DEPTH} levels; refused")
        feed = _feed(outline)
        if feed is not None:
            feeds.append(feed)
        stack.extend((child, depth + 1) for child in reversed(list(outline)))
    return feeds


def _feed(outline: Element) -> OpmlFeed | None:
    name = " ".join((outline.get("title") or outline.get("text") or "").split())[:200]
    kind, query = outline.get(_KIND), outline.get(_QUERY)
    interval = _interval(outline.get(_INTERVAL), name)
    if kind in QUERY_KINDS and query and query.strip():
        return OpmlFeed(name or f"{QUERY_KINDS[kind]}: {query}"[:200], kind, None, query, interval)
    url = (outline.get("xmlUrl") or "").strip()
    if not url:
        return None  # a folder
    if not _http_url(url):
        shown = url if len(url) <= 60 else url[:59] + "…"
        raise OpmlError(f"outline {name[:60]!r}: {shown!r} is not an http(s) URL; refused")
    return OpmlFeed(name or (urlsplit(url).hostname or url)[:200], "rss", url, None, interval)


def _http_url(url: str) -> bool:
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _interval(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 7 * 86400:
        raise OpmlError(f"outline {name[:60]!r}: interval {value[:20]!r} is not 1 s to 7 days")
    return seconds


def write_opml(
    feeds: Sequence[OpmlFeed], now: datetime, subscribe_url: dict[str, str] | None = None
) -> str:
    """An OPML 2.0 document of ``feeds``. ``subscribe_url`` maps a query source's name to a
    URL other readers can subscribe to (its ``xmlUrl``)."""
    root = Element("opml", {"version": "2.0", "xmlns:dealradar": NAMESPACE})
    head = SubElement(root, "head")
    SubElement(head, "title").text = "dealradar sources"
    SubElement(head, "dateCreated").text = format_datetime(now)
    body = SubElement(root, "body")
    for feed in feeds:
        if feed.kind == "rss" and feed.url:
            SubElement(body, "outline", _attrs(feed, feed.url))
    for kind, folder_name in QUERY_KINDS.items():
        members = [f for f in feeds if f.kind == kind and f.query]
        if members:
            folder = SubElement(body, "outline", {"text": folder_name, "title": folder_name})
            for feed in members:
                url = (subscribe_url or {}).get(feed.name)
                attrs = _attrs(feed, url)
                attrs.update({"dealradar:kind": kind, "dealradar:query": feed.query or ""})
                SubElement(folder, "outline", attrs)
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def _attrs(feed: OpmlFeed, url: str | None) -> dict[str, str]:
    attrs = {"text": feed.name, "title": feed.name, "type": "rss"}
    if url:
        attrs["xmlUrl"] = url
    if feed.interval_s is not None:
        attrs["dealradar:interval"] = f"{feed.interval_s:g}"
    return attrs
