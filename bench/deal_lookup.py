"""Benchmark: ``/deal nissan`` latency with 1,000,000 stored articles on SQLite.

Run: ``.venv/bin/python -m bench.deal_lookup [--articles N] [--runs N] [--keep PATH]
[--postgres URL]``

With ``--postgres URL`` (default: ``$DEALRADAR_TEST_POSTGRES_URL``) the same rows are copied
into a fresh temporary database on that server (``COPY`` through asyncpg), which is migrated,
analysed, measured the same way and dropped.

What it does
    Creates a temporary SQLite database with the real migrations, bulk-seeds it with plain
    ``sqlite3`` ``executemany`` in 50,000-row batches (1,000,000 articles, one story per five
    articles, 1-3 companies per story drawn from 3,000 names with a long-tailed distribution,
    first-seen times spread over two years), then times ``/deal nissan`` end to end through
    ``DealCommands.run`` over ``SqlCommandStore`` (parse, company resolution, SQL, row mapping)
    and prints p50 / p99 / min / max over ``--runs`` runs. Target: p99 < 100 ms.

Index design (why the answer does not depend on the number of articles)
    ``/deal <company>`` never reads ``articles``. A story keeps its display fields (status,
    plant, country, jobs, outlets, article count) denormalised on the ``stories`` row, and
    ``story_companies(story_id, company, first_seen_at)`` is an index table with one row per
    (story, canonical company), indexed by ``ix_story_companies_company_seen
    (company, first_seen_at)``. The lookup is::

        SELECT stories.* FROM stories JOIN story_companies ON story_id = stories.id
        WHERE company = :c AND story_companies.first_seen_at >= :since
        ORDER BY story_companies.first_seen_at DESC LIMIT 15

    SQLite walks the composite index backwards from the newest entry for that company, stops
    after 15 rows, and fetches each story by primary key: O(log n + page size) whatever the
    table sizes. Alias resolution happens in memory before the query (the company table), so
    the store is queried with the canonical spelling and an equality match.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config.settings import Settings
from bot.runtime.wiring import build_commands
from bot.store.db import create_engine, upgrade
from handlers.api import Caller
from handlers.company_directory import StaticCompanyTable

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BATCH = 50_000
SPAN_DAYS = 730
COMPANIES = 3_000
HEAD = ["Nissan", "Foxconn", "Toyota", "Honda", "Stellantis", "Ford", "Tesla", "BYD"]


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format


def _companies() -> tuple[list[str], list[float]]:
    names = HEAD + [f"Company {i:04d}" for i in range(COMPANIES - len(HEAD))]
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(names))]
    return names, weights


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(path: Path, articles: int, rng: random.Random) -> tuple[int, int]:
    """Fill an already-migrated database; returns (stories, story_companies rows)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")
    names, weights = _companies()
    start = NOW - timedelta(days=SPAN_DAYS)

    def seen(i: int, total: int) -> datetime:
        return start + timedelta(seconds=SPAN_DAYS * 86400 * i / total)

    def article_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, articles + 1):
            url = f"https://outlet{i % 400}.example/news/{i}"
            when = _ts(seen(i, articles))
            yield (
                i,
                f"g{i}",
                url,
                url,
                f"Article {i} headline",
                "",
                f"Outlet {i % 400}",
                when,
                when,
            )

    sql = (
        "INSERT INTO articles (id, guid, url, canonical_url, title, summary, outlet,"
        " published_at, first_seen_at, classified, alertable) VALUES (?,?,?,?,?,?,?,?,?,1,1)"
    )
    for batch in _batches(article_rows()):
        conn.executemany(sql, batch)
        conn.commit()

    stories = articles // 5
    links: list[tuple[object, ...]] = []

    def story_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, stories + 1):
            picked = list(dict.fromkeys(rng.choices(names, weights, k=rng.randint(1, 3))))
            when = _ts(seen(i, stories))
            links.extend((i, name, when) for name in picked)
            outlets = [f"Outlet {rng.randrange(400)}" for _ in range(rng.randint(1, 6))]
            yield (
                i,
                f"story-{i}",
                rng.choice(("plant_closure", "partnership")),
                rng.choice(("talks", "planned", "confirmed", "denied")),
                f"Story {i} about {' and '.join(picked)}",
                f"https://outlet1.example/news/{i * 5}",
                json.dumps(picked),
                rng.choice((None, "Example plant")),
                rng.choice((None, "JP", "GB", "US", "MX")),
                rng.choice((None, 300, 1200)),
                json.dumps(outlets),
                len(outlets) + rng.randrange(3),
                when,
                when,
            )

    sql = (
        "INSERT INTO stories (id, key, event_type, status, headline, url, companies, plant,"
        " country, jobs, outlets, article_count, evidence, features, alertable, first_seen_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'[]','{}',1,?,?)"
    )
    for batch in _batches(story_rows()):
        conn.executemany(sql, batch)
        conn.commit()
    link_sql = "INSERT INTO story_companies (story_id, company, first_seen_at) VALUES (?,?,?)"
    for batch in _batches(iter(links)):
        conn.executemany(link_sql, batch)
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return stories, len(links)


