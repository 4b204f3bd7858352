"""The poller: claim due sources, fetch them concurrently, hand the entries to the pipeline.

Which sources are due is data in the store (``next_poll_at``), claimed with a lease, so one or
several processes can run this loop. Each source is fetched under a concurrency cap with one
shared ``httpx.AsyncClient``; a failure is recorded on that source only (error, backoff,
eventually disabled with the reason) and never delays or stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from bot.domain import Notice
from bot.errors import SourceError
from bot.ingest import poll_marks
from bot.ingest.pipeline import ChangedFetch
from bot.ingest.writer import INGEST_BATCH, IngestMany, IngestWriter
from bot.redaction import redact_url
from bot.sources import backoff
from bot.sources.base import FetchLimits, FetchState, SourceKind, SourceSpec
from bot.store.sources_repo import SourceRecord, SourcesRepo

log = logging.getLogger("dealradar.poll")

LEASE_S = 300.0  # longer than any fetch's total deadline plus ingest
STORE_RETRY_S = 30.0  # a source whose results could not be stored is polled again this soon
RECOVERY_NOTICE_AFTER = 3  # failures in a row before a recovery is worth a notice

FinishMany = Callable[[str, list[tuple[int, dict[str, object]]]], Awaitable[None]]
"""Stores many sources' new fetch state (owner, [(source id, column values)]) in one commit."""


@dataclass
class PollStats:
    polled: int = 0
    changed: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    disabled: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    failures_by_reason: dict[str, int] = field(default_factory=dict)
    # the store's outcomes ("ingest": new articles, "state": sources' fetch state), for readiness
    stored: set[str] = field(default_factory=set)
    store_errors: dict[str, str] = field(default_factory=dict)

    def store_failed(self, kind: str, exc: BaseException) -> None:
        self.store_errors.setdefault(kind, f"{type(exc).__name__}: {str(exc)[:200]}")


