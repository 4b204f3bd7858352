"""Helpers every benchmark script shares: figures with median and range, the machine, a clock.

Benchmarks are scripts (``python -m bench.<name>``), never timed unit tests; each prints its
figures as ``median (range min-max)`` over several runs so one noisy run cannot pass for a
result. :func:`machine` describes where the figures came from (docs/benchmarks.md quotes it).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path


def spread(values: Sequence[float], fmt: str = "{:,.2f}") -> str:
    """``median (range lo-hi)`` of ``values``."""
    med = statistics.median(values)
    return f"{fmt.format(med)} (range {fmt.format(min(values))}-{fmt.format(max(values))})"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def loop_speed(iterations: int = 1_000_000) -> float:
    """CPU nanoseconds per iteration of a plain Python loop, best of three: the machine's phase.

    The 2-core machine's speed drifts by 2-3x between sessions (docs/benchmarks.md); printing
    this beside the figures says which phase they were measured in."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(iterations):
            total += i
        best = min(best, time.process_time() - started)
    return best / iterations * 1e9


def machine() -> str:
    """One line: cores, CPU model, RAM, Python, and the loop speed (:func:`loop_speed`)."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        ram = f", {kib / 1024 / 1024:.1f} GiB RAM"
    return (
        f"{os.cpu_count()} cores, {model}{ram}, Python {platform.python_version()}, "
        f"plain Python loop {loop_speed():.0f} ns/iteration"
    )


class StepClock:
    """A settable clock for the runtime: benchmarks jump it forward so every source is due."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
