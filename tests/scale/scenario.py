"""Test data and bookkeeping for the replica test: invented events, their reports, the figures.

Company and place names are invented and unique per event, so each story (and each alert for
it) can be recognised in the database and in the Slack stand-in without guessing.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

_HEADS = ["Kor", "Tal", "Bren", "Vos", "Quill", "Marn", "Ost", "Pel", "Drav", "Sund"]
_TAILS = ["vane", "lisyn", "dric", "mora", "tek", "holt", "aria", "wyn", "lund", "acor"]
_TOWNS = ["Ashby", "Fenwick", "Harrow", "Larkin", "Mossley", "Redcar", "Tilbury", "Wexham"]
_FACILITIES = ["paper mill", "assembly plant", "steel works", "bottling plant", "smelter"]
_PRODUCTS = ["battery cells", "wind turbines", "hydrogen trucks", "heat pumps", "solar glass"]


@dataclass(frozen=True)
class PlannedEvent:
    """One real-world event and the reports of it the feeds will carry."""

    index: int
    kind: str  # "plant_closure" | "partnership"
    company: str  # unique marker: the story's first company
    title: str
    feeds: tuple[int, ...]  # feed numbers carrying a report (two = concurrent reports)

    def items(self) -> list[tuple[int, dict[str, Any]]]:
        return [
            (
                feed,
                {
                    "title": self.title,
                    "link": f"https://outlet{n}.example/{self.company.lower()}-{self.index}",
                    "guid": f"ev-{self.index}-{n}",
                    "description": f"Report {n} of this: {self.title}.",
                },
            )
            for n, feed in enumerate(self.feeds)
        ]


_ENDS = ["", "ton", "by", "ford", "wick", "stead"]


def company(i: int) -> str:
    """A made-up company name, unique for i < 600 and never a whole word of another."""
    return _HEADS[i % 10] + _TAILS[(i // 10) % 10] + _ENDS[i // 100]


def mentions(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def planned_events(count: int, feeds: int) -> list[PlannedEvent]:
    """``count`` events, alternating closures and partnerships; every other one is reported by
    two feeds (far apart in number, so usually polled by different replicas)."""
    events = []
    for i in range(count):
        name = company(2 * i)
        if i % 2 == 0:
            town, facility = _TOWNS[i % len(_TOWNS)], _FACILITIES[i % len(_FACILITIES)]
            jobs = 100 + 7 * i
            title = f"{name} to close its {town} {facility}, cutting {jobs} jobs"
            kind = "plant_closure"
        else:
            title = f"{name} and {company(2 * i + 1)} sign partnership to build {_PRODUCTS[i % 5]}"
            kind = "partnership"
        first = (i * 37) % feeds
        carried = (first, (first + feeds // 2) % feeds) if i % 2 == 0 else (first,)
        events.append(PlannedEvent(i, kind, name, title, carried))
    return events


@dataclass
class PollSpread:
    """Polls per source over a window, against the expected window / interval."""

    expected: float
    counts: list[int]
    min_gap_s: float
    per_source_gaps: dict[str, float] = field(default_factory=dict)

    @property
    def low(self) -> int:
        return min(self.counts)

    @property
    def median(self) -> float:
        return statistics.median(self.counts)

    @property
    def high(self) -> int:
        return max(self.counts)

    def describe(self) -> str:
        return (
            f"polls per source: min {self.low} / median {self.median} / max {self.high} "
            f"(expected {self.expected:.1f}); smallest gap between two polls of one source "
            f"{self.min_gap_s:.2f}s"
        )


def poll_spread(
    hitlog: dict[str, list[float]], paths: list[str], start: float, end: float, interval: float
) -> PollSpread:
    counts, min_gap = [], float("inf")
    for path in paths:
        times = sorted(t for t in hitlog.get(path, []) if start <= t <= end)
        counts.append(len(times))
        gaps = [b - a for a, b in itertools.pairwise(times)]
        if gaps:
            min_gap = min(min_gap, min(gaps))
    return PollSpread(expected=(end - start) / interval, counts=counts, min_gap_s=min_gap)
