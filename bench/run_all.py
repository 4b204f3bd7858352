"""``make bench``: run every benchmark script in sequence, then print a summary of their figures.

Each script runs as its own process (``python -m bench.<name>``) so one's memory, threads and
process pools never colour the next one's figures; their output streams through as they run,
and each script's last line (its headline figure) is repeated in the summary with its exit
status (scripts exit non-zero when they miss their target). ``--only poll_cycle,memory`` runs
a subset; extra arguments after ``--`` are not supported, run a script directly for that.
Expect about half an hour on a 2-core machine (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from bench.common import machine

SCRIPTS = (
    "classifier",
    "deal_lookup",
    "cluster_scale",
    "hot_stories",
    "poll_cycle",
    "fetch_path",
    "fast_path",
    "e2e_latency",
    "memory",
    "startup",
    "whole_process",
    "console_pages",
)


def run(name: str) -> tuple[int, list[str], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(f"  {line}", end="", flush=True)
        lines.append(line.rstrip())
    return process.wait(), lines, time.perf_counter() - started


def headline(name: str, lines: list[str]) -> list[str]:
    if name == "poll_cycle" and "summary (median, range over runs):" in lines:
        return lines[lines.index("summary (median, range over runs):") + 1 :]
    return [next((line for line in reversed(lines) if line.strip()), "(no output)")]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", help="comma-separated script names")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SCRIPTS)
    print(f"machine: {machine()}")
    summary: list[str] = []
    failed = 0
    for name in chosen:
        print(f"== bench.{name}", flush=True)
        code, lines, seconds = run(name)
        failed += code != 0
        status = "ok" if code == 0 else f"exit {code}"
        summary.append(f"{name} [{status}, {seconds:.0f}s]")
        summary += [f"    {line}" for line in headline(name, lines)]
    print("\n== summary")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
