"""A story as it stands: merged facts, current status, outlets, and its clustering signature.

:func:`new_story` starts one from its first article; :func:`merge_story` folds in each later
article and says whether the story's status changed (which the pipeline re-broadcasts).

Merge rules:

* **companies**: union in order of first mention; **plant** and **country**: the first stated;
  **jobs**: the latest stated figure (follow-ups correct the count);
* **event type**: the first typed event's; a story of untyped articles (``other``) takes the
  type of the first typed article that joins it;
* **outlets**: de-duplicated case-insensitively; **article_count** counts every article;
  **first_seen** is kept; **headline** and **url** stay the first article's (the alert's).
* **status**, the latest *credible* one: ``talks`` → ``planned`` → ``confirmed`` only move
  forward; ``denied`` / ``cancelled`` override any earlier status; ``confirmed`` overrides an
  earlier denial or cancellation (a signed deal outranks an earlier denial); ``talks`` or
  ``planned`` never replace a denial, a cancellation or a confirmation. An article older than
  the one that set the current status never changes it (late-arriving copies of old news).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import Event, EventType, Status, Story
from bot.stories import similarity
from bot.stories.features import NO_TYPE, StoryFeatures
from bot.stories.index import StoryCandidate

_FORWARD = {Status.TALKS: 0, Status.PLANNED: 1, Status.CONFIRMED: 2}
_REVERSALS = frozenset({Status.DENIED, Status.CANCELLED})
_MAX_COMPANIES = 12
SIGNATURE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What a story keeps of one article."""

    title: str
    url: str = ""
    outlet: str = ""


@dataclass(frozen=True, slots=True)
class StoryState:
    """One story: the facts merged from its articles plus the signature matching uses."""

    key: str
    event_type: str  # an EventType value, or "other" while no article had an event
    status: Status | None
    status_at: datetime | None
    headline: str
    url: str
    first_seen: datetime
    updated_at: datetime
    signature: StoryCandidate
    companies: tuple[str, ...] = ()
    plant: str | None = None
    country: str | None = None
    jobs: int | None = None
    outlets: tuple[str, ...] = ()
    article_count: int = 1
    evidence: tuple[str, ...] = ()

    def index_keys(self) -> list[str]:
        """Rows for the ``story_companies`` index (companies and ``~names``)."""
        return self.signature.index_keys()

    def signature_json(self) -> dict[str, Any]:
        """What to persist in ``StoryRow.features``; :func:`signature_from_json` reads it back."""
        sig = self.signature
        return {
            "v": SIGNATURE_VERSION,
            "first_seen": sig.first_seen.isoformat(),
            "last_seen": sig.last_seen.isoformat(),
            "status_at": self.status_at.isoformat() if self.status_at else None,
            "members": [m.to_json() for m in sig.members],
        }

    def as_story(self, story_id: int) -> Story | None:
        """The domain :class:`Story` for alerting, or ``None`` while the story has no event."""
        if self.event_type == NO_TYPE or self.status is None:
            return None
        return Story(
            id=story_id,
            key=self.key,
            event_type=EventType(self.event_type),
            status=self.status,
            headline=self.headline,
            url=self.url,
            first_seen_at=self.first_seen,
            updated_at=self.updated_at,
            companies=self.companies,
            plant=self.plant,
            country=self.country,
            jobs=self.jobs,
            outlets=self.outlets,
            article_count=self.article_count,
            evidence=self.evidence,
        )


def signature_from_json(key: str, data: Mapping[str, Any]) -> StoryCandidate:
    """The clustering signature of story ``key`` from ``StoryRow.features``.

    Raises ``ValueError`` (or ``KeyError``/``TypeError``) when ``data`` is not a signature.
    """
    if data.get("v") != SIGNATURE_VERSION:
        raise ValueError(f"unknown story signature version {data.get('v')!r}")
    members = tuple(StoryFeatures.from_json(m) for m in data["members"])
    if not members:
        raise ValueError("story signature without members")
    return StoryCandidate(
        key=key,
        members=members,
        first_seen=datetime.fromisoformat(data["first_seen"]),
        last_seen=datetime.fromisoformat(data["last_seen"]),
    )


def story_key(features: StoryFeatures, article: ArticleInfo) -> str:
    """``<type>-<first company slug>-<yyyymmdd>-<6 hex>``.

    For example ``plant_closure-honda-20190218-1a2b3c``; ``other-…`` when the first article had
    no event, ``…-undated-…`` when it had no date (replays only; the bot always has one).

    The hash covers the article's URL (or title) and time, so replays give the same keys.
    """
    company = sorted(features.companies)[0] if features.companies else "unknown"
    seed = f"{article.url or article.title}|{features.seen_at.isoformat()}"
    digest = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:6]
    day = f"{features.seen_at:%Y%m%d}" if features.dated else "undated"
    return f"{features.primary_type}-{similarity.slug(company)}-{day}-{digest}"


def _merge_status(
    current: Status | None, current_at: datetime | None, new: Status, new_at: datetime
) -> Status | None:
    if current is None:
        return new
    if current_at is not None and new_at < current_at:
        return current
    if new in _REVERSALS or new is Status.CONFIRMED:
        return new
    if current in _REVERSALS or current is Status.CONFIRMED:
        return current
    return new if _FORWARD[new] > _FORWARD[current] else current


def _merged(old: tuple[str, ...], new: tuple[str, ...] | list[str], cap: int) -> tuple[str, ...]:
    seen = {v.casefold() for v in old}
    out = list(old)
    for value in new:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return tuple(out[:cap])


def new_story(
    features: StoryFeatures, event: Event | None, article: ArticleInfo, *, key: str | None = None
) -> StoryState:
    """A story whose first article is ``article`` (``event`` may be ``None``)."""
    key = key or story_key(features, article)
    return StoryState(
        key=key,
        event_type=event.type.value if event else NO_TYPE,
        status=event.status if event else None,
        status_at=features.seen_at if event else None,
        headline=article.title,
        url=article.url,
        first_seen=features.seen_at,
        updated_at=features.seen_at,
        signature=StoryCandidate.start(key, features),
        companies=_merged((), sorted(features.companies), _MAX_COMPANIES),
        plant=features.plant,
        country=features.country,
        jobs=features.jobs,
        outlets=_merged((), [article.outlet], 1000),
        article_count=1,
        evidence=event.evidence[:3] if event else (),
    )


def merge_story(
    state: StoryState, features: StoryFeatures, event: Event | None, article: ArticleInfo
) -> tuple[StoryState, bool]:
    """``state`` after ``article`` joined it, and whether its status changed (see module doc)."""
    status, status_at = state.status, state.status_at
    event_type = state.event_type
    if event is not None:
        if event_type == NO_TYPE:
            event_type = event.type.value
        if event.type.value == event_type:
            status = _merge_status(state.status, state.status_at, event.status, features.seen_at)
            if status is not state.status:
                status_at = features.seen_at
    merged = replace(
        state,
        event_type=event_type,
        status=status,
        status_at=status_at,
        updated_at=max(state.updated_at, features.seen_at),
        signature=state.signature.with_member(features),
        companies=_merged(state.companies, sorted(features.companies), _MAX_COMPANIES),
        plant=state.plant or features.plant,
        country=state.country or features.country,
        jobs=features.jobs if features.jobs is not None else state.jobs,
        outlets=_merged(state.outlets, [article.outlet], 1000),
        article_count=state.article_count + 1,
        evidence=state.evidence or (event.evidence[:3] if event else ()),
    )
    changed = state.status is not None and status is not state.status
    return merged, changed
