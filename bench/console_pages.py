"""Benchmark: the operator's console pages at 1,000,000 stored articles on SQLite.

Run: ``.venv/bin/python -m bench.console_pages [--articles N] [--runs N] [--keep PATH]``

Seeds the database exactly as :mod:`bench.deal_lookup` does (the ``/deal`` lookup benchmark:
1,000,000 articles, 200,000 stories over two years, 3,000 companies with a long tail), builds
the console the way :func:`bot.runtime.app.build` does (:func:`bot.console.build_console` over
``ConsoleReads`` and ``SqlCommandStore``), serves it with aiohttp's test server on 127.0.0.1,
and times whole HTTP requests (routing, queries, Jinja2 rendering, the answer read by an
aiohttp client in the same process) for each page and its JSON twin, printing p50 / p99 over
``--runs`` requests each after 5 warm-up requests.

The seeded stories have no reports, deliveries or feedback rows, so a story page measures the
lookup by key and the indexed ``story_id`` reads returning nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bench.deal_lookup import NOW, seed
from bot.config.settings import Settings
from bot.console import build_console
from bot.metrics import Metrics
from bot.store.commands_repo import SqlCommandStore
from bot.store.console_reads import ConsoleReads
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.web.server import WebServer
from handlers.company_directory import StaticCompanyTable


def pages(story_key: str) -> list[str]:
    return [
        "/",
        "/api/stories",
        "/?type=partnership&status=confirmed&days=90",
        "/?company=hon+hai",
        "/?country=GB&days=7",
        f"/stories/{story_key}",
        f"/api/stories/{story_key}",
        "/company/Nissan",
        "/api/company/Nissan",
        "/sources",
        "/deliveries",
        "/channels",
    ]


async def _ready() -> str | None:
    return None


async def measure(database_url: str, runs: int, story_key: str) -> dict[str, list[float]]:
    settings = Settings.model_validate(
        {"database_url": database_url, "web": {"enabled": True}, "sources": [], "routes": []}
    )
    engine = create_engine(database_url)
    sessions = sessionmaker(engine)
    table = StaticCompanyTable({"Nissan": ["Nissan Motor"], "Foxconn": ["Hon Hai"]})
    routes = build_console(
        settings,
        ConsoleReads(sessions),
        SqlCommandStore(sessions, settings.poll_interval),
        table,
        lambda: NOW,
    )
    server = WebServer("127.0.0.1", 0, metrics=Metrics(), ready=_ready, routes=routes)
    client: TestClient[Any, Any] = TestClient(TestServer(server.app))
    await client.start_server()
    timings: dict[str, list[float]] = {}
    try:
        for path in pages(story_key):
            for _ in range(5):
                response = await client.get(path)
                assert response.status == 200, (path, response.status)
                await response.read()
            found = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await client.get(path)
                await response.read()
                found.append((time.perf_counter() - started) * 1000)
            timings[path] = found
    finally:
        await client.close()
        await engine.dispose()
    return timings


def report(timings: dict[str, list[float]]) -> float:
    worst = 0.0
    for path, found in timings.items():
        ordered = sorted(found)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        worst = max(worst, p99)
        print(
            f"{path:48} p50 {statistics.median(found):7.2f} ms  p99 {p99:7.2f} ms"
            f"  max {ordered[-1]:7.2f} ms"
        )
    return worst


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="consolebench-"))
    path = Path(args.keep) if args.keep else workdir / "bench.db"
    if not path.exists():
        engine = create_engine(f"sqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()
        started = time.perf_counter()
        stories, _ = seed(path, args.articles, random.Random(5))
        print(
            f"seeded {args.articles:,} articles, {stories:,} stories in"
            f" {time.perf_counter() - started:.1f}s"
        )
    key = f"story-{args.articles // 5 - 10}"  # a recent one
    worst = report(await measure(f"sqlite:///{path}", args.runs, key))
    print(f"worst page p99: {worst:.2f} ms over {args.runs} requests each")
    if not args.keep:
        for leftover in workdir.iterdir():
            leftover.unlink()
        workdir.rmdir()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", help="write the database here (reused if it exists)")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
