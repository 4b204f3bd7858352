"""Source kind ``rss``: an RSS, RDF, Atom or JSON Feed document at a URL.

Also home of :func:`fetch_document`, the fetch → hash → parse sequence every kind shares: a 304
is ``not_modified``; a 200 whose body hashes (SHA-256) like the last one is ``unchanged`` and is
not parsed at all (parsing is the expensive half of a poll); anything else is parsed (where
:mod:`bot.sources.offload` says) and ``changed``.
"""

from __future__ import annotations

import hashlib

import httpx

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.sources.base import FetchLimits, FetchOutcome, FetchState, SourceSpec
from bot.sources.fetcher import HttpResult, fetch_bytes
from bot.sources.offload import Parser, run_parser


def body_hash(body: bytes) -> str:
    """The SHA-256 hex digest stored in :attr:`FetchState.body_hash`."""
    return hashlib.sha256(body).hexdigest()


def parse_http_feed(result: HttpResult) -> list[FeedEntry]:
    """:func:`bot.sources.feeds.parse_feed` applied to a fetched document. Raises SourceError."""
    # imported here: feedparser costs start-up time, and documents are parsed in the worker
    # processes (whose server preloads the module: bot.ingest.workers.PRELOAD)
    from bot.sources.feeds import parse_feed

    return parse_feed(result.body, content_type=result.content_type, base_url=result.final_url)


async def fetch_document(
    client: httpx.AsyncClient,
    url: str,
    state: FetchState,
    limits: FetchLimits,
    parser: Parser = parse_http_feed,
) -> FetchOutcome:
    """Fetch ``url`` conditionally and parse it only when its body changed.

    Raises:
        SourceError: from the fetch (:mod:`bot.sources.fetcher`) or the parser.
    """
    result = await fetch_bytes(client, url, state, limits)
    if result.status == 304:
        return FetchOutcome(
            status="not_modified",
            state=FetchState(result.etag, result.last_modified, state.body_hash, state.seen),
            max_age=result.max_age,
            moved_to=result.moved_to,
        )
    digest = body_hash(result.body)
    if digest == state.body_hash:
        return FetchOutcome(
            status="unchanged",
            state=FetchState(result.etag, result.last_modified, digest, state.seen),
            max_age=result.max_age,
            moved_to=result.moved_to,
        )
    entries, seen = await run_parser(parser, result, state.seen)
    return FetchOutcome(
        status="changed",
        entries=entries,
        state=FetchState(result.etag, result.last_modified, digest, seen),
        max_age=result.max_age,
        moved_to=result.moved_to,
    )


async def fetch(
    client: httpx.AsyncClient, spec: SourceSpec, state: FetchState, limits: FetchLimits
) -> FetchOutcome:
    """Fetch and parse the feed at ``spec.url``.

    Raises:
        SourceError: ``bad_url`` when the spec has no URL, else as :func:`fetch_document`.
    """
    if not spec.url:
        raise SourceError(
            f"source {spec.name!r}: rss needs a url", reason="bad_url", retryable=False
        )
    return await fetch_document(client, spec.url, state, limits)