class Poller:
    def __init__(
        self,
        repo: SourcesRepo,
        client: httpx.AsyncClient,
        kinds: Mapping[str, SourceKind],
        ingest_many: IngestMany,
        *,
        finish_many: FinishMany,
        owner: str,
        limits: FetchLimits,
        clock: Callable[[], datetime],
        concurrency: int = 32,
        batch: int = 1000,
        notify: Callable[[Notice], Awaitable[None]] | None = None,
        rand: Callable[[], float] = random.random,
        lease_s: float = LEASE_S,
        writers: int = 1,
        ingest_batch: int = INGEST_BATCH,
    ) -> None:
        # Fetches run ``concurrency`` at a time; store writes ``writers`` at a time (1 on
        # SQLite: one writer anyway, and tasks queued here hold no pooled connection and never
        # sleep in SQLite's busy handler). Unchanged and 304 sources are written together with
        # ``finish_many``, one statement per claimed batch (see docs/benchmarks.md); changed
        # fetches go to an :class:`IngestWriter` and are stored many per transaction.
        self._writes = asyncio.Semaphore(writers)
        self._writer = IngestWriter(
            ingest_many, self._writes, writers=writers, batch_articles=ingest_batch
        )
        # sources whose results and lease could not be written (the store was down): written
        # at the next cycle, so they are not stuck until their lease runs out
        self._unreleased: dict[int, dict[str, object]] = {}
        self._finish_many = finish_many
        self._pending: list[tuple[int, dict[str, object]]] = []
        # per source, the entry digests of its last stored document (FetchState.seen): set
        # only once that document's entries are committed, so an entry left out of a later
        # parse is always one the store already holds (articles are never deleted); lost on
        # restart, which costs one full parse result. ~8 bytes an entry.
        self._seen: dict[int, bytes] = {}
        self._lease_s = lease_s
        self._repo = repo
        self._client = client
        self._kinds = kinds
        self._owner = owner
        self._limits = limits
        self._clock = clock
        self._concurrency = concurrency
        self._batch = batch
        self._notify = notify
        self._rand = rand

    async def poll_due(self, horizon: timedelta = timedelta(0)) -> PollStats:
        """Poll every source due now, or within ``horizon`` (in batches); return the counts."""
        stats = PollStats()
        await self._release_unreleased()
        # changed feeds being stored: the next claimed batch is fetched meanwhile
        storing: set[asyncio.Task[None]] = set()
        try:
            while True:
                claimed = await self._repo.claim_due(
                    self._owner, self._clock() + horizon, self._batch, self._lease_s
                )
                if not claimed:
                    break
                await self._poll_all(claimed, stats, storing)
                await self._flush(stats)
                if len(claimed) < self._batch:
                    break
            while storing:
                await asyncio.gather(*storing)
        finally:  # cancelled (shutdown): nothing keeps storing or writing behind the caller
            for task in storing:
                task.cancel()
            await asyncio.gather(*storing, return_exceptions=True)
            await self._writer.stop()
        return stats

    async def _release_unreleased(self) -> None:
        if not self._unreleased:
            return
        pending = list(self._unreleased.items())
        try:
            await self._finish_many(self._owner, pending)
        except Exception:  # still down: the next cycle tries again
            log.warning(
                "cannot release sources yet", extra={"kv": {"sources": len(self._unreleased)}}
            )
            return
        self._unreleased.clear()
        log.info("released sources after a store failure", extra={"kv": {"sources": len(pending)}})

    async def _poll_all(
        self, claimed: list[SourceRecord], stats: PollStats, storing: set[asyncio.Task[None]]
    ) -> None:
        """Poll ``claimed`` in ``concurrency`` lanes. A lane fetches one source at a time and
        hands a changed feed to storage in a task of its own (added to ``storing``), so
        fetching never waits for the store. (A task and a semaphore wait per source cost ~8 %
        of a cycle of 304s.)"""
        sources = iter(claimed)

        async def lane() -> None:
            for source in sources:
                await self._poll_guarded(source, stats, storing)

        await asyncio.gather(*(lane() for _ in range(min(self._concurrency, len(claimed)))))

    async def _poll_guarded(
        self, source: SourceRecord, stats: PollStats, storing: set[asyncio.Task[None]]
    ) -> None:
        try:
            changed = await self._poll(source, stats)
        except Exception as exc:
            await self._store_failed(source, stats, exc)
            return
        if changed is not None:
            task = asyncio.create_task(self._store_guarded(source, changed, stats))
            storing.add(task)
            task.add_done_callback(storing.discard)

    async def _store_guarded(
        self, source: SourceRecord, fetch: ChangedFetch, stats: PollStats
    ) -> None:
        try:
            added = await self._writer.submit(fetch)
        except Exception as exc:  # its last stored document's digests stay valid
            await self._store_failed(source, stats, exc)
            return
        self._seen[source.id] = fetch.outcome.state.seen
        stats.stored.add("ingest")
        stats.new_articles += added  # not `+= await`: that reads the total before waiting
        try:
            await self._recovered(source, stats)
        except Exception as exc:
            await self._store_failed(source, stats, exc)

    async def _store_failed(self, source: SourceRecord, stats: PollStats, exc: Exception) -> None:
        """The store failed while storing this source's results."""
        stats.failed += 1
        stats.store_failed("ingest", exc)
        log.error(
            "poll failed unexpectedly",
            exc_info=exc,
            extra={"kv": {"source": source.name}},
        )
        # give the source back soon (not the source's fault: no failure is counted); if the
        # store is down this fails too and the lease runs out instead
        now = self._clock()
        values: dict[str, object] = {
            "last_error": f"could not store the results: {type(exc).__name__}",
            "last_error_at": now,
            "next_poll_at": now + timedelta(seconds=min(source.interval_s, STORE_RETRY_S)),
        }
        try:
            await self._repo.finish_poll(source.id, self._owner, **values)
        except Exception:
            self._unreleased[source.id] = values

    async def _flush(self, stats: PollStats) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            async with self._writes:
                await self._finish_many(self._owner, pending)
            stats.stored.add("state")
        except Exception as exc:  # written at the next cycle (or their leases run out)
            stats.store_failed("state", exc)
            stats.failed += len(pending)
            log.exception("storing poll results failed", extra={"kv": {"sources": len(pending)}})
            self._unreleased.update(pending)

    async def _poll(self, source: SourceRecord, stats: PollStats) -> ChangedFetch | None:
        """Fetch ``source`` and record the outcome; a changed feed is returned for storing."""
        spec = SourceSpec(name=source.name, kind=source.kind, url=source.url, query=source.query)
        state = FetchState(
            source.etag, source.last_modified, source.body_hash, self._seen.get(source.id, b"")
        )
        stats.polled += 1
        try:
            kind = self._kinds.get(source.kind)
            if kind is None:
                raise SourceError(
                    f"unknown source kind {source.kind!r}", reason="bad_kind", retryable=False
                )
            outcome = await kind(self._client, spec, state, self._limits)
        except SourceError as exc:
            await self._failed(source, exc, stats)
            return None
        except Exception as exc:  # a parser bug is this source's problem, not the loop's
            log.exception("source raised unexpectedly", extra={"kv": {"source": source.name}})
            await self._failed(source, SourceError(repr(exc), reason="internal"), stats)
            return None
        now = self._clock()
        delay = backoff.next_delay(source.interval_s, 0, None, outcome.max_age, self._rand)
        changed = outcome.status == "changed"
        values: dict[str, object] = {
            "last_polled_at": now,
            "last_success_at": now,
            "consecutive_failures": 0,
            "last_error": None,
            "next_poll_at": now + timedelta(seconds=delay),
            "recent_polls": poll_marks.after(
                source.recent_polls, poll_marks.CHANGED if changed else poll_marks.NOT_MODIFIED
            ),
        }
        values.update(  # a 200 with the same body may still carry a new ETag: keep it
            etag=outcome.state.etag,
            last_modified=outcome.state.last_modified,
            body_hash=outcome.state.body_hash,
            backlog_done=True,
        )
        if outcome.moved_to and source.url and outcome.moved_to != source.url:
            log.info(
                "source moved permanently",
                extra={"kv": {"source": source.name, "to": redact_url(outcome.moved_to)}},
            )
        if changed:
            stats.changed += 1
            return ChangedFetch(source, outcome, now, values)
        stats.not_modified += 1
        self._pending.append((source.id, values))
        await self._recovered(source, stats)
        return None

    async def _recovered(self, source: SourceRecord, stats: PollStats) -> None:
        if source.consecutive_failures >= RECOVERY_NOTICE_AFTER:
            stats.recovered.append(source.name)
            log.info("source recovered", extra={"kv": {"source": source.name}})
            await self._tell(
                f"Source '{source.name}' recovered after {source.consecutive_failures} failures."
            )

    async def _failed(self, source: SourceRecord, exc: SourceError, stats: PollStats) -> None:
        now = self._clock()
        failures = source.consecutive_failures + 1
        stats.failed += 1
        stats.failures_by_reason[exc.reason] = stats.failures_by_reason.get(exc.reason, 0) + 1
        message = redact_url(str(exc))[:1000]
        delay = backoff.next_delay(
            source.interval_s, failures, exc.retry_after, None, self._rand, retryable=exc.retryable
        )
        values: dict[str, object] = {
            "last_polled_at": now,
            "last_error": message,
            "last_error_at": now,
            "consecutive_failures": failures,
            "next_poll_at": now + timedelta(seconds=delay),
            "recent_polls": poll_marks.after(source.recent_polls, poll_marks.ERROR),
        }
        since = source.last_success_at or source.created_at
        reason = backoff.should_disable(failures, since, now, exc)
        if reason:
            values.update(enabled=False, disabled_reason=reason[:1000], disabled_at=now)
            stats.disabled.append(source.name)
        async with self._writes:
            await self._repo.finish_poll(source.id, self._owner, **values)
        log.warning(
            "source failed",
            extra={
                "kv": {
                    "source": source.name,
                    "reason": exc.reason,
                    "failures": failures,
                    "retry_in_s": round(delay),
                    "error": message,
                }
            },
        )
        if reason:
            log.error("source disabled", extra={"kv": {"source": source.name, "why": reason}})
            await self._tell(f"Source '{source.name}' disabled: {reason}")

    async def _tell(self, text: str) -> None:
        if self._notify is not None:
            await self._notify(Notice(text))
