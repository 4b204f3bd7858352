"""The clustering use case in one call, in memory: article in, story placement out.

:class:`MemoryStoryBook` wires :func:`features_for`, a candidate index, :class:`StoryClusterer` and
:func:`merge_story` together. ``dealradar cluster`` and the tests run it over the in-memory
index; the running bot's book (``bot.store.storybook.SqlStoryBook``, a
:class:`bot.stories.placement.StoryBook`) does the same four steps over the SQL index, whose
retrieval is async (see :meth:`MemoryStoryBook.add` for the exact order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain import Event
from bot.stories.clusterer import StoryClusterer
from bot.stories.features import StoryFeatures, features_for
from bot.stories.index import InMemoryIndex
from bot.stories.placement import Placement
from bot.stories.state import ArticleInfo, StoryState, merge_story, new_story


class MemoryStoryBook:
    """Stories held in memory, keyed by story key. Not thread-safe; one instance per stream."""

    def __init__(
        self, clusterer: StoryClusterer | None = None, index: InMemoryIndex | None = None
    ) -> None:
        self.clusterer = StoryClusterer() if clusterer is None else clusterer
        self.index = InMemoryIndex() if index is None else index
        self._stories: dict[str, StoryState] = {}

    def __len__(self) -> int:
        return len(self._stories)

    def get(self, key: str) -> StoryState | None:
        return self._stories.get(key)

    def add(
        self,
        title: str,
        summary: str,
        events: Iterable[Event],
        seen_at: datetime,
        *,
        article: ArticleInfo | None = None,
        companies: Iterable[str] = (),
        mentions: Iterable[str] = (),
        dated: bool = True,
    ) -> Placement:
        """Place one article: features → candidates → best match → new or merged story."""
        events = list(events)
        features = features_for(
            title, summary, events, seen_at, companies=companies, mentions=mentions, dated=dated
        )
        return self.place(features, events, article or ArticleInfo(title))

    def place(
        self, features: StoryFeatures, events: list[Event], article: ArticleInfo
    ) -> Placement:
        """:meth:`add` for features computed elsewhere."""
        match = self.clusterer.assign_from(features, self.index)
        current = self._stories.get(match.story_key) if match.story_key else None
        event = pick_event(events, current)
        if current is None:
            story = new_story(features, event, article)
            while story.key in self._stories:  # same article replayed: keep keys distinct
                story = new_story(features, event, article, key=story.key + "x")
            created, previous = True, None
        else:
            story, _changed = merge_story(current, features, event, article)
            created, previous = False, current.status
        self._stories[story.key] = story
        self.index.put(story.signature)
        return Placement(story=story, match=match, created=created, previous_status=previous)


def pick_event(events: list[Event], story: StoryState | None) -> Event | None:
    """The article's event that speaks about ``story``: one of its type, else the first."""
    if story is not None:
        for event in events:
            if event.type.value == story.event_type:
                return event
    return events[0] if events else None
