"""JSON Feed 1.0/1.1 (https://jsonfeed.org) into :class:`FeedEntry` values.

Kept apart from :mod:`bot.sources.feeds` because feedparser does not read JSON. Real JSON feeds
bend the spec (RFC 822 dates, HTML entities in titles), so fields are read defensively: a wrong
type is treated as missing, never as a crash.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.errors import SourceError
from bot.sources.entries import RawEntry, parse_date


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """True when the body starts with ``{``, or (starting with neither ``{`` nor ``<``) when the
    content type says JSON. The body wins over a mislabelled ``Content-Type``."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"<"):
        return head == b"{"
    return bool(content_type and "json" in content_type.lower())


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None


def parse_json_feed(body: bytes, where: str) -> list[RawEntry]:
    """The items of a JSON Feed document.

    Raises:
        SourceError: ``not_a_feed`` when the body is not JSON or not a JSON Feed.
    """
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise SourceError(
            f"{where}: invalid JSON ({exc})", reason="not_a_feed", retryable=False
        ) from None
    version = document.get("version") if isinstance(document, dict) else None
    items = document.get("items") if isinstance(document, dict) else None
    if not (isinstance(version, str) and "jsonfeed.org" in version and isinstance(items, list)):
        raise SourceError(
            f"{where}: JSON document is not a JSON Feed", reason="not_a_feed", retryable=False
        )
    entries: list[RawEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        html = _text(item, "content_html")
        summary = _text(item, "summary") or _text(item, "content_text") or html
        published: datetime | None = parse_date(_text(item, "date_published")) or parse_date(
            _text(item, "date_modified")
        )
        entries.append(
            RawEntry(
                title=_text(item, "title"),
                title_is_html=True,  # entities such as &#8211; are common in JSON titles
                link=_text(item, "url") or _text(item, "external_url"),
                guid=_text(item, "id")
                or (str(item["id"]) if isinstance(item.get("id"), int) else None),
                summary=summary,
                summary_is_html=True,
                published=published,
            )
        )
    return entries
