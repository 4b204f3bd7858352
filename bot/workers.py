"""The worker processes that parse feeds and classify new articles off the event loop.

``fetch.parse_workers`` processes (None: one per core, 0: everything inline). They come from a
*forkserver*, never a fork of this threaded process. Python 3.11's forkserver does not preload
``__main__`` (its ``main_path`` never reaches the server), so every worker used to re-run the
main script's imports — SQLAlchemy, httpx, the classifier's regular expressions — about 1.3 s
of CPU each, inside the first poll. The server now imports the bot once (:data:`PRELOAD`) and
workers fork from it already loaded (~0.1 s). :func:`warm_up` starts them before the first
poll needs them; each builds its classifier once (:func:`bot.analysis.init_worker`).

Workers run :data:`NICENESS` steps below the main process: the event loop (fetching, storing,
placing stories, answering commands) is what a busy cycle waits on, and with equal priority
three busy processes shared two cores evenly. Deprioritised, the workers use what the loop
leaves (cold 1,000-feed cycle, 7 interleaved pairs: 5-10% faster; docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bot.analysis import init_worker
from bot.sources.offload import set_parse_executor

log = logging.getLogger("dealradar.workers")

PRELOAD = ["bot.cli", "bot.analysis", "bot.sources.feeds"]
NICENESS = 10  # added to a worker's niceness: lower priority than the event loop


def worker_count(workers: int | None) -> int:
    """``fetch.parse_workers`` resolved: None is one per core."""
    return (os.cpu_count() or 1) if workers is None else workers


def worker_context() -> Any:
    """The forkserver context every worker pool uses, its server preloading :data:`PRELOAD`.
    (The forkserver is one per process: whoever starts it first decides what it preloads.)"""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _init_worker(extra_companies: list[dict[str, object]]) -> None:
    """Pool initializer: lower this worker's priority, then build its classifier."""
    try:
        os.nice(NICENESS)
    except OSError:  # not permitted here: run at the same priority, as before
        log.warning("could not lower the worker's priority", extra={"kv": {"pid": os.getpid()}})
    init_worker(extra_companies)


def start_pool(
    workers: int | None, extra_companies: list[dict[str, object]] | None = None
) -> ProcessPoolExecutor | None:
    """The pool for ``fetch.parse_workers`` (None when parsing runs inline), installed as the
    parse executor. Processes start lazily: on the first parse, or on :func:`warm_up`."""
    count = worker_count(workers)
    if count <= 0:
        return None
    pool = ProcessPoolExecutor(
        count,
        mp_context=worker_context(),
        initializer=_init_worker,
        initargs=(extra_companies or [],),
    )
    set_parse_executor(pool)
    return pool


async def start_workers(pool: ProcessPoolExecutor | None, workers: int) -> None:
    """Start every worker now (a no-op task each), so the first poll does not wait for them."""
    if pool is None:
        return
    loop = asyncio.get_running_loop()
    try:
        await asyncio.gather(*(loop.run_in_executor(pool, os.getpid) for _ in range(workers)))
    except Exception:  # parsing falls back to timeouts/inline classification; say why
        log.exception("worker processes failed to start")


def stop_pool(pool: ProcessPoolExecutor) -> None:
    set_parse_executor(None)
    pool.shutdown(wait=True, cancel_futures=True)
