"""Candidate retrieval: which stored stories an article could belong to, without scanning them all.

Stories are filed under their *index keys* (canonical companies and ``~``-prefixed names, see
:meth:`StoryFeatures.index_keys`) with their first-seen time. Retrieval looks up each key of
the new article and keeps the stories first seen inside a time window around it, at most
:data:`PER_KEY_LIMIT` per key (the most recent in the window). With ``k`` keys per article
(at most 10) and ``n_k`` stories under a key, a lookup costs
``O(k · (log n_k + PER_KEY_LIMIT))``: independent of the total number of stories.
:class:`InMemoryIndex` is the reference implementation used by ``dealradar cluster`` and the
tests; ``bot.store.story_index`` answers the same question in SQL.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.stories.features import StoryFeatures

WINDOW_BACK = timedelta(days=400)  # a story stays joinable this long after it was first seen
WINDOW_AHEAD = timedelta(days=30)  # tolerance for late-arriving older articles
PER_KEY_LIMIT = 40
MAX_MEMBERS = 12  # features of the most recent articles a story keeps for matching


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A stored story as the clusterer sees it: its key, kept article features, time span."""

    key: str
    members: tuple[StoryFeatures, ...]
    first_seen: datetime
    last_seen: datetime
    # unions over the members, computed once: the clusterer skips a story no member of which
    # can pass its type and entity gates without scoring its members one by one
    event_types: frozenset[str] = field(init=False, repr=False, compare=False)
    companies: frozenset[str] = field(init=False, repr=False, compare=False)
    names: frozenset[str] = field(init=False, repr=False, compare=False)
    has_untyped: bool = field(init=False, repr=False, compare=False)
    _by_entity: dict[str, list[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        members = self.members
        by_entity: dict[str, list[int]] = {}
        for number, member in enumerate(members):
            for company in member.companies:
                by_entity.setdefault(company, []).append(number)
            for name in member.names:
                by_entity.setdefault("~" + name, []).append(number)
        object.__setattr__(self, "_by_entity", by_entity)
        object.__setattr__(
            self, "event_types", frozenset().union(*(m.event_types for m in members))
        )
        object.__setattr__(self, "companies", frozenset().union(*(m.companies for m in members)))
        object.__setattr__(self, "names", frozenset().union(*(m.names for m in members)))
        object.__setattr__(self, "has_untyped", any(not m.event_types for m in members))

    def members_sharing(self, features: StoryFeatures) -> list[StoryFeatures]:
        """The members sharing a company or a name with ``features``, in member order."""
        by_entity = self._by_entity
        found: set[int] = set()
        for company in features.companies:
            found.update(by_entity.get(company, ()))
        for name in features.names:
            found.update(by_entity.get("~" + name, ()))
        members = self.members
        return [members[number] for number in sorted(found)]

    def index_keys(self) -> list[str]:
        """The union of the members' index keys, in first-seen order."""
        seen: dict[str, None] = {}
        for member in self.members:
            for key in member.index_keys():
                seen.setdefault(key, None)
        return list(seen)

    @property
    def dated(self) -> bool:
        """Whether any member has a real date (undated stories are filed outside time)."""
        return any(m.dated for m in self.members)

    def with_member(self, features: StoryFeatures) -> StoryCandidate:
        """This story after ``features`` joined it (oldest members dropped past the cap).

        First and last seen come from dated members only, once there is one.
        """
        members = (*self.members, features)[-MAX_MEMBERS:]
        if features.dated and not self.dated:
            first, last = features.seen_at, features.seen_at
        elif features.dated or not self.dated:
            first = min(self.first_seen, features.seen_at)
            last = max(self.last_seen, features.seen_at)
        else:
            first, last = self.first_seen, self.last_seen
        return StoryCandidate(key=self.key, members=members, first_seen=first, last_seen=last)

    @classmethod
    def start(cls, key: str, features: StoryFeatures) -> StoryCandidate:
        """A new story with ``features`` as its only article."""
        at = features.seen_at
        return cls(key=key, members=(features,), first_seen=at, last_seen=at)


class CandidateIndex(Protocol):
    """Synchronous candidate retrieval (the SQL one is the async twin in ``bot.store``)."""

    def candidates(self, keys: Sequence[str], around: datetime | None) -> list[StoryCandidate]: ...


class InMemoryIndex:
    """Key → stories sorted by first-seen time, plus the stories themselves by key.

    Stories with no dated article (replayed items without a date) are filed per key in a
    separate list that every lookup under that key sees, most recent :data:`PER_KEY_LIMIT`.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[datetime, str]]] = {}
        self._undated: dict[str, list[str]] = {}
        self._stories: dict[str, StoryCandidate] = {}

    def __len__(self) -> int:
        return len(self._stories)

    def get(self, story_key: str) -> StoryCandidate | None:
        return self._stories.get(story_key)

    def put(self, story: StoryCandidate) -> None:
        """Insert or replace ``story`` and file it under any index key it did not have yet."""
        previous = self._stories.get(story.key)
        self._stories[story.key] = story
        moved = previous is not None and story.dated and not previous.dated
        known = set(previous.index_keys()) if previous and not moved else set()
        if moved and previous is not None:
            for key in previous.index_keys():
                self._undated[key].remove(story.key)
        for key in story.index_keys():
            if key in known:
                continue
            if story.dated:
                bisect.insort(self._by_key.setdefault(key, []), (story.first_seen, story.key))
            else:
                self._undated.setdefault(key, []).append(story.key)

    def candidates(self, keys: Sequence[str], around: datetime | None) -> list[StoryCandidate]:
        """Stories filed under any of ``keys``: first seen in the window around ``around``
        (any time when ``around`` is ``None``), plus undated ones; at most
        :data:`PER_KEY_LIMIT` of each kind per key, the most recent."""
        found: dict[str, StoryCandidate] = {}
        for key in keys:
            filed = self._by_key.get(key, [])
            if around is None:
                window = filed[-PER_KEY_LIMIT:]
            else:
                lo = bisect.bisect_left(filed, (around - WINDOW_BACK, ""))
                hi = bisect.bisect_right(filed, (around + WINDOW_AHEAD, "\uffff"))
                window = filed[max(lo, hi - PER_KEY_LIMIT) : hi]
            story_keys = [k for _, k in window] + self._undated.get(key, [])[-PER_KEY_LIMIT:]
            for story_key in story_keys:
                found.setdefault(story_key, self._stories[story_key])
        return list(found.values())
