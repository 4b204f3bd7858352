"""End-to-end latency: a story appears on a feed → its alert arrives at the Slack stand-in.

Starts the local feed server in a child process and :class:`tests.fakes.slack_api.FakeSlackApi`
on 127.0.0.1, builds the bot with :func:`bot.runtime.app.build` (SQLite temp file, one Slack route,
``SLACK_API_URL`` pointing at the stand-in, HTTP server off) and runs
:func:`bot.runtime.app.run_forever` in-process: the real ticker, poller, pipeline, outbox and Slack
sink. Once every feed's backlog has been stored, it publishes ``--stories`` new items (each a
closure at a different company, so each is its own story) one every ``--gap`` seconds on
rotating feeds, and times each from ``add_item`` to the ``chat.postMessage`` carrying its link.

What bounds the figure: a source is polled every ``poll_interval`` (± the poller's 10% jitter),
the poll tick runs every second, a new story's first alert waits ``group_wait`` for other reports
of the same event, and the delivery tick runs every second. So the expected worst case is about
``1.1 × poll_interval + group_wait + 2 s``; the target is p95 ≤ poll interval + 2 s + group_wait.
Run::

    .venv/bin/python -m bench.e2e_latency [--stories 100] [--interval 5] [--group-wait 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import tempfile
import time
from pathlib import Path

from bench.common import machine, percentile, spread
from bot.classify import CompanyTable
from bot.config.settings import (
    DeliveryConfig,
    FetchConfig,
    HttpConfig,
    RouteConfig,
    Settings,
    SlackSettings,
    SourceConfig,
)
from bot.runtime import gc_tuning
from bot.runtime.app import build, run_forever
from bot.stories.placement import company_finder
from tests.fakes.feedserver_process import FeedServerProcess
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi


def settings_for(urls: list[str], db: Path, api_url: str, args: argparse.Namespace) -> Settings:
    return Settings(
        database_url=f"sqlite:///{db}",
        poll_interval=args.interval,
        group_wait=args.group_wait,
        sources=[SourceConfig(name=f"feed{i}", url=u) for i, u in enumerate(urls)],
        routes=[RouteConfig(platform="slack", channel="CLATENCY")],
        fetch=FetchConfig(allow_private_networks=True),
        http=HttpConfig(enabled=False),
        delivery=DeliveryConfig(per_channel_interval=0.05, flood_threshold=100_000),
        slack=SlackSettings(bot_token=BOT_TOKEN, api_url=api_url),  # type: ignore[arg-type]
    )


async def wait_backlog(runtime: object, feeds: int) -> None:
    from bot.runtime.app import Runtime

    assert isinstance(runtime, Runtime)
    for _ in range(600):
        records = await runtime.sources.all()
        if len(records) == feeds and all(r.backlog_done for r in records):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("feeds never finished their first poll")


def unrelated_companies(count: int) -> list[str]:
    """``count`` companies of the shipped table, no two of one group: a brand and its owner
    are one party for clustering ("Hino to close a factory" and "Toyota to close a factory"
    join one story, so one of them would be a follow-up, not an alert of its own)."""
    table = CompanyTable.default()
    find = company_finder(table)
    rng = random.Random(7)
    chosen: list[str] = []
    taken: set[str] = set()
    for name in rng.sample(table.names(), len(table.names())):
        parties = {canonical for canonical, _ in find(f"{name} to close a factory")}
        if parties and not parties & taken:
            chosen.append(name)
            taken |= parties
        if len(chosen) == count:
            break
    return chosen


async def main_async(args: argparse.Namespace) -> int:
    companies = unrelated_companies(args.stories)
    print(f"machine: {machine()}")
    slack = await FakeSlackApi().start()
    published: dict[str, float] = {}
    titles: dict[str, str] = {}
    arrived: dict[str, float] = {}

    async def watch() -> None:
        seen = 0
        while True:
            calls = slack.calls("chat.postMessage")
            for call in calls[seen:]:
                body = json.dumps(call.body)
                for marker in published:
                    if marker not in arrived and marker in body:
                        arrived[marker] = time.perf_counter()
            seen = len(calls)
            await asyncio.sleep(0.01)

    with FeedServerProcess() as server, tempfile.TemporaryDirectory(prefix="e2ebench-") as tmp:
        urls = []
        for i in range(args.feeds):
            path = f"/lat{i}.xml"
            server.set_feed(path, [{"title": "Quiet day", "link": f"https://news.test/q{i}"}])
            urls.append(server.url(path))
        runtime = await build(settings_for(urls, Path(tmp) / "e2e.db", slack.api_url, args))
        gc_tuning.tune()  # as `dealradar run` does after building the runtime
        stop = asyncio.Event()
        bot = asyncio.create_task(run_forever(runtime, stop))
        watcher = asyncio.create_task(watch())
        try:
            await wait_backlog(runtime, args.feeds)
            for k, company in enumerate(companies):
                marker = f"https://news.test/latency/story-{k:04d}-x"
                item = {
                    "title": f"{company} to close a factory, cutting {200 + 7 * k} jobs",
                    "link": marker,
                    "guid": f"latency-{k}",
                    "description": f"{company} confirmed the closure to staff on Tuesday.",
                }
                await asyncio.to_thread(server.add_item, f"/lat{k % args.feeds}.xml", item)
                published[marker] = time.perf_counter()
                titles[marker] = item["title"]
                await asyncio.sleep(args.gap)
            deadline = time.perf_counter() + 2 * args.interval + args.group_wait + 10
            while len(arrived) < len(published) and time.perf_counter() < deadline:
                await asyncio.sleep(0.1)
        finally:
            watcher.cancel()
            stop.set()
            await bot
            await runtime.close()
            await slack.close()
    latencies = [arrived[m] - published[m] for m in published if m in arrived]
    missing = len(published) - len(latencies)
    for marker in published:
        if marker not in arrived:
            print(f"  no alert for: {titles[marker]}")
    print(f"  chat.postMessage calls: {len(slack.calls('chat.postMessage'))}")
    if not latencies:
        print("no alert arrived")
        return 1
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    target = args.interval + 2 + args.group_wait
    print(
        f"{len(latencies)} of {len(published)} stories alerted ({missing} missing); "
        f"poll interval {args.interval:g}s, group_wait {args.group_wait:g}s, poll and delivery "
        f"ticks 1s: p50 {p50:.2f}s, p95 {p95:.2f}s, all {spread(latencies)}s "
        f"(target p95 <= {target:g}s: {'met' if p95 <= target else 'MISSED'})"
    )
    return 0 if p95 <= target and not missing else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--interval", type=float, default=5.0, help="poll interval, seconds")
    parser.add_argument("--group-wait", type=float, default=0.5)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between new stories")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # "skipped: already running"
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
