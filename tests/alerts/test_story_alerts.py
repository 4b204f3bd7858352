"""The whole in-process pipeline on SQLite with a frozen clock: one alert per story across
outlets, follow-ups and status changes threaded under it, shown indented by the console sink."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.runtime import app
from bot.sinks.console import ConsoleSink
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def item(n: int, title: str, outlet: str) -> dict[str, str]:
    return {"title": title, "link": f"https://{outlet}/story-{n}", "guid": f"{outlet}-{n}"}


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set_feed("/a.xml", [item(0, "Weather turns cold across the region", "a.example")])
        server.set_feed("/b.xml", [item(0, "Local team wins the cup final", "b.example")])
        yield server


@pytest.fixture
async def runtime(
    tmp_path: Path, feeds: FeedServer
) -> AsyncIterator[tuple[app.Runtime, FakeClock, io.StringIO]]:
    settings = Settings.model_validate(
        {
            "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
            "group_wait": "30s",
            "fetch": {"allow_private_networks": True},
            "http": {"enabled": False},
            "delivery": {"per_channel_interval": "1ms"},
            "sources": [
                {"name": "Outlet A", "url": feeds.url("/a.xml"), "interval": "1m"},
                {"name": "Outlet B", "url": feeds.url("/b.xml"), "interval": "1m"},
            ],
            "routes": [{"platform": "console"}],
        }
    )
    clock = FakeClock(T0)
    rt = await app.build(settings, clock=clock)
    out = io.StringIO()
    rt.sinks["console"] = ConsoleSink(out, colour=False)
    try:
        await rt.poll_once()  # both backlogs stored, not alerted
        yield rt, clock, out
    finally:
        await rt.close()


async def cycle(rt: app.Runtime, clock: FakeClock, minutes: float = 2) -> None:
    """Every source is due again (interval 1m ± 10% jitter), then deliver what is due."""
    clock.now += timedelta(minutes=minutes)
    await rt.poll_once()
    await rt.deliver_once()


async def test_outlets_collapse_then_follow_ups_thread(
    runtime: tuple[app.Runtime, FakeClock, io.StringIO], feeds: FeedServer
) -> None:
    rt, clock, out = runtime
    assert out.getvalue() == ""

    feeds.add_item(
        "/a.xml",
        item(
            1,
            "Acme Motors to close its Springfield assembly plant, cutting 1,200 jobs",
            "a.example",
        ),
    )
    feeds.add_item(
        "/b.xml",
        item(
            1,
            "Acme Motors will shut its Springfield assembly plant, 1,200 jobs at risk",
            "b.example",
        ),
    )
    await cycle(rt, clock)
    assert out.getvalue() == ""  # inside group_wait: the two reports wait together
    clock.now += timedelta(seconds=31)
    await rt.deliver_once()
    first = out.getvalue()
    assert first.count("■ PLANT CLOSURE") == 1
    assert "Acme Motors" in first
    assert "(2)" in first  # two outlets in the one alert

    feeds.add_item(
        "/a.xml", item(2, "Acme Motors confirms Springfield assembly plant closure", "a.example")
    )
    await cycle(rt, clock)
    feeds.add_item(
        "/b.xml",
        item(
            2, "Springfield assembly plant closure by Acme Motors to affect 1,300 jobs", "b.example"
        ),
    )
    await cycle(rt, clock)
    text = out.getvalue()
    assert text.count("■ PLANT CLOSURE") == 1  # still one top-level alert
    updates = [line for line in text.splitlines() if "↳" in line]
    assert len(updates) == 2
    assert all(line.startswith("    ↳") for line in updates)  # indented under the alert
    assert "status planned → confirmed" in updates[0]
    assert "follow-up" in updates[1]
    assert "jobs 1300" in updates[1]


async def test_different_event_same_company_is_a_new_alert(
    runtime: tuple[app.Runtime, FakeClock, io.StringIO], feeds: FeedServer
) -> None:
    rt, clock, out = runtime
    feeds.add_item(
        "/a.xml",
        item(
            1,
            "Acme Motors to close its Springfield assembly plant, cutting 1,200 jobs",
            "a.example",
        ),
    )
    await cycle(rt, clock)
    feeds.add_item(
        "/b.xml", item(1, "Acme Motors and Globex sign battery joint venture", "b.example")
    )
    await cycle(rt, clock)
    clock.now += timedelta(seconds=31)
    await rt.deliver_once()
    text = out.getvalue()
    assert text.count("■ PLANT CLOSURE") == 1
    assert text.count("■ PARTNERSHIP") == 1
    assert "↳" not in text


async def test_an_article_with_two_events_is_one_alert_showing_both(
    runtime: tuple[app.Runtime, FakeClock, io.StringIO], feeds: FeedServer
) -> None:
    rt, clock, out = runtime
    feeds.add_item(
        "/a.xml",
        item(1, "Nissan explores Foxconn EV production to safeguard its Oppama plant", "a.example"),
    )
    await cycle(rt, clock)
    clock.now += timedelta(seconds=31)
    await rt.deliver_once()
    text = out.getvalue()
    assert text.count("■") == 1, text  # one top-level alert for the article
    lead = text.splitlines()[0]
    also = next(line for line in text.splitlines() if line.strip().startswith("also:"))
    assert {"PLANT CLOSURE" in lead, "PLANT CLOSURE" in also} == {True, False}
    assert {"PARTNERSHIP" in lead, "PARTNERSHIP" in also} == {True, False}
    assert "Foxconn" in also
