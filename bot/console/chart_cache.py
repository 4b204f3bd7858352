"""The 90-day chart's counts, kept for a minute.

Counting every story of the last 90 days by week is the dearest query of the stories and
company pages (most of their time at 1,000,000 articles, docs/benchmarks.md). A chart a
minute old is as good to an operator, so :class:`ChartCache` keeps each chart (the whole
site's, and one per company) for :data:`TTL` and at most :data:`MAX_CHARTS` of them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.console.charts import Chart

TTL = timedelta(seconds=60)
MAX_CHARTS = 256


class ChartCache:
    def __init__(self) -> None:
        self._charts: OrderedDict[str | None, tuple[datetime, Chart]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._charts)

    async def get(
        self, company: str | None, now: datetime, draw: Callable[[], Awaitable[Chart]]
    ) -> Chart:
        """The chart for ``company`` (None: every story), drawn again once it is older than
        :data:`TTL` (or when the clock went back)."""
        kept = self._charts.get(company)
        if kept is not None and timedelta(0) <= now - kept[0] < TTL:
            self._charts.move_to_end(company)
            return kept[1]
        chart = await draw()
        self._charts[company] = (now, chart)
        self._charts.move_to_end(company)
        while len(self._charts) > MAX_CHARTS:
            self._charts.popitem(last=False)
        return chart
