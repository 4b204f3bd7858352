"""Replaying a stream of items through clustering: the engine of ``dealradar cluster``.

Items are mappings with ``id``, ``headline``, optional ``lede``, ``date`` (``YYYY-MM-DD`` or an
ISO time), ``source`` and ``url``, taken in the given order, as the bot would see them. The
classifier and the company finder are passed in (the CLI passes the bot's own), so the replay
runs the same code path as the live pipeline: classify → features → candidates → match → merge.

An item without a usable date gets the stream's clock (the latest date seen so far) and is
marked undated, which makes clustering ignore time for it (see :mod:`bot.stories.clusterer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain import Classifier
from bot.stories.book import MemoryStoryBook
from bot.stories.placement import CompanyFinder, Placement
from bot.stories.state import ArticleInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_date(value: Any) -> datetime | None:
    """``YYYY-MM-DD`` or ISO 8601 as an aware UTC datetime, else ``None``. Never raises."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def replay(
    items: Iterable[Mapping[str, Any]],
    classifier: Classifier | None = None,
    find_companies: CompanyFinder | None = None,
    book: MemoryStoryBook | None = None,
) -> Iterator[tuple[Any, Placement]]:
    """Yield ``(item id, placement)`` for each item, in order. Never raises on odd items."""
    book = MemoryStoryBook() if book is None else book
    clock = _EPOCH
    for item in items:
        title, lede = _text(item, "headline"), _text(item, "lede")
        date = parse_date(item.get("date"))
        if date is not None:
            clock = date
        events = classifier.classify(title, lede) if classifier else []
        found = list(find_companies(f"{title}\n{lede}")) if find_companies else []
        article = ArticleInfo(title=title, url=_text(item, "url"), outlet=_text(item, "source"))
        placement = book.add(
            title,
            lede,
            events,
            date or clock,
            article=article,
            companies=[canonical for canonical, _ in found],
            mentions=[written for _, written in found],
            dated=date is not None,
        )
        yield item.get("id"), placement
