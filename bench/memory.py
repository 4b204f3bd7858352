"""Peak memory: the bot process polling 10,000 sources over a store of 1,000,000 articles.

Seeds a migrated temporary SQLite file with ``--articles`` articles (and one story per five, with
their company index rows) through :func:`bench.deal_lookup.seed` (plain ``sqlite3``
``executemany``), serves ``--sources`` synthetic feeds of ``--items`` items from the feed server in
a child process, then runs the bot in a *separate* child process (``--child``): it builds the
runtime with :func:`bot.runtime.app.build` (10,000 config sources synced into the store) and runs a
cold cycle (every feed new: fetched, parsed, classified, stored) and a warm cycle (all 304), then
reports its peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``; the forkserver
parse workers are separate processes and not included). Target: < 300 MiB. Run::

    .venv/bin/python -m bench.memory [--sources 10000] [--articles 1000000] [--items 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import StepClock, machine
from bench.deal_lookup import seed
from bot.store.db import create_engine, upgrade
from tests.fakes.feedserver_process import FeedServerProcess


async def child(db: Path, base: str, sources: int) -> dict[str, object]:
    from bot.config.settings import FetchConfig, Settings, SourceConfig
    from bot.runtime import gc_tuning
    from bot.runtime.app import build

    settings = Settings(
        database_url=f"sqlite:///{db}",
        sources=[SourceConfig(name=f"feed{i}", url=f"{base}/f{i}.xml") for i in range(sources)],
        fetch=FetchConfig(allow_private_networks=True),
    )
    clock = StepClock()
    runtime = await build(settings, clock=clock)
    gc_tuning.tune()  # as `dealradar run` does after building the runtime
    cycles = []
    try:
        for name in ("cold", "warm"):
            clock.advance(86_400)
            started = time.perf_counter()
            stats = await runtime.poll_once()
            cycles.append(
                {
                    "cycle": name,
                    "seconds": round(time.perf_counter() - started, 2),
                    "changed": stats.changed,
                    "not_modified": stats.not_modified,
                    "failed": stats.failed,
                    "new_articles": stats.new_articles,
                    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
    finally:
        await runtime.close()
    return {
        "cycles": cycles,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def prepare(db: Path, articles: int) -> None:
    engine = create_engine(f"sqlite:///{db}")
    await upgrade(engine)
    await engine.dispose()
    started = time.perf_counter()
    stories, _links = seed(db, articles, random.Random(5))
    print(
        f"seeded {articles:,} articles, {stories:,} stories in {time.perf_counter() - started:.0f}s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--child", nargs=3, metavar=("DB", "BASE_URL", "SOURCES"))
    args = parser.parse_args()
    logging.getLogger("dealradar").setLevel(logging.ERROR)
    if args.child:
        db, base, count = args.child
        print(json.dumps(asyncio.run(child(Path(db), base, int(count)))))
        return 0
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="membench-") as tmp, FeedServerProcess() as server:
        db = Path(tmp) / "mem.db"
        asyncio.run(prepare(db, args.articles))
        server.populate(args.sources, items=args.items)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.memory",
                "--child",
                str(db),
                f"http://127.0.0.1:{server.port}",
                str(args.sources),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        print(out.stderr[-3000:])
        return 1
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for cycle in result["cycles"]:
        print(
            f"  {cycle['cycle']}: {cycle['seconds']}s, changed {cycle['changed']}, "
            f"304 {cycle['not_modified']}, failed {cycle['failed']}, "
            f"new articles {cycle['new_articles']}, peak RSS so far {cycle['rss_mib']:.0f} MiB"
        )
    peak = float(result["peak_rss_mib"])
    print(
        f"{args.sources:,} sources, {args.articles:,} stored articles: bot process peak RSS "
        f"{peak:.0f} MiB (parse workers are separate processes, not included) "
        f"(target < 300 MiB: {'met' if peak < 300 else 'MISSED'})"
    )
    return 0 if peak < 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
