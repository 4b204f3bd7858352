"""A fast path for the common case: well-formed UTF-8 RSS 2.0 and Atom 1.0, read in one C pass.

feedparser is thorough and slow (most of a poll's CPU time). Most real feeds are plain,
well-formed RSS 2.0 or Atom 1.0 in UTF-8, which the standard library's C ElementTree parser
(expat underneath) builds into a tree several times faster; only the items' own children are
then visited in Python. (An expat pass with Python callbacks cost twice as much: one Python call
per element, start and end.) :func:`fast_entries` returns None for anything unusual, so
:mod:`bot.sources.feeds` falls back to feedparser: a DOCTYPE anywhere (entities can only be
declared in one, and they are feedparser's job), an encoding other than UTF-8 (declared or in
the HTTP charset), a root other than ``<rss>`` / Atom ``<feed>``, a default namespace on
``<rss>``, ``xml:base``, any XML error, or no items.

Where it answers, it must give what feedparser gives (tests/sources/test_fastxml_fidelity.py
runs feedparser's own test suite through both). So it reads an item's children as feedparser
dispatches them, by feedparser's name for each element (:func:`_name`: the local name in lower
case after feedparser's prefix for the namespace, from feedparser's own table; Atom elements in
RSS and RSS elements in Atom count alike), with feedparser's rules: the first title that is not
empty (``title``, ``dc:title``), the last ``link`` (text, or an ``href`` that is the HTML
alternate), a permalink ``guid``/``id`` as the link when none came before it, the
description-versus-content rule for the summary (``description``, ``summary``,
``dc:description``, ``media:description``, ``itunes:summary``, ``abstract``,
``content:encoded``, ``content``, ``fullitem``), the last of each kind of date (``pubDate``,
``published``, ``issued``, ``dcterms:issued``; else ``updated``, ``modified``,
``lastBuildDate``, ``dc:date``, ``dcterms:modified``), ``<source>`` as the outlet, its guess
whether an RSS title is HTML, and what it does to text (UTF-8 read as Latin-1 decoded again,
C1 controls as windows-1252, mangled query strings in links). It declines what it does not
follow: text constructs feedparser would decode as base64 or read as XHTML, markup inside a
text field, ``media:title``, XHTML bodies, entries or feeds inside an entry, an element read
into the entry anywhere deeper than an item's child, an element in a namespace feedparser does
not know whose name there (by the prefix the document bound) it reads, an item's own link,
date or id attributes, and a feed-level link outside the channel. Dates use feedparser's own
date parser, except the common RSS form, which is read directly (tested against it).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError, XMLParser

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin

from bot.sources.entries import RawEntry, struct_to_datetime

ATOM = "http://www.w3.org/2005/Atom"
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_C1 = re.compile("[\x80-\x9f]")
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
# feedparser undoes what it takes for mangled character references in a link's query string
_MANGLED_QUERY = re.compile("&([A-Za-z0-9_]+);")


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


_RSS_ROOT = "rss"
_ATOM_FEED = f"{{{ATOM}}}feed"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/html")
# feedparser's prefix for each namespace it knows ("" for the RSS and Atom namespaces), taken
# from its own table; it matches namespaces in lower case
_PREFIXES: dict[str, str] = {
    uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()
}
_USERLAND = "backend.userland.com/rss"

# What an element means to feedparser inside an entry, by the name feedparser dispatches on
# (:func:`_name`): its role here, and for text constructs the content type it assumes.
_IGNORED, _TITLE, _LINK, _GUID, _DESCRIPTION, _SUMMARY, _ABSTRACT, _CONTENT = range(8)
_PUBLISHED, _UPDATED, _SOURCE, _IMAGE, _ENTRY, _ASK, _DECLINE = range(8, 15)
_ROLES: dict[str, tuple[int, str]] = {
    "title": (_TITLE, "text/plain"),
    "dc:title": (_TITLE, "text/plain"),
    "link": (_LINK, ""),
    "guid": (_GUID, ""),
    "id": (_GUID, ""),
    "description": (_DESCRIPTION, "text/html"),
    "dc:description": (_DESCRIPTION, "text/html"),
    "media:description": (_DESCRIPTION, "text/html"),
    "summary": (_SUMMARY, "text/plain"),
    "itunes:summary": (_SUMMARY, "text/plain"),
    "abstract": (_ABSTRACT, "text/plain"),
    "content": (_CONTENT, "text/plain"),
    "content:encoded": (_CONTENT, "text/html"),
    "fullitem": (_CONTENT, "text/html"),
    **dict.fromkeys(("pubdate", "published", "issued", "dcterms:issued"), (_PUBLISHED, "")),
    **dict.fromkeys(
        ("updated", "modified", "lastbuilddate", "dc:date", "dcterms:modified"), (_UPDATED, "")
    ),
    "source": (_SOURCE, ""),
    "item": (_ENTRY, ""),
    "entry": (_ENTRY, ""),
    # an image or text input: its title and link go elsewhere (or, for a title, into the
    # entry), and feedparser looks for the entry's title again after it
    "image": (_IMAGE, ""),
    "textinput": (_IMAGE, ""),
    # read in ways this path does not follow: media:title only where no title is, XHTML
    # bodies, a feed inside an entry
    **dict.fromkeys(
        ("media:title", "body", "xhtml:body", "rss", "channel", "feed"), (_DECLINE, "")
    ),
}
# An element in a namespace feedparser does not know goes by the prefix the document bound to
# that namespace (lost in the tree) or, in a default namespace, by its bare name: one whose
# local name could make it any of the above is looked up in the document (_Prefixes).
_ROLES.update({f"?{name.rpartition(':')[2]}": (_ASK, "") for name in list(_ROLES)})
_NOT_READ = (_IGNORED, "")
_ROLE_OF: dict[str, tuple[int, str]] = {}  # by ElementTree tag, filled as tags are met


def _name(tag: str) -> str:
    """The name feedparser dispatches an element on: its local name in lower case, after the
    prefix feedparser gives its namespace (none for RSS's and Atom's), or after ``?`` for a
    namespace feedparser does not know."""
    if tag[:1] != "{":
        return tag.lower()
    uri, _, local = tag[1:].partition("}")
    uri = uri.lower()
    if _USERLAND in uri:
        uri = "http://" + _USERLAND
    prefix = _PREFIXES.get(uri)
    if prefix is None:
        return "?" + local.lower()
    return f"{prefix}:{local.lower()}" if prefix else local.lower()


def _role(tag: str) -> tuple[int, str]:
    role = _ROLE_OF.get(tag)
    if role is None:
        name = _name(tag)
        role = _ROLES.get(name, _NOT_READ)
        if role is _NOT_READ and name.endswith(("_parsed", "_detail")):
            role = (_DECLINE, "")  # an unknown element would overwrite feedparser's own key
        if len(_ROLE_OF) < 4096:  # a hostile document may invent any number of tags
            _ROLE_OF[tag] = role
    return role


def _attrs(element: Element) -> dict[str, str]:
    """The element's attributes as feedparser sees them: names in lower case (a known
    namespace's as ``prefix:name``, an unknown one's bare), ``rel`` and ``type`` values too."""
    found: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key[:1] == "{":
            uri, _, local = key[1:].partition("}")
            prefix = _PREFIXES.get(uri.lower(), "")
            key = f"{prefix}:{local}" if prefix else local
        key = key.lower()
        if key in found:
            raise _Unusual(f"attribute {key} twice")
        found[key] = value.lower() if key in ("rel", "type") else value
    return found


def _map_type(value: str) -> str:
    """feedparser's ``map_content_type``."""
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html"}.get(
        value, "application/xhtml+xml" if value == "xhtml" else value
    )


