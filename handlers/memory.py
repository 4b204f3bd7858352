"""An in-memory :class:`bot.ports.CommandStore`: a real implementation, not a mock.

Tests and the console demo use it; the contract suite (``tests/handlers/test_store_contract``)
runs the same cases against it and against :mod:`bot.store.commands_repo`, so both behave alike.
``add_story`` and ``set_source_health`` seed it the way the pipeline would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.config.defaults import NEWS_SEARCH_TEMPLATE
from bot.domain import ChannelRef, EventType, Story
from bot.ports import (
    EVERY_COMPANY,
    ChannelPrefs,
    Mute,
    RemoveResult,
    SourceHealth,
    Subscription,
)

_Key = tuple[str, str, str]  # platform, channel, company


def _key(channel: ChannelRef, company: str) -> _Key:
    return channel.platform, channel.channel, company


def _on(creator: str, platform: str) -> bool:
    return creator.startswith(f"{platform}:")


class MemoryStore:
    """Dicts keyed like the SQL unique constraints; company names compared exactly."""

    def __init__(self) -> None:
        self.stories: dict[int, Story] = {}
        self.subscriptions: dict[_Key, Subscription] = {}
        self.mutes: dict[_Key, Mute] = {}
        self.prefs: dict[tuple[str, str], ChannelPrefs] = {}
        self.sources: dict[str, SourceHealth] = {}
        self.feedback: dict[tuple[int, str, str], bool] = {}
        self.source_creators: dict[str, str] = {}  # source name -> "platform:user"

    # seeding -----------------------------------------------------------------------------
    def add_story(self, story: Story) -> None:
        self.stories[story.id] = story

    def set_source_health(self, health: SourceHealth) -> None:
        self.sources[health.name] = health

    # StoryQueries --------------------------------------------------------------------------
    async def stories_for_companies(
        self, companies: Sequence[str], since: datetime, limit: int
    ) -> list[Story]:
        wanted = set(companies)
        found = [
            s
            for s in self.stories.values()
            if s.first_seen_at >= since and wanted.intersection(s.companies)
        ]
        return sorted(found, key=lambda s: (s.first_seen_at, s.id), reverse=True)[:limit]

    async def latest_stories(
        self, event_type: EventType | None, since: datetime, limit: int
    ) -> list[Story]:
        found = [
            s
            for s in self.stories.values()
            if s.first_seen_at >= since and (event_type is None or s.event_type == event_type)
        ]
        found.sort(key=lambda s: (s.article_count, s.first_seen_at, s.id), reverse=True)
        return found[:limit]

    async def known_companies(self) -> list[str]:
        return sorted({c for s in self.stories.values() for c in s.companies})

    # SubscriptionStore -------------------------------------------------------------------
    async def add_subscription(self, sub: Subscription, now: datetime) -> bool:
        key = _key(sub.channel, sub.company)
        new = key not in self.subscriptions
        self.subscriptions[key] = sub
        return new

    async def remove_subscription(self, channel: ChannelRef, company: str) -> bool:
        return self.subscriptions.pop(_key(channel, company), None) is not None

    async def channel_subscriptions(self, channel: ChannelRef) -> list[Subscription]:
        subs = [s for s in self.subscriptions.values() if s.channel == channel]
        return sorted(subs, key=lambda s: s.company)

    async def subscriptions_for(self, companies: Iterable[str]) -> list[Subscription]:
        wanted = {*companies, EVERY_COMPANY}
        return [s for s in self.subscriptions.values() if s.company in wanted]

    async def count_subscriptions(self, platform: str) -> int:
        return sum(1 for key in self.subscriptions if key[0] == platform)

    # MuteStore ---------------------------------------------------------------------------
    async def set_mute(self, mute: Mute) -> None:
        self.mutes[_key(mute.channel, mute.company)] = mute

    async def remove_mute(self, channel: ChannelRef, company: str) -> bool:
        return self.mutes.pop(_key(channel, company), None) is not None

    async def channel_mutes(self, channel: ChannelRef, now: datetime) -> list[Mute]:
        running = [m for m in self.mutes.values() if m.channel == channel and m.until > now]
        return sorted(running, key=lambda m: m.company)

    async def mutes_for(self, companies: Iterable[str], now: datetime) -> list[Mute]:
        wanted = set(companies)
        return [m for m in self.mutes.values() if m.company in wanted and m.until > now]

    # ChannelSettingsStore ----------------------------------------------------------------
    async def channel_prefs(self, channel: ChannelRef) -> ChannelPrefs:
        return self.prefs.get((channel.platform, channel.channel), ChannelPrefs(channel))

    async def save_channel_prefs(self, prefs: ChannelPrefs) -> None:
        self.prefs[(prefs.channel.platform, prefs.channel.channel)] = prefs

    # SourceAdmin -------------------------------------------------------------------------
    async def list_sources(self) -> list[SourceHealth]:
        return [self.sources[name] for name in sorted(self.sources)]

    async def add_source(self, url: str, name: str, added_by: str, now: datetime) -> bool:
        if name in self.sources or any(s.target == url for s in self.sources.values()):
            return False
        self.sources[name] = SourceHealth(name, "rss", url, True, origin="chat", next_poll_at=now)
        self.source_creators[name] = added_by
        return True

    async def count_chat_sources(self, platform: str, user: str | None = None) -> int:
        return sum(
            1
            for name, creator in self.source_creators.items()
            if name in self.sources
            and self.sources[name].origin in ("chat", "watch")
            and (creator == f"{platform}:{user}" if user is not None else _on(creator, platform))
        )

    async def covering_source(self, company: str) -> str | None:
        key = company.casefold()
        for source in self.sources.values():
            if source.kind in ("news_search", "gdelt") and key in source.target.casefold():
                return source.name
        return None

    async def remove_source(self, name: str) -> RemoveResult:
        source = self.sources.get(name)
        if source is None:
            return "missing"
        if source.origin == "config":
            return "config"
        del self.sources[name]
        return "removed"

    async def ensure_news_search_source(
        self, company: str, now: datetime, created_by: str | None = None
    ) -> str | None:
        name = f"News search: {company}"
        if await self.covering_source(company) is not None or name in self.sources:
            return None
        query = NEWS_SEARCH_TEMPLATE.format(company=company)
        health = SourceHealth(name, "news_search", query, True, origin="watch", next_poll_at=now)
        self.sources[name] = health
        if created_by is not None:
            self.source_creators[name] = created_by
        return name

    # FeedbackStore -----------------------------------------------------------------------
    async def record_feedback(
        self, story_id: int, platform: str, user: str, useful: bool, now: datetime
    ) -> bool:
        if story_id not in self.stories:
            return False
        self.feedback[(story_id, platform, user)] = useful
        return True
