"""Where feed parsing runs: inline on the event loop (default) or in an executor.

Parsing is the expensive half of a poll (feedparser costs milliseconds per feed, the Guardian
sample ~70 ms) and it is pure CPU: on the event loop it stalls every other fetch, whose total
deadlines keep running meanwhile. The composition root can hand parsing to a process pool sized
to the cores with :func:`set_parse_executor`; every source kind then parses through
:func:`run_parser`. Parsers must be module-level functions (picklable) taking an
:class:`~bot.sources.fetcher.HttpResult`; their :class:`SourceError` crosses the process boundary
intact (reason, retryable and retry_after survive pickling).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor

from bot.domain import FeedEntry
from bot.sources.fetcher import HttpResult

Parser = Callable[[HttpResult], list[FeedEntry]]

_executor: Executor | None = None


def set_parse_executor(executor: Executor | None) -> None:
    """Parse in ``executor`` from now on (None: inline). The caller owns and shuts it down."""
    global _executor
    _executor = executor


async def run_parser(parser: Parser, result: HttpResult) -> list[FeedEntry]:
    """Run ``parser(result)`` where parsing is configured to run. Raises what the parser raises."""
    if _executor is None:
        return parser(result)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor, parser, result)