def _text_type(attrs: Mapping[str, str], default: str) -> str:
    """The content type of a text construct, when it is plain text or HTML given inline."""
    kind = _map_type(attrs.get("type", default)) if attrs else default
    if kind not in _TEXT_TYPES or "mode" in attrs or "src" in attrs:
        # base64 (feedparser decodes any other type), XHTML, Atom 0.3 modes, out-of-line content
        raise _Unusual(f"a text construct of type {kind}")
    return kind


def _fixed(value: str) -> str:
    """What feedparser does to every text it keeps from a UTF-8 document: UTF-8 that was read
    as ISO-8859-1 and encoded again is decoded once more, and C1 controls become the
    characters windows-1252 has there."""
    if value.isascii():
        return value
    if not _BEYOND_LATIN1.search(value):  # else it cannot be re-encoded as ISO-8859-1
        with contextlib.suppress(UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252) if _C1.search(value) else value


def _resolved(url: str) -> str:
    """feedparser's ``resolve_uri`` with no base: only surplus slashes after ``scheme://``."""
    return _urljoin("", url) if ":///" in url else url


def _link_text(value: str, in_entry: bool) -> str:
    """A ``<link>``'s text as feedparser keeps it (it undoes what it takes for mangled
    character references in query strings)."""
    value = _fixed(_resolved(value))
    if "&" in value:
        if in_entry and "&amp;" in value:
            value = value.replace("&amp;", "&")
        if ";" in value:
            value = _MANGLED_QUERY.sub(r"&\g<1>", value)
    return value


