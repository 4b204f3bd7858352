"""The source kinds dealradar knows, by the name used in configuration (``kind = "rss"``).

A plain dict, no discovery: adding a kind means writing its module and adding one line here.
"""

from __future__ import annotations

from bot.sources import gdelt, news_search, rss
from bot.sources.base import SourceKind

SOURCE_KINDS: dict[str, SourceKind] = {
    "rss": rss.fetch,
    "news_search": news_search.fetch,
    "gdelt": gdelt.fetch,
}
