"""Shared helpers: articles with hand-made events, so clustering is tested on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import Event, EventType, Status
from bot.stories.book import MemoryStoryBook as StoryBook
from bot.stories.placement import Placement
from bot.stories.state import ArticleInfo

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSURE = EventType.PLANT_CLOSURE
PARTNERSHIP = EventType.PARTNERSHIP


def post(
    book: StoryBook,
    title: str,
    lede: str = "",
    *,
    kind: EventType | None = CLOSURE,
    status: Status = Status.PLANNED,
    companies: tuple[str, ...] = (),
    day: float = 0,
    outlet: str = "",
    jobs: int | None = None,
    dated: bool = True,
    plant: str | None = None,
    location: str | None = None,
) -> Placement:
    """Add one article whose classifier result is given explicitly."""
    events = (
        []
        if kind is None
        else [Event(kind, status, companies, plant=plant, location=location, jobs=jobs)]
    )
    return book.add(
        title,
        lede,
        events,
        DAY0 + timedelta(days=day),
        article=ArticleInfo(
            title=title, url=f"https://{outlet or 'news'}.example/{title[:12]}", outlet=outlet
        ),
        companies=companies,
        dated=dated,
    )