def query_plan(path: Path) -> str:
    conn = sqlite3.connect(path)
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT stories.* FROM stories JOIN story_companies"
        " ON story_companies.story_id = stories.id WHERE story_companies.company = ?"
        " AND story_companies.first_seen_at >= ? ORDER BY story_companies.first_seen_at DESC,"
        " stories.id DESC LIMIT 15",
        ("Nissan", _ts(NOW - timedelta(days=30))),
    ).fetchall()
    conn.close()
    return "; ".join(str(row[-1]) for row in plan)


async def measure(database_url: str, runs: int) -> list[float]:
    settings = Settings(database_url=database_url)
    engine = create_engine(settings.database_url)
    table = StaticCompanyTable({"Nissan": ["Nissan Motor"], "Foxconn": ["Hon Hai"]})
    deal = build_commands(settings, engine, now=lambda: NOW, table=table)
    caller = Caller("console", "console", "bench", is_admin=True)
    try:
        for _ in range(10):  # warm the connection pool and the page cache
            await deal.run("nissan", caller)
        reply = await deal.run("nissan", caller)
        print(f"reply: {reply.title!r} ({len(reply.stories)} stories)")
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await deal.run("nissan", caller)
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        await engine.dispose()


def report(backend: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{backend}: /deal nissan over {len(timings)} runs: p50 {statistics.median(timings):.2f}"
        f" ms, p99 {p99:.2f} ms, range {ordered[0]:.2f}-{ordered[-1]:.2f} ms "
        f"(target p99 < 100 ms: {'met' if p99 < 100 else 'MISSED'})"
    )
    return p99


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="dealbench-"))
    path = Path(args.keep) if args.keep else workdir / "bench.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    started = time.perf_counter()
    stories, links = seed(path, args.articles, random.Random(5))
    print(
        f"seeded {args.articles:,} articles, {stories:,} stories, {links:,} story_companies "
        f"rows in {time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.0f} MB)"
    )
    print(f"plan: {query_plan(path)}")
    p99 = report("SQLite", await measure(f"sqlite:///{path}", args.runs))
    if args.postgres:
        from bench.deal_lookup_pg import on_postgres

        p99 = max(
            p99, report("PostgreSQL", await on_postgres(args.postgres, path, measure, args.runs))
        )
    if not args.keep:
        for leftover in workdir.iterdir():
            leftover.unlink()
        workdir.rmdir()
    return 0 if p99 < 100 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--keep", help="write the database here and keep it")
    parser.add_argument("--postgres", default=os.environ.get("DEALRADAR_TEST_POSTGRES_URL"))
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
