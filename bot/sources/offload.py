"""Where feed parsing runs: inline on the event loop (default) or in an executor.

Parsing is the expensive half of a poll (feedparser costs milliseconds per ordinary feed, and a
hostile, feed-shaped document of 1 MB can take several seconds) and it is pure CPU: inline, it
stalls every other fetch while their total deadlines keep running. The composition root should
hand parsing to a process pool sized to the cores with :func:`set_parse_executor`; every source
kind then parses through :func:`run_parser`, which also bounds the wait by
:data:`PARSE_TIMEOUT_S` (a worker still busy with a hostile document finishes on its own; the
source gets ``SourceError(reason="parse_timeout")``; when a worker dies mid-parse, the
sources whose parses were in flight get ``reason="parse_worker_died"``, retryable). Parsers
must be module-level functions (picklable) taking an :class:`~bot.sources.fetcher.HttpResult`;
their :class:`SourceError` crosses the process boundary intact (reason, retryable and
retry_after survive pickling).
Entries come back with their canonical URL (:func:`bot.stories.identity.canonical_url`)
and, where the feed names no outlet, their site (:func:`bot.stories.identity.site_of`)
already computed where they were parsed: ~25 µs an entry, 0.5 s of a cold 1,000-feed cycle
that no longer runs on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.sources.addresses import redact_url
from bot.sources.fetcher import HttpResult
from bot.stories.identity import canonical_url, site_of

Parser = Callable[[HttpResult], list[FeedEntry]]
PARSE_TIMEOUT_S = 30.0

_executor: Executor | None = None
_timeout: float = PARSE_TIMEOUT_S


def set_parse_executor(executor: Executor | None, *, timeout: float = PARSE_TIMEOUT_S) -> None:
    """Parse in ``executor`` from now on (None: inline). The caller owns and shuts it down."""
    global _executor, _timeout
    _executor = executor
    _timeout = timeout


def parse_and_identify(parser: Parser, result: HttpResult) -> list[FeedEntry]:
    """``parser(result)``, each entry with its canonical URL and, where the feed names no
    outlet, its link's site as the outlet (runs in a worker)."""
    return [_identified(entry) if entry.url else entry for entry in parser(result)]


def _identified(entry: FeedEntry) -> FeedEntry:
    return FeedEntry(  # not dataclasses.replace: this runs 20,000 times in a cold cycle
        title=entry.title,
        url=entry.url,
        guid=entry.guid,
        summary=entry.summary,
        published=entry.published,
        outlet=entry.outlet or site_of(entry.url) or None,
        canonical_url=canonical_url(entry.url),
    )


async def run_parser(parser: Parser, result: HttpResult) -> list[FeedEntry]:
    """Run ``parser(result)`` where parsing is configured to run.

    Raises:
        SourceError: what the parser raises, or ``parse_timeout`` when an executor took longer
            than the configured timeout.
    """
    if _executor is None:
        return parse_and_identify(parser, result)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(_timeout):
            return await loop.run_in_executor(_executor, parse_and_identify, parser, result)
    except TimeoutError:
        raise SourceError(
            f"{redact_url(result.final_url)}: parsing took longer than {_timeout:g}s",
            reason="parse_timeout",
            retryable=False,
        ) from None
    except BrokenProcessPool:  # a worker died mid-parse (this document, or another one)
        raise SourceError(
            f"{redact_url(result.final_url)}: the parse worker died; retried at the next poll",
            reason="parse_worker_died",
        ) from None
