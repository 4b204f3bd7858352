"""Hostile feeds in one poll cycle of the real bot: what tests/sources does not show.

tests/sources/test_fetch_hostile.py and test_feeds_hostile.py take each hostile behaviour on
its own (fetcher or parser). Here a dozen of them sit beside one healthy source in the bot that
:func:`bot.runtime.app.build` wires, and one poll cycle must: end within a bound set by the fetch
deadline, give each hostile source its own failure with a reason, and still alert the healthy
source's new story; that story's hostile title (mass pings, user mentions, Slack and Discord
markup, a link) reaches the Slack stand-in inert.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.loader import load_settings
from bot.runtime import app
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import SlackStandIn

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lololololol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><rss version="2.0"><channel><title>t</title><item><title>&i;</title>'
    "<link>https://n.example/l</link></item></channel></rss>"
).encode()
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
    b"<link>https://n.example/x</link></item></channel></rss>"
)
HOSTILE_TITLE = (
    "Varex Motors to close its Ashford plant @everyone <!channel> <@U123> <@&42> "
    "*bold* _it_ ~s~ `code` [click](https://evil.example) <https://evil.example|here>"
)
FETCH_TIMEOUT_S = 3.0


def hostile(server: FeedServer) -> dict[str, str]:
    """name -> path, each path set up to misbehave in its own way."""
    server.set_trickle("/trickle", b"<rss>" + b" " * 10_000, interval=0.2)
    server.set_delay("/silent", 60)
    server.set_gzip_bomb("/bomb")
    server.set_oversize("/huge")
    server.set_raw("/500", b"oops", status=500)
    server.set_raw("/503", b"later", {"Retry-After": "120"}, status=503)
    server.set_raw("/429", b"slow down", {"Retry-After": "90"}, status=429)
    server.set_redirect("/loop-a", "/loop-b")
    server.set_redirect("/loop-b", "/loop-a")
    for i in range(8):
        server.set_redirect(f"/chain{i}", f"/chain{i + 1}")
    server.set_raw("/html", b"<!doctype html><html><body>Not a feed</body></html>",
                   {"Content-Type": "text/html"})  # fmt: skip
    server.set_raw("/malformed", b"<rss><channel><title>x</tit", {"Content-Type": "text/xml"})
    server.set_raw("/laughs", LAUGHS, {"Content-Type": "application/rss+xml"})
    server.set_raw("/xxe", XXE, {"Content-Type": "application/rss+xml"})
    server.set_raw("/notutf8", b"\xff\xfe\x00<rss>\x80\x81", {"Content-Type": "text/xml"})
    names = ["trickle", "silent", "bomb", "huge", "500", "503", "429", "loop-a", "chain0"]
    return {n: "/" + n for n in [*names, "html", "malformed", "laughs", "xxe", "notutf8"]}


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
) -> AsyncIterator[tuple[app.Runtime, FakeClock, dict[str, str]]]:
    paths = hostile(feeds)
    feeds.set_feed("/good", [{"title": "Markets open flat", "link": "https://n.example/0"}])
    text = (
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\ngroup_wait = "1s"\n'
        f'[fetch]\nallow_private_networks = true\ntimeout = "{FETCH_TIMEOUT_S:g}s"\n'
        'connect_timeout = "1s"\nmax_body_bytes = 2000000\n'
        '[delivery]\nper_channel_interval = "1ms"\n'
        '[[routes]]\nplatform = "slack"\nchannel = "C1"\n'
        f'[[sources]]\nname = "good"\nurl = "{feeds.url("/good")}"\ninterval = "1s"\n'
    )
    for name, path in paths.items():
        text += f'[[sources]]\nname = "{name}"\nurl = "{feeds.url(path)}"\ninterval = "1h"\n'
    (tmp_path / "bot.toml").write_text(text, encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.url}
    clock = FakeClock(datetime.now(UTC))
    runtime = await app.build(load_settings(str(tmp_path / "bot.toml"), env=env), clock=clock)
    try:
        yield runtime, clock, paths
    finally:
        await runtime.close()


async def test_hostile_sources_fail_alone_in_bounded_time_and_the_good_one_alerts(
    bot: tuple[app.Runtime, FakeClock, dict[str, str]], feeds: FeedServer, slack: SlackStandIn
) -> None:
    runtime, clock, paths = bot
    started = time.monotonic()
    first = await runtime.poll_once()
    elapsed = time.monotonic() - started
    assert elapsed < FETCH_TIMEOUT_S + 4  # all fetched concurrently, each under its deadline
    assert first.polled == len(paths) + 1
    records = {s.name: s for s in await runtime.sources.all()}
    failing = {name for name, s in records.items() if s.consecutive_failures}
    # every hostile source failed with an error of its own, the good one did not
    assert failing >= set(paths) - {"laughs", "xxe", "notutf8"}, failing
    assert "good" not in failing
    for name in failing:
        assert records[name].last_error, name
        assert len(records[name].last_error or "") <= 1000
    for name in ("laughs", "xxe"):  # parsed without expansion or file read, or refused
        assert "root:" not in (records[name].last_error or "")
    assert first.failures_by_reason, first
    assert feeds.hits("/loop-a") + feeds.hits("/loop-b") <= 12  # the loop was cut short

    feeds.add_item(
        "/good", {"title": HOSTILE_TITLE, "link": "https://n.example/1", "guid": "hostile-1"}
    )
    clock.now += timedelta(seconds=5)  # the good source is due; the hostile ones back off
    second = await runtime.poll_once()
    assert second.polled == 1 and second.new_articles == 1
    clock.now += timedelta(seconds=5)
    sent = await runtime.deliver_once()
    assert sent.sent == 1
    [message] = slack.top_level("C1")
    payload = message["text"] + repr(message["blocks"])
    for ping in ("<!channel>", "<@U123>", "<@&42>", "<https://evil.example|here>", "@everyone"):
        assert ping not in payload, ping
    mrkdwn = [
        b["text"]["text"] for b in message["blocks"] if b.get("text", {}).get("type") == "mrkdwn"
    ]
    assert mrkdwn and not any("*bold*" in t or "`code`" in t for t in mrkdwn)  # formatting inert
    assert "Ashford" in payload
