"""Placement cost of a report into a hot story: flat whether it has 5 or 5,000 members.

A hot story is reported by many outlets over days, about the same few companies. This script
builds, in memory, three such stories (one closure and two partnerships about the same three
companies) with N reports each, then times placing further reports of them (paraphrases with
other wording, plant names and figures that match their story). Each story keeps only its
most recent members for matching (``bot.stories.index.MAX_MEMBERS``), so the time should not
grow with N. Prints the median and range of milliseconds per placement. Run::

    .venv/bin/python -m bench.hot_stories [--sizes 5,50,500,5000] [--probes 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bench.common import machine, spread
from bot.domain import Event, EventType, Status
from bot.stories.book import MemoryStoryBook
from bot.stories.features import features_for
from bot.stories.state import ArticleInfo

DAY0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STORIES = (
    (
        EventType.PLANT_CLOSURE,
        ("Kestrel Motors",),
        "Dunmore",
        "{a} to close {p} assembly plant, {n:,} jobs at risk",
        "{a} said it will shut its {p} car plant next year, with {n:,} jobs affected.",
    ),
    (
        EventType.PARTNERSHIP,
        ("Kestrel Motors", "Orbis Energy"),
        "Halden",
        "{a} and {b} to build battery plant in {p}",
        "{a} and {b} agreed a joint venture for a {p} battery plant, {n:,} jobs.",
    ),
    (
        EventType.PARTNERSHIP,
        ("Kestrel Motors", "Vetrano Glass"),
        "Brixby",
        "{a} signs glass supply pact with {b} for {p} line",
        "{a} agreed a long-term supply deal with {b} for its {p} line.",
    ),
)
OUTLETS = ("Daily Ledger", "Wire One", "Handelsblick", "Le Courrier", "Morning Star")


def report(book: MemoryStoryBook, rng: random.Random, story: int, hours: float) -> float:
    """Place one report of ``story``; returns the CPU seconds placement took."""
    kind, companies, place, title, lede = STORIES[story]
    fill = {"a": companies[0], "b": companies[-1], "p": place, "n": 1800 + 100 * story}
    words = rng.sample(["update", "report", "latest", "again", "confirms", "says"], 2)
    event = Event(kind, Status.PLANNED, companies, plant=f"{place} plant", location=place)
    features = features_for(
        f"{title.format(**fill)} ({' '.join(words)})",
        lede.format(**fill),
        [event],
        DAY0 + timedelta(hours=hours),
        companies=companies,
    )
    article = ArticleInfo(title="report", url="", outlet=rng.choice(OUTLETS))
    started = time.process_time()
    book.place(features, [event], article)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,50,500,5000")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(machine())
    for size in (int(s) for s in args.sizes.split(",")):
        runs = []
        for run in range(args.runs):
            rng = random.Random(args.seed + run)
            book = MemoryStoryBook()
            hours = 0.0
            for _ in range(size):
                for story in range(len(STORIES)):
                    hours += 0.01
                    report(book, rng, story, hours)
            stories = len(book)
            timed = [
                report(book, rng, i % len(STORIES), hours + 0.01 * i) for i in range(args.probes)
            ]
            if len(book) != stories:
                raise SystemExit(f"a report started a new story ({len(book)} > {stories})")
            runs.append(1000 * sum(timed) / len(timed))
        figure = spread(runs, "{:.3f}")
        print(f"{size:>5} reports a story: {figure} ms per placement ({stories} stories)")


if __name__ == "__main__":
    main()
