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
Entries the source's last stored document already had (``seen``: a digest of each link) are
left out where the feed is parsed, so a changed feed sends back only what is new.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.redaction import redact_url
from bot.sources.fetcher import HttpResult
from bot.stories.identity import canonical_url, site_of

Parser = Callable[[HttpResult], list[FeedEntry]]
PARSE_TIMEOUT_S = 30.0
DIGEST_BYTES = 8

_executor: Executor | None = None
_timeout: float = PARSE_TIMEOUT_S


def set_parse_executor(executor: Executor | None, *, timeout: float = PARSE_TIMEOUT_S) -> None:
    """Parse in ``executor`` from now on (None: inline). The caller owns and shuts it down."""
    global _executor, _timeout
    _executor = executor
    _timeout = timeout


def entry_digest(entry: FeedEntry) -> bytes:
    """An 8-byte digest of the entry's link, stable across processes (unlike ``hash()``).

    The link, not the canonical URL: one link always gives the same canonical URL, so an
    entry whose link was stored before is stored already, and the canonical URL (~25 µs) is
    never computed for it. Two links to one article still reach the store, which keeps one."""
    return hashlib.blake2b(entry.url.encode(), digest_size=DIGEST_BYTES).digest()


def parse_unseen(
    parser: Parser, result: HttpResult, seen: bytes = b""
) -> tuple[list[FeedEntry], bytes]:
    """``parser(result)``, leaving out the entries whose digest is in ``seen`` (the last stored
    document's: :attr:`~bot.sources.base.FetchState.seen`), each with its canonical URL and,
    where the feed names no outlet, its link's site as the outlet; and the digests of every
    storable entry of the document, for the next poll's ``seen``.

    Runs in a worker: a changed feed is mostly entries stored at an earlier poll, and these
    need not be identified, cross back to the event loop, be turned into articles and be
    looked up there only to be found stored again."""
    known = {seen[i : i + DIGEST_BYTES] for i in range(0, len(seen), DIGEST_BYTES)}
    entries = []
    digests = []
    for entry in parser(result):
        if entry.storable:  # an entry the pipeline never stores is never "seen"
            digest = entry_digest(entry)
            digests.append(digest)
            if digest in known:
                continue
        entries.append(_identified(entry) if entry.url else entry)
    return entries, b"".join(digests)


def _identified(entry: FeedEntry) -> FeedEntry:
    return FeedEntry(  # not dataclasses.replace: this runs 20,000 times in a cold cycle
        title=entry.title,
        url=entry.url,
        guid=entry.guid,
        summary=entry.summary,
        published=entry.published,
        outlet=entry.outlet or site_of(entry.url) or None,
        canonical_url=entry.canonical_url or canonical_url(entry.url),
    )


async def run_parser(
    parser: Parser, result: HttpResult, seen: bytes = b""
) -> tuple[list[FeedEntry], bytes]:
    """:func:`parse_unseen` where parsing is configured to run: the entries not in ``seen``,
    and the digests of all.

    Raises:
        SourceError: what the parser raises, or ``parse_timeout`` when an executor took longer
            than the configured timeout.
    """
    if _executor is None:
        return parse_unseen(parser, result, seen)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(_timeout):
            return await loop.run_in_executor(_executor, parse_unseen, parser, result, seen)
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
