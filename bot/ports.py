"""The ports: every interface the use cases depend on, and the plain rows they exchange.

The use cases (``/deal`` in :mod:`handlers`, the pipeline in :mod:`bot.ingest` and
:mod:`bot.alerts`) and the adapters below them (:mod:`bot.store`, the sinks, the chat
endpoints) meet here, one layer above :mod:`bot.domain`, so neither side imports the other.
``/deal`` and the router see the store only through these Protocols, so they run unchanged over
the in-memory store (:mod:`handlers.memory`, used by tests) and the SQL one
(:mod:`bot.store.commands_repo`); one contract suite runs against both. :class:`Sink` is a
chat platform's way out and :class:`SeenOnce` the chat endpoints' replay guard. Two ports sit
lower, with what they serve: :class:`bot.domain.Classifier` (the classifier package and the
clustering replay use it, and they sit below this module) and
:class:`bot.stories.placement.StoryBook` (story placement).

Every datetime crossing these ports is timezone-aware UTC. ``channel`` arguments are
:class:`bot.domain.ChannelRef`. Implementations raise :class:`bot.errors.StoreError` when the
database fails; "not found" is a return value (``False`` / ``None``), never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.domain import ChannelRef, Delivery, EventType, SendResult, Story
from bot.filters import NO_FILTERS, Filters

ALL_EVENTS = "all"  # a subscription's ``events`` when it wants every event type
EVERY_COMPANY = "*"  # a subscription's ``company`` when it wants every company
RemoveResult = Literal["removed", "missing", "config"]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A channel's ``/deal watch``: ``events`` is ``"all"`` or an :class:`EventType` value;
    ``filters`` narrow it further (:mod:`bot.filters`)."""

    channel: ChannelRef
    company: str
    events: str = ALL_EVENTS
    created_by: str | None = None
    filters: Filters = NO_FILTERS

    def wants(self, event_type: EventType) -> bool:
        return self.events in (ALL_EVENTS, event_type.value)


@dataclass(frozen=True, slots=True)
class Mute:
    channel: ChannelRef
    company: str
    until: datetime
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelPrefs:
    """Per-channel delivery mode: ``digest_time`` "HH:MM" (None = instant), quiet hours."""

    channel: ChannelRef
    digest_time: str | None = None
    timezone: str = "UTC"
    quiet_start: str | None = None
    quiet_end: str | None = None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One row of ``/deal sources``: what a source is and how its polling goes."""

    name: str
    kind: str
    target: str  # the feed URL or the search query
    enabled: bool
    origin: str = "config"
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    next_poll_at: datetime | None = None
    recent_polls: str = ""  # the latest polls, oldest first: c changed, n not modified, e error


class StoryQueries(Protocol):
    async def stories_for_companies(
        self, companies: Sequence[str], since: datetime, limit: int
    ) -> list[Story]:
        """Stories naming any of ``companies`` (canonical spelling) first seen at or after
        ``since``, newest first, at most ``limit``."""
        ...

    async def latest_stories(
        self, event_type: EventType | None, since: datetime, limit: int
    ) -> list[Story]:
        """The most important stories first seen since ``since`` (most articles, then newest)."""
        ...

    async def known_companies(self) -> list[str]:
        """Every company name stored stories mention (canonical spelling), sorted."""
        ...


class SubscriptionStore(Protocol):
    async def add_subscription(self, sub: Subscription, now: datetime) -> bool:
        """Create or update; True when it was new."""
        ...

    async def remove_subscription(self, channel: ChannelRef, company: str) -> bool: ...

    async def channel_subscriptions(self, channel: ChannelRef) -> list[Subscription]:
        """This channel's subscriptions, sorted by company."""
        ...

    async def subscriptions_for(self, companies: Iterable[str]) -> list[Subscription]:
        """Every subscription to one of ``companies`` or to ``"*"`` (routing)."""
        ...

    async def count_subscriptions(self, platform: str) -> int:
        """How many subscriptions the channels of one platform (a workspace) hold."""
        ...


