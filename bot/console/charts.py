"""Stories per week by event type, as the geometry of an inline SVG bar chart.

Drawn on the server so the chart needs no script (the Content-Security-Policy allows none):
:func:`weekly_chart` turns counts into rectangles and labels that ``_chart.html`` writes out
as ``<rect>`` and ``<text>``. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import EventType

WIDTH = 720
HEIGHT = 180
PAD_LEFT = 32
PAD_BOTTOM = 22
PAD_TOP = 10
TYPES: tuple[str, ...] = (EventType.PLANT_CLOSURE.value, EventType.PARTNERSHIP.value)


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # event type: the CSS class that colours it
    title: str  # the tooltip: week, type, count


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    peak: int
    weeks: list[dict[str, object]]  # the same data as a table / JSON

    @property
    def empty(self) -> bool:
        return self.peak == 0


def weekly_chart(weeks: Sequence[datetime], counts: Mapping[tuple[int, str], int]) -> Chart:
    """Grouped bars, one group per week (oldest left), one bar per event type."""
    peak = max(counts.values(), default=0)
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    group = (WIDTH - PAD_LEFT) / max(1, len(weeks))
    bar_w = group * 0.8 / len(TYPES)
    bars: list[Bar] = []
    labels = [
        Label(PAD_LEFT - 4, PAD_TOP + 4, str(peak)),
        Label(PAD_LEFT - 4, HEIGHT - PAD_BOTTOM, "0"),
    ]
    table: list[dict[str, object]] = []
    for index, start in enumerate(weeks):
        left = PAD_LEFT + index * group + group * 0.1
        row: dict[str, object] = {"week_start": start}
        for offset, kind in enumerate(TYPES):
            n = counts.get((index, kind), 0)
            row[kind] = n
            height = plot_h * n / peak if peak else 0.0
            bars.append(
                Bar(
                    x=round(left + offset * bar_w, 1),
                    y=round(HEIGHT - PAD_BOTTOM - height, 1),
                    width=round(bar_w - 1, 1),
                    height=round(height, 1),
                    kind=kind,
                    title=f"week of {start:%Y-%m-%d}: {n} {kind.replace('_', ' ')}",
                )
            )
        table.append(row)
        if index % 2 == 0:
            labels.append(Label(round(left + group * 0.4, 1), HEIGHT - 6, f"{start:%m-%d}"))
    return Chart(WIDTH, HEIGHT, bars, labels, peak, table)
