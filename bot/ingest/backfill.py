"""Backfill: the recent past of a company, stored without alerting.

When a channel starts watching a company (``/deal watch X``, in the background through
:class:`BackfillJobs`) or an operator runs ``dealradar backfill X``, :class:`Backfiller` fetches

* the company's news-search feed as it is now (one request: its current items), and
* where GDELT is enabled (an enabled ``gdelt`` source is stored), GDELT's last ``days`` days
  (at most :data:`MAX_DAYS`, as far back as the DOC API searches), one request per day,
  newest first,

and stores them as a source's first poll stores its backlog
(:meth:`bot.ingest.pipeline.Pipeline.store_backlog`): deduplicated, classified, placed into stories
and so answerable by ``/deal X``, never alerted.

Bounded: one feed request plus at most :data:`MAX_DAYS` windows of
:data:`bot.sources.gdelt.WINDOW_MAX_RECORDS` articles (22,500 in all). Polite: the sources'
shared HTTP client (address pinning, deadline, body-size cap); every GDELT request waits for
the process-wide GDELT slot that polling also uses (one request every 5 s); a rate limit (429,
503 with Retry-After, GDELT's "limit requests" notice) waits its ``Retry-After``, capped at
:data:`MAX_WAIT_S`, and tries the window again, up to :data:`MAX_ATTEMPTS` times. A query GDELT
rejects stops the GDELT part; any other failed window is logged and skipped.

Interrupt and resume: **idempotent by deduplication**, no progress table. Each window is
committed on its own, and articles are stored only when their canonical URL (or guid) is not
stored yet, so an interrupted backfill resumes by running it again: windows already stored
cost one request each and store nothing, and a complete rerun stores nothing at all. A
recorded "last completed window" would save those requests, but GDELT keeps indexing late
articles into past days, so a rerun that fetches every window also finds what the first run
could not have.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from bot.domain import FeedEntry
from bot.errors import SourceError
from bot.sources import gdelt, news_search
from bot.sources.base import FetchLimits, FetchState, SourceSpec
from bot.sources.spacing import Spacer
from bot.store.sources_repo import SourceRecord

log = logging.getLogger("dealradar.backfill")

DEFAULT_DAYS = 90
MAX_DAYS = gdelt.HISTORY_DAYS
WINDOW = timedelta(days=1)
MAX_ATTEMPTS = 4  # tries of one window when it is rate limited or fails retryably
RETRY_S = 30.0  # wait before another try when no Retry-After was given
MAX_WAIT_S = 300.0  # the longest one Retry-After is waited

StoreBacklog = Callable[[int | None, str, Sequence[FeedEntry], datetime], Awaitable[int]]
"""Stores past entries without alerting; returns how many were new
(:meth:`bot.ingest.pipeline.Pipeline.store_backlog`)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One request done: ``done`` of ``total``, and what it brought."""

    done: int
    total: int
    what: str
    fetched: int
    stored: int


@dataclass
class BackfillReport:
    company: str
    days: int
    steps: int = 0
    fetched: int = 0
    stored: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Plan:
    news: SourceSpec
    news_source: int | None
    gdelt_query: str | None
    gdelt_source: int | None


def _covering(sources: Sequence[SourceRecord], kind: str, company: str) -> SourceRecord | None:
    key = company.casefold()
    return next(
        (s for s in sources if s.kind == kind and s.query and key in s.query.casefold()), None
    )


def gdelt_query(company: str) -> str:
    """GDELT's query for a company: a phrase in quotes when the name has several words."""
    return f'"{company}"' if " " in company.strip() else company.strip()


