"""Classifier throughput: articles per second on one core.

Generates headline + lede pairs at run time from templates (closures, partnerships, hard
negatives and plain business news, with companies drawn from the shipped table), classifies
them several times and prints the median and range. Time is the process's CPU time, so the
figure is per core and not disturbed by other load on the machine. Run::

    .venv/bin/python -m bench.classifier [--articles 5000] [--runs 7] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bot.classify import CompanyTable, LearnedClassifier, RuleClassifier

HEADLINES = (
    "{a} to close {place} assembly plant with the loss of {n:,} jobs",
    "{a} weighs shutting {place} factory as demand slumps",
    "{a} denies report it will shut its {place} mill",
    "{a} drops plan to close {place} smelter after union deal",
    "{a} and {b} form battery joint venture in {place}",
    "{a} in talks with {b} to build electric vans at {place} site",
    "{a} ends partnership with {b} on self-driving software",
    "{a} signs long-term supply agreement with {b}",
    "{a} to temporarily halt production at {place} plant for two weeks",
    "{a} to close 40 stores across {place}",
    "{a} closes $2 billion deal to buy {b}",
    "{a} shares close higher after upbeat outlook",
    "{a} opens new engine plant in {place}",
    "{a} becomes official sponsor of {place} football club",
    "{a} wins order for 300 trucks from {b}",
    "{a} names new chief executive",
)
LEDES = (
    "The company said on Monday that about {n:,} workers would be affected.",
    "{a} said the decision followed a review of its European operations.",
    "Analysts said the move reflected weaker demand for combustion-engine cars.",
    "",
)
PLACES = ("Ohio", "Swindon", "Barcelona", "Oppama", "Ontario", "Bochum", "Tianjin", "Chennai")


def make_articles(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` synthetic (headline, lede) pairs, reproducible for a given seed."""
    rng = random.Random(seed)
    names = CompanyTable.default().names()
    articles = []
    for _ in range(count):
        fill = {
            "a": rng.choice(names),
            "b": rng.choice(names),
            "place": rng.choice(PLACES),
            "n": rng.randrange(100, 9000),
        }
        articles.append((rng.choice(HEADLINES).format(**fill), rng.choice(LEDES).format(**fill)))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    articles = make_articles(args.articles, args.seed)
    classifiers: dict[str, LearnedClassifier | RuleClassifier] = {
        "learned (product)": LearnedClassifier(),
        "rules alone": RuleClassifier(),
    }
    for name, classifier in classifiers.items():
        for title, lede in articles[:200]:  # warm caches and compiled patterns
            classifier.classify(title, lede)
        rates = []
        events = 0
        for _ in range(args.runs):
            # CPU time of this process: other work on a shared machine does not count against us.
            start = time.process_time()
            events = sum(len(classifier.classify(title, lede)) for title, lede in articles)
            rates.append(len(articles) / (time.process_time() - start))
        print(
            f"{name}: {len(articles)} articles x {args.runs} runs, {events} events per run: "
            f"median {statistics.median(rates):,.0f} articles/s "
            f"(range {min(rates):,.0f}-{max(rates):,.0f})"
        )


if __name__ == "__main__":
    main()
