"""Whole processes, cold and warm: ``dealradar run --once`` against the naive loop, one script run.

What a cron user pays: a first ``dealradar run --once`` over N local feeds of 20 items (start-up,
migrations, workers, fetch, parse, classify, place in stories, store), then a second one where
every feed answers 304, each timed as a child process from ``exec`` to exit. Beside each, the
loop a user would write, also as a child process: ``feedparser.parse(url)`` one feed after
another (with ``etag=`` on the warm pass).

Feeds are event-dense by default (``--event-share 0.8``: most items are closure or
partnership headlines about the same thirty companies, :mod:`tests.fakes.newsgen`), the case
where classification and story placement cost the most. Before the warm run every source is
made due again in the database (``next_poll_at`` in the past), as a day's wait would.

    .venv/bin/python -m bench.whole_process [--feeds 1000] [--runs 1] [--event-share 0.8]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, spread
from tests.fakes.feedserver_process import FeedServerProcess

ROOT = Path(__file__).resolve().parent.parent
DEALRADAR = [sys.executable, "-m", "bot"]

NAIVE = """
import json, sys, feedparser
urls = json.load(open(sys.argv[1]))
etags = json.load(open(sys.argv[2])) if len(sys.argv) > 3 else {}
changed = 0
for url in urls:
    parsed = feedparser.parse(url, etag=etags.get(url))
    if parsed.get("status") != 304:
        changed += 1
        if parsed.get("etag"):
            etags[url] = parsed["etag"]
json.dump(etags, open(sys.argv[2], "w"))
print(changed)
"""


def config_text(urls: list[str], database: Path) -> str:
    lines = [
        f'database_url = "sqlite:///{database}"',
        'log_level = "warning"',
        "[fetch]",
        "allow_private_networks = true",
        "[http]",
        "enabled = false",
    ]
    for i, url in enumerate(urls):
        lines += ["[[sources]]", f'name = "feed{i}"', f'url = "{url}"']
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[2:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def make_all_due(database: Path) -> None:
    with sqlite3.connect(database) as db:
        db.execute("UPDATE sources SET next_poll_at = '2000-01-01 00:00:00.000000'")


def one_run(urls: list[str], env: dict[str, str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="wholebench-") as tmp:
        database = Path(tmp) / "bot.db"
        config = Path(tmp) / "bot.toml"
        config.write_text(config_text(urls, database), encoding="utf-8")
        url_file, etag_file = Path(tmp) / "urls.json", Path(tmp) / "etags.json"
        url_file.write_text(json.dumps(urls), encoding="utf-8")
        run = [*DEALRADAR, "--config", str(config), "run", "--once"]
        figures: dict[str, float] = {}
        figures["bot cold"], _ = timed(run, env)
        naive = [sys.executable, "-c", NAIVE, str(url_file), str(etag_file)]
        figures["naive cold"], changed = timed(naive, env)
        assert int(changed) == len(urls), "the naive cold pass saw unchanged feeds"
        make_all_due(database)
        figures["bot warm"], _ = timed(run, env)
        figures["naive warm"], changed = timed([*naive, "warm"], env)
        assert int(changed) == 0, "the naive warm pass saw changed feeds"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--event-share", type=float, default=0.8)
    args = parser.parse_args()
    print(machine())
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    results: dict[str, list[float]] = {}
    with FeedServerProcess() as server:
        urls = server.populate(args.feeds, items=20, event_share=args.event_share)
        for run in range(args.runs):
            figures = one_run(urls, env)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.2f}s" for k, v in figures.items()))
            for key, value in figures.items():
                results.setdefault(key, []).append(value)
    print(f"{args.feeds} feeds of 20 items, event share {args.event_share}, {args.runs} run(s):")
    for cycle in ("cold", "warm"):
        bot, naive = results[f"bot {cycle}"], results[f"naive {cycle}"]
        ratios = [n / b for n, b in zip(naive, bot, strict=True)]
        print(
            f"  {cycle}: dealradar run --once {spread(bot)} s, naive loop {spread(naive)} s, "
            f"naive / dealradar {statistics.median(ratios):.2f}x ({spread(ratios)})"
        )


if __name__ == "__main__":
    main()
