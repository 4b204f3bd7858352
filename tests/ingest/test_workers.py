"""The parse/classify worker pool: forked from a server that already imported the bot, started
before the first poll on request, unset again when stopped, and gone when the bot is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot.ingest.workers import NICENESS, PRELOAD, start_pool, start_workers, stop_pool, worker_count
from bot.sources import offload
from bot.sources.fetcher import HttpResult
from bot.sources.rss import parse_http_feed
from tests.fakes.feedserver import render_rss


def child_has_bot_loaded() -> tuple[int, bool, int]:
    import sys

    import bot.ingest.analysis

    return (
        os.getpid(),
        "bot.classify.classifier" in sys.modules,
        bot.ingest.analysis.IMPORTED_IN_PID,
    )


async def test_pool_starts_preloaded_workers_and_stops_cleanly() -> None:
    pool = start_pool(2, [])
    assert pool is not None
    try:
        assert offload._executor is pool  # parsing goes to the pool from now on
        await start_workers(pool, 2)
        assert len(pool.processes) == 2  # both running before any parse asked for them
        pid, loaded, imported_in = pool.submit(child_has_bot_loaded).result(timeout=60)
        assert pid != os.getpid()
        assert loaded
        # a worker forked from the preloaded server, not one that imported the bot itself
        # (that costs over a second of CPU): the bot was imported by another process, and
        # not by this one either
        assert imported_in not in (pid, os.getpid())
        # workers yield to the event loop: NICENESS steps lower priority (19 at most)
        assert pool.submit(os.nice, 0).result(timeout=60) == min(19, os.nice(0) + NICENESS)
        # Ctrl-C reaches the workers too; the main process stops them instead
        assert pool.submit(signal.getsignal, signal.SIGINT).result(timeout=60) == signal.SIG_IGN
    finally:
        stop_pool(pool)
    assert offload._executor is None


def test_the_process_pool_is_made_on_first_use_and_refuses_after_shutdown() -> None:
    pool = start_pool(2, [])
    assert pool is not None
    try:
        assert pool._pool is None and pool.processes == []  # nothing started for a quiet run
    finally:
        stop_pool(pool)
    assert pool._pool is None
    with pytest.raises(RuntimeError):
        pool.submit(os.getpid)


async def test_no_workers_means_inline() -> None:
    assert start_pool(0) is None
    assert offload._executor is None
    await start_workers(None, 0)  # nothing to start, no error


def test_worker_count_defaults_to_cores() -> None:
    assert worker_count(None) == (os.cpu_count() or 1)
    assert worker_count(3) == 3
    assert "bot.ingest.analysis" in PRELOAD
    # first, so the forkserver ignores SIGINT while it imports the rest, and its workers from
    # the fork on
    assert PRELOAD[0] == "bot.runtime.worker_signals"


CHILD = """
import asyncio, os, sys, time
from bot.ingest.workers import start_pool, start_workers

async def main():
    pool = start_pool(2, [])
    await start_workers(pool, 2)
    print(" ".join(str(pid) for pid in pool.processes), flush=True)
    time.sleep(600)

if __name__ == "__main__":
    asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
def test_workers_and_forkserver_exit_when_the_bot_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "bot_child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert child.stdout is not None
        workers = [int(pid) for pid in child.stdout.readline().split()]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        with open(f"/proc/{workers[0]}/stat") as stat:
            forkserver = int(stat.read().split(") ", 1)[1].split()[1])
        child.kill()  # SIGKILL: no chance to shut the pool down; not reaped yet either
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(p) for p in [*workers, forkserver]):
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "workers outlived the bot"
        assert not alive(forkserver), "the forkserver outlived the bot"
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


RSS = render_rss("t", [{"title": "Plant to close", "link": "https://n.test/a", "guid": "a"}])


def die() -> None:
    os._exit(1)  # as the OOM killer would end a worker


async def test_a_pool_whose_worker_died_is_replaced_and_parsing_goes_on() -> None:
    pool = start_pool(2, [])
    assert pool is not None
    try:
        await start_workers(pool, 2)
        with pytest.raises(BrokenProcessPool):
            pool.submit(die).result(timeout=60)
        # the next request starts a fresh pool instead of failing like every one before
        assert pool.submit(os.getpid).result(timeout=60) in pool.processes
        assert pool.replaced == 1
        result = HttpResult(200, RSS, "application/rss+xml", None, None, None, "https://f.test/")
        entries, seen = await offload.run_parser(parse_http_feed, result)
        assert [e.title for e in entries] == ["Plant to close"]
        assert seen == offload.entry_digest(entries[0])  # a worker's digest is this process's
    finally:
        stop_pool(pool)
