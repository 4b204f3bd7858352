"""A fast path for the common case: well-formed UTF-8 RSS 2.0 and Atom 1.0, read in one C pass.

feedparser is thorough and slow (most of a poll's CPU time). Most real feeds are plain,
well-formed RSS 2.0 or Atom 1.0 in UTF-8, which the standard library's C ElementTree parser
(expat underneath) builds into a tree several times faster; only the items' own children are
then visited in Python. (An expat pass with Python callbacks cost twice as much: one Python call
per element, start and end.) :func:`fast_entries` reads exactly those documents and returns None
for *anything* unusual, so :mod:`bot.sources.feeds` falls back to feedparser: a DOCTYPE anywhere
(entities can only be declared in one, and they are feedparser's job), an encoding other than
UTF-8 (declared or in the HTTP charset), a root other than ``<rss>`` / Atom ``<feed>``, a default
namespace on ``<rss>``, ``xml:base``, XHTML content, markup nested in a text field, any XML
error, or no items. It also declines what feedparser reads from places this path does not look
(:data:`_ELSEWHERE`: a title in ``dc:title`` or ``media:title``, a date in ``dcterms:issued``
or ``dcterms:modified``), what feedparser reads another way (an Atom 0.3 ``mode``, such as a
base64 title; an Atom ``<link>`` with the URL as text; an RSS ``<link href>``) and a date given
twice in one item (feedparser keeps the last). It mirrors feedparser's choices (first
``link``, last ``guid``, a permalink guid as the link, its description-versus-content rule for
the summary, ``pubDate`` before ``dc:date``, ``<source>`` as the outlet, its guess whether an
RSS title is HTML) and uses feedparser's own date parser for every date but the common RSS
form, which it reads directly; the test suite checks both paths agree on every sample and on
generated documents, and the direct date reading against feedparser's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from feedparser.datetimes import _parse_date
from feedparser.mixin import _FeedParserMixin

from bot.sources.entries import RawEntry, struct_to_datetime

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
MEDIA = "http://search.yahoo.com/mrss/"
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_ATOM_FEED = f"{{{ATOM}}}feed"
_ATOM_TEXT = {"title", "id", "summary", "content", "published", "issued", "updated", "modified"}


# pubDate as nearly every RSS feed writes it: "Tue, 24 Nov 2026 10:00:00 GMT" (or +0000).
_RFC822_UTC = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) "
    r"(?:GMT|UT|UTC|\+0000)\Z"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}


def looks_like_html(value: str) -> bool:
    """feedparser's guess whether an RSS title is HTML (it needs a close tag or an entity
    reference, so text without ``<`` or ``&`` is not)."""
    if "<" not in value and "&" not in value:
        return False
    return bool(_FeedParserMixin.looks_like_html(value))


class _Unusual(Exception):
    """Something the fast path does not handle; feedparser takes over."""


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    common = _RFC822_UTC.match(value)
    if common is not None:  # the usual RSS form: read directly, as feedparser reads it
        day, month, year, hour, minute, second = common.groups()
        try:
            return datetime(
                int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
            )
        except ValueError:
            pass  # out of range: feedparser's handlers decide
    return struct_to_datetime(_parse_date(value))


_RSS_FIELDS = {
    **{name: name for name in ("title", "link", "guid", "description", "pubDate", "source")},
    f"{{{CONTENT}}}encoded": "encoded",
    f"{{{DC}}}date": "date",
}
_ATOM_FIELDS = {f"{{{ATOM}}}{name}": name for name in _ATOM_TEXT}
_RSS_ITEM = "item"
_ATOM_ENTRY = f"{{{ATOM}}}entry"
_ATOM_LINK = f"{{{ATOM}}}link"
_ATOM_SOURCE = f"{{{ATOM}}}source"
_ATOM_TITLE = f"{{{ATOM}}}title"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Elements feedparser takes a title or a date from, anywhere in the document, which this path
# does not read: their presence sends the whole document to feedparser.
_ELSEWHERE = frozenset(
    {f"{{{DC}}}title", f"{{{MEDIA}}}title", f"{{{DCTERMS}}}issued", f"{{{DCTERMS}}}modified"}
)


def _top_items(root: Element, tag: str) -> list[Element]:
    """The ``tag`` elements under ``root`` in document order, not looking inside them (an item
    nested in an item is just one of its children). Iterative: a hostile document may nest
    deeper than Python's recursion limit."""
    found: list[Element] = []
    stack = [iter(root)]
    while stack:
        for child in stack[-1]:
            if child.tag == tag:
                found.append(child)
            elif len(child):
                stack.append(iter(child))
                break
        else:
            stack.pop()
    return found


def _text(field: Element) -> str:
    if len(field):
        raise _Unusual("markup inside a text field")
    return (field.text or "").strip()


