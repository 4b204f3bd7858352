"""From a parser's raw item to a normalised :class:`FeedEntry`: the rules every format shares.

Each format reader (feedparser for XML feeds, :mod:`bot.sources.jsonfeed`, GDELT) produces
:class:`RawEntry` values; :func:`normalise_entries` applies one set of rules to all of them:

* title and summary become plain text (:mod:`bot.sources.cleaning`), capped at
  :data:`~bot.sources.cleaning.TITLE_MAX_CHARS` / :data:`~bot.sources.cleaning.SUMMARY_MAX_CHARS`;
* the link is whitespace-trimmed, resolved against the feed URL and must be http(s); an item
  without one falls back to a URL-shaped guid, else to the feed's own web page (``site``) with
  a fragment naming the item (``#item-<hash of guid or title>``), which is also its identity
  (``canonical_url``), so two such items of one feed stay two articles; an item with none of
  these is left out;
* an item with neither title nor summary is left out; a missing title falls back to the summary;
* items left out are logged once per document with the source and the first one's title;
* guid: missing or blank → None; longer than :data:`GUID_MAX_CHARS` → ``sha256:<hex>``;
* published: timezone-aware UTC; more than :data:`FUTURE_TOLERANCE` ahead of ``now`` → None
  (a wrong clock or a placeholder, not a publication time);
* a trailing ``" - <outlet>"`` (Google News appends the publisher) is removed from the title;
* duplicates inside one document (same guid, or same link when no guid) keep the first;
* at most :data:`MAX_ENTRIES` entries per document: a longer one keeps the newest by date
  (undated items after dated ones, in document order), so a feed listing oldest first still
  shows its new items, and a warning names the source.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from bot.domain import FeedEntry
from bot.redaction import redact_url
from bot.sources.cleaning import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, clean_text, collapse, truncate

MAX_ENTRIES = 500
GUID_MAX_CHARS = 1024
OUTLET_MAX_CHARS = 200
FUTURE_TOLERANCE = timedelta(days=1)
_COMPACT_UTC = re.compile(r"^(\d{8})T?(\d{6})Z?$")
_NO_TITLE = "no title or summary"
_NO_LINK = "no usable link, guid or site link"

log = logging.getLogger("dealradar.sources")


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
    site: str | None = None  # the feed's own web page: the link of last resort


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


def _site_link(raw: RawEntry, base_url: str) -> str | None:
    """The feed's web page with a fragment naming this item, or None."""
    site = _web_url(raw.site.strip(), base_url, True) if raw.site else None
    if site is None:
        return None
    basis = (raw.guid or "").strip() or collapse(raw.title or "") or collapse(raw.summary or "")
    digest = hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{site.split('#', 1)[0]}#item-{digest}"


def normalise(raw: RawEntry, *, base_url: str, now: datetime) -> FeedEntry | None:
    """One :class:`FeedEntry`, or None when the item has nothing usable (see module rules)."""
    entry = _normalise(raw, base_url, now)
    return entry if isinstance(entry, FeedEntry) else None


def _normalise(raw: RawEntry, base_url: str, now: datetime) -> FeedEntry | str:
    """The entry, or why the item cannot be used."""
    url = _link(raw, base_url)
    identity = None
    if url is None:
        url = identity = _site_link(raw, base_url)
        if url is None:
            return _NO_LINK
    title = clean_text(raw.title, is_html=raw.title_is_html, limit=TITLE_MAX_CHARS)
    summary = clean_text(raw.summary, is_html=raw.summary_is_html, limit=SUMMARY_MAX_CHARS)
    outlet = truncate(collapse(raw.outlet or ""), OUTLET_MAX_CHARS) or None
    if outlet and title.endswith(" - " + outlet) and len(title) > len(outlet) + 3:
        title = title[: -(len(outlet) + 3)].rstrip()
    if not title:
        title = truncate(summary, TITLE_MAX_CHARS)
    if not title:
        return _NO_TITLE
    return FeedEntry(
        title=title,
        url=url,
        guid=_guid(raw.guid),
        summary=summary,
        published=_published(raw.published, now),
        outlet=outlet,
        canonical_url=identity,
    )


def normalise_entries(
    raws: list[RawEntry], *, base_url: str, now: datetime | None = None
) -> list[FeedEntry]:
    """Apply :func:`normalise` to each item, drop unusable ones and in-document duplicates,
    keep the newest :data:`MAX_ENTRIES` (see the module rules); log what was left out."""
    moment = now or datetime.now(UTC)
    seen: set[str] = set()
    entries: list[FeedEntry] = []
    unusable: dict[str, int] = {}
    first_unusable = ""
    for raw in raws:
        entry = _normalise(raw, base_url, moment)
        if isinstance(entry, str):
            unusable[entry] = unusable.get(entry, 0) + 1
            first_unusable = first_unusable or collapse(raw.title or raw.guid or "")[:80]
            continue
        key = "g:" + entry.guid if entry.guid else "u:" + entry.url
        if key in seen:
            continue
        seen.add(key)
        entries.append(entry)
    if unusable:
        log.warning(
            "%s: %d feed items left out (%s)%s",
            redact_url(base_url),
            sum(unusable.values()),
            ", ".join(f"{count} with {why}" for why, count in sorted(unusable.items())),
            f"; the first: {first_unusable!r}" if first_unusable else "",
        )
    if len(entries) > MAX_ENTRIES:
        log.warning(
            "%s: %d feed items, more than %d; reading the newest %d by date",
            redact_url(base_url),
            len(entries),
            MAX_ENTRIES,
            MAX_ENTRIES,
        )
        entries = newest(entries, MAX_ENTRIES)
    return entries


def newest(entries: list[FeedEntry], limit: int) -> list[FeedEntry]:
    """The ``limit`` newest of ``entries`` by publication date (undated ones last, earlier in
    the document first), in document order."""
    oldest = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(
        range(len(entries)),
        key=lambda i: (
            entries[i].published is None,
            -(entries[i].published or oldest).timestamp(),
            i,
        ),
    )
    return [entries[i] for i in sorted(ranked[:limit])]
