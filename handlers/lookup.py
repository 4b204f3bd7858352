"""Read-only story queries: ``/deal <company>`` and ``/deal latest``.

Both answer from the store's story index (never the articles) and list stories newest first;
adapters render each :class:`bot.domain.Story` (type, status, plant/country, jobs, outlets,
first seen, link) in their own format.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain import EventType
from handlers.api import Reply
from handlers.commands import Latest, Lookup
from handlers.context import STORY_LIMIT, Context, company_for

_EVENT_LABEL = {EventType.PLANT_CLOSURE: "plant-closure", EventType.PARTNERSHIP: "partnership"}


async def lookup(ctx: Context, command: Lookup) -> Reply:
    """``/deal <company> [<N>d]``.

    Raises:
        CommandError: the company is ambiguous or looks like a typo (with suggestions).
        StoreError: the store failed.
    """
    company = await company_for(ctx, command.company, "", known_only=False)
    since = ctx.now() - timedelta(days=command.days)
    stories = await ctx.store.stories_for_companies([company], since, STORY_LIMIT)
    window = _window(command.days)
    if not stories:
        return Reply(
            title=f"No {company} stories in {window}",
            lines=(f"Try a longer window (/deal {company} 90d) or /deal latest.",),
        )
    more = " (latest shown)" if len(stories) == STORY_LIMIT else ""
    return Reply(
        title=f"{company}: {_count(len(stories))} in {window}{more}", stories=tuple(stories)
    )


async def latest(ctx: Context, command: Latest) -> Reply:
    """``/deal latest [closures|partnerships] [<N>d]``: the most-reported recent stories.

    Raises:
        StoreError: the store failed.
    """
    since = ctx.now() - timedelta(days=command.days)
    found = await ctx.store.latest_stories(command.event_type, since, STORY_LIMIT)
    kind = f"{_EVENT_LABEL[command.event_type]} " if command.event_type else ""
    window = _window(command.days)
    if not found:
        return Reply(title=f"No {kind}stories in {window}")
    stories = sorted(found, key=lambda s: (s.first_seen_at, s.id), reverse=True)
    return Reply(
        title=f"Top {_count(len(stories), kind)} in {window}, newest first",
        stories=tuple(stories),
    )


def _window(days: int) -> str:
    return "the last day" if days == 1 else f"the last {days} days"


def _count(n: int, kind: str = "") -> str:
    return f"{n} {kind}{'story' if n == 1 else 'stories'}"
