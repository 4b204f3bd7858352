"""The 90-day chart is drawn at most once a minute per company, and the cache stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.console import chart_cache
from bot.console.chart_cache import ChartCache
from bot.console.charts import Chart, weekly_chart

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Drawer:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> Chart:
        self.calls += 1
        return weekly_chart([T0], {(0, "plant_closure"): self.calls})


async def test_a_chart_is_kept_for_a_minute_then_drawn_again() -> None:
    cache, draw = ChartCache(), Drawer()
    first = await cache.get(None, T0, draw)
    again = await cache.get(None, T0 + timedelta(seconds=59), draw)
    assert again is first and draw.calls == 1
    later = await cache.get(None, T0 + timedelta(seconds=60), draw)
    assert later is not first and draw.calls == 2
    await cache.get(None, T0, draw)  # the clock went back: not trusted
    assert draw.calls == 3


async def test_each_company_has_its_own_chart_and_the_cache_is_bounded() -> None:
    cache, draw = ChartCache(), Drawer()
    await cache.get("Nissan", T0, draw)
    await cache.get("Ford", T0, draw)
    await cache.get("Nissan", T0, draw)
    assert draw.calls == 2
    for n in range(chart_cache.MAX_CHARTS + 10):
        await cache.get(f"company {n}", T0, draw)
    assert len(cache) == chart_cache.MAX_CHARTS
    before = draw.calls
    await cache.get("Nissan", T0, draw)  # evicted: drawn again
    assert draw.calls == before + 1
