"""What each console page shows, as plain data: the same dict is rendered by a template and
returned by ``/api/…``, so the page and the JSON never disagree.

The views read through the store's repositories only (:class:`bot.store.console_reads.
ConsoleReads` and :class:`bot.store.commands_repo.SqlCommandStore`, the ``/deal`` store);
company names go through :class:`handlers.company_directory.CompanyDirectory` as in ``/deal``, so an
alias (``hon hai``) finds the canonical company (Foxconn).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config.settings import RouteConfig
from bot.console.chart_cache import ChartCache
from bot.console.charts import Chart, weekly_chart
from bot.domain import EventType, Status, Story
from bot.ingest import poll_marks
from bot.store.commands_repo import SqlCommandStore
from bot.store.console_reads import ConsoleReads, DeliveryView, StoryFilter, week_starts
from handlers.company_directory import CompanyDirectory
from handlers.context import STORY_LIMIT

CHART_DAYS = 90
DEFAULT_DAYS = 30
MAX_DAYS = 3650
QUEUE_LIMIT = 200
FAILED_LIMIT = 100

Query = Mapping[str, str]


_NO_COMPANY: dict[str, Any] = {"typed": "", "company": "", "choices": [], "suggestions": []}


class BadQuery(ValueError):
    """A filter value the console does not accept (the message says which and why)."""


@dataclass(frozen=True)
class Console:
    """The console's collaborators, built by :func:`bot.console.routes.console_routes`."""

    reads: ConsoleReads
    store: SqlCommandStore
    directory: CompanyDirectory
    clock: Callable[[], datetime]
    routes: Sequence[RouteConfig] = ()
    flood_threshold: int = 8
    charts: ChartCache = field(default_factory=ChartCache)

    async def chart(self, now: datetime, company: str | None = None) -> Chart:
        """The 90-day weekly chart (every story, or one company's), at most a minute old."""

        async def draw() -> Chart:
            weeks = week_starts(now, CHART_DAYS)
            return weekly_chart(weeks, await self.reads.weekly_counts(weeks, company))

        return await self.charts.get(company, now, draw)


def story_dict(story: Story) -> dict[str, Any]:
    data = asdict(story)
    data["event_type"] = story.event_type.value
    data["status"] = story.status.value
    data["outlet_count"] = story.outlet_count
    return data


