"""The ingest writer: changed fetches queue here and are stored many per transaction.

The poller hands over each changed fetch with :meth:`IngestWriter.submit` and waits for its
new-article count. While one transaction commits, later fetches queue up, and the next
transaction takes all of them (up to ``batch_articles`` articles): one feed changing is stored
at once, a thousand are stored in a few commits. At most ``writers`` transactions run at once,
each inside the poller's store-write semaphore (one on SQLite). A failing batch is retried
source by source, so one source's bad data costs the others nothing; whatever happens, no
submitter is left waiting (a writer that fails from a bug fails its waiting fetches).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.ingest.pipeline import ChangedFetch

log = logging.getLogger("dealradar.poll")

IngestMany = Callable[[list[ChangedFetch]], Awaitable[list[int]]]
"""Stores several changed fetches in one commit; returns each one's new-article count."""

INGEST_BATCH = 2000  # articles per ingest transaction (docs/benchmarks.md)

_Waiting = tuple[ChangedFetch, "asyncio.Future[int]"]


class IngestWriter:
    def __init__(
        self,
        ingest_many: IngestMany,
        writes: asyncio.Semaphore,
        *,
        writers: int = 1,
        batch_articles: int = INGEST_BATCH,
    ) -> None:
        self._ingest_many = ingest_many
        self._writes = writes
        self._writers = writers
        self._batch_articles = batch_articles
        self._queue: list[_Waiting] = []
        self._drains: set[asyncio.Task[None]] = set()

    async def submit(self, fetch: ChangedFetch) -> int:
        """Store ``fetch`` (with others); its new-article count, or what storing it raised."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.append((fetch, future))
        if len(self._drains) < self._writers:
            self._drains.add(asyncio.create_task(self._drain()))
        return await future

    async def stop(self) -> None:
        """Cancel running writers (shutdown): nothing keeps writing behind the caller's back."""
        for task in list(self._drains):
            task.cancel()
        if self._drains:
            await asyncio.gather(*self._drains, return_exceptions=True)

    async def _drain(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._queue:
                batch = []
                articles = 0
                while self._queue and (not batch or articles < self._batch_articles):
                    item = self._queue.pop(0)
                    batch.append(item)
                    articles += len(item[0].outcome.entries)
                async with self._writes:
                    await self._store(batch)
        except asyncio.CancelledError:
            for _, future in batch + self._queue:
                future.cancel()
            self._queue.clear()
            raise
        except Exception as exc:  # a bug here: fail the waiting fetches, never strand them
            waiting = batch + self._queue
            self._queue.clear()
            log.exception("ingest writer failed", extra={"kv": {"sources": len(waiting)}})
            for _, future in waiting:
                _settle(future, exception=RuntimeError(f"the ingest writer failed: {exc!r}"))
        finally:
            # at once, not in a done-callback: a fetch queued between this task's end and its
            # callback would see a writer still counted, start none, and wait forever
            task = asyncio.current_task()
            if task is not None:
                self._drains.discard(task)

    async def _store(self, batch: list[_Waiting]) -> None:
        try:
            counts = await self._ingest_many([fetch for fetch, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            # one source's bad data must not cost the others their results
            log.warning(
                "storing a batch failed; storing its sources one by one",
                extra={"kv": {"sources": len(batch), "error": type(exc).__name__}},
            )
            for item in batch:
                await self._store([item])
            return
        for (_, future), count in zip(batch, counts, strict=True):
            _settle(future, count)


def _settle(
    future: asyncio.Future[int], result: int = 0, *, exception: BaseException | None = None
) -> None:
    """Resolve ``future`` unless its waiter is gone (cancelled)."""
    if future.done():
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)
