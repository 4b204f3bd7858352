"""Poll cycle: the real pipeline against the loop a user would write, on the same feeds.

Starts the local feed server in a child process (:mod:`tests.fakes.feedserver_process`),
serves N synthetic feeds of 20 items (``--items``; a Google News search feed carries up to
100), and for each run builds the bot with :func:`bot.runtime.app.build` (a fresh temporary SQLite
file, ``fetch.allow_private_networks = true``, no routes, console sink only) and times
``Runtime.poll_once`` for three cycles:

* **cold**: a fresh database, every feed fetched, parsed, classified, stored (backlog);
* **warm**: every feed answers 304 (conditional request with the stored ETag);
* **mixed**: one new item on 10% of the feeds, the rest 304; new items are classified,
  placed in stories and routed;
* **changed**: one new item on every feed (a busy news hour: every feed answers 200, 1 of its
  21 items is new). Not one of issue 10's cycles, whose "cold (all changed)" is read here as
  the first poll above; measured beside it because this is the all-changed cycle a running bot
  meets, and it shows what the first poll's backlog costs.

Feed content (``--content``): by default routine business news with 10% closure/partnership
reports (:mod:`tests.fakes.newsgen`); ``--content closures`` makes every item read like a plant
closure, the classifier's worst case. Worker processes are started before the cycles (as
``dealradar run`` does at start-up); their start-up time is printed on its own.

Each cycle also reports its CPU time, split into the bot's own process (event loop, HTTP, store)
and the parse/classify workers, and the floor that CPU sets on 2 cores: the shortest any
schedule of the same work could take, and so the best ratio to the naive loop it allows.

The clock the runtime sees is stepped a day between cycles so every source is due again.
Side by side, in the same run, the naive loop — ``feedparser.parse(url)`` one feed after another,
with ``etag=`` on the warm and mixed passes — polls the same feeds. It is ~100 feeds/s when
feeds change, so it runs on the first ``--naive-subset`` feeds (default 1,000) and its time is
extrapolated linearly to N (said in the output). Run::

    .venv/bin/python -m bench.poll_cycle [--sizes 1000,5000] [--runs 3] [--backend aiohttp]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import feedparser
import psutil

from bench.common import StepClock, machine, spread
from bot.config.settings import FetchConfig, Settings, SourceConfig
from bot.runtime import gc_tuning
from bot.runtime.app import build
from tests.fakes.feedserver_process import FeedServerProcess
from tests.fakes.newsgen import news_item

CYCLES = ("cold", "warm", "mixed", "changed")
CHANGED_SHARE = 0.10
DAY_S = 86_400.0


@dataclass
class Figures:
    pipeline: dict[str, list[float]]
    naive: dict[str, list[float]]  # extrapolated to N
    bot_cpu: dict[str, list[float]]  # CPU seconds of the bot's own process in the cycle
    pool_cpu: dict[str, list[float]]  # CPU seconds of the parse/classify workers in the cycle


def pool_cpu_seconds(runtime: object) -> float:
    """User + system CPU seconds the runtime's worker processes have used so far."""
    from bot.runtime.app import Runtime

    assert isinstance(runtime, Runtime)
    if runtime.workers is None:
        return 0.0
    total = 0.0
    for pid in runtime.workers[0].processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def settings_for(urls: list[str], db: Path, overrides: dict[str, object]) -> Settings:
    fetch = FetchConfig(allow_private_networks=True, **overrides)  # type: ignore[arg-type]
    return Settings(
        database_url=f"sqlite:///{db}",
        sources=[SourceConfig(name=f"feed{i}", url=url) for i, url in enumerate(urls)],
        fetch=fetch,
    )


def naive_pass(urls: list[str], etags: dict[str, str]) -> tuple[float, int]:
    """The loop a user would write; returns (seconds, feeds answering 200)."""
    started = time.perf_counter()
    changed = 0
    for url in urls:
        parsed = feedparser.parse(url, etag=etags.get(url))
        if parsed.get("status") != 304:
            changed += 1
            if parsed.get("etag"):
                etags[url] = parsed["etag"]
    return time.perf_counter() - started, changed