def _link(child: Element, in_entry: bool, prefixes: _Prefixes) -> tuple[bool, str | None]:
    """Whether a ``<link>`` sets the page link, and to what: an ``href`` (or ``url``/``uri``)
    when the link is the HTML alternate, otherwise the element's text."""
    attrs = _attrs(child) if child.attrib else {}
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs["href"] = href
    if "href" in attrs:
        if len(child):
            _nothing_read_inside(child, prefixes)
        rel = attrs.get("rel", "alternate")
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        if rel == "alternate" and _map_type(kind) in _HTML_TYPES:
            return True, _resolved(attrs["href"])
        return False, None
    return True, _link_text(_text(child), in_entry)


def _guid(child: Element) -> tuple[str, bool]:
    """A ``<guid>``/``<id>``'s value and whether it is a permalink (then also the link, when
    none came before it)."""
    attrib = child.attrib
    if not attrib:
        is_link = True
    elif len(attrib) == 1 and "isPermaLink" in attrib:
        is_link = attrib["isPermaLink"] == "true"
    else:
        is_link = _attrs(child).get("ispermalink", "true") == "true"
    value = _text(child)
    return _fixed(_resolved(value) if is_link else value), is_link


class _Prefixes:
    """Where feedparser's name for an element depends on the prefix the document bound to its
    namespace (a namespace feedparser does not know), the prefixes are looked up in the
    document's bytes, once per namespace."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.ignored: dict[str, bool] = {}

    def ignores(self, tag: str) -> bool:
        """Whether feedparser reads nothing from this element into an entry or the feed's
        link, under every prefix the document binds its namespace to."""
        known = self.ignored.get(tag)
        if known is None:
            uri, _, local = tag[1:].partition("}")
            declaration = re.compile(
                rb"xmlns(?::([^\s=/>]+))?\s*=\s*([\"'])" + re.escape(uri.encode()) + rb"\2"
            )
            names = [
                f"{m.group(1).decode().lower()}:{local.lower()}" if m.group(1) else local.lower()
                for m in declaration.finditer(self.body)
            ]
            known = bool(names) and all(name not in _ROLES for name in names)
            self.ignored[tag] = known
        return known


def _nothing_read_inside(element: Element, prefixes: _Prefixes) -> None:
    """Decline when anything below ``element`` is an element feedparser reads into an entry."""
    for inner in element.iter():
        if inner is element:
            continue
        role = _role(inner.tag)[0]
        if role != _IGNORED and not (role == _ASK and prefixes.ignores(inner.tag)):
            raise _Unusual(f"{inner.tag} inside {element.tag}")


def _top_items(root: Element, container: Element | None, prefixes: _Prefixes) -> list[Element]:
    """The entries (``item`` or ``entry`` elements, as feedparser names them) in document
    order, not looking inside them. Iterative: a hostile document may nest deeper than
    Python's recursion limit. Outside the entries, a link or id anywhere but directly in the
    channel (or Atom feed) or inside an image, a text input or a source sends the document to
    feedparser: it could be the feed's own link."""
    found: list[Element] = []
    stack = [iter(root)]
    parents: list[Element] = [root]
    sheltered = [False]
    while stack:
        for child in stack[-1]:
            role = (_ROLE_OF.get(child.tag) or _role(child.tag))[0]
            if role == _ENTRY:
                found.append(child)
                continue
            if role == _ASK and not prefixes.ignores(child.tag):
                raise _Unusual(f"{child.tag}, named by its prefix")
            if role in (_LINK, _GUID) and not sheltered[-1] and parents[-1] is not container:
                raise _Unusual(f"a feed-level {child.tag} outside the channel")
            if len(child):
                stack.append(iter(child))
                parents.append(child)
                sheltered.append(sheltered[-1] or role in (_IMAGE, _SOURCE, _DECLINE))
                break
        else:
            stack.pop()
            parents.pop()
            sheltered.pop()
    return found


def _text(field: Element) -> str:
    if len(field):
        raise _Unusual("markup inside a text field")
    return (field.text or "").strip()


_ENTRY_ATTRS = ("href", "lastmod", "rdf:about")  # feedparser reads these on an item itself


