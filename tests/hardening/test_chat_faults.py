"""Chat-platform faults through the whole delivery path: the real outbox (SQLite), the real
:class:`DeliveryWorker` and the real Slack and Discord sinks against their local stand-ins,
driven tick by tick with a frozen clock.

The adapter suites (tests/slack/test_failures.py, tests/discord_adapter/test_sink.py) check
that each failure maps to the right ``DeliveryError``; this table checks what the bot then
*does* over an hour of ticks: how many requests reach the platform (no retry storm), whether
the platform's ``retry_after`` is honoured, and that the alert ends up posted exactly once or
failed with its reason stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from bot.alerts.delivery import DeliveryWorker
from bot.discordapp.breaker import CHANNEL_COOLOFF_S, SendGuard
from bot.discordapp.rest import DiscordRest
from bot.discordapp.sink import DiscordSink
from bot.ports import Sink
from bot.slackapp.client import make_web_client
from bot.slackapp.sink import SlackSink
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.store.ingest import IngestUnits
from bot.store.outbox import Outbox
from tests.alerts.test_delivery import alert
from tests.fakes.clock import FakeClock
from tests.fakes.discord_api import TOKEN as DISCORD_TOKEN
from tests.fakes.discord_api import FakeDiscordAPI
from tests.fakes.slack_api import (
    BOT_TOKEN,
    Behaviour,
    FakeSlackApi,
    Hang,
    LostResponse,
    RateLimited,
    ServerError,
    SlackError,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DISCORD_CHANNEL = "1000000000000000001"
TICK = timedelta(seconds=5)


@dataclass
class Bench:
    outbox: Outbox
    units: IngestUnits
    clock: FakeClock
    worker: DeliveryWorker

    async def enqueue(self, platform: str, channel: str) -> None:
        async with self.units.begin() as unit:
            await unit.enqueue(
                key=f"{platform}-alert-1",
                story_id=None,
                platform=platform,
                channel=channel,
                kind="new",
                message=alert(1),
                not_before=T0,
                now=T0,
            )

    async def enqueue_many(self, platform: str, channel: str, numbers: list[int]) -> None:
        async with self.units.begin() as unit:
            for n in numbers:
                await unit.enqueue(
                    key=f"{platform}-alert-{n}",
                    story_id=None,
                    platform=platform,
                    channel=channel,
                    kind="new",
                    message=alert(n),
                    not_before=self.clock.now,
                    now=self.clock.now,
                )

    async def run(self, ticks: int) -> None:
        """Tick ``ticks`` times, 5 s apart."""
        for _ in range(ticks):
            await self.worker.run_once()
            self.clock.now += TICK

    async def settle(self) -> None:
        """Tick until the alert is sent or failed, then an hour more (a minute apart): any
        retry storm would show up as requests during that hour."""
        for _ in range(200):
            await self.worker.run_once()
            if "pending" not in await self.outbox.counts():
                break
            self.clock.now += TICK
        for _ in range(60):
            self.clock.now += timedelta(minutes=1)
            await self.worker.run_once()

    async def state(self) -> dict[str, int]:
        return await self.outbox.counts()


async def make_bench(url: str, sinks: dict[str, Sink]) -> tuple[Bench, Any]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = sessionmaker(engine)
    clock = FakeClock(T0)
    outbox = Outbox(sessions)
    worker = DeliveryWorker(
        outbox, sinks, owner="w", clock=clock, per_channel_interval=0, rand=lambda: 0.5
    )
    return Bench(outbox, IngestUnits(sessions), clock, worker), engine


@pytest.fixture
async def slack(sqlite_url: str) -> AsyncIterator[tuple[Bench, FakeSlackApi]]:
    fake = await FakeSlackApi().start()
    client = make_web_client(SecretStr(BOT_TOKEN), fake.api_url, timeout=1)
    bench, engine = await make_bench(sqlite_url, {"slack": SlackSink(client)})
    yield bench, fake
    await engine.dispose()
    await fake.close()


@pytest.fixture
async def discord(sqlite_url: str) -> AsyncIterator[tuple[Bench, FakeDiscordAPI]]:
    fake = await FakeDiscordAPI().start()
    fake.add_channel(DISCORD_CHANNEL)
    sink = DiscordSink(DiscordRest(fake.api_url, SecretStr(DISCORD_TOKEN), timeout=1.0))
    bench, engine = await make_bench(sqlite_url, {"discord": sink})
    yield bench, fake
    await sink.close()
    await engine.dispose()
    await fake.stop()


# --- Slack -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "posts"),
    [
        ([ServerError(500)], 2),
        ([ServerError(503), ServerError(502), ServerError(500)], 4),
        ([Hang()], 2),  # the client's timeout ends it; nothing was stored, so post again
        ([LostResponse()], 1),  # stored, answer lost: the retry finds it, never posts again
    ],
    ids=["500", "503-502-500", "timeout", "answer-lost"],
)
async def test_slack_transient_faults_end_in_exactly_one_message(
    slack: tuple[Bench, FakeSlackApi], faults: list[Behaviour], posts: int
) -> None:
    bench, fake = slack
    fake.script("chat.postMessage", *faults)
    await bench.enqueue("slack", "C1")
    await bench.settle()
    assert len(fake.in_channel("C1")) == 1
    assert len(fake.calls("chat.postMessage")) == posts
    assert await bench.state() == {"sent": 1}


async def test_slack_429_waits_the_retry_after_then_posts_once(
    slack: tuple[Bench, FakeSlackApi],
) -> None:
    bench, fake = slack
    fake.script("chat.postMessage", RateLimited(retry_after=30))
    await bench.enqueue("slack", "C1")
    await bench.run(6)  # 25 s: inside the platform's window
    assert len(fake.calls("chat.postMessage")) == 1
    await bench.run(2)
    assert len(fake.calls("chat.postMessage")) == 2
    assert len(fake.in_channel("C1")) == 1


@pytest.mark.parametrize(
    "code",
    ["invalid_auth", "missing_scope", "channel_not_found", "is_archived", "msg_too_long"],
    ids=["401-invalid-token", "403-missing-scope", "404-deleted-channel", "archived", "too-large"],
)
async def test_slack_permanent_faults_stop_after_one_request(
    slack: tuple[Bench, FakeSlackApi], code: str
) -> None:
    bench, fake = slack
    fake.script("chat.postMessage", SlackError(code))
    await bench.enqueue("slack", "C1")
    await bench.settle()
    assert len(fake.calls("chat.postMessage")) == 1  # no retry storm in an hour
    assert not fake.in_channel("C1")
    assert await bench.state() == {"failed": 1}


# --- Discord ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "posts"),
    [
        ({"status": 500}, 2),
        ({"status": 503, "times": 3}, 4),
        ({"mode": "hang"}, 2),
        ({"mode": "lost"}, 2),  # the second post carries the same nonce: Discord dedups it
        (
            {
                "status": 429,
                "body": {"message": "slow down", "retry_after": 20.0, "global": False},
                "headers": {"Retry-After": "20"},
            },
            2,
        ),
    ],
    ids=["500", "503x3", "timeout", "answer-lost", "429"],
)
async def test_discord_transient_faults_end_in_exactly_one_message(
    discord: tuple[Bench, FakeDiscordAPI], fault: dict[str, Any], posts: int
) -> None:
    bench, fake = discord
    fake.fail("POST", r"/messages$", **fault)
    await bench.enqueue("discord", DISCORD_CHANNEL)
    await bench.settle()
    attempts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(attempts) == posts
    assert len(fake.in_channel(DISCORD_CHANNEL)) == 1
    assert await bench.state() == {"sent": 1}


@pytest.mark.parametrize(
    "fault",
    [{"status": 401}, {"status": 403}, {"status": 404}, {"status": 413}],
    ids=["401-invalid-token", "403-missing-permission", "404-deleted-channel", "413-too-large"],
)
async def test_discord_permanent_faults_stop_after_one_request(
    discord: tuple[Bench, FakeDiscordAPI], fault: dict[str, Any]
) -> None:
    bench, fake = discord
    fake.fail("POST", r"/messages$", body={"message": "no", "code": 0}, **fault)
    await bench.enqueue("discord", DISCORD_CHANNEL)
    await bench.settle()
    attempts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(attempts) == 1
    assert not fake.in_channel(DISCORD_CHANNEL)
    assert await bench.state() == {"failed": 1}


# --- rate limits: waited out, never a failed try (issue 19, defect 2) ------------------------


async def test_slack_fifteen_429s_then_a_500_still_post_exactly_once(
    slack: tuple[Bench, FakeSlackApi],
) -> None:
    """More 429s than ``delivery.max_attempts`` (12), then a 500: the limits are waited out
    without spending the budget, so the 500 is retried too and the alert arrives once."""
    bench, fake = slack
    fake.script("chat.postMessage", *[RateLimited(retry_after=1)] * 15, ServerError(500))
    await bench.enqueue("slack", "C1")
    await bench.settle()
    assert len(fake.calls("chat.postMessage")) == 17
    assert len(fake.in_channel("C1")) == 1
    assert await bench.state() == {"sent": 1}


async def test_discord_fifteen_429s_then_a_500_still_post_exactly_once(
    discord: tuple[Bench, FakeDiscordAPI],
) -> None:
    bench, fake = discord
    limited = {"message": "slow down", "retry_after": 1.0, "global": False}
    fake.fail("POST", r"/messages$", status=429, body=limited, times=15)
    fake.fail("POST", r"/messages$", status=500)  # after the 429s
    await bench.enqueue("discord", DISCORD_CHANNEL)
    await bench.settle()
    attempts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert len(attempts) == 17
    assert len(fake.in_channel(DISCORD_CHANNEL)) == 1
    assert await bench.state() == {"sent": 1}


# --- a blocked Discord channel is probed again after the cool-off (issue 19, defect 5) -------


async def test_discord_channel_blocked_by_a_403_is_probed_after_the_cooloff_and_admins_told_once(
    sqlite_url: str,
) -> None:
    """A 403 fails that alert, blocks the channel and tells the admins; alerts queued meanwhile
    wait (no request) instead of failing. After the cool-off one probe is sent: still 403, it
    fails and the channel stays blocked, the admins not told again. After the next cool-off
    the permission is back and the alert still waiting is posted."""
    fake = await FakeDiscordAPI().start()
    fake.add_channel(DISCORD_CHANNEL)
    told: list[str] = []

    async def notify(text: str) -> None:
        told.append(text)

    clock_holder: list[FakeClock] = []
    guard = SendGuard(clock=lambda: clock_holder[0].seconds())
    rest = DiscordRest(fake.api_url, SecretStr(DISCORD_TOKEN), timeout=1.0)
    sink = DiscordSink(rest, guard=guard, notify=notify)
    bench, engine = await make_bench(sqlite_url, {"discord": sink})
    clock_holder.append(bench.clock)
    forbidden = {"message": "Missing Permissions", "code": 50013}
    fake.fail("POST", r"/messages$", status=403, body=forbidden, times=2)

    def posts() -> int:
        return sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith("/messages"))

    try:
        await bench.enqueue_many("discord", DISCORD_CHANNEL, [1])
        await bench.run(1)
        assert (posts(), await bench.state()) == (1, {"failed": 1})
        assert len(told) == 1 and DISCORD_CHANNEL in told[0] and "forbidden" in told[0]

        await bench.enqueue_many("discord", DISCORD_CHANNEL, [2, 3])
        await bench.run(int(CHANNEL_COOLOFF_S // TICK.total_seconds()) - 2)  # inside the cool-off
        assert posts() == 1  # held, not sent, not failed
        assert await bench.state() == {"failed": 1, "pending": 2}

        await bench.run(4)  # the cool-off is over: one probe, still forbidden
        assert posts() == 2
        assert len(told) == 1  # the same block: admins are not told again

        await bench.settle()  # the next cool-off: permission is back
        assert posts() == 3
        assert len(fake.in_channel(DISCORD_CHANNEL)) == 1
        assert await bench.state() == {"failed": 2, "sent": 1}
        assert len(told) == 1
    finally:
        await sink.close()
        await engine.dispose()
        await fake.stop()