async def pipeline_cycle(runtime: object, clock: StepClock, expect: str, figures: Figures) -> float:
    from bot.runtime.app import Runtime

    assert isinstance(runtime, Runtime)
    clock.advance(DAY_S)
    pool_before = pool_cpu_seconds(runtime)
    cpu_before = time.process_time()
    started = time.perf_counter()
    stats = await runtime.poll_once()
    elapsed = time.perf_counter() - started
    figures.bot_cpu[expect].append(time.process_time() - cpu_before)
    figures.pool_cpu[expect].append(pool_cpu_seconds(runtime) - pool_before)
    if stats.failed:
        print(f"  !! {expect}: {stats.failed} of {stats.polled} polls failed")
    print(
        f"  pipeline {expect:7s}: {elapsed:6.2f}s  polled {stats.polled} changed {stats.changed} "
        f"304 {stats.not_modified} new articles {stats.new_articles}; CPU: bot process "
        f"{figures.bot_cpu[expect][-1]:.2f}s, workers {figures.pool_cpu[expect][-1]:.2f}s"
    )
    return elapsed


def new_item(feed: int, run: int, event_share: float | None) -> dict[str, object]:
    """The item the mixed cycle adds to a feed (an event, in the closures content)."""
    if event_share is not None:
        return news_item(feed, 1000 + run, event_share=event_share)
    return {
        "title": f"Maker {feed} to close its plant number {run} with 300 jobs lost",
        "link": f"https://news.test/{feed}/new-{run}",
        "guid": f"{feed}-new-{run}",
        "description": "The company confirmed the closure on Tuesday.",
    }


async def one_run(
    server: FeedServerProcess,
    urls: list[str],
    run: int,
    naive_subset: int,
    overrides: dict[str, object],
    figures: Figures,
    event_share: float | None,
) -> None:
    n = len(urls)
    subset = urls[:naive_subset]
    scale = n / len(subset)
    with tempfile.TemporaryDirectory(prefix="pollbench-") as tmp:
        clock = StepClock()
        runtime = await build(settings_for(urls, Path(tmp) / "bench.db", overrides), clock=clock)
        started = time.perf_counter()
        gc_tuning.tune()  # as `dealradar run` does after building the runtime
        await runtime.warm_up()  # as `dealradar run` does at start; once per process
        print(
            f"  worker start-up (once per process, not in the cycles): "
            f"{time.perf_counter() - started:.2f}s"
        )
        try:
            figures.pipeline["cold"].append(await pipeline_cycle(runtime, clock, "cold", figures))
            etags: dict[str, str] = {}
            seconds, _ = naive_pass(subset, etags)
            figures.naive["cold"].append(seconds * scale)
            figures.pipeline["warm"].append(await pipeline_cycle(runtime, clock, "warm", figures))
            seconds, changed = naive_pass(subset, dict(etags))
            assert changed == 0, "naive warm pass saw changed feeds"
            figures.naive["warm"].append(seconds * scale)
            step = round(1 / CHANGED_SHARE)
            for i in range(run % step, n, step):
                server.add_item(f"/f{i}.xml", new_item(i, run, event_share))
            figures.pipeline["mixed"].append(await pipeline_cycle(runtime, clock, "mixed", figures))
            mixed_etags = dict(etags)
            seconds, changed = naive_pass(subset, mixed_etags)
            figures.naive["mixed"].append(seconds * scale)
            for i in range(n):
                server.add_item(f"/f{i}.xml", new_item(i, 1000 + run, event_share))
            figures.pipeline["changed"].append(
                await pipeline_cycle(runtime, clock, "changed", figures)
            )
            seconds, changed = naive_pass(subset, mixed_etags)
            assert changed == len(subset), "naive changed pass saw unchanged feeds"
            figures.naive["changed"].append(seconds * scale)
        finally:
            await runtime.close()
    print(
        "  naive (extrapolated from "
        f"{len(subset)} feeds): " + ", ".join(f"{c} {figures.naive[c][-1]:.2f}s" for c in CYCLES)
    )


def report(n: int, figures: Figures) -> list[str]:
    lines = []
    for cycle in CYCLES:
        times = figures.pipeline[cycle]
        naive = figures.naive[cycle]
        ratios = [b / a for a, b in zip(times, naive, strict=True)]
        rates = [n / t for t in times]
        lines.append(
            f"N={n:,} {cycle:7s}: pipeline {spread(times)} s = {spread(rates, '{:,.0f}')} feeds/s;"
            f" naive {spread(naive)} s; ratio {spread(ratios, '{:.1f}')}x"
        )
    lines += floors(n, figures)
    return lines


