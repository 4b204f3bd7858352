"""From a parser's raw item to a normalised :class:`FeedEntry`: the rules every format shares.

Each format reader (feedparser for XML feeds, :mod:`bot.sources.jsonfeed`, GDELT) produces
:class:`RawEntry` values; :func:`normalise_entries` applies one set of rules to all of them:

* title and summary become plain text (:mod:`bot.sources.text`), capped at
  :data:`~bot.sources.text.TITLE_MAX_CHARS` / :data:`~bot.sources.text.SUMMARY_MAX_CHARS`;
* the link is whitespace-trimmed, resolved against the feed URL and must be http(s); an item
  without one falls back to a URL-shaped guid, else it is dropped (nothing to point at);
* an item with neither title nor summary is dropped; a missing title falls back to the summary;
* guid: missing or blank → None; longer than :data:`GUID_MAX_CHARS` → ``sha256:<hex>``;
* published: timezone-aware UTC; more than :data:`FUTURE_TOLERANCE` ahead of ``now`` → None
  (a wrong clock or a placeholder, not a publication time);
* a trailing ``" - <outlet>"`` (Google News appends the publisher) is removed from the title;
* duplicates inside one document (same guid, or same link when no guid) keep the first;
* at most :data:`MAX_ENTRIES` entries per document.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bot.domain import FeedEntry
from bot.sources.text import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, clean_text, collapse, truncate

MAX_ENTRIES = 500
GUID_MAX_CHARS = 1024
OUTLET_MAX_CHARS = 200
FUTURE_TOLERANCE = timedelta(days=1)
_COMPACT_UTC = re.compile(r"^(\d{8})T?(\d{6})Z?$")


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One item as a format reader found it, before the shared rules are applied."""

    title: str | None
    link: str | None
    guid: str | None = None
    summary: str | None = None
    published: datetime | None = None
    outlet: str | None = None
    title_is_html: bool = False
    summary_is_html: bool = True


def parse_date(value: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from ISO 8601, RFC 822 or GDELT's ``YYYYMMDDTHHMMSSZ``."""
    if not value:
        return None
    text = value.strip()
    parsed: datetime | None = None
    compact = _COMPACT_UTC.match(text)
    try:
        if compact:
            parsed = datetime.strptime(compact.group(1) + compact.group(2), "%Y%m%d%H%M%S")
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# An absolute http(s) URL that urljoin and urlsplit hand back unchanged: no params (";"), no
# fragment, no empty query, no brackets, spaces or controls. Most feed links look like this.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%!$&'()*+,=:@/-]*)?"
    r"(?:\?[A-Za-z0-9._~%!$&'()*+,=:@/?-]+)?"
)


def _link(raw: RawEntry, base_url: str) -> str | None:
    # A link equal to the guid is feedparser's guess from <guid>: it must be absolute.
    relative_ok = raw.link is not None and raw.link != raw.guid
    for candidate, resolve in ((raw.link, relative_ok), (raw.guid, False)):
        if candidate:
            url = _web_url(candidate.strip(), base_url, resolve)
            if url is not None:
                return url
    return None


def _web_url(text: str, base_url: str, resolve: bool) -> str | None:
    """``text`` as an http(s) URL, resolved against ``base_url`` when ``resolve``; None when
    it is not one. A plain absolute URL is taken as is (what the general rule gives back)."""
    if _PLAIN_URL.fullmatch(text):
        return text
    return _resolved_web_url(text, base_url, resolve)


def _resolved_web_url(text: str, base_url: str, resolve: bool) -> str | None:
    """:func:`_web_url`'s general rule: urljoin and urlsplit decide."""
    try:
        url = urljoin(base_url, text) if resolve else text
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") and " " not in url else None


def struct_to_datetime(value: object) -> datetime | None:
    """A UTC datetime from a parser's ``time.struct_time`` (feedparser's dates), else None."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _guid(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > GUID_MAX_CHARS:
        return "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    return text


def _published(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return None if value > now + FUTURE_TOLERANCE else value


def normalise(raw: RawEntry, *, base_url: str, now: datetime) -> FeedEntry | None:
    """One :class:`FeedEntry`, or None when the item has nothing usable (see module rules)."""
    url = _link(raw, base_url)
    if url is None:
        return None
    title = clean_text(raw.title, is_html=raw.title_is_html, limit=TITLE_MAX_CHARS)
    summary = clean_text(raw.summary, is_html=raw.summary_is_html, limit=SUMMARY_MAX_CHARS)
    outlet = truncate(collapse(raw.outlet or ""), OUTLET_MAX_CHARS) or None
    if outlet and title.endswith(" - " + outlet) and len(title) > len(outlet) + 3:
        title = title[: -(len(outlet) + 3)].rstrip()
    if not title:
        title = truncate(summary, TITLE_MAX_CHARS)
    if not title:
        return None
    return FeedEntry(
        title=title,
        url=url,
        guid=_guid(raw.guid),
        summary=summary,
        published=_published(raw.published, now),
        outlet=outlet,
    )


def normalise_entries(
    raws: list[RawEntry], *, base_url: str, now: datetime | None = None
) -> list[FeedEntry]:
    """Apply :func:`normalise` to each item, drop unusable ones and in-document duplicates."""
    moment = now or datetime.now(UTC)
    seen: set[str] = set()
    entries: list[FeedEntry] = []
    for raw in raws:
        entry = normalise(raw, base_url=base_url, now=moment)
        if entry is None:
            continue
        key = "g:" + entry.guid if entry.guid else "u:" + entry.url
        if key in seen:
            continue
        seen.add(key)
        entries.append(entry)
        if len(entries) >= MAX_ENTRIES:
            break
    return entries