class Backfiller:
    """Fetches and stores one company's recent past (see the module docstring)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        limits: FetchLimits,
        store_backlog: StoreBacklog,
        list_sources: Callable[[], Awaitable[Sequence[SourceRecord]]],
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        spacer: Spacer | None = None,
    ) -> None:
        self._client = client
        self._limits = limits
        self._store = store_backlog
        self._list_sources = list_sources
        self._clock = clock
        self._sleep = sleep
        self._spacer = spacer or gdelt.SPACER  # the process-wide GDELT slot, as polling

    async def _plan(self, company: str) -> _Plan:
        sources = [s for s in await self._list_sources() if s.enabled]
        news = _covering(sources, "news_search", company)
        gdelt_enabled = any(s.kind == "gdelt" for s in sources)
        covering_gdelt = _covering(sources, "gdelt", company)
        return _Plan(
            news=SourceSpec(
                name=news.name if news else f"backfill {company}",
                kind="news_search",
                query=news.query if news else company,
            ),
            news_source=news.id if news else None,
            gdelt_query=(covering_gdelt.query if covering_gdelt else gdelt_query(company))
            if gdelt_enabled
            else None,
            gdelt_source=covering_gdelt.id if covering_gdelt else None,
        )

    async def steps(self, company: str, days: int) -> int:
        """How many requests :meth:`run` makes for ``company`` (for a progress bar)."""
        plan = await self._plan(company)
        return 1 + (days if plan.gdelt_query else 0)

    async def run(
        self, company: str, days: int = DEFAULT_DAYS, on_step: Callable[[Step], None] | None = None
    ) -> BackfillReport:
        """Backfill ``company`` (canonical name) over ``days`` days; ``on_step`` is called
        after each request. Failed requests are listed in the report, not raised.

        Raises:
            ValueError: ``days`` is not within 1..:data:`MAX_DAYS`.
            StoreError: the database fails (what is committed so far stays stored).
        """
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"days must be within 1..{MAX_DAYS}, not {days}")
        plan = await self._plan(company)
        report = BackfillReport(company, days)
        total = 1 + (days if plan.gdelt_query else 0)
        log.info(
            "backfill started",
            extra={"kv": {"company": company, "days": days, "requests": total}},
        )

        def step(what: str, fetched: int, stored: int) -> None:
            report.steps += 1
            report.fetched += fetched
            report.stored += stored
            log.info(
                "backfill progress",
                extra={
                    "kv": {
                        "company": company,
                        "done": report.steps,
                        "of": total,
                        "what": what,
                        "fetched": fetched,
                        "stored": stored,
                    }
                },
            )
            if on_step is not None:
                on_step(Step(report.steps, total, what, fetched, stored))

        try:
            entries = await self._attempt(report, "news search", lambda: self._news(plan.news))
        except SourceError as exc:
            entries = None
            report.failed.append(f"news search: {exc}")
            log.warning("backfill news search failed", extra={"kv": {"error": str(exc)[:200]}})
        stored = await self._keep(plan.news_source, plan.news.name, entries)
        step("news search", len(entries or []), stored)
        if plan.gdelt_query:
            await self._gdelt(report, plan, days, step)
        log.info(
            "backfill done",
            extra={
                "kv": {
                    "company": company,
                    "fetched": report.fetched,
                    "stored": report.stored,
                    "failed": len(report.failed),
                }
            },
        )
        return report

    async def _news(self, spec: SourceSpec) -> list[FeedEntry]:
        outcome = await news_search.fetch(self._client, spec, FetchState(), self._limits)
        return outcome.entries

    async def _gdelt(
        self, report: BackfillReport, plan: _Plan, days: int, step: Callable[[str, int, int], None]
    ) -> None:
        assert plan.gdelt_query is not None
        end = self._clock()
        name = f"GDELT {plan.gdelt_query}"
        query = plan.gdelt_query
        for number in range(days):
            start = end - WINDOW
            what = f"GDELT {start:%Y-%m-%d}"

            def fetch(start: datetime = start, end: datetime = end) -> Awaitable[list[FeedEntry]]:
                return gdelt.fetch_window(
                    self._client, query, start, end, self._limits, self._spacer
                )

            try:
                entries = await self._attempt(report, what, fetch)
            except SourceError as exc:  # refused for good (a bad query): no window can work
                report.failed.append(f"{what}: {exc}")
                log.warning("backfill stops GDELT", extra={"kv": {"error": str(exc)[:200]}})
                for _ in range(number, days):
                    step("GDELT skipped", 0, 0)
                return
            stored = await self._keep(plan.gdelt_source, name, entries)
            step(what, len(entries or []), stored)
            end = start

    async def _attempt(
        self, report: BackfillReport, what: str, fetch: Callable[[], Awaitable[list[FeedEntry]]]
    ) -> list[FeedEntry] | None:
        """The entries of one request, tried again after a rate limit (waiting its
        Retry-After) or another retryable failure; None when every try failed (recorded in
        the report).

        Raises:
            SourceError: a failure that is not retryable (the caller decides what stops).
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await fetch()
            except SourceError as exc:
                if not exc.retryable:
                    raise
                if attempt == MAX_ATTEMPTS:
                    report.failed.append(f"{what}: {exc}")
                    log.warning(
                        "backfill request failed",
                        extra={"kv": {"what": what, "error": str(exc)[:200]}},
                    )
                    return None
                wait = min(RETRY_S if exc.retry_after is None else exc.retry_after, MAX_WAIT_S)
                log.info(
                    "backfill waits",
                    extra={"kv": {"what": what, "reason": exc.reason, "seconds": wait}},
                )
                await self._sleep(wait)
        return None

    async def _keep(self, source_id: int | None, name: str, entries: list[FeedEntry] | None) -> int:
        if not entries:
            return 0
        return await self._store(source_id, name, entries, self._clock())


class BackfillJobs:
    """Backfills started by ``/deal watch``, each a background task: one per company at a
    time, and a failing one is logged and never stops polling or another backfill
    (implements :class:`bot.ports.Backfills`)."""

    def __init__(self, backfiller: Backfiller, days: int = DEFAULT_DAYS) -> None:
        self._backfiller = backfiller
        self.days = days
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, company: str) -> bool:
        """Start backfilling ``company`` unless it already is; True when started."""
        if company in self._tasks:
            return False
        task = asyncio.get_running_loop().create_task(self._run(company))
        self._tasks[company] = task
        task.add_done_callback(lambda _: self._tasks.pop(company, None))
        return True

    async def _run(self, company: str) -> None:
        try:
            await self._backfiller.run(company, self.days)
        except asyncio.CancelledError:
            log.info("backfill interrupted", extra={"kv": {"company": company}})
            raise
        except Exception:
            log.exception("backfill failed", extra={"kv": {"company": company}})

    async def wait(self) -> None:
        """Until every backfill running now has finished."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def close(self) -> None:
        """Interrupt the running backfills (what they committed stays; a rerun resumes)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