def _entry(element: Element, atom: bool, site: str | None, prefixes: _Prefixes) -> RawEntry:
    """One entry, its children read in document order with feedparser's rules."""
    if element.attrib and any(key in _ENTRY_ATTRS for key in _attrs(element)):
        raise _Unusual("an entry's link, date or id in its attributes")
    title = link = guid = summary = published = updated = outlet = None
    title_is_html = title_kept = has_content = False
    roles = _ROLE_OF
    for child in element:
        role, default = roles.get(child.tag) or _role(child.tag)
        if role == _IGNORED:
            if len(child):
                _nothing_read_inside(child, prefixes)
        elif role == _LINK:
            sets, value = _link(child, True, prefixes)
            if sets:
                link = value
        elif role == _GUID:
            guid, is_link = _guid(child)
            if is_link and link is None:
                link = guid
        elif role == _PUBLISHED:
            published = _fixed(_text(child))
        elif role == _UPDATED:
            updated = _fixed(_text(child))
        elif role in (_SOURCE, _IMAGE):
            if role == _SOURCE:
                outlet = _source(child, prefixes)
            elif len(child):
                _nothing_read_inside(child, prefixes)
            title_kept = False  # feedparser looks for a title again after either
        elif role == _ASK:
            if not prefixes.ignores(child.tag):
                raise _Unusual(f"{child.tag}, named by its prefix")
            if len(child):
                _nothing_read_inside(child, prefixes)
        elif role >= _ENTRY:
            raise _Unusual(f"{child.tag} inside an entry")
        else:  # a text construct
            attrs = _attrs(child) if child.attrib else {}
            kind = _text_type(attrs, default)
            value = _text(child)
            if role == _TITLE:
                if title_kept:  # feedparser keeps the first title that is not empty
                    continue
                title_is_html = kind == "text/html" or (not atom and looks_like_html(value))
                title = _fixed(value)
                title_kept = bool(title)
            elif role == _ABSTRACT:
                summary = _fixed(value)
            elif role == _CONTENT:
                has_content = True
                if summary is None:
                    summary = _fixed(value)
            elif summary is not None and not has_content:
                # feedparser: a description or summary after another, before any content,
                # is read as content, leaving the summary as it was
                has_content = True
            else:
                summary = _fixed(value)
    return RawEntry(
        title=title,
        title_is_html=title_is_html,
        link=link,
        guid=guid,
        summary=summary,
        summary_is_html=True,
        published=_date(published) or _date(updated),
        outlet=outlet,
        site=site,
    )


def _source(element: Element, prefixes: _Prefixes) -> str | None:
    """The outlet an entry's ``<source>`` names: its text (RSS) or its first title (Atom)."""
    title = None
    for part in element:
        role, default = _role(part.tag)
        if role == _TITLE:
            _text_type(_attrs(part) if part.attrib else {}, default)
            value = _fixed(_text(part))
            if not title:
                title = value
        elif role in (_IGNORED, _LINK, _GUID, _PUBLISHED, _UPDATED) or (
            role == _ASK and prefixes.ignores(part.tag)
        ):  # the source's own link, id and dates
            if len(part):
                _nothing_read_inside(part, prefixes)
        else:
            raise _Unusual(f"{part.tag} inside a source")
    own = _fixed("".join([element.text or "", *(part.tail or "" for part in element)]).strip())
    return own or title


def _site(container: Element | None, prefixes: _Prefixes) -> str | None:
    """The feed's own web page as feedparser finds it: the last HTML alternate link or link
    text directly in the channel (Atom feed), else its id when that is a permalink."""
    site = None
    for child in container if container is not None else ():
        role = _role(child.tag)[0]
        if role == _LINK:
            sets, value = _link(child, False, prefixes)
            if sets:
                site = value
        elif role == _GUID:
            value, is_link = _guid(child)
            if is_link and site is None:
                site = value
    return site


def fast_entries(body: bytes, content_type: str | None) -> list[RawEntry] | None:
    """The items of a plain UTF-8 RSS 2.0 / Atom 1.0 document, or None to use feedparser."""
    charset = _charset(content_type)
    if charset not in (None, "utf-8", "utf8"):
        return None
    declared = _DECLARED.match(body[:1024])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return None
    # Entities can only be declared in a DOCTYPE: without one (anywhere) nothing expands, and
    # an undefined entity is an XML error. DTDs and entities are feedparser's business, and so
    # is xml:base (the xml prefix cannot be bound to anything else, so the bytes tell).
    if b"<!DOCTYPE" in body or b"<!doctype" in body or b"xml:base" in body:
        return None
    # S314 (use defusedxml): its parser is the pure-Python one, one Python call per element
    # again; with no DOCTYPE there is nothing for it to defuse.
    parser = XMLParser(encoding="utf-8")  # noqa: S314 - as the charset / declaration said
    try:
        parser.feed(body)
        root = parser.close()
        if root.tag == _RSS_ROOT:
            atom, container = False, root.find("channel")
        elif root.tag == _ATOM_FEED:
            atom, container = True, root
        else:
            return None
        if (
            container is not None
            and container is not root
            and any(key in _ENTRY_ATTRS for key in _attrs(container))
        ):
            return None  # the channel's link or date in its attributes
        prefixes = _Prefixes(body)
        items = _top_items(root, container, prefixes)
        if not items:
            return None
        site = _site(container, prefixes)
        return [_entry(item, atom, site, prefixes) for item in items]
    except (ParseError, _Unusual, ValueError):
        return None
