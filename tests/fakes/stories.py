"""The one story factory of the tests: :func:`make_story`.

``make_story(7, ("Nissan", "Foxconn"), age_days=2)`` gives a plausible stored story whose other
fields follow from its id and companies (key ``story-7``, url ``https://news.example/7``, a
partnership in talks, first seen ``age_days`` before ``now``, one outlet); any :class:`Story`
field can be set outright as a keyword (``event_type=``, ``status=``, ``plant=``, even ``id=``).

A suite that posts one particular story again and again builds it once with ``make_story`` and
varies it with :func:`dataclasses.replace` (see ``SAMPLE_STORY`` in tests/slack/conftest.py and
tests/discord_adapter/conftest.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain import EventType, Status, Story
from tests.fakes.clock import T0


def make_story(
    story_id: int = 42,
    companies: tuple[str, ...] = ("ExampleCorp",),
    *,
    age_days: float = 1.0,
    now: datetime = T0,
    articles: int = 1,
    **fields: Any,
) -> Story:
    """A story first seen (and last updated) ``age_days`` before ``now``; ``fields`` override."""
    seen = now - timedelta(days=age_days)
    values: dict[str, Any] = {
        "id": story_id,
        "key": f"story-{story_id}",
        "event_type": EventType.PARTNERSHIP,
        "status": Status.TALKS,
        "headline": f"Headline of story {story_id} about {' and '.join(companies)}",
        "url": f"https://news.example/{story_id}",
        "first_seen_at": seen,
        "updated_at": seen,
        "companies": companies,
        "outlets": ("Example Wire",),
        "article_count": articles,
    }
    values.update(fields)
    return Story(**values)
