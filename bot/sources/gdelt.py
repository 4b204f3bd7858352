"""Source kind ``gdelt``: the GDELT DOC 2.0 article list for a query, as JSON.

GDELT is free and asks for at most one request every 5 seconds, so every GDELT fetch in the
process first waits for a slot from :data:`SPACER` (outside the fetch's own deadline, so
waiting in line never counts as a timeout). The base URL is :data:`DEFAULT_BASE_URL`,
overridable with ``DEALRADAR_GDELT_URL`` or the ``base_url`` argument of :func:`gdelt_url`.

GDELT reports many errors as **HTTP 200 with a plain-text body** ("A maximum of 250 records can
be returned.", "Please limit requests to one every 5 seconds…", "phrase is too short"). Those
become :class:`SourceError`: ``rate_limited`` (retryable, ``retry_after``), ``bad_query``
(not retryable: the query itself must change) or ``gdelt_error``. An empty body or ``{}`` means
no results. Articles carry no summary or publication time: ``seendate`` (when GDELT first saw the
URL) stands in for ``published``, and ``domain`` becomes the outlet. GDELT tokenises
punctuation in titles (``word , word``); spaces before punctuation are removed.

:func:`fetch_window` asks for one time window of the past (``startdatetime`` /
``enddatetime``, up to :data:`WINDOW_MAX_RECORDS` articles): the backfill of a new watch
(:mod:`bot.ingest.backfill`). The DOC API searches only the last :data:`HISTORY_DAYS` days.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.redaction import redact_url
from bot.sources.base import FetchLimits, FetchOutcome, FetchState, SourceSpec
from bot.sources.entries import RawEntry, normalise_entries, parse_date
from bot.sources.fetcher import HttpResult
from bot.sources.rss import fetch_document
from bot.sources.spacing import Spacer

DEFAULT_BASE_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
BASE_URL_ENV = "DEALRADAR_GDELT_URL"
MIN_SPACING_S = 5.0
MAX_RECORDS = 75
WINDOW_MAX_RECORDS = 250  # the most one DOC 2.0 request returns
HISTORY_DAYS = 90  # how far back the DOC 2.0 API searches
RATE_LIMIT_RETRY_AFTER_S = 60.0
SPACER = Spacer(MIN_SPACING_S)
"""Process-wide: every GDELT request waits for its slot here."""

_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?:([,;:!?%)])(?=\s|$)|(\.)$)")
_QUERY_ERRORS = (
    "too short",
    "too long",
    "too common",
    "maximum of",
    "invalid",
    "must be",
    "not supported",
    "unknown",
)


def gdelt_url(query: str, base_url: str | None = None) -> str:
    """The DOC 2.0 ``artlist`` JSON URL for ``query``, newest first."""
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    params = {
        "query": query.strip(),
        "mode": "artlist",
        "format": "json",
        "maxrecords": str(MAX_RECORDS),
        "sort": "datedesc",
    }
    return base + ("&" if "?" in base else "?") + urlencode(params)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def gdelt_window_url(
    query: str, start: datetime, end: datetime, base_url: str | None = None
) -> str:
    """The ``artlist`` JSON URL for ``query`` seen in ``[start, end)``, newest first."""
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    params = {
        "query": query.strip(),
        "mode": "artlist",
        "format": "json",
        "maxrecords": str(WINDOW_MAX_RECORDS),
        "sort": "datedesc",
        "startdatetime": _stamp(start),
        "enddatetime": _stamp(end),
    }
    return base + ("&" if "?" in base else "?") + urlencode(params)


def _notice_error(text: str, where: str) -> SourceError:
    notice = " ".join(text.split())[:200]
    lowered = notice.lower()
    if "limit requests" in lowered or "rate" in lowered or "every 5 seconds" in lowered:
        return SourceError(
            f"{where}: GDELT rate limit: {notice}",
            reason="rate_limited",
            retry_after=RATE_LIMIT_RETRY_AFTER_S,
        )
    if lowered.startswith("<"):
        return SourceError(f"{where}: GDELT answered with HTML, not JSON", reason="gdelt_error")
    if any(marker in lowered for marker in _QUERY_ERRORS):
        return SourceError(
            f"{where}: GDELT rejected the query: {notice}", reason="bad_query", retryable=False
        )
    return SourceError(f"{where}: GDELT error: {notice}", reason="gdelt_error")


def _load(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return json.loads(text, strict=False)  # GDELT sometimes leaves control characters in
    except (ValueError, RecursionError) as exc:
        raise SourceError(
            f"{where}: GDELT sent invalid JSON ({exc})", reason="gdelt_error"
        ) from None


def parse_gdelt(body: bytes, *, base_url: str) -> list[FeedEntry]:
    """The articles of one ``artlist`` JSON response.

    Raises:
        SourceError: the body is a GDELT error notice or not an artlist (see module docstring).
    """
    where = redact_url(base_url)
    text = body.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
    if not text:
        return []
    if not text.startswith("{"):
        raise _notice_error(text, where)
    document = _load(text, where)
    if not isinstance(document, dict):
        raise SourceError(f"{where}: GDELT JSON is not an object", reason="gdelt_error")
    articles = document.get("articles", [])
    if not isinstance(articles, list):
        raise SourceError(f"{where}: GDELT 'articles' is not a list", reason="gdelt_error")
    raws = [_raw(a) for a in articles if isinstance(a, dict)]
    return normalise_entries(raws, base_url=base_url)


def _str(article: dict[str, Any], key: str) -> str | None:
    value = article.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _raw(article: dict[str, Any]) -> RawEntry:
    title = _str(article, "title")
    return RawEntry(
        title=_SPACE_BEFORE_PUNCT.sub(r"\1\2", title) if title else None,
        link=_str(article, "url"),
        guid=None,  # GDELT has no ids; the article URL is the identity
        summary=None,
        published=parse_date(_str(article, "seendate")),
        outlet=_str(article, "domain"),
    )


def _parse_result(result: HttpResult) -> list[FeedEntry]:
    return parse_gdelt(result.body, base_url=result.final_url)


async def fetch(
    client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
) -> FetchOutcome:
    """Wait for a GDELT slot, then fetch and parse the article list for ``spec.query``.

    Raises:
        SourceError: ``bad_query`` without a query; fetch errors; GDELT notices (see above).
    """
    if not spec.query or not spec.query.strip():
        raise SourceError(
            f"source {spec.name!r}: gdelt needs a query", reason="bad_query", retryable=False
        )
    await SPACER.wait()
    return await fetch_document(client, gdelt_url(spec.query), state, limits, _parse_result)


async def fetch_window(
    client: httpx.AsyncClient,
    query: str,
    start: datetime,
    end: datetime,
    limits: FetchLimits,
    spacer: Spacer = SPACER,
) -> list[FeedEntry]:
    """Wait for a GDELT slot (``spacer``), then fetch and parse one window of the past.

    Raises:
        SourceError: fetch errors (``rate_limited`` with ``retry_after`` on 429 or a GDELT
            rate notice) and GDELT notices (see the module docstring).
    """
    await spacer.wait()
    outcome = await fetch_document(
        client, gdelt_window_url(query, start, end), FetchState(), limits, _parse_result
    )
    return outcome.entries
