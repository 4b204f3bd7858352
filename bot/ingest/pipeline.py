"""From fetched feeds to queued alerts, in one transaction per batch of fetches.

New articles (deduplicated by canonical URL and guid) → analysis (events and their story
features, in the worker processes: :mod:`bot.ingest.analysis`) → story placement (join the
story reporting the same real-world event, or start one) → routing → outbox. The first alert of
a story in a channel waits ``group_wait`` so near-simultaneous reports collapse into it; later
articles become follow-ups (thread replies) or status changes. A source's first poll stores its
backlog (searchable with ``/deal``) without alerting. The poller hands over changed feeds as
they arrive and several are stored per commit (:meth:`Pipeline.ingest_many`); each source's
new ETag/hash is committed with its articles, so a crash loses a batch whole and it is fetched
again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.alerts.routing import RoutedTarget, Router
from bot.domain import (
    ALERT_DELIVERY,
    Alert,
    AlertKind,
    Article,
    ChannelRef,
    Classifier,
    Event,
    FeedEntry,
    Story,
)
from bot.ingest.analysis import Analysis
from bot.metrics import Metrics
from bot.sources.base import FetchOutcome
from bot.store.codec import message_from_json
from bot.store.ingest import ArticleGroup, IngestUnit, IngestUnits, NewArticle
from bot.store.models import DeliveryRow
from bot.store.sources_repo import SourceRecord
from bot.stories.identity import canonical_url, site_of
from bot.stories.placement import ArticleText, Placement, StoryBook, text_of

log = logging.getLogger("dealradar.pipeline")

ANALYSIS_PART = 256  # articles per analysis request while placement overlaps analysis


@dataclass(frozen=True, slots=True)
class ChangedFetch:
    """A fetch whose document changed: what to store, and the source's new fetch state."""

    source: SourceRecord
    outcome: FetchOutcome
    now: datetime
    source_values: dict[str, object]


AnalyseMany = Callable[[Sequence[ArticleText]], Awaitable[list[Analysis]]]
"""Classifies many articles at once and computes their events' story features
(:class:`bot.ingest.analysis.Analyser`, in worker processes)."""


def outlet_of(entry: FeedEntry, source_name: str) -> str:
    """The feed's outlet, else the link's site (a worker fills that in when it parses), else
    the source's name."""
    return entry.outlet or site_of(entry.url) or source_name


def why_it_fired(event: Event) -> str:
    evidence = "; ".join(event.evidence[:3]) or event.type.value
    return f"{evidence} (confidence {event.confidence:.2f})"


