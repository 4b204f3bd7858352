"""``dealradar run`` prints a summary after its first poll: console lines, not alerts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.config.settings import Settings
from bot.ingest.poller import PollStats
from bot.runtime import app
from bot.runtime.first_run import HINT, announcing, summary_lines
from bot.store.summary import StoreSummary
from tests.fakes.feedserver import FeedServer
from tests.handlers.conftest import make_story


def item(n: int, title: str) -> dict[str, str]:
    return {"title": title, "link": f"https://a.example/{n}", "guid": f"a-{n}"}


async def test_the_first_poll_of_a_run_prints_counts_recent_stories_and_the_hint(
    tmp_path: Path,
) -> None:
    with FeedServer() as feeds:
        feeds.set_feed(
            "/a.xml",
            [
                item(1, "Acme Motors to close its Swindon plant, cutting 1,200 jobs"),
                item(2, "Kestrel Foods and Halden Autos in talks on a joint venture"),
                item(3, "Local team wins the cup final"),
            ],
        )
        settings = Settings.model_validate(
            {
                "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
                "fetch": {"allow_private_networks": True},
                "http": {"enabled": False},
                "sources": [{"name": "A", "url": feeds.url("/a.xml"), "interval": "1h"}],
                "routes": [{"platform": "console"}],
            }
        )
        runtime = await app.build(settings)
        lines: list[str] = []
        stop = asyncio.Event()

        def announce(line: str) -> None:
            lines.append(line)
            if line == HINT:
                stop.set()

        try:
            await asyncio.wait_for(app.run_forever(runtime, stop, announce=announce), 60)
        finally:
            await runtime.close()
    assert lines[0].startswith("first poll done: 1 sources polled, 3 new articles; ")
    assert "the store holds 3 articles in 2 stories" in lines[0]
    assert lines[1] == "most recent stories:"
    assert len(lines) == 5
    assert any("plant closure [planned] Acme Motors to close its Swindon plant" in x for x in lines)
    assert lines[-1] == HINT


async def test_announced_once_only_after_a_poll_that_reached_a_source() -> None:
    polls = [PollStats(), PollStats(polled=2, new_articles=5), PollStats(polled=2)]
    said: list[str] = []

    async def poll() -> PollStats:
        return polls.pop(0)

    async def summarise() -> StoreSummary:
        return StoreSummary(5, 0, [])

    wrapped = announcing(poll, summarise, said.append)
    await wrapped()
    assert said == []
    await wrapped()
    await wrapped()
    assert said == [
        "first poll done: 2 sources polled, 5 new articles; the store holds 5 articles in "
        "0 stories",
        HINT,
    ]


def test_long_headlines_are_cut() -> None:
    story = make_story(1, ("Nissan",), now=datetime(2026, 1, 2, tzinfo=UTC))
    long = story.__class__(
        **{**{f: getattr(story, f) for f in story.__slots__}, "headline": "x" * 200}
    )
    [_, _, shown, _] = summary_lines(PollStats(polled=1), StoreSummary(1, 1, [long]))
    assert "x" * 89 + "…" in shown and "x" * 91 not in shown
