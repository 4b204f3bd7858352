"""Routing (routes + subscriptions − mutes, digest/quiet holds), schedules, flood, digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts.grouping import (
    admin_targets,
    build_digest,
    digest_title,
    group_deliveries,
    group_flood,
    source_notice,
)
from bot.alerts.routing import RoutedTarget, Router
from bot.alerts.schedule import next_daily, quiet_until
from bot.config.settings import DiscordSettings, RouteConfig, Settings, SlackSettings
from bot.domain import Alert, AlertKind, ChannelRef, Delivery, EventType, Notice, Status
from bot.filters import Filters
from bot.ports import ChannelPrefs, Mute, Subscription
from bot.runtime.wiring import build_router
from bot.store.commands_repo import SqlCommandStore
from bot.store.db import create_engine, sessionmaker, upgrade
from handlers.company_directory import StaticCompanyTable
from handlers.memory import MemoryStore
from tests.handlers.conftest import T0, make_story

S1, S2, D1 = ChannelRef("slack", "C1"), ChannelRef("slack", "C2"), ChannelRef("discord", "9")


def alert(
    story_id: int = 1, companies: tuple[str, ...] = ("Nissan", "Foxconn"), **kw: object
) -> Alert:
    kind = kw.pop("kind", AlertKind.NEW)
    story = make_story(story_id, companies, **kw)  # type: ignore[arg-type]
    return Alert(kind, story, story.headline, story.url, "Example Wire", "talks")  # type: ignore[arg-type]


async def test_routes_and_subscriptions_deduplicated_minus_mutes() -> None:
    store = MemoryStore()
    await store.add_subscription(Subscription(S1, "Nissan"), T0)
    await store.add_subscription(Subscription(S2, "*", "plant_closure"), T0)
    await store.add_subscription(Subscription(D1, "Foxconn", "partnership"), T0)
    routes = [
        RouteConfig(platform="console"),
        RouteConfig(platform="slack", channel="C1", companies=["hon hai"]),
        RouteConfig(platform="slack", channel="C3", companies=["Toyota"]),
    ]
    router = Router(routes, store, canonical=lambda n: {"hon hai": "Foxconn"}.get(n, n))
    targets = await router.targets(alert(), T0)
    assert targets == [
        RoutedTarget(ChannelRef("console", ""), None, T0, "config route"),
        RoutedTarget(S1, None, T0, "config route"),
        RoutedTarget(D1, None, T0, "watching Foxconn"),
    ]
    await store.set_mute(Mute(D1, "Nissan", T0 + timedelta(hours=1)))
    assert [t.channel for t in await router.targets(alert(), T0)] == [
        ChannelRef("console", ""),
        S1,
    ]
    later = T0 + timedelta(hours=2)  # the mute has expired
    assert D1 in [t.channel for t in await router.targets(alert(), later)]


async def test_event_type_filters_routes_and_watch_everything() -> None:
    store = MemoryStore()
    await store.add_subscription(Subscription(S2, "*", "plant_closure"), T0)
    routes = [RouteConfig(platform="slack", channel="C1", events=[EventType.PARTNERSHIP])]
    router = Router(routes, store)
    closure = alert(companies=("Kestrel",), event_type=EventType.PLANT_CLOSURE)
    assert await router.targets(closure, T0) == [RoutedTarget(S2, None, T0, "watching everything")]
    assert [t.channel for t in await router.targets(alert(), T0)] == [S1]
    follow = alert(kind=AlertKind.FOLLOW_UP)
    assert [t.channel for t in await router.targets(follow, T0)] == [S1]


async def test_filters_mark_targets_and_any_passing_subscription_wins() -> None:
    store = MemoryStore()
    japan, talks_only = Filters(countries=("Japan",)), Filters(statuses=(Status.TALKS,))
    await store.add_subscription(Subscription(S1, "Nissan", filters=japan), T0)
    await store.add_subscription(Subscription(S2, "Nissan", filters=japan), T0)
    await store.add_subscription(Subscription(S2, "*", filters=talks_only), T0)
    await store.add_subscription(Subscription(D1, "Foxconn", filters=Filters(min_jobs=10)), T0)
    router = Router([], store)
    british = alert(country="United Kingdom", jobs=50)
    assert await router.targets(british, T0, confidence=0.9) == [
        RoutedTarget(S2, None, T0, "watching everything"),  # the status filter passes
        RoutedTarget(D1, None, T0, "watching Foxconn"),
        RoutedTarget(S1, None, T0, "watching Nissan", filtered=True),  # kept for follow-ups
    ]
    await store.set_mute(Mute(S1, "Nissan", T0 + timedelta(hours=1)))
    assert S1 not in [t.channel for t in await router.targets(british, T0)]
    excluded = Filters(exclude=("rumour",))
    await store.add_subscription(Subscription(D1, "Foxconn", filters=excluded), T0)
    [d1] = [t for t in await router.targets(british, T0, text="a rumour") if t.channel == D1]
    assert d1.filtered


async def test_no_match_means_no_targets() -> None:
    router = Router(
        [RouteConfig(platform="slack", channel="C1", companies=["Toyota"])], MemoryStore()
    )
    assert await router.targets(alert(), T0) == []


async def test_digest_mode_holds_until_next_digest_time_in_channel_zone() -> None:
    store = MemoryStore()
    await store.add_subscription(Subscription(S1, "Nissan"), T0)
    await store.save_channel_prefs(ChannelPrefs(S1, "08:30", "Asia/Tokyo"))
    [target] = await Router([], store).targets(alert(), T0)  # 21:00 in Tokyo
    assert target.hold == "digest"
    assert target.not_before == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


async def test_quiet_hours_hold_then_release() -> None:
    store = MemoryStore()
    await store.add_subscription(Subscription(S1, "Nissan"), T0)
    await store.save_channel_prefs(ChannelPrefs(S1, None, "Europe/Paris", "12:30", "14:00"))
    router = Router([], store)
    [held] = await router.targets(alert(), T0 + timedelta(minutes=45))  # 13:45 Paris
    assert (held.hold, held.not_before) == ("quiet", datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    [inside] = await router.targets(alert(), T0)  # 13:00 Paris
    assert inside.hold == "quiet"
    [open_] = await router.targets(alert(), T0 - timedelta(hours=1))  # 12:00 Paris
    assert (open_.hold, open_.not_before) == (None, T0 - timedelta(hours=1))


@pytest.mark.parametrize(
    ("now", "hhmm", "zone", "expected"),
    [
        (T0, "13:00", "UTC", datetime(2026, 11, 24, 13, 0, tzinfo=UTC)),
        (T0, "12:00", "UTC", datetime(2026, 11, 25, 12, 0, tzinfo=UTC)),  # strictly after
        (T0, "08:00", "America/New_York", datetime(2026, 11, 24, 13, 0, tzinfo=UTC)),
        (T0, "06:59", "America/New_York", datetime(2026, 11, 25, 11, 59, tzinfo=UTC)),
        # Europe/Paris moves to summer time on 2026-03-29: 08:00 is 07:00 UTC, then 06:00 UTC
        (
            datetime(2026, 3, 28, 9, 0, tzinfo=UTC),
            "08:00",
            "Europe/Paris",
            datetime(2026, 3, 29, 6, 0, tzinfo=UTC),
        ),
        (T0, "09:00", "Not/AZone", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
    ],
)
def test_next_daily(now: datetime, hhmm: str, zone: str, expected: datetime) -> None:
    assert next_daily(now, hhmm, zone) == expected


def test_quiet_until_across_midnight() -> None:
    late = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    assert quiet_until(late, "22:00", "07:00", "UTC") == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    early = datetime(2026, 11, 25, 6, 59, tzinfo=UTC)
    assert quiet_until(early, "22:00", "07:00", "UTC") == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 11, 25, 7, 0, tzinfo=UTC), "22:00", "07:00", "UTC") is None
    assert quiet_until(T0, "22:00", "07:00", "UTC") is None


def _delivery(i: int, message: object, channel: ChannelRef = S1) -> Delivery:
    return Delivery(i, f"k{i}", channel, message)  # type: ignore[arg-type]


def test_flood_groups_new_alerts_past_threshold_only() -> None:
    news = [_delivery(i, alert(i)) for i in range(1, 5)]
    follow = _delivery(9, alert(1, kind=AlertKind.FOLLOW_UP))
    notice = _delivery(10, Notice("source back"))
    assert group_deliveries([*news[:3], follow], 3) == [[d] for d in [*news[:3], follow]]
    plan = group_deliveries([news[0], follow, *news[1:], notice], 3)
    assert plan == [news, [follow], [notice]]


def test_held_items_always_form_one_batch() -> None:
    items = [_delivery(i, alert(i)) for i in range(1, 4)]
    held_ids = {1, 3}
    plan = group_flood(items, 8, lambda d: d.message, held=lambda d: d.id in held_ids)
    assert plan == [[items[0], items[2]], [items[1]]]


def test_build_digest_one_entry_per_story_newest_first() -> None:
    old = alert(1, age_days=3)
    new = alert(2, age_days=1)
    update = alert(1, age_days=3, kind=AlertKind.STATUS_CHANGE)
    digest = build_digest(digest_title(2, "digest"), [old, new, update])
    assert digest.title == "Daily digest: 2 stories"
    assert digest.alerts == (new, update)
    assert digest_title(1, "quiet") == "Catch-up after quiet hours: 1 story"
    assert "grouped" in digest_title(12, None)


def test_admin_targets_and_notices() -> None:
    settings = Settings(
        routes=[RouteConfig(platform="console")],
        slack=SlackSettings(bot_token="xoxb-test", admin_channel="CADMIN"),  # type: ignore[arg-type]
        discord=DiscordSettings(admin_channel="123"),  # no token: Discord is off
    )
    assert admin_targets(settings) == [ChannelRef("slack", "CADMIN"), ChannelRef("console", "")]
    assert admin_targets(Settings(routes=[RouteConfig(platform="slack", channel="C")])) == []
    down = source_notice("Example feed", disabled_reason="HTTP 410\nGone")
    assert (
        down.text
        == "Source 'Example feed' is disabled: HTTP 410 Gone. /deal sources shows details."
    )
    assert source_notice("Example feed", disabled_reason=None).text.endswith("working again.")


async def test_build_router_over_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        await upgrade(engine)
        sessions = sessionmaker(engine)
        settings = Settings(routes=[RouteConfig(platform="slack", channel="C9", companies=["GM"])])
        table = StaticCompanyTable({"General Motors": ["GM"], "Nissan": []})
        router = build_router(settings, sessions, table)
        store = SqlCommandStore(sessions)
        await store.add_subscription(Subscription(S1, "Nissan"), T0)
        await store.save_channel_prefs(ChannelPrefs(S1, "07:00", "UTC"))
        gm = alert(companies=("General Motors",))
        assert [t.channel for t in await router.targets(gm, T0)] == [ChannelRef("slack", "C9")]
        [held] = await router.targets(alert(), T0)
        assert (held.channel, held.hold) == (S1, "digest")
        assert held.not_before == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    finally:
        await engine.dispose()
