"""The summary ``dealradar run`` prints after its first poll, so a new install shows something.

A source's first poll stores what it holds without alerting (alerts start with the next new
story, which may take hours), so the first cycle would otherwise print nothing. After the first
poll that reached a source, a few console lines (not alerts) say how many articles and stories
the store holds, show the five most recent stories and point at ``dealradar deal latest``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.ingest.poller import PollStats
from bot.store.summary import StoreSummary

log = logging.getLogger(__name__)
HINT = "see more with: dealradar deal latest   (or /deal latest in chat)"
HEADLINE_MAX = 90

Poll = Callable[[], Awaitable[PollStats]]


def summary_lines(stats: PollStats, summary: StoreSummary) -> list[str]:
    """The console lines for the first poll."""
    lines = [
        f"first poll done: {stats.polled} sources polled, {stats.new_articles} new articles; "
        f"the store holds {summary.articles} articles in {summary.stories} stories"
    ]
    if summary.recent:
        lines.append("most recent stories:")
    for story in summary.recent:
        kind = story.event_type.value.replace("_", " ")
        headline = story.headline
        if len(headline) > HEADLINE_MAX:
            headline = headline[: HEADLINE_MAX - 1] + "…"
        who = ", ".join(story.companies[:3]) or "?"
        when = f"{story.first_seen_at:%Y-%m-%d}"
        lines.append(f"  {kind} [{story.status.value}] {headline} ({who}; {when})")
    lines.append(HINT)
    return lines


def announcing(
    poll: Callable[[], Awaitable[PollStats]],
    summarise: Callable[[], Awaitable[StoreSummary]],
    announce: Callable[[str], None],
) -> Poll:
    """``poll``, which after its first call that polled a source announces the summary once.
    A failing summary is logged and skipped: it must never stop polling."""
    done = False

    async def wrapped() -> PollStats:
        nonlocal done
        stats = await poll()
        if not done and stats.polled:
            done = True
            try:
                for line in summary_lines(stats, await summarise()):
                    announce(line)
            except Exception:
                log.exception("first-run summary failed")
        return stats

    return wrapped