class Pipeline:
    def __init__(
        self,
        units: IngestUnits,
        classifier: Classifier,
        book: StoryBook[IngestUnit],
        router: Router,
        *,
        owner: str,
        group_wait: float,
        metrics: Metrics | None = None,
        analyse_many: AnalyseMany | None = None,
    ) -> None:
        self._units = units
        self._classifier = classifier
        self._book = book
        self._router = router
        self._owner = owner
        self._group_wait = timedelta(seconds=group_wait)
        self._metrics = metrics
        self._analyse_many = analyse_many

    async def ingest(
        self,
        source: SourceRecord,
        outcome: FetchOutcome,
        now: datetime,
        source_values: dict[str, object],
    ) -> int:
        """Store one fetch's entries with their events and deliveries, and the source's new
        fetch state, in one commit. Returns the number of new articles."""
        return (await self.ingest_many([ChangedFetch(source, outcome, now, source_values)]))[0]

    async def ingest_many(self, fetches: Sequence[ChangedFetch]) -> list[int]:
        """:meth:`ingest` for several fetches in one commit (one guid lookup, one insert, one
        classifier batch, one source update for all of them): a cold poll brings thousands of
        articles, and per-feed transactions would be most of its cost. Returns the number of new
        articles of each fetch, in order; all or nothing is stored."""
        groups = [
            ArticleGroup(
                f.source.id,
                self._items(f.outcome.entries, f.source.name),
                f.now,
                alertable=f.source.backlog_done,
            )
            for f in fetches
        ]
        updates = [(f.source.id, f.source_values) for f in fetches]
        return await self._store(groups, updates)

    async def store_backlog(
        self, source_id: int | None, source_name: str, entries: Sequence[FeedEntry], now: datetime
    ) -> int:
        """Store past entries as a source's first poll stores its backlog: deduplicated,
        classified and placed into stories, never alerted (the backfill of a new watch,
        :mod:`bot.ingest.backfill`). ``source_id`` may be None (no stored source). Returns how many
        were new."""
        group = ArticleGroup(source_id, self._items(entries, source_name), now, alertable=False)
        return (await self._store([group], []))[0]

    async def _store(
        self, groups: Sequence[ArticleGroup], updates: list[tuple[int, dict[str, object]]]
    ) -> list[int]:
        async with self._units.begin() as unit:
            # Stored as classified: they are classified below, in this same transaction.
            per_fetch = await unit.add_article_groups(groups, classified=True)
            new = [
                (article, group)
                for group, articles in zip(groups, per_fetch, strict=True)
                for article in articles
            ]
            parts = await self._analysis_parts(unit, [article for article, _ in new])
            try:
                done = 0
                for part in parts:
                    found = await part
                    for (article, group), analysis in zip(
                        new[done : done + len(found)], found, strict=True
                    ):
                        await self._process(
                            unit, article, analysis, group.now, alertable=group.alertable
                        )
                    done += len(found)
            finally:
                for part in parts:
                    part.cancel()
                await asyncio.gather(*parts, return_exceptions=True)
            if updates:
                await unit.update_sources(self._owner, updates)
        if self._metrics:
            self._metrics.articles.inc(len(new))
        return [len(articles) for articles in per_fetch]

    @staticmethod
    def _items(entries: Sequence[FeedEntry], source_name: str) -> list[NewArticle]:
        return [
            NewArticle(
                url=entry.url,
                canonical_url=entry.canonical_url or canonical_url(entry.url),
                title=entry.title,
                summary=entry.summary,
                outlet=outlet_of(entry, source_name)[:200],
                guid=entry.guid,
                published_at=entry.published,
            )
            for entry in entries
            if entry.storable
        ]

    async def _analysis_parts(
        self, unit: IngestUnit, articles: Sequence[Article]
    ) -> list[asyncio.Future[list[Analysis]]]:
        """The analysis of ``articles``, as consecutive parts to place in order.

        Where placements lock their keys (PostgreSQL), everything is analysed first and the
        batch's keys are locked up front, sorted: two batches locking as they go could each
        wait for a key the other holds. Elsewhere (SQLite: one writer) the batch is analysed
        in parts of :data:`ANALYSIS_PART`, all sent to the workers at once, and placement
        starts as soon as the first part is back: the workers analyse while the event loop
        places (a cold poll's batches waited ~0.2 s each for their whole analysis).
        """
        if self._analyse_many is None or len(articles) <= ANALYSIS_PART or self._book.locks(unit):
            found = await self._analyse(articles)
            await self._book.lock(
                unit, (k for a in found for f in a.features for k in f.index_keys())
            )
            whole: asyncio.Future[list[Analysis]] = asyncio.get_running_loop().create_future()
            whole.set_result(found)
            return [whole]
        return [
            asyncio.ensure_future(self._analyse(articles[start : start + ANALYSIS_PART]))
            for start in range(0, len(articles), ANALYSIS_PART)
        ]

    async def _analyse(self, articles: Sequence[Article]) -> list[Analysis]:
        if not articles:
            return []
        if self._analyse_many is not None:
            return await self._analyse_many([text_of(a) for a in articles])
        # inline: the story book computes the features itself
        return [Analysis(self._classifier.classify(a.title, a.summary), []) for a in articles]

    async def _process(
        self,
        unit: IngestUnit,
        article: Article,
        analysis: Analysis,
        now: datetime,
        *,
        alertable: bool,
    ) -> None:
        events = analysis.events
        alerts: list[tuple[Alert, Event]] = []
        for number, event in enumerate(events):
            features = analysis.features[number] if analysis.features else None
            placement = await self._book.place(unit, article, event, events, features)
            story = placement.stored_story()
            await unit.add_event(article, event, story.id, now)
            if self._metrics:
                self._metrics.events.labels(event.type.value).inc()
                if placement.created:
                    self._metrics.stories.labels(event.type.value).inc()
            alerts.append((alert_for(placement, story, article, event), event))
        if alertable and alerts:
            await self._route(unit, alerts, article, now)

    async def _route(
        self,
        unit: IngestUnit,
        alerts: Sequence[tuple[Alert, Event]],
        article: Article,
        now: datetime,
    ) -> None:
        """Each channel gets one message per article: the events it watches, as facets."""
        by_channel: dict[ChannelRef, list[tuple[Alert, RoutedTarget]]] = {}
        for alert, event in alerts:
            for target in await self._router.targets(
                alert, now, text=article.summary, confidence=event.confidence
            ):
                by_channel.setdefault(target.channel, []).append((alert, target))
        for channel, entries in by_channel.items():
            await self._deliver(unit, channel, entries, article, now)

    async def _deliver(
        self,
        unit: IngestUnit,
        channel: ChannelRef,
        entries: Sequence[tuple[Alert, RoutedTarget]],
        article: Article,
        now: datetime,
    ) -> None:
        """Stories new to the channel share one top-level message (the first is its lead,
        the others facet rows joined to it); a story already shown there gets a follow-up in
        its message's thread, once per message even when the article reports two of its
        facets. A story new to the channel that the channel's filters reject is not sent; a
        story already shown there is followed up whatever the filters say."""

        def base(story: Story) -> str:
            return f"s{story.id}:{channel.platform}:{channel.channel}"

        fresh: list[tuple[Alert, RoutedTarget]] = []
        shown: dict[int, tuple[DeliveryRow, Alert, RoutedTarget]] = {}
        for alert, target in entries:
            top = await unit.top_of(f"{base(alert.story)}:new")
            if top is None:
                if not target.filtered:
                    fresh.append((alert, target))
            elif top.id not in shown:
                shown[top.id] = (top, alert, target)
        current = {alert.story.id: alert.story for alert, _ in entries}
        if fresh:
            fresh.sort(key=lambda entry: entry[0].story.id)  # the oldest story leads
            lead, target = fresh[0]
            story = lead.story
            top_alert = as_top(lead, also=tuple(alert.story for alert, _ in fresh[1:]))
            held = target.hold is not None
            await unit.enqueue(
                key=f"{base(story)}:new",
                story_id=story.id,
                platform=channel.platform,
                channel=channel.channel,
                kind="digest" if held else "new",
                message=top_alert,
                not_before=target.not_before
                if held
                else max(target.not_before, now + self._group_wait),
                now=now,
            )
            lead_row = await unit.delivery_by_key(f"{base(story)}:new")
            if lead_row is not None:
                for alert, _ in fresh[1:]:
                    await unit.join(
                        key=f"{base(alert.story)}:new",
                        story_id=alert.story.id,
                        platform=channel.platform,
                        channel=channel.channel,
                        joined_to=lead_row.id,
                        message=top_alert,
                        now=now,
                    )
        for top, alert, target in shown.values():
            stored = stored_alert(top)
            facets = facets_of(stored, current) if stored else [alert.story]
            alert = replace(alert, also=tuple(s for s in facets if s.id != alert.story.id))
            if top.state == "pending":  # collapse into the waiting alert, its lead unchanged
                lead = alert if stored is None or stored.story.id == alert.story.id else stored
                others = tuple(s for s in facets if s.id != lead.story.id)
                lead_story = current.get(lead.story.id, lead.story)
                await unit.refresh_pending(top.id, as_top(replace(lead, story=lead_story), others))
                continue
            held = target.hold is not None
            await unit.enqueue(
                key=f"{base(alert.story)}:a{article.id}",
                story_id=alert.story.id,
                platform=channel.platform,
                channel=channel.channel,
                kind="digest" if held or top.kind == "digest" else ALERT_DELIVERY[alert.kind],
                message=alert,
                not_before=target.not_before if held else now,
                now=now,
            )


