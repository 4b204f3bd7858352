"""Source kind ``news_search``: a query (a company name, a phrase) as a news-search RSS feed.

This is how a watchlist becomes sources without hand-picking feeds: ``"Nissan plant"`` becomes
the Google News RSS search URL for that query (US English edition), fetched and parsed like any
RSS feed. Items carry ``<source>`` (the publisher), which becomes ``FeedEntry.outlet``, and the
`` - Publisher`` suffix is removed from titles (:mod:`bot.sources.entries`).

The base URL is :data:`DEFAULT_BASE_URL`, overridable with the ``DEALRADAR_NEWS_SEARCH_URL``
environment variable or the ``base_url`` argument (tests point it at a local server).
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import httpx

from bot.errors import SourceError
from bot.sources.base import FetchLimits, FetchOutcome, FetchState, SourceSpec
from bot.sources.rss import fetch_document

DEFAULT_BASE_URL = "https://news.google.com/rss/search"
BASE_URL_ENV = "DEALRADAR_NEWS_SEARCH_URL"
EDITION = {"hl": "en-US", "gl": "US", "ceid": "US:en"}


def search_url(query: str, base_url: str | None = None) -> str:
    """The RSS search URL for ``query`` (base from the argument, the env, or the default)."""
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    separator = "&" if "?" in base else "?"
    return base + separator + urlencode({"q": query.strip(), **EDITION})


async def fetch(
    client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
) -> FetchOutcome:
    """Fetch and parse the search feed for ``spec.query``.

    Raises:
        SourceError: ``bad_query`` when the spec has no query, else as the rss kind.
    """
    if not spec.query or not spec.query.strip():
        raise SourceError(
            f"source {spec.name!r}: news_search needs a query", reason="bad_query", retryable=False
        )
    return await fetch_document(client, search_url(spec.query), state, limits)
