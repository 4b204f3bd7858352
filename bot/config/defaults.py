"""Built-in sources and routes, used when the config names none.

The default watchlist becomes one news-search source per company (a query that asks for the two
event kinds, so the feed is already narrowed), plus a few industry feeds that report plant and
supply-chain news. Every entry is a public feed that needs no key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config.settings import RouteConfig, SourceConfig

if TYPE_CHECKING:
    from bot.config.settings import Settings

DEFAULT_WATCHLIST: tuple[str, ...] = (
    "Nissan",
    "Foxconn",
    "Toyota",
    "Honda",
    "Stellantis",
    "General Motors",
    "Ford",
    "Volkswagen",
    "Tesla",
    "BYD",
)

NEWS_SEARCH_TEMPLATE = (
    '"{company}" (plant OR factory OR "joint venture" OR partnership OR alliance) when:7d'
)

INDUSTRY_FEEDS: tuple[tuple[str, str], ...] = (
    ("Manufacturing Dive", "https://www.manufacturingdive.com/feeds/news/"),
    ("Automotive Dive", "https://www.automotivedive.com/feeds/news/"),
    ("Supply Chain Dive", "https://www.supplychaindive.com/feeds/news/"),
    ("Electrek", "https://electrek.co/feed/"),
)


def default_sources() -> list[SourceConfig]:
    sources = [
        SourceConfig(
            name=f"News search: {company}",
            kind="news_search",
            query=NEWS_SEARCH_TEMPLATE.format(company=company),
        )
        for company in DEFAULT_WATCHLIST
    ]
    sources += [SourceConfig(name=name, kind="rss", url=url) for name, url in INDUSTRY_FEEDS]
    return sources


def default_routes(settings: Settings) -> list[RouteConfig]:
    """Console only: chat channels subscribe with ``/deal watch`` or config routes."""
    del settings
    return [RouteConfig(platform="console")]
