"""The fast feed path alone: ``fast_entries`` time per document, one process, no I/O.

Two sets of documents, each parsed ``--repeat`` times per run, best pass kept, median and range
over ``--runs``:

* ``generated``: ``--feeds`` RSS 2.0 feeds of 20 news items each, as the local feed server
  serves them to the poll-cycle benchmark (title, link, guid, description, pubDate);
* ``samples``: the real feeds under ``../shared/samples`` that the fast path accepts (with
  their namespaces, media elements, CDATA), when that directory is present.

Run::

    .venv/bin/python -m bench.fast_path [--feeds 300] [--runs 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import machine, spread
from bot.sources.fastxml import fast_entries
from tests.fakes.feedserver import render_rss
from tests.fakes.newsgen import news_items

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def best_per_document(documents: list[bytes], repeat: int) -> float:
    """Best-of-``repeat`` milliseconds per document for one pass over ``documents``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for body in documents:
            fast_entries(body, "application/rss+xml; charset=utf-8")
        best = min(best, (time.perf_counter() - started) / len(documents))
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    sets = {"generated": [render_rss(f"Feed {i}", news_items(i, 20)) for i in range(args.feeds)]}
    if SAMPLES.is_dir():
        samples = [
            p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.suffix in (".xml", ".rss")
        ]
        sets["samples"] = [body for body in samples if fast_entries(body, None) is not None]
    for name, documents in sets.items():
        assert all(fast_entries(body, None) is not None for body in documents), name
        figures = [best_per_document(documents, args.repeat) for _ in range(args.runs)]
        print(f"fast_entries, {name} ({len(documents)} documents): {spread(figures)} ms a document")


if __name__ == "__main__":
    main()