class MuteStore(Protocol):
    async def set_mute(self, mute: Mute) -> None:
        """Create or replace the channel's mute of that company."""
        ...

    async def remove_mute(self, channel: ChannelRef, company: str) -> bool: ...

    async def channel_mutes(self, channel: ChannelRef, now: datetime) -> list[Mute]:
        """Mutes of this channel still running at ``now``, sorted by company."""
        ...

    async def mutes_for(self, companies: Iterable[str], now: datetime) -> list[Mute]:
        """Running mutes of any of ``companies`` in any channel (routing)."""
        ...


class ChannelSettingsStore(Protocol):
    async def channel_prefs(self, channel: ChannelRef) -> ChannelPrefs:
        """The channel's prefs, defaults when it never set any."""
        ...

    async def save_channel_prefs(self, prefs: ChannelPrefs) -> None: ...


class SourceAdmin(Protocol):
    async def list_sources(self) -> list[SourceHealth]:
        """Every source, sorted by name."""
        ...

    async def add_source(self, url: str, name: str, added_by: str, now: datetime) -> bool:
        """Add an RSS/Atom source polled from ``now``; False when the name or URL exists.
        ``added_by`` is ``"platform:user"``."""
        ...

    async def count_chat_sources(self, platform: str, user: str | None = None) -> int:
        """Sources added from chat (``/deal sources add``, ``/deal watch``) by users of
        ``platform``, or by that one ``user`` of it."""
        ...

    async def covering_source(self, company: str) -> str | None:
        """The name of a news-search or GDELT source already covering ``company``, or None."""
        ...

    async def remove_source(self, name: str) -> RemoveResult:
        """Delete a chat- or watch-added source. Config sources are not removed (the next start
        would re-create them): ``"config"``; ``"missing"`` when there is no such name."""
        ...

    async def ensure_news_search_source(
        self, company: str, now: datetime, created_by: str | None = None
    ) -> str | None:
        """Add a news-search source for ``company`` unless one already covers it; the new
        source's name, or None when nothing was added. ``created_by`` is ``"platform:user"``."""
        ...


class FeedbackStore(Protocol):
    async def record_feedback(
        self, story_id: int, platform: str, user: str, useful: bool, now: datetime
    ) -> bool:
        """One vote per (story, platform, user), last wins; False when the story is unknown."""
        ...


class CommandStore(
    StoryQueries,
    SubscriptionStore,
    MuteStore,
    ChannelSettingsStore,
    SourceAdmin,
    FeedbackStore,
    Protocol,
):
    """Everything ``/deal`` needs from the store, as one object."""


class RoutingStore(SubscriptionStore, MuteStore, ChannelSettingsStore, Protocol):
    """What :class:`bot.alerts.routing.Router` reads."""


class Backfills(Protocol):
    """Background backfills of a newly watched company's recent past
    (:mod:`bot.ingest.backfill`)."""

    days: int  # how far back a backfill reaches

    def start(self, company: str) -> bool:
        """Start backfilling ``company`` (canonical name) in the background, unless one is
        running; True when started. Never raises for the backfill's own failures."""
        ...


class CompanyTable(Protocol):
    """The classifier's company table as ``/deal`` uses it (``bot.classify.companies``)."""

    def resolve(self, name: str) -> str | None:
        """The canonical name for a name or alias, or None."""
        ...

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Canonical names close to ``name``, best first."""
        ...

    def names(self) -> Iterable[str]:
        """Every canonical name."""
        ...


class Sink(Protocol):
    """One chat platform's way out. Raises :class:`bot.errors.DeliveryError` on failure."""

    platform: str

    async def send(self, delivery: Delivery) -> SendResult: ...


class SeenOnce(Protocol):
    async def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed, False for every later claim."""
        ...
