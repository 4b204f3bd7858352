"""The parse/classify worker pool: forked from a server that already imported the bot, started
before the first poll on request, and unset again when stopped."""

from __future__ import annotations

import os

from bot.sources import offload
from bot.workers import NICENESS, PRELOAD, start_pool, start_workers, stop_pool, worker_count


def child_has_bot_loaded() -> tuple[int, bool, int]:
    import sys

    import bot.analysis

    return os.getpid(), "bot.classify.classifier" in sys.modules, bot.analysis.IMPORTED_IN_PID


async def test_pool_starts_preloaded_workers_and_stops_cleanly() -> None:
    pool = start_pool(2, [])
    assert pool is not None
    try:
        assert offload._executor is pool  # parsing goes to the pool from now on
        await start_workers(pool, 2)
        assert len(pool._processes) == 2  # both running before any parse asked for them
        pid, loaded, imported_in = pool.submit(child_has_bot_loaded).result(timeout=60)
        assert pid != os.getpid()
        assert loaded
        # a worker forked from the preloaded server, not one that imported the bot itself
        # (that costs over a second of CPU): the bot was imported by another process, and
        # not by this one either
        assert imported_in not in (pid, os.getpid())
        # workers yield to the event loop: NICENESS steps lower priority (19 at most)
        assert pool.submit(os.nice, 0).result(timeout=60) == min(19, os.nice(0) + NICENESS)
    finally:
        stop_pool(pool)
    assert offload._executor is None


async def test_no_workers_means_inline() -> None:
    assert start_pool(0) is None
    assert offload._executor is None
    await start_workers(None, 0)  # nothing to start, no error


def test_worker_count_defaults_to_cores() -> None:
    assert worker_count(None) == (os.cpu_count() or 1)
    assert worker_count(3) == 3
    assert "bot.analysis" in PRELOAD
