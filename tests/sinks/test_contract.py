"""The sink contract: what every sink (console, Slack, Discord) promises the delivery worker.

Each test runs once per sink against its local stand-in (see conftest.py). Platform-specific
behaviour (Slack's reconciliation through conversations.history, Discord's nonces, thread
fallbacks and circuit breaker, exact renderings) stays in tests/slack and tests/discord_adapter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.domain import Alert, AlertKind, Digest, EventType, Notice, Status
from bot.errors import DeliveryError
from tests.fakes.stories import make_story
from tests.sinks.conftest import SinkHarness, dumps

STORY = make_story(
    42,
    ("Kestrel Motors",),
    age_days=0,
    event_type=EventType.PLANT_CLOSURE,
    status=Status.PLANNED,
    headline="Kestrel Motors to close its Fenwick assembly plant",
    url="https://news.example/kestrel-fenwick",
    plant="Fenwick assembly",
    country="GB",
    jobs=640,
)


def alert(kind: AlertKind = AlertKind.NEW, **story_changes: object) -> Alert:
    story = replace(STORY, **story_changes)  # type: ignore[arg-type]
    return Alert(
        kind=kind,
        story=story,
        article_title=story.headline,
        article_url=story.url,
        outlet="Example Wire",
        why='"to close" near "plant"',
        previous_status=Status.PLANNED if kind is AlertKind.STATUS_CHANGE else None,
    )


async def test_an_alert_is_posted_once_as_a_new_message(harness: SinkHarness) -> None:
    result = await harness.sink.send(harness.delivery(alert(), "story-42:new"))

    assert harness.sink.platform == harness.platform
    assert result.message is not None
    assert (result.message.platform, result.message.channel) == (harness.platform, harness.channel)
    [shown] = harness.top_level()
    assert "Fenwick assembly plant" in shown
    assert harness.under(result.message) == []


async def test_follow_ups_thread_under_the_first_message(harness: SinkHarness) -> None:
    first = await harness.sink.send(harness.delivery(alert(), "story-42:new"))
    assert first.message is not None

    for n, outlets in enumerate([("Example Wire", "Daily Sample"), ("A", "B", "C")], 1):
        follow = alert(AlertKind.FOLLOW_UP, outlets=outlets)
        result = await harness.sink.send(
            harness.delivery(follow, f"story-42:follow-{n}", parent=first.message)
        )
        assert result.message is not None

    assert len(harness.top_level()) == 1, dumps(harness.top_level())
    under = harness.under(first.message)
    assert len(under) == 2, dumps(under)


async def test_a_status_change_shows_the_new_status_under_the_first_message(
    harness: SinkHarness,
) -> None:
    first = await harness.sink.send(harness.delivery(alert(), "story-42:new"))
    assert first.message is not None
    change = alert(AlertKind.STATUS_CHANGE, status=Status.CONFIRMED)

    await harness.sink.send(harness.delivery(change, "story-42:status", parent=first.message))

    assert any("confirmed" in text for text in harness.under(first.message))


async def test_digests_and_notices_are_new_messages(harness: SinkHarness) -> None:
    alerts = tuple(alert(id=n, headline=f"Story number {n} closes a plant") for n in range(3))
    await harness.sink.send(harness.delivery(Digest(title="Daily digest", alerts=alerts), "dg"))
    await harness.sink.send(harness.delivery(Notice(text="Source Example Wire disabled"), "nt"))

    digest, notice = harness.top_level()
    assert all(f"Story number {n}" in digest for n in range(3))
    assert "Source Example Wire disabled" in notice


HOSTILE = [
    "Kestrel <!channel> <!here> <!everyone> <@U0123ABCD> <#C0123> @everyone @here",
    "Kestrel <@123456789012345678> <@&987654321098765432> <#555> <t:1700000000>",
    "Kestrel *bold* _it_ ~gone~ `code` **x** __y__ ||spoiler|| <https://evil.example|click>",
    "Kestrel [click me](https://evil.example/x) \x1b[2J\x1b[31mred\x07 \u202eesrever\u200b",
    "Kestrel # Heading\n> quote\n- item\n1. numbered",
]


KNOWN_LEAKS: dict[tuple[str, int], str] = {}
"""Leaks the contract has found in a sink, until the sink is fixed (the test then says so)."""


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_untrusted_text_never_pings_nor_carries_live_markup(
    harness: SinkHarness, hostile: str
) -> None:
    story: dict[str, Any] = {"headline": hostile, "companies": (hostile,), "plant": hostile}
    new = replace(alert(**story), article_title=hostile, outlet=hostile, why=hostile)
    first = await harness.sink.send(harness.delivery(new, "story-42:new"))
    follow = replace(alert(AlertKind.FOLLOW_UP, **story), article_title=hostile, outlet=hostile)
    await harness.sink.send(harness.delivery(follow, "story-42:follow", parent=first.message))
    await harness.sink.send(harness.delivery(Notice(text=hostile), "notice"))
    digest = Digest(title=hostile, alerts=(new,))
    await harness.sink.send(harness.delivery(digest, "digest"))

    assert all("Kestrel" in text for text in harness.top_level())  # shown, made inert
    found = harness.hazards(untrusted=[hostile])
    known = KNOWN_LEAKS.get((harness.platform, HOSTILE.index(hostile)))
    if known is not None:
        assert found, f"no longer leaks, drop it from KNOWN_LEAKS: {known}"
        pytest.xfail(known)
    assert found == []


def test_the_hazard_check_sees_untreated_text(harness: SinkHarness) -> None:
    """The check above can fail: raw hostile text, put in a message as is, is caught."""
    assert harness.hazards_in(HOSTILE[0] + " " + HOSTILE[3]) != []
    assert harness.hazards_in("Kestrel Motors to close its Fenwick plant") == []


async def test_platform_length_limits_hold_for_huge_text_and_long_digests(
    harness: SinkHarness,
) -> None:
    huge = "Kestrel Motors closes plant " + "x" * 100_000
    big = replace(
        alert(headline=huge, companies=("C" * 5_000,), plant="P" * 5_000, jobs=10**9),
        article_title=huge,
        outlet="O" * 3_000,
        why="w" * 5_000,
    )
    first = await harness.sink.send(harness.delivery(big, "story-42:new"))
    follow = replace(big, kind=AlertKind.FOLLOW_UP)
    await harness.sink.send(harness.delivery(follow, "story-42:follow", parent=first.message))
    many = tuple(alert(id=n, headline=f"Story {n} " + "y" * 2_000) for n in range(200))
    await harness.sink.send(harness.delivery(Digest(title="D" * 5_000, alerts=many), "digest"))
    await harness.sink.send(harness.delivery(Notice(text="N" * 50_000), "notice"))

    assert harness.over_limits() == []
    shown = harness.top_level()
    assert len(shown) == 3
    assert all("…" in text for text in shown)  # cut, and the cut is marked


@pytest.mark.parametrize("permanent", [True, False], ids=["refused", "unavailable"])
async def test_a_refusal_is_a_delivery_error_that_says_whether_to_retry(
    harness: SinkHarness, permanent: bool
) -> None:
    harness.refuse_next_post(permanent=permanent)

    with pytest.raises(DeliveryError) as caught:
        await harness.sink.send(harness.delivery(alert(), "story-42:new"))

    assert caught.value.retryable is not permanent
    assert caught.value.reason
    assert harness.top_level() == []
