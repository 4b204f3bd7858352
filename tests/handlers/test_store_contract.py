"""One contract for every CommandStore: in-memory, SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import ChannelRef, EventType, Status
from bot.filters import Filters
from bot.ports import ChannelPrefs, Mute, SourceHealth, Subscription
from tests.handlers.conftest import T0, StoreHarness, make_story

SLACK_A = ChannelRef("slack", "C1")
SLACK_B = ChannelRef("slack", "C2")
DISCORD_A = ChannelRef("discord", "C1")


async def test_stories_for_company_newest_first_within_window(harness: StoreHarness) -> None:
    await harness.add_story(make_story(1, ("Nissan",), age_days=3))
    await harness.add_story(make_story(2, ("Nissan", "Foxconn"), age_days=1))
    await harness.add_story(make_story(3, ("Nissan",), age_days=40))
    await harness.add_story(make_story(4, ("Toyota",), age_days=1))
    found = await harness.store.stories_for_companies(["Nissan"], T0 - timedelta(days=30), 10)
    assert [s.id for s in found] == [2, 1]
    assert found[0].companies == ("Nissan", "Foxconn")
    assert found[0].first_seen_at == T0 - timedelta(days=1)


async def test_stories_for_companies_limit_and_no_duplicates(harness: StoreHarness) -> None:
    for i in range(1, 6):
        await harness.add_story(make_story(i, ("Nissan", "Foxconn"), age_days=i))
    since = T0 - timedelta(days=30)
    both = await harness.store.stories_for_companies(["Nissan", "Foxconn"], since, 3)
    assert [s.id for s in both] == [1, 2, 3]
    assert await harness.store.stories_for_companies([], since, 3) == []


async def test_company_names_match_exactly_as_plain_data(harness: StoreHarness) -> None:
    await harness.add_story(make_story(1, ("Nissan",)))
    since = T0 - timedelta(days=30)
    for hostile in ("nissan' OR '1'='1", "Nissan%", "Nissan_", "%"):
        assert await harness.store.stories_for_companies([hostile], since, 5) == []


async def test_latest_orders_by_articles_then_newest_and_filters_type(
    harness: StoreHarness,
) -> None:
    await harness.add_story(make_story(1, ("A",), age_days=1, articles=2))
    await harness.add_story(make_story(2, ("B",), age_days=2, articles=9))
    await harness.add_story(
        make_story(3, ("C",), age_days=0.5, articles=2, event_type=EventType.PLANT_CLOSURE)
    )
    await harness.add_story(make_story(4, ("D",), age_days=20, articles=50))
    since = T0 - timedelta(days=7)
    assert [s.id for s in await harness.store.latest_stories(None, since, 10)] == [2, 3, 1]
    closures = await harness.store.latest_stories(EventType.PLANT_CLOSURE, since, 10)
    assert [s.id for s in closures] == [3]


async def test_known_companies_sorted_unique(harness: StoreHarness) -> None:
    await harness.add_story(make_story(1, ("Nissan", "Foxconn")))
    await harness.add_story(make_story(2, ("Nissan",)))
    assert await harness.store.known_companies() == ["Foxconn", "Nissan"]


async def test_subscriptions_upsert_list_remove(harness: StoreHarness) -> None:
    store = harness.store
    assert await store.add_subscription(Subscription(SLACK_A, "Nissan", "all", "U1"), T0)
    assert not await store.add_subscription(Subscription(SLACK_A, "Nissan", "partnership"), T0)
    assert await store.add_subscription(Subscription(SLACK_A, "Foxconn"), T0)
    assert await store.add_subscription(Subscription(DISCORD_A, "*"), T0)
    subs = await store.channel_subscriptions(SLACK_A)
    assert [(s.company, s.events) for s in subs] == [("Foxconn", "all"), ("Nissan", "partnership")]
    routed = await store.subscriptions_for(["Nissan"])
    assert {(s.channel, s.company) for s in routed} == {(SLACK_A, "Nissan"), (DISCORD_A, "*")}
    assert await store.remove_subscription(SLACK_A, "Nissan")
    assert not await store.remove_subscription(SLACK_A, "Nissan")
    assert not await store.remove_subscription(SLACK_B, "Foxconn")
    assert [s.company for s in await store.channel_subscriptions(SLACK_A)] == ["Foxconn"]


async def test_subscription_filters_are_stored_replaced_and_cleared(
    harness: StoreHarness,
) -> None:
    store = harness.store
    narrow = Filters(
        countries=("Japan",),
        statuses=(Status.TALKS,),
        statuses_excluded=True,
        min_jobs=500,
        min_confidence=0.8,
        include=("EV", "electric vehicle"),
        exclude=("recall",),
    )
    await store.add_subscription(Subscription(SLACK_A, "Nissan", "all", "U1", narrow), T0)
    [sub] = await store.channel_subscriptions(SLACK_A)
    assert sub.filters == narrow
    [routed] = await store.subscriptions_for(["Nissan"])
    assert routed.filters == narrow
    other = Filters(countries=("Germany",))
    await store.add_subscription(Subscription(SLACK_A, "Nissan", "all", "U1", other), T0)
    assert [s.filters for s in await store.channel_subscriptions(SLACK_A)] == [other]
    await store.add_subscription(Subscription(SLACK_A, "Nissan"), T0)
    assert [s.filters for s in await store.channel_subscriptions(SLACK_A)] == [Filters()]


async def test_mutes_expire_and_replace(harness: StoreHarness) -> None:
    store = harness.store
    await store.set_mute(Mute(SLACK_A, "Nissan", T0 + timedelta(hours=1), "U1"))
    await store.set_mute(Mute(SLACK_A, "Nissan", T0 + timedelta(days=2), "U2"))
    await store.set_mute(Mute(SLACK_B, "Nissan", T0 + timedelta(minutes=5)))
    running = await store.channel_mutes(SLACK_A, T0)
    assert [(m.company, m.until, m.created_by) for m in running] == [
        ("Nissan", T0 + timedelta(days=2), "U2")
    ]
    later = T0 + timedelta(minutes=10)
    assert {m.channel for m in await store.mutes_for(["Nissan", "Foxconn"], later)} == {SLACK_A}
    assert await store.channel_mutes(SLACK_B, later) == []
    assert await store.remove_mute(SLACK_A, "Nissan")
    assert not await store.remove_mute(SLACK_A, "Nissan")


async def test_channel_prefs_default_then_saved(harness: StoreHarness) -> None:
    store = harness.store
    assert await store.channel_prefs(SLACK_A) == ChannelPrefs(SLACK_A)
    prefs = ChannelPrefs(SLACK_A, "08:30", "Europe/Paris", "22:00", "07:00")
    await store.save_channel_prefs(prefs)
    await store.save_channel_prefs(ChannelPrefs(SLACK_B, None, "Asia/Tokyo"))
    assert await store.channel_prefs(SLACK_A) == prefs
    assert (await store.channel_prefs(SLACK_B)).timezone == "Asia/Tokyo"


async def test_sources_add_list_remove(harness: StoreHarness) -> None:
    store = harness.store
    await harness.set_source(
        SourceHealth(
            "Config feed",
            "rss",
            "https://feeds.example/a.xml",
            enabled=False,
            origin="config",
            disabled_reason="HTTP 410 Gone",
            disabled_at=T0 - timedelta(hours=3),
            consecutive_failures=7,
            last_error="HTTP 410 Gone",
        )
    )
    assert await store.add_source("https://feeds.example/b.xml", "B feed", "U1", T0)
    assert not await store.add_source("https://feeds.example/c.xml", "B feed", "U1", T0)
    assert not await store.add_source("https://feeds.example/b.xml", "Other", "U1", T0)
    listed = await store.list_sources()
    assert [s.name for s in listed] == ["B feed", "Config feed"]
    added, config = listed
    assert (added.kind, added.target, added.enabled, added.origin) == (
        "rss",
        "https://feeds.example/b.xml",
        True,
        "chat",
    )
    assert added.next_poll_at == T0
    assert config.disabled_reason == "HTTP 410 Gone"
    assert config.disabled_at == T0 - timedelta(hours=3)
    assert config.consecutive_failures == 7
    assert await store.remove_source("Config feed") == "config"
    assert await store.remove_source("B feed") == "removed"
    assert await store.remove_source("B feed") == "missing"


async def test_watch_adds_news_search_only_when_uncovered(harness: StoreHarness) -> None:
    store = harness.store
    await harness.set_source(
        SourceHealth("Toyota search", "news_search", '"Toyota" plant', enabled=True)
    )
    assert await store.ensure_news_search_source("Toyota", T0) is None
    assert await store.ensure_news_search_source("Nissan", T0) == "News search: Nissan"
    assert await store.ensure_news_search_source("Nissan", T0) is None
    added = [s for s in await store.list_sources() if s.name == "News search: Nissan"]
    assert added[0].kind == "news_search" and '"Nissan"' in added[0].target
    assert added[0].origin == "watch"


async def test_feedback_one_vote_per_user_and_unknown_story(harness: StoreHarness) -> None:
    await harness.add_story(make_story(1, ("Nissan",)))
    store = harness.store
    assert await store.record_feedback(1, "slack", "U1", True, T0)
    assert await store.record_feedback(1, "slack", "U1", False, T0)
    assert not await store.record_feedback(999, "slack", "U1", True, T0)
    if harness.kind == "memory":
        assert store.feedback == {(1, "slack", "U1"): False}
