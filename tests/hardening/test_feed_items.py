"""Items the real bot once dropped without a word (issue 19, defect 7), end to end.

The bot that :func:`bot.runtime.app.build` wires polls a local feed server and alerts the Slack
stand-in: a feed's items without a link are stored and alerted with the feed's own page as
their link, and a 10,000-item feed listing oldest first still shows its new item.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.loader import load_settings
from bot.runtime import app
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import SlackStandIn

START = datetime(2026, 10, 1, tzinfo=UTC)


def rss(site: str, items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>{site}</link>{items}</channel></rss>"
    ).encode()


def dated(i: int, title: str) -> str:
    when = (START + timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return f"<item><title>{title}</title><link>https://n.example/{i}</link><pubDate>{when}</pubDate></item>"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
async def bot(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn
) -> AsyncIterator[tuple[app.Runtime, FakeClock]]:
    text = (
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\ngroup_wait = "1s"\n'
        "[fetch]\nallow_private_networks = true\n"
        '[delivery]\nper_channel_interval = "1ms"\n'
        '[[routes]]\nplatform = "slack"\nchannel = "C1"\n'
        f'[[sources]]\nname = "linkless"\nurl = "{feeds.url("/linkless")}"\ninterval = "1s"\n'
        f'[[sources]]\nname = "long"\nurl = "{feeds.url("/long")}"\ninterval = "1s"\n'
    )
    (tmp_path / "bot.toml").write_text(text, encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.url}
    clock = FakeClock(datetime.now(UTC))
    runtime = await app.build(load_settings(str(tmp_path / "bot.toml"), env=env), clock=clock)
    try:
        yield runtime, clock
    finally:
        await runtime.close()


async def test_linkless_items_and_the_new_item_of_a_long_oldest_first_feed_are_alerted(
    bot: tuple[app.Runtime, FakeClock], feeds: FeedServer, slack: SlackStandIn
) -> None:
    runtime, clock = bot
    site = "https://varex.example/newsroom"
    old = "".join(dated(i, f"Quarterly note number {i}") for i in range(10_000))
    feeds.set_raw("/linkless", rss(site, dated(0, "Markets open flat")))
    feeds.set_raw("/long", rss("https://long.example/", old))
    first = await runtime.poll_once()  # the backlog: stored, not alerted
    assert first.polled == 2

    linkless = (
        "<item><title>Varex Motors to close its Ashford plant</title>"
        '<guid isPermaLink="false">varex-1</guid></item>'
    )
    feeds.set_raw("/linkless", rss(site, dated(0, "Markets open flat") + linkless))
    newest = dated(20_000, "Halden Autos to close its Brindle plant")
    feeds.set_raw("/long", rss("https://long.example/", old + newest))
    clock.now += timedelta(seconds=5)
    second = await runtime.poll_once()
    assert second.new_articles == 2
    clock.now += timedelta(seconds=5)
    assert (await runtime.deliver_once()).sent == 2
    payloads = [m["text"] + repr(m["blocks"]) for m in slack.top_level("C1")]
    ashford = next(p for p in payloads if "Ashford" in p)
    assert f"{site}#item-" in ashford
    assert any("Brindle" in p and "https://n.example/20000" in p for p in payloads)
