"""The delivery worker over a real outbox (SQLite) with a recording sink and a frozen clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.delivery import DeliveryWorker, backoff_delay
from bot.domain import (
    Alert,
    AlertKind,
    Delivery,
    DeliveryKind,
    Digest,
    EventType,
    MessageRef,
    Notice,
    SendResult,
    Status,
    Story,
)
from bot.errors import DeliveryError
from bot.store.db import create_engine, sessionmaker, upgrade
from bot.store.ingest import IngestUnits
from bot.store.outbox import Outbox
from tests.fakes.clock import FakeClock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class RecordingSink:
    platform: str = "slack"
    sent: list[Delivery] = field(default_factory=list)
    fail_with: list[DeliveryError] = field(default_factory=list)

    async def send(self, delivery: Delivery) -> SendResult:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(delivery)
        ref = MessageRef(self.platform, delivery.target.channel, f"m{len(self.sent)}", "t1")
        return SendResult(message=ref)


@pytest.fixture
async def parts(sqlite_url: str) -> AsyncIterator[tuple[IngestUnits, Outbox]]:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    sessions = sessionmaker(engine)
    yield IngestUnits(sessions), Outbox(sessions)
    await engine.dispose()


def alert(story_id: int, kind: AlertKind = AlertKind.NEW) -> Alert:
    story = Story(
        id=story_id,
        key=f"k{story_id}",
        event_type=EventType.PARTNERSHIP,
        status=Status.TALKS,
        headline=f"story {story_id}",
        url="https://x.example/a",
        first_seen_at=T0,
        updated_at=T0,
    )
    return Alert(kind, story, f"story {story_id}", "https://x.example/a", "x", "why")


async def seed_story(units: IngestUnits, story_id: int) -> None:
    from bot.store.models import StoryRow

    async with units.begin() as unit:
        unit.session.add(
            StoryRow(
                id=story_id,
                key=f"k{story_id}",
                event_type="partnership",
                status="talks",
                headline="h",
                url="u",
                companies=[],
                outlets=[],
                evidence=[],
                features={},
                first_seen_at=T0,
                updated_at=T0,
                article_count=1,
                alertable=True,
            )
        )


async def enqueue(
    units: IngestUnits,
    key: str,
    kind: DeliveryKind,
    message: object,
    story_id: int | None = None,
    channel: str = "C1",
    at: datetime = T0,
) -> None:
    async with units.begin() as unit:
        await unit.enqueue(
            key=key,
            story_id=story_id,
            platform="slack",
            channel=channel,
            kind=kind,
            message=message,  # type: ignore[arg-type]
            not_before=at,
            now=T0,
        )


def worker(outbox: Outbox, sink: RecordingSink, clock: FakeClock, **kw: object) -> DeliveryWorker:
    return DeliveryWorker(
        outbox,
        {"slack": sink},
        owner="w",
        clock=clock,
        per_channel_interval=0,
        rand=lambda: 0.5,
        **kw,  # type: ignore[arg-type]
    )


async def test_sends_and_marks_sent(parts: tuple[IngestUnits, Outbox]) -> None:
    units, outbox = parts
    sink, clock = RecordingSink(), FakeClock(T0)
    await enqueue(units, "n1", "notice", Notice("hello"))
    stats = await worker(outbox, sink, clock).run_once()
    assert stats.sent == 1
    assert [d.message for d in sink.sent] == [Notice("hello")]
    assert (await worker(outbox, sink, clock).run_once()).sent == 0
    assert await outbox.counts() == {"sent": 1}


async def test_retryable_error_waits_retry_after_then_succeeds(
    parts: tuple[IngestUnits, Outbox],
) -> None:
    units, outbox = parts
    sink, clock = (
        RecordingSink(fail_with=[DeliveryError("429", retryable=True, retry_after=30)]),
        FakeClock(T0),
    )
    await enqueue(units, "n1", "notice", Notice("hello"))
    w = worker(outbox, sink, clock)
    assert (await w.run_once()).retried == 1
    clock.now = T0 + timedelta(seconds=29)
    assert (await w.run_once()).sent == 0
    clock.now = T0 + timedelta(seconds=30)
    assert (await w.run_once()).sent == 1
    assert sink.sent[0].attempt == 1  # the sink knows this is a second try


async def test_permanent_error_fails_once_and_other_channels_still_go(
    parts: tuple[IngestUnits, Outbox],
) -> None:
    units, outbox = parts
    sink, clock = (
        RecordingSink(fail_with=[DeliveryError("channel_not_found", retryable=False)]),
        FakeClock(T0),
    )
    await enqueue(units, "a", "notice", Notice("to a deleted channel"), channel="C1")
    await enqueue(units, "b", "notice", Notice("to a good channel"), channel="C2")
    stats = await worker(outbox, sink, clock).run_once()
    assert (stats.failed, stats.sent) == (1, 1)
    clock.now = T0 + timedelta(hours=1)
    assert (await worker(outbox, sink, clock).run_once()).sent == 0  # no retry storm
    assert await outbox.counts() == {"failed": 1, "sent": 1}


async def test_gives_up_after_max_attempts(parts: tuple[IngestUnits, Outbox]) -> None:
    units, outbox = parts
    errors = [DeliveryError("5xx", retryable=True) for _ in range(3)]
    sink, clock = RecordingSink(fail_with=errors), FakeClock(T0)
    await enqueue(units, "n", "notice", Notice("x"))
    w = worker(outbox, sink, clock, max_attempts=3)
    for _ in range(3):
        await w.run_once()
        clock.now += timedelta(hours=1)
    assert await outbox.counts() == {"failed": 1}


async def test_follow_up_waits_for_its_parent_then_threads_under_it(
    parts: tuple[IngestUnits, Outbox],
) -> None:
    units, outbox = parts
    sink, clock = RecordingSink(), FakeClock(T0)
    await seed_story(units, 7)
    await enqueue(units, "s7:new", "new", alert(7), story_id=7, at=T0 + timedelta(seconds=30))
    await enqueue(units, "s7:a2", "follow_up", alert(7, AlertKind.FOLLOW_UP), story_id=7)
    w = worker(outbox, sink, clock)
    assert (await w.run_once()).sent == 0  # parent still inside group_wait
    clock.now = T0 + timedelta(seconds=30)
    await w.run_once()
    clock.now += timedelta(seconds=5)
    await w.run_once()
    assert [d.key for d in sink.sent] == ["s7:new", "s7:a2"]
    assert sink.sent[1].parent == MessageRef("slack", "C1", "m1", None)


async def test_flood_is_grouped_into_one_message(parts: tuple[IngestUnits, Outbox]) -> None:
    units, outbox = parts
    sink, clock = RecordingSink(), FakeClock(T0)
    for i in range(1, 13):
        await seed_story(units, i)
        await enqueue(units, f"s{i}:new", "new", alert(i), story_id=i)
    stats = await worker(outbox, sink, clock, flood_threshold=8).run_once()
    assert stats.sent == 12
    assert len(sink.sent) == 1
    message = sink.sent[0].message
    assert isinstance(message, Digest)
    assert len(message.alerts) == 12


async def test_held_alerts_go_out_as_one_digest(parts: tuple[IngestUnits, Outbox]) -> None:
    units, outbox = parts
    sink, clock = RecordingSink(), FakeClock(T0)
    for i in (1, 2, 3):
        await seed_story(units, i)
        await enqueue(
            units, f"s{i}:new", "digest", alert(i), story_id=i, at=T0 + timedelta(hours=8)
        )
    w = worker(outbox, sink, clock)
    assert (await w.run_once()).sent == 0
    clock.now = T0 + timedelta(hours=8)
    assert (await w.run_once()).sent == 3
    assert len(sink.sent) == 1
    assert isinstance(sink.sent[0].message, Digest)


async def test_missing_platform_fails_with_a_clear_reason(
    parts: tuple[IngestUnits, Outbox],
) -> None:
    units, outbox = parts
    clock = FakeClock(T0)
    await enqueue(units, "n", "notice", Notice("x"))
    w = DeliveryWorker(outbox, {}, owner="w", clock=clock, per_channel_interval=0)
    assert (await w.run_once()).failed == 1


def test_backoff_delay_honours_hint_and_caps() -> None:
    assert backoff_delay(0, 12.5, lambda: 0.0) == 12.5
    assert backoff_delay(0, 10_000, lambda: 0.0) == 600
    assert backoff_delay(30, None, lambda: 0.999) <= 600
    assert backoff_delay(0, None, lambda: 0.0) == 0.5
