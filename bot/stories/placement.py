"""Placing an article's events in stories: what a placement is, and the book that makes it.

:class:`StoryBook` is the interface the ingest pipeline places through, one event of an article
at a time, inside the pipeline's unit of work (``bot.store.storybook.SqlStoryBook`` implements it
over the database). :class:`bot.stories.book.MemoryStoryBook` runs the same steps in memory for
``dealradar cluster`` and the tests. Both answer with a :class:`Placement`.

The rest is what placement needs of an article before any story is touched: its text as
analysis sees it (:class:`ArticleText`, :func:`text_of`), the companies it names
(:func:`company_finder`) and the story features of one of its events (:func:`story_features`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.domain import Article, Event, Status, Story
from bot.stories.features import StoryFeatures, features_for

if TYPE_CHECKING:
    from bot.classify.companies import CompanyTable
    from bot.stories.clusterer import Match
    from bot.stories.state import StoryState

CompanyFinder = Callable[[str], Iterable[tuple[str, str]]]  # text → (canonical, as written)

UnitT = TypeVar("UnitT", contravariant=True)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article (or one of its events) went: its story after the merge, and what changed."""

    story: StoryState
    match: Match
    created: bool
    previous_status: Status | None  # the story's status before; None for a new story
    story_id: int | None = None  # the stored story's id, from a book over the database

    @property
    def status_changed(self) -> bool:
        """A story that had a status now has another."""
        return self.previous_status is not None and self.previous_status is not self.story.status

    def stored_story(self) -> Story:
        """The domain story for alerting, from a book that stores stories (so with an id)."""
        assert self.story_id is not None, "placed by a book that does not store stories"
        story = self.story.as_story(self.story_id)
        assert story is not None  # placed with an event, so typed and with a status
        return story


class StoryBook(Protocol[UnitT]):
    """Places events in stories inside a unit of work (``UnitT``: the store's transaction)."""

    async def place(
        self,
        unit: UnitT,
        article: Article,
        event: Event,
        events: Sequence[Event],
        features: StoryFeatures | None = None,
    ) -> Placement:
        """Put ``event`` (one of the article's ``events``) into its story, inside ``unit``;
        ``features``: the event's story features when already computed."""
        ...

    async def lock(self, unit: UnitT, keys: Iterable[str]) -> None:
        """Serialise, across processes, placements under any of ``keys`` (until commit)."""
        ...

    def locks(self, unit: UnitT) -> bool:
        """Whether :meth:`lock` takes locks in ``unit`` (else it does nothing)."""
        ...


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What analysis needs of a new article."""

    title: str
    summary: str
    seen_at: datetime  # published, else first seen
    dated: bool  # seen_at is a publication date


def text_of(article: Article) -> ArticleText:
    """What analysis needs of a stored article (as the story book dates it)."""
    return ArticleText(
        title=article.title,
        summary=article.summary,
        seen_at=article.published_at or article.first_seen_at,
        dated=article.published_at is not None,
    )


def company_finder(table: CompanyTable) -> CompanyFinder:
    """Company mentions as ``(canonical, as written)``, each followed by its parent group.

    A brand and its owner are one party for clustering (``Vauxhall owner plans…`` and
    ``Stellantis to close…`` report the same closure), so the parent counts as mentioned too.
    """

    def find(text: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for mention in table.find(text):
            found.append((mention.name, mention.text))
            parent = table.parent(mention.name)
            if parent:
                found.append((parent, mention.text))
        return found

    return find


def story_features(
    find: CompanyFinder, text: ArticleText, event: Event, events: Sequence[Event]
) -> StoryFeatures:
    """The features one event of an article is placed with (one event each: see
    :mod:`bot.store.storybook`)."""
    del events
    found = list(find(f"{text.title}\n{text.summary}"))
    return features_for(
        text.title,
        text.summary,
        [event],
        text.seen_at,
        companies=[canonical for canonical, _ in found],
        mentions=[written for _, written in found],
        dated=text.dated,
    )