def alert_for(placement: Placement, story: Story, article: Article, event: Event) -> Alert:
    """What this article says about ``story`` (the placement's, as stored): new, a status
    change or a follow-up."""
    if placement.created:
        kind = AlertKind.NEW
    elif placement.previous_status is not None and placement.previous_status != story.status:
        kind = AlertKind.STATUS_CHANGE
    else:
        kind = AlertKind.FOLLOW_UP
    return Alert(
        kind=kind,
        story=story,
        article_title=article.title,
        article_url=article.url,
        outlet=article.outlet,
        why=why_it_fired(event),
        previous_status=placement.previous_status if kind is AlertKind.STATUS_CHANGE else None,
    )


def as_top(alert: Alert, also: tuple[Story, ...] = ()) -> Alert:
    """The story's top-level message: its own headline and link, not the latest article's."""
    return replace(
        alert,
        kind=AlertKind.NEW,
        article_title=alert.story.headline,
        article_url=alert.story.url,
        previous_status=None,
        also=also,
    )


def stored_alert(top: DeliveryRow) -> Alert | None:
    """The alert a top-level delivery holds (None for a payload this version cannot read)."""
    try:
        message = message_from_json(top.payload)
    except (ValueError, KeyError, TypeError):
        return None
    return message if isinstance(message, Alert) else None


def facets_of(stored: Alert, current: dict[int, Story]) -> list[Story]:
    """The stories a top-level message shows, as this article leaves them (the others as the
    message last showed them), lead first."""
    stories = {s.id: s for s in stored.facets}
    stories.update((id_, s) for id_, s in current.items() if id_ in stories)
    return list(stories.values())