def _days(query: Query, default: int = DEFAULT_DAYS) -> int:
    raw = query.get("days", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise BadQuery(f"days: a whole number of days from 1 to {MAX_DAYS}")
    return int(raw)


def _choice(query: Query, key: str, allowed: Sequence[str]) -> str | None:
    value = query.get(key, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise BadQuery(f"{key}: one of {', '.join(allowed)}")
    return value


async def stories_view(console: Console, query: Query) -> dict[str, Any]:
    """``GET /``: filtered stories, newest first, and the 90-day weekly chart.

    Raises:
        BadQuery: a filter value is not accepted.
        StoreError: the store failed.
    """
    now = console.clock()
    days = _days(query)
    event_type = _choice(query, "type", [t.value for t in EventType])
    status = _choice(query, "status", [s.value for s in Status])
    country = query.get("country", "").strip()[:100] or None
    typed = query.get("company", "").strip()[:200]
    company, resolution = (await _company(console, typed)) if typed else (None, _NO_COMPANY)
    wanted = StoryFilter(now - timedelta(days=days), company, event_type, status, country)
    stories = await console.reads.stories(wanted)
    chart = await console.chart(now)
    return {
        "filters": {
            "company": company or "",
            "typed_company": typed,
            "type": event_type or "",
            "status": status or "",
            "country": country or "",
            "days": days,
        },
        "resolution": resolution,
        "stories": [story_dict(s) for s in stories],
        "limit": wanted.limit,
        "chart": {"days": CHART_DAYS, "weeks": chart.weeks},
        "_chart": chart,
    }


async def _company(console: Console, typed: str) -> tuple[str, dict[str, Any]]:
    """The canonical name for ``typed`` and how it was found (as ``/deal`` resolves it)."""
    found = await console.directory.resolve(typed)
    if found.name:
        return found.name, {"typed": typed, "company": found.name, "choices": [], "suggestions": []}
    return typed, {
        "typed": typed,
        "company": typed,
        "choices": list(found.choices),
        "suggestions": list(found.suggestions),
    }


async def story_view(console: Console, key: str) -> dict[str, Any] | None:
    """``GET /stories/<key>``; None when no story has that key.

    Raises:
        StoreError: the store failed.
    """
    detail = await console.reads.story(key[:200])
    if detail is None:
        return None
    timeline: list[dict[str, Any]] = []
    for report in detail.reports:
        if not timeline or timeline[-1]["status"] != report.status:
            timeline.append(
                {"status": report.status, "at": report.seen_at, "outlet": report.outlet}
            )
    channels: dict[str, list[dict[str, Any]]] = {}
    for delivery in detail.deliveries:
        channels.setdefault(f"{delivery.platform}:{delivery.channel}", []).append(
            _delivery_dict(delivery)
        )
    return {
        "story": story_dict(detail.story),
        "reports": [asdict(r) for r in detail.reports],
        "timeline": timeline,
        "deliveries": channels,
        "feedback": {"useful": detail.useful, "not_useful": detail.not_useful},
    }


async def sources_view(console: Console) -> dict[str, Any]:
    """``GET /sources``: every source's health, disabled and failing ones first.

    Each source carries its latest polls' outcomes (:mod:`bot.ingest.poll_marks`), oldest first,
    drawn as a sparkline; ``poll_marks`` says what each letter means.

    Raises:
        StoreError: the store failed.
    """
    sources = await console.store.list_sources()
    ordered = sorted(sources, key=lambda s: (s.enabled, -s.consecutive_failures, s.name))
    return {
        "sources": [asdict(s) for s in ordered],
        "disabled": sum(1 for s in sources if not s.enabled),
        "failing": sum(1 for s in sources if s.enabled and s.consecutive_failures),
        "poll_marks": dict(poll_marks.POLL_MARKS),
    }


async def deliveries_view(console: Console) -> dict[str, Any]:
    """``GET /deliveries``: the queue (due now, and held for a digest or quiet hours), failed
    deliveries with their errors, and channels whose due new-story alerts will be grouped.

    Raises:
        StoreError: the store failed.
    """
    now = console.clock()
    pending = await console.reads.deliveries("pending", QUEUE_LIMIT, newest=False)
    failed = await console.reads.deliveries("failed", FAILED_LIMIT, newest=True)
    held = [d for d in pending if d.kind == "digest"]
    queue = [d for d in pending if d.kind != "digest"]
    due_new = Counter(
        f"{d.platform}:{d.channel}" for d in queue if d.kind == "new" and d.not_before <= now
    )
    flood = [
        {"channel": channel, "due_new": n}
        for channel, n in sorted(due_new.items())
        if n > console.flood_threshold
    ]
    return {
        "counts": await console.reads.delivery_counts(),
        "queue": [_delivery_dict(d) for d in queue],
        "held": [_delivery_dict(d) for d in held],
        "failed": [_delivery_dict(d) for d in failed],
        "flood": flood,
        "flood_threshold": console.flood_threshold,
        "limit": QUEUE_LIMIT,
    }


async def channels_view(console: Console) -> dict[str, Any]:
    """``GET /channels``: per channel, its subscriptions, running mutes, delivery mode, and
    the config routes that reach it.

    Raises:
        StoreError: the store failed.
    """
    subs, mutes, modes = await console.reads.channels(console.clock())
    channels: dict[str, dict[str, Any]] = {}

    def entry(platform: str, channel: str) -> dict[str, Any]:
        name = f"{platform}:{channel}" if channel else platform
        return channels.setdefault(
            name, {"subscriptions": [], "mutes": [], "mode": None, "routes": []}
        )

    for sub in subs:
        entry(sub.platform, sub.channel)["subscriptions"].append(asdict(sub))
    for mute in mutes:
        entry(mute.platform, mute.channel)["mutes"].append(asdict(mute))
    for mode in modes:
        entry(mode.platform, mode.channel)["mode"] = asdict(mode)
    for route in console.routes:
        entry(route.platform, route.channel)["routes"].append(
            {
                "companies": list(route.companies) or ["(all)"],
                "events": [e.value for e in route.events],
            }
        )
    return {"channels": dict(sorted(channels.items()))}


async def company_view(console: Console, typed: str, query: Query) -> dict[str, Any]:
    """``GET /company/<name>``: what ``/deal <name> [<days>d]`` answers, and the company's
    stories per week over 90 days.

    Raises:
        BadQuery: ``days`` is not accepted.
        StoreError: the store failed.
    """
    days = _days(query)
    company, resolution = await _company(console, typed.strip()[:200])
    now = console.clock()
    stories = await console.store.stories_for_companies(
        [company], now - timedelta(days=days), STORY_LIMIT
    )
    chart = await console.chart(now, company)
    return {
        "company": company,
        "resolution": resolution,
        "days": days,
        "stories": [story_dict(s) for s in stories],
        "limit": STORY_LIMIT,
        "chart": {"days": CHART_DAYS, "weeks": chart.weeks},
        "_chart": chart,
    }


def _delivery_dict(delivery: DeliveryView) -> dict[str, Any]:
    return asdict(delivery)


def public(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view without its rendering helpers (keys starting ``_``): the JSON answer."""
    return {key: value for key, value in view.items() if not key.startswith("_")}