def floors(n: int, figures: Figures) -> list[str]:
    """How short each cycle could be on this machine's cores, from the CPU it took.

    No schedule finishes a cycle before its CPU time divided by the cores, nor before the
    workers' share (parsing and classifying) divided by the cores even if the bot's own
    process cost nothing. Dividing the naive loop's time by those floors bounds the ratio that
    scheduling the same work better (more workers, other batch sizes or concurrency) could
    reach here; only doing less work, or cheaper work, moves it."""
    cores = os.cpu_count() or 1
    lines = []
    for cycle in CYCLES:
        pairs = zip(figures.bot_cpu[cycle], figures.pool_cpu[cycle], strict=True)
        total = [(bot + pool) / cores for bot, pool in pairs]
        pool_only = [pool / cores for pool in figures.pool_cpu[cycle]]
        naive = statistics.median(figures.naive[cycle])
        line = (
            f"N={n:,} {cycle:7s}: CPU bot process {spread(figures.bot_cpu[cycle])} s, workers "
            f"{spread(figures.pool_cpu[cycle])} s; on {cores} cores no cycle is shorter than "
            f"{spread(total)} s (ratio <= {naive / statistics.median(total):.1f}x)"
        )
        if statistics.median(pool_only) >= 0.05:  # the workers did real work in this cycle
            line += (
                f", nor than {spread(pool_only)} s for the workers' share alone (ratio <= "
                f"{naive / statistics.median(pool_only):.1f}x even with a free bot process)"
            )
        lines.append(line)
    return lines


def targets(n: int, figures: Figures) -> list[tuple[str, bool]]:
    """Issue 10's targets that apply at size ``n``, judged on medians."""

    def ratio(cycle: str) -> float:
        pairs = zip(figures.pipeline[cycle], figures.naive[cycle], strict=True)
        return statistics.median(naive / pipeline for pipeline, naive in pairs)

    found = []
    if n == 1000:
        found.append((f"cold N=1,000 >= 8x naive ({ratio('cold'):.1f}x)", ratio("cold") >= 8))
        found.append((f"warm N=1,000 >= 3x naive ({ratio('warm'):.1f}x)", ratio("warm") >= 3))
    if n == 5000:
        mixed = statistics.median(figures.pipeline["mixed"])
        found.append((f"mixed N=5,000 < 5 s ({mixed:.2f} s)", mixed < 5.0))
    return found


async def main_async(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {}
    if args.concurrency:
        overrides["concurrency"] = args.concurrency
    for name in ("backend", "parse_workers"):
        value = getattr(args, name)
        if value is not None and name in FetchConfig.model_fields:
            overrides[name] = value
    print(f"machine: {machine()}")
    print(f"fetch overrides: {overrides or 'none (defaults)'}")
    summary: list[str] = []
    share = None if args.content == "closures" else args.event_share
    print(
        "feed content: "
        + (
            "every item a closure-like headline (worst case for the classifier)"
            if share is None
            else f"business news, {share:.0%} of items closure/partnership reports"
        )
        + f"; {args.items} items a feed"
    )
    verdicts: list[tuple[str, bool]] = []
    with FeedServerProcess() as server:
        for n in args.sizes:
            figures = Figures(
                defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
            )
            for run in range(args.runs):
                print(f"N={n:,} run {run + 1}/{args.runs}")
                # reset before every run: each cold cycle reads the same items a feed, not
                # those plus what the previous run's mixed and changed cycles added
                urls = server.populate(n, items=args.items, event_share=share)
                await one_run(
                    server, urls, run, min(args.naive_subset, n), overrides, figures, share
                )
            summary += report(n, figures)
            verdicts += targets(n, figures)
    print("\n".join(["", "summary (median, range over runs):", *summary]))
    for what, met in verdicts:
        print(f"target {what}: {'met' if met else 'MISSED'}")
    return 0 if all(met for _, met in verdicts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000]
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-subset", type=int, default=1000)
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--backend", choices=["httpcore", "aiohttp"])
    parser.add_argument("--parse-workers", type=int)
    parser.add_argument(
        "--content",
        choices=["news", "closures"],
        default="news",
        help="news: routine business news with --event-share events; closures: every item "
        "reads like a plant closure (the classifier's worst case)",
    )
    parser.add_argument("--event-share", type=float, default=0.1)
    parser.add_argument("--items", type=int, default=20, help="items a feed (default 20)")
    logging.getLogger("dealradar").setLevel(logging.ERROR)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
