"""The fetch path alone: main-process CPU per request, the bot's fetcher against raw aiohttp.

A poll cycle mixes fetching with storage, classification and the feed server's own work, on
the same two cores; this script isolates what the event loop pays per request. It starts the
local feed server (child process), serves N feeds of 21 news items, and times, concurrently
(``--concurrency`` at a time, the poller's default) and several times over:

* ``raw aiohttp 304``: ``aiohttp.ClientSession.get`` with ``If-None-Match`` — the floor;
* ``fetch_bytes 304``: the bot's conditional GET (:func:`bot.sources.fetcher.fetch_bytes`:
  SSRF checks, deadline, redirects by hand, size caps) through httpx over aiohttp;
* ``fetch_bytes 200``: the same for changed feeds (body read, no parse);
* ``rss.fetch 200``: fetch, hash and parse in the worker pool (what a changed feed costs the
  event loop, pool round trip included).

Figures are the process's CPU time per request (the feed server and the workers are other
processes), best of ``--repeat`` passes, median and range over ``--runs``. Run::

    .venv/bin/python -m bench.fetch_path [--feeds 1000] [--runs 3] [--repeat 4]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import aiohttp

from bench.common import machine, spread
from bot.ingest.workers import start_pool, start_workers, stop_pool
from bot.sources import rss
from bot.sources.base import FetchLimits, FetchState, SourceSpec
from bot.sources.client import build_client
from bot.sources.fetcher import fetch_bytes
from tests.fakes.feedserver_process import FeedServerProcess

Fetch = Callable[[str], Awaitable[None]]


async def cpu_per_request(fetch: Fetch, urls: list[str], concurrency: int, repeat: int) -> float:
    """Best-of-``repeat`` process CPU seconds per request, ``concurrency`` in flight."""

    async def lane(sources: Iterator[str]) -> None:
        for url in sources:
            await fetch(url)

    best = float("inf")
    for _ in range(repeat):
        sources = iter(urls)
        started = time.process_time()
        await asyncio.gather(*(lane(sources) for _ in range(concurrency)))
        best = min(best, (time.process_time() - started) / len(urls))
    return best


async def main_async(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    limits = FetchLimits(allow_private_networks=True)
    figures: dict[str, list[float]] = {}
    with FeedServerProcess() as server:
        urls = server.populate(args.feeds, items=21, event_share=0.1)
        client = build_client(
            limits, user_agent="bench", max_connections=args.concurrency, backend="aiohttp"
        )
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency))
        pool = start_pool(2, [])
        await start_workers(pool, 2)
        etags = {}
        for url in urls:
            etags[url] = (await fetch_bytes(client, url, FetchState(), limits)).etag

        async def raw_304(url: str) -> None:
            async with session.get(url, headers={"If-None-Match": etags[url] or ""}) as r:
                assert r.status == 304

        async def bytes_304(url: str) -> None:
            assert (await fetch_bytes(client, url, FetchState(etags[url]), limits)).status == 304

        async def bytes_200(url: str) -> None:
            assert (await fetch_bytes(client, url, FetchState(), limits)).status == 200

        async def parsed_200(url: str) -> None:
            outcome = await rss.fetch(client, SourceSpec("bench", "rss", url), FetchState(), limits)
            assert outcome.status == "changed"
            assert outcome.entries

        cases: list[tuple[str, Fetch]] = [
            ("raw aiohttp 304", raw_304),
            ("fetch_bytes 304", bytes_304),
            ("fetch_bytes 200", bytes_200),
            ("rss.fetch 200 (+ parse in pool)", parsed_200),
        ]
        try:
            for run in range(args.runs):
                for name, fetch in cases:
                    seconds = await cpu_per_request(fetch, urls, args.concurrency, args.repeat)
                    figures.setdefault(name, []).append(seconds * 1000)
                print(f"run {run + 1}/{args.runs} done")
        finally:
            await session.close()
            await client.aclose()
            if pool is not None:
                stop_pool(pool)
    print(f"\nmain-process CPU per request, {args.feeds} feeds, {args.concurrency} in flight:")
    for name, values in figures.items():
        print(f"  {name:32s} {spread(values, '{:.3f}')} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
