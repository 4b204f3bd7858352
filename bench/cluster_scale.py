"""Story clustering cost against the number of stored stories: it must stay flat.

Generates synthetic stories at run time (companies drawn Zipf-like from a pool of 3,000, so a
few companies have thousands of stories; places, figures and dates spread over six years),
files them in the in-memory index and in a temporary SQLite database through
``bot.store.story_index``, and at 1k / 10k / 100k stored stories times one full assignment per
probe article: candidate retrieval plus scoring (``StoryClusterer.assign``). Prints the median
and the range in milliseconds (SQLite after one untimed pass over the probes, so the figures
show the query cost rather than the first reads of a cold file). Retrieval goes through the
company/name index only, never a scan, so the figures should not grow with the store. Run::

    .venv/bin/python -m bench.cluster_scale [--sizes 1000,10000,100000] [--probes 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.domain import Event, EventType, Status
from bot.store.models import Base, StoryCompanyRow, StoryRow
from bot.store.story_index import SqlStoryIndex
from bot.stories.clusterer import StoryClusterer, window_center
from bot.stories.features import StoryFeatures, features_for
from bot.stories.index import InMemoryIndex
from bot.stories.similarity import MINHASH_SIZE
from bot.stories.state import ArticleInfo, StoryState, new_story

START = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_DAYS = 6 * 365
_LETTERS = "bcdfghklmnprstvz"
PLACES = sorted(
    {"".join(random.Random(n).choice(_LETTERS) for _ in range(8)).title() for n in range(4000)}
)
WORDS = ["plant", "factory", "closure", "jobs", "workers", "production", "site", "union"]


def _company(rng: random.Random, pool: int) -> str:
    return f"Company{int(pool * rng.random() ** 2.5):05d}"


def _synthetic(rng: random.Random, n: int, pool: int) -> StoryState:
    """A stored story with realistic feature sizes, built without hashing text (fast)."""
    company = _company(rng, pool)
    place = rng.choice(PLACES)
    seen = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
    features = StoryFeatures(
        event_types=frozenset({rng.choice(["plant_closure", "partnership"])}),
        companies=frozenset({company}),
        names=frozenset({place.lower()[:6], rng.choice(PLACES).lower()[:6]}),
        words=frozenset(rng.sample(WORDS, 6)),
        amounts=frozenset({str(rng.randint(100, 5000))}),
        years=frozenset(),
        minhash=tuple(rng.getrandbits(32) for _ in range(MINHASH_SIZE)),
        seen_at=seen,
    )
    event = Event(EventType(next(iter(features.event_types))), Status.PLANNED, (company,))
    return new_story(features, event, ArticleInfo(f"{company} {place} #{n}", url=f"u{n}"))


def _probes(rng: random.Random, count: int, pool: int) -> list[StoryFeatures]:
    probes = []
    for _ in range(count):
        company = _company(rng, pool)
        place = rng.choice(PLACES)
        seen = START + timedelta(days=rng.uniform(0, SPAN_DAYS))
        event = Event(EventType.PLANT_CLOSURE, Status.PLANNED, (company,))
        title = f"{company} to close {place} plant, {rng.randint(100, 5000):,} jobs at risk"
        lede = f"The maker {company} said it will shut the factory in {place} next year."
        probes.append(features_for(title, lede, [event], seen, companies=[company]))
    return probes


def _summary(label: str, size: int, timings: Sequence[float], candidates: Sequence[int]) -> str:
    ms = sorted(t * 1000 for t in timings)
    return (
        f"{label:<8} {size:>7,} stories: assign median {statistics.median(ms):6.2f} ms "
        f"(range {ms[0]:.2f}-{ms[-1]:.2f}), candidates median {statistics.median(candidates):.0f} "
        f"(max {max(candidates)})"
    )


def _row(state: StoryState, story_id: int) -> dict[str, Any]:
    return {
        "id": story_id,
        "key": state.key,
        "event_type": state.event_type,
        "status": "planned",
        "headline": state.headline,
        "url": state.url,
        "companies": list(state.companies),
        "outlets": [],
        "evidence": [],
        "features": state.signature_json(),
        "first_seen_at": state.first_seen,
        "updated_at": state.updated_at,
    }


async def _sql_timings(
    session: AsyncSession, probes: list[StoryFeatures], clusterer: StoryClusterer
) -> tuple[list[float], list[int]]:
    index = SqlStoryIndex(session)
    timings, counts = [], []
    for probe in probes:
        began = time.perf_counter()
        found = await index.candidates(probe.index_keys(), window_center(probe))
        clusterer.assign(probe, found)
        timings.append(time.perf_counter() - began)
        counts.append(len(found))
    return timings, counts


async def run(sizes: list[int], probes_n: int, seed: int, pool: int) -> None:
    rng = random.Random(seed)
    probes = _probes(random.Random(seed + 1), probes_n, pool)
    clusterer = StoryClusterer()
    memory = InMemoryIndex()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_async_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        maker = async_sessionmaker(engine, expire_on_commit=False)
        stored = 0
        for size in sizes:
            began = time.perf_counter()
            batch = [_synthetic(rng, n, pool) for n in range(stored, size)]
            for state in batch:
                memory.put(state.signature)
            async with maker() as session:
                for start in range(0, len(batch), 5000):
                    chunk = batch[start : start + 5000]
                    ids = range(stored + start + 1, stored + start + 1 + len(chunk))
                    rows = [_row(s, i) for s, i in zip(chunk, ids, strict=True)]
                    await session.execute(insert(StoryRow), rows)
                    links = [
                        {"story_id": i, "company": key, "first_seen_at": s.first_seen}
                        for s, i in zip(chunk, ids, strict=True)
                        for key in s.index_keys()
                    ]
                    await session.execute(insert(StoryCompanyRow), links)
                await session.commit()
            stored = size
            print(f"filed {size:,} stories in {time.perf_counter() - began:.1f} s")

            timings, counts = [], []
            for probe in probes:
                t0 = time.perf_counter()
                found = memory.candidates(probe.index_keys(), window_center(probe))
                clusterer.assign(probe, found)
                timings.append(time.perf_counter() - t0)
                counts.append(len(found))
            print(_summary("memory", size, timings, counts))
            async with maker() as session:
                await _sql_timings(session, probes, clusterer)  # warm the page cache once
                sql_timings, sql_counts = await _sql_timings(session, probes, clusterer)
            print(_summary("sqlite", size, sql_timings, sql_counts))
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--companies", type=int, default=3000)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    asyncio.run(run(sizes, args.probes, args.seed, args.companies))


if __name__ == "__main__":
    main()