class _Item:
    """The fields of one item, filled in document order with feedparser's precedence rules."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.values: dict[str, Any] = {}

    def finish(self, field: str, value: str, attrs: Mapping[str, str]) -> None:
        item = self.values
        if field in ("description", "summary"):
            # feedparser: a repeated description before any content counts as content;
            # otherwise a description replaces what content left in the summary.
            if "summary" in item and not item.get("has_content"):
                item["has_content"] = True
            else:
                item["summary"] = value
        elif field in ("encoded", "content"):
            item["has_content"] = True
            item.setdefault("summary", value)
        elif field == "guid" or field == "id":
            item["guid"] = value
            item["guid_is_link"] = attrs.get("isPermaLink", "true") == "true"
        elif field == "title":
            item["title"] = value
            if self.kind == "atom":
                item["title_is_html"] = "html" in attrs.get("type", "text")
            else:  # RSS leaves it to readers to guess, as feedparser does
                item["title_is_html"] = looks_like_html(value)
        elif field in ("link", "source"):
            item.setdefault(field, value)
        elif field in ("pubDate", "published", "issued"):
            self._date("published", value)
        else:  # dc:date, updated, modified
            self._date("updated", value)

    def _date(self, field: str, value: str) -> None:
        if field in self.values:  # feedparser keeps the last of them
            raise _Unusual(f"{field} twice in one item")
        self.values[field] = value


def _rss_item(element: Element) -> dict[str, Any]:
    item = _Item("rss")
    for child in element:
        field = _RSS_FIELDS.get(child.tag)
        if field is not None:
            if field == "link" and "href" in child.attrib:
                raise _Unusual("an Atom-style link in an RSS item")
            item.finish(field, _text(child), child.attrib)
    return item.values


def _atom_entry(element: Element) -> dict[str, Any]:
    item = _Item("atom")
    for child in element:
        tag = child.tag
        if tag == _ATOM_SOURCE:
            for part in child:
                if part.tag == _ATOM_TITLE:
                    item.finish("source", _text(part), part.attrib)
        elif tag == _ATOM_LINK:
            _plain_link(child)
            attrs = child.attrib
            rel = attrs.get("rel", "alternate")
            kind = attrs.get("type", "text/html")
            if rel == "alternate" and "html" in kind and "href" in attrs:
                item.values.setdefault("link", attrs["href"].strip())
        elif tag in _ATOM_FIELDS:
            attrs = child.attrib
            if "xhtml" in attrs.get("type", "text") or attrs.get("src") or "mode" in attrs:
                raise _Unusual("xhtml, out-of-line or Atom 0.3 encoded content")
            item.finish(_ATOM_FIELDS[tag], _text(child), attrs)
    return item.values


def _read(root: Element) -> tuple[list[dict[str, Any]], str | None]:
    """The items and the feed's own web page (RSS ``channel/link``, Atom alternate link)."""
    if root.tag == "rss":
        channel = root.find("channel")
        link = channel.find("link") if channel is not None else None
        site = _text(link) if link is not None else None
        return [_rss_item(e) for e in _top_items(root, _RSS_ITEM)], site or None
    if root.tag == _ATOM_FEED:
        site = next((href for child in root if (href := _alternate(child))), None)
        return [_atom_entry(e) for e in _top_items(root, _ATOM_ENTRY)], site
    raise _Unusual(f"root {root.tag}")


def _plain_link(element: Element) -> None:
    """An Atom ``<link>`` as this path reads it: the URL in ``href``, nothing as text."""
    if "href" not in element.attrib or (element.text or "").strip() or len(element):
        raise _Unusual("an Atom link without href or with content")


def _alternate(element: Element) -> str | None:
    """The href of an Atom ``<link>`` to the web page (rel alternate, an HTML type), or None."""
    if element.tag != _ATOM_LINK:
        return None
    _plain_link(element)
    attrs = element.attrib
    if attrs.get("rel", "alternate") == "alternate" and "html" in attrs.get("type", "text/html"):
        return attrs.get("href", "").strip() or None
    return None


def fast_entries(body: bytes, content_type: str | None) -> list[RawEntry] | None:
    """The items of a plain UTF-8 RSS 2.0 / Atom 1.0 document, or None to use feedparser."""
    charset = _charset(content_type)
    if charset not in (None, "utf-8", "utf8"):
        return None
    declared = _DECLARED.match(body[:1024])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    # Entities can only be declared in a DOCTYPE: without one (anywhere) nothing expands, and
    # an undefined entity is an XML error. DTDs and entities are feedparser's business.
    if b"<!DOCTYPE" in body or b"<!doctype" in body:
        return None
    # S314 (use defusedxml): its parser is the pure-Python one, one Python call per element
    # again; with no DOCTYPE there is nothing for it to defuse.
    parser = XMLParser(encoding="utf-8")  # noqa: S314 - as the charset / declaration said
    try:
        parser.feed(body)
        root = parser.close()
        for element in root.iter():
            if element.get(_XML_BASE) is not None or element.tag in _ELSEWHERE:
                raise _Unusual(f"xml:base or {element.tag}")
        items, site = _read(root)
    except (ParseError, _Unusual, ValueError):
        return None
    if not items:
        return None
    return [_raw(item, site) for item in items]


def _raw(item: dict[str, Any], site: str | None) -> RawEntry:
    link = item.get("link")
    guid = item.get("guid")
    if not link and guid and item.get("guid_is_link"):
        link = guid
    return RawEntry(
        title=item.get("title"),
        title_is_html=bool(item.get("title_is_html")),
        link=link,
        guid=guid,
        summary=item.get("summary"),
        summary_is_html=True,
        published=_date(item.get("published")) or _date(item.get("updated")),
        outlet=item.get("source"),
        site=site,
    )
