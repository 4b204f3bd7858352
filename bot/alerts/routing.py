"""Which channels hear about a story change, and when: :class:`Router`.

A new story, a follow-up and a status change are routed alike: every static route from the
config and every ``/deal watch`` subscription whose company and event type match, each channel
once, minus channels where one of the story's companies is muted (a mute silences a company
wherever it appears, like an Alertmanager silence). A subscription's filters
(:mod:`bot.filters`) are checked too: a channel whose only matching subscriptions reject
the story is still returned, marked ``filtered``, because a story the channel already shows
keeps its thread whatever the filters say; the pipeline drops filtered targets for stories new
to the channel. The channel's mode then decides *when*:
instant (now), daily digest (held until the next digest time in its time zone) or quiet hours
(held until they end, then sent as a catch-up). Held alerts are grouped into one
:class:`bot.domain.Digest` by :func:`bot.alerts.grouping.group_flood` when they come due.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bot.alerts.grouping import admin_targets, build_digest, group_flood
from bot.alerts.schedule import next_daily, quiet_until
from bot.config.settings import RouteConfig
from bot.domain import Alert, ChannelRef, EventType
from bot.filters import Facts
from bot.ports import EVERY_COMPANY, RoutingStore

__all__ = ["Hold", "RoutedTarget", "Router", "admin_targets", "build_digest", "group_flood"]

Hold = Literal["digest", "quiet"]


@dataclass(frozen=True, slots=True)
class RoutedTarget:
    """One channel an alert goes to: send at ``not_before``; ``hold`` says why it waits."""

    channel: ChannelRef
    hold: Hold | None
    not_before: datetime
    reason: str = ""  # "config route" or "watching <company>", for the alert's context line
    filtered: bool = False  # only subscriptions whose filters reject the story matched


@dataclass(frozen=True, slots=True)
class _Route:
    channel: ChannelRef
    companies: frozenset[str]  # casefolded canonical names; empty = every company
    events: frozenset[EventType]


class Router:
    """Routes alerts over static routes plus the store's subscriptions, mutes and channel modes.

    ``canonical`` maps a company name written in the config to the canonical name stories use
    (e.g. ``CompanyDirectory.canonical`` or the classifier table's ``resolve``). The
    composition root builds it with :func:`bot.runtime.wiring.build_router`.
    """

    def __init__(
        self,
        routes: Sequence[RouteConfig],
        store: RoutingStore,
        canonical: Callable[[str], str] = lambda name: name,
    ) -> None:
        self._store = store
        self._routes = tuple(
            _Route(
                ChannelRef(r.platform, r.channel),
                frozenset(canonical(c).casefold() for c in r.companies),
                frozenset(r.events),
            )
            for r in routes
        )

    async def targets(
        self, alert: Alert, now: datetime, *, text: str = "", confidence: float | None = None
    ) -> list[RoutedTarget]:
        """The channels for ``alert`` in first-match order, each once. ``text`` (the article's
        title and summary) and ``confidence`` (the event's) are what subscription filters
        read besides the story; a channel matched only by subscriptions whose filters reject
        it comes back ``filtered``.

        Raises:
            StoreError: reading subscriptions, mutes or channel settings failed.
        """
        story = alert.story
        folded = {c.casefold() for c in story.companies}
        matched: dict[ChannelRef, str] = {}
        rejected: dict[ChannelRef, str] = {}
        for route in self._routes:
            if story.event_type in route.events and (
                not route.companies or route.companies & folded
            ):
                matched.setdefault(route.channel, "config route")
        facts = Facts(story, f"{alert.article_title}\n{text}", confidence)
        for sub in await self._store.subscriptions_for(story.companies):
            if sub.wants(story.event_type):
                what = "everything" if sub.company == EVERY_COMPANY else sub.company
                passes = sub.filters.empty or sub.filters.failure(facts) is None
                (matched if passes else rejected).setdefault(sub.channel, f"watching {what}")
        rejected = {channel: r for channel, r in rejected.items() if channel not in matched}
        matched.update(rejected)
        if not matched:
            return []
        muted = {m.channel for m in await self._store.mutes_for(story.companies, now)}
        out = []
        for channel, reason in matched.items():
            if channel not in muted:
                target = await self._when(channel, reason, now)
                out.append(replace(target, filtered=True) if channel in rejected else target)
        return out

    async def _when(self, channel: ChannelRef, reason: str, now: datetime) -> RoutedTarget:
        prefs = await self._store.channel_prefs(channel)
        if prefs.digest_time:
            release = next_daily(now, prefs.digest_time, prefs.timezone)
            return RoutedTarget(channel, "digest", release, reason)
        if prefs.quiet_start and prefs.quiet_end:
            until = quiet_until(now, prefs.quiet_start, prefs.quiet_end, prefs.timezone)
            if until is not None:
                return RoutedTarget(channel, "quiet", until, reason)
        return RoutedTarget(channel, None, now, reason)
