"""The worker processes that parse feeds and classify new articles off the event loop.

``fetch.parse_workers`` processes (None: one per core, 0: everything inline). They come from a
*forkserver*, never a fork of this threaded process. Python 3.11's forkserver does not preload
``__main__`` (its ``main_path`` never reaches the server), so each worker would re-run the main
script's imports — SQLAlchemy, httpx, the classifier's regular expressions — about 1.3 s of CPU
each, inside the first poll. The server imports the bot once (:data:`PRELOAD`) and workers fork
from it already loaded (~0.1 s). :func:`warm_up` starts them before the first
poll needs them; each builds its classifier once (:func:`bot.ingest.analysis.init_worker`).

Workers run :data:`NICENESS` steps below the main process: the event loop (fetching, storing,
placing stories, answering commands) is what a busy cycle waits on, and with equal priority
three busy processes share two cores evenly. Deprioritised, the workers use what the loop
leaves (cold 1,000-feed cycle, 7 interleaved pairs: 5-10% faster; docs/benchmarks.md).

Workers ignore SIGINT, from the fork on (:mod:`bot.runtime.worker_signals`, preloaded first) and
again in their initializer. A terminal's Ctrl-C goes to the whole process group: the main process
takes it as a clean stop and shuts the pool down (:func:`stop_pool`), so the workers finish
what they hold and exit when told; their own ``KeyboardInterrupt`` would only print a traceback
per worker and lose that work. SIGTERM keeps its default (a supervisor's hard stop).

Workers exit when the main process dies, however it dies. Killed with SIGKILL (the OOM killer,
``kill -9``), it cannot shut its pool down, and a worker waiting on the pool's queue (whose
write end every worker holds) would wait forever, keeping the forkserver alive too: three stray
processes of ~90 MiB after every crash. Each worker watches the read end of a pipe whose only
write end the main process holds (:func:`_exit_with_parent`); the kernel closes it when the
process dies, the read returns end-of-file, and the worker exits.

A :class:`ProcessPoolExecutor` whose worker dies (the OOM killer, a crash on a hostile document)
is broken for good: every later parse fails, for every source, until the bot restarts.
:class:`WorkerPool` starts a fresh pool on the next request after such a break (logged), so a
dead worker costs the requests in flight at that moment, not every poll after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

from bot.ingest.analysis import init_worker
from bot.sources.offload import set_parse_executor

log = logging.getLogger("dealradar.workers")

PRELOAD = [
    "bot.runtime.worker_signals",
    "bot.cli",
    "bot.ingest.analysis",
    "bot.classify",
    "bot.sources.feeds",
    "numpy",
]
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


def _exit_with_parent(parent_alive: Connection) -> None:
    """Exit this worker once the main process is gone (end-of-file on ``parent_alive``)."""

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            parent_alive.recv_bytes()  # nothing is ever sent: this returns only at EOF
        os._exit(0)  # no cleanup to run: the worker holds no state worth saving

    threading.Thread(target=watch, name="dealradar-parent-watch", daemon=True).start()


def _init_worker(extra_companies: list[dict[str, object]], parent_alive: Connection) -> None:
    """Pool initializer: ignore SIGINT (the main process stops the pool), exit with the main
    process, lower this worker's priority, then build its classifier."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent_alive)
    try:
        os.nice(NICENESS)
    except OSError:  # not permitted here: run at the same priority, as before
        log.warning("could not lower the worker's priority", extra={"kv": {"pid": os.getpid()}})
    init_worker(extra_companies)


_P = ParamSpec("_P")
_T = TypeVar("_T")


class WorkerPool(Executor):
    """A process pool that replaces itself when broken (see the module docstring)."""

    def __init__(
        self, make: Callable[[], ProcessPoolExecutor], keep_alive: Connection | None = None
    ) -> None:
        self._make = make
        # made on the first request: a process pool's queues start multiprocessing's resource
        # tracker (a process of its own), which a run with nothing to parse does without
        self._pool: ProcessPoolExecutor | None = None
        self._shut_down = False
        self._keep_alive = keep_alive  # the write end of the workers' parent-alive pipe
        self._lock = threading.Lock()
        self.replaced = 0

    def _current(self) -> ProcessPoolExecutor:
        pool = self._pool
        if pool is None:
            with self._lock:
                if self._shut_down:  # as a shut-down ProcessPoolExecutor refuses
                    raise RuntimeError("cannot schedule new futures after shutdown")
                if self._pool is None:
                    self._pool = self._make()
                pool = self._pool
        return pool

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        pool = self._current()
        try:
            return pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            return self._replace(pool).submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._shut_down = True
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait and self._keep_alive is not None:  # the workers are gone: nothing to watch
            self._keep_alive.close()
            self._keep_alive = None

    @property
    def processes(self) -> list[int]:
        """The current pool's worker process ids (none before the first request)."""
        return list(self._pool._processes or {}) if self._pool is not None else []

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is broken:  # not replaced already by another caller
                log.warning(
                    "a worker process died; starting a new worker pool",
                    extra={"kv": {"replaced_before": self.replaced}},
                )
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._make()
                self.replaced += 1
        return self._current()


def start_pool(
    workers: int | None, extra_companies: list[dict[str, object]] | None = None
) -> WorkerPool | None:
    """The pool for ``fetch.parse_workers`` (None when parsing runs inline), installed as the
    parse executor. Processes start lazily: on the first parse, or on :func:`warm_up`."""
    count = worker_count(workers)
    if count <= 0:
        return None
    context = worker_context()
    parent_alive, keep_alive = context.Pipe(duplex=False)
    pool = WorkerPool(
        lambda: ProcessPoolExecutor(
            count,
            mp_context=context,
            initializer=_init_worker,
            initargs=(extra_companies or [], parent_alive),
        ),
        keep_alive,
    )
    set_parse_executor(pool)
    return pool


async def start_workers(pool: Executor | None, workers: int) -> None:
    """Start every worker now (a no-op task each), so the first poll does not wait for them."""
    if pool is None:
        return
    loop = asyncio.get_running_loop()
    try:
        await asyncio.gather(*(loop.run_in_executor(pool, os.getpid) for _ in range(workers)))
    except Exception:  # parsing falls back to timeouts/inline classification; say why
        log.exception("worker processes failed to start")


def stop_pool(pool: Executor) -> None:
    set_parse_executor(None)
    pool.shutdown(wait=True, cancel_futures=True)
