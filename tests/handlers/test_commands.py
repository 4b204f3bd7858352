"""/deal use cases over the in-memory store with a frozen clock."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import RouteConfig
from bot.domain import ChannelRef, EventType, Status
from bot.errors import StoreError
from bot.ports import SourceHealth
from handlers.api import Caller
from handlers.company_directory import StaticCompanyTable
from handlers.memory import MemoryStore
from handlers.plain_text import render_plain
from handlers.runner import DealCommands
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import T0, make_story

TABLE = StaticCompanyTable(
    {
        "Nissan": ["Nissan Motor"],
        "Foxconn": ["Hon Hai", "Hon Hai Precision"],
        "General Motors": ["GM"],
        "General Electric": ["GE"],
        "Honda": [],
    }
)
USER = Caller("slack", "C1", "U1")
ADMIN = Caller("slack", "C1", "U9", is_admin=True)


@pytest.fixture
def store() -> MemoryStore:
    mem = MemoryStore()
    mem.add_story(make_story(1, ("Nissan", "Foxconn"), age_days=2, outlets=("A", "B", "C")))
    mem.add_story(
        make_story(
            2,
            ("Nissan",),
            age_days=5,
            event_type=EventType.PLANT_CLOSURE,
            status=Status.CONFIRMED,
            plant="Sunderland plant",
            country="GB",
            jobs=1200,
            articles=4,
        )
    )
    mem.add_story(make_story(3, ("Nissan",), age_days=45))
    mem.add_story(make_story(4, ("Kestrel Dynamics",), age_days=1))
    return mem


def commands(store: MemoryStore, clock: FakeClock, **kw: object) -> DealCommands:
    return DealCommands(store, TABLE, clock, **kw)  # type: ignore[arg-type]


async def test_lookup_lists_stories_newest_first_with_details(
    store: MemoryStore, clock: FakeClock
) -> None:
    reply = await commands(store, clock).run("nissan", USER)
    assert not reply.error
    assert [s.id for s in reply.stories] == [1, 2]
    assert reply.title == "Nissan: 2 stories in the last 30 days"
    text = render_plain(reply)
    assert "plant closure · confirmed · Nissan · Sunderland plant, GB · 1,200 jobs" in text
    assert "3 outlets" in text and "https://news.example/1" in text
    assert "2026-11-22" in text


async def test_lookup_window_and_alias(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    assert [s.id for s in (await deal.run("nissan 60d", USER)).stories] == [1, 2, 3]
    assert [s.id for s in (await deal.run("nissan 3d", USER)).stories] == [1]
    reply = await deal.run("hon hai", USER)
    assert reply.title.startswith("Foxconn:") and [s.id for s in reply.stories] == [1]


async def test_lookup_company_known_only_from_stored_stories(
    store: MemoryStore, clock: FakeClock
) -> None:
    reply = await commands(store, clock).run("kestrel dynamics", USER)
    assert [s.id for s in reply.stories] == [4]


async def test_unknown_company_suggests_and_ambiguous_lists_choices(
    store: MemoryStore, clock: FakeClock
) -> None:
    deal = commands(store, clock)
    typo = await deal.run("nisan", USER)
    assert typo.error and "Did you mean Nissan?" in typo.title
    stored_typo = await deal.run("kestrel dynamix", USER)
    assert stored_typo.error and "Kestrel Dynamics" in stored_typo.title
    vague = await deal.run("general", USER)
    assert vague.error and "General Electric, General Motors" in vague.title
    nothing = await deal.run("zzqxw", USER)
    assert not nothing.error and nothing.title == "No zzqxw stories in the last 30 days"


async def test_latest_filters_and_orders(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    reply = await deal.run("latest", USER)
    assert [s.id for s in reply.stories] == [4, 1, 2]
    closures = await deal.run("latest closures", USER)
    assert [s.id for s in closures.stories] == [2]
    empty = await deal.run("latest closures 1d", USER)
    assert empty.title == "No plant-closure stories in the last day"


async def test_watch_list_unwatch_and_auto_source(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    reply = await deal.run("watch hon hai closures", USER)
    assert reply.title == "This channel now watches Foxconn: plant closures"
    assert "News search: Foxconn" in reply.lines[0]
    assert store.sources["News search: Foxconn"].origin == "watch"
    await deal.run("watch everything partnerships", USER)
    listing = await deal.run("list", USER)
    assert listing.lines == (
        "watching every company: partnerships",
        "watching Foxconn: plant closures",
    )
    assert (await deal.run("list", Caller("slack", "C2", "U1"))).title.endswith("nothing yet")
    assert not (await deal.run("unwatch foxconn", USER)).error
    again = await deal.run("unwatch foxconn", USER)
    assert again.error and "does not watch Foxconn" in again.title


async def test_watch_without_auto_sources_and_unknown_company(
    store: MemoryStore, clock: FakeClock
) -> None:
    deal = commands(store, clock, watch_adds_sources=False)
    reply = await deal.run("watch Osprey Batteries", USER)
    assert reply.title == "This channel now watches Osprey Batteries: closures and partnerships"
    assert reply.lines == () and store.sources == {}
    typo = await deal.run("watch nisan", USER)
    assert typo.error and "Did you mean Nissan?" in typo.title
    assert ("slack", "C1", "nisan") not in store.subscriptions


async def test_static_routes_listed_as_config(store: MemoryStore, clock: FakeClock) -> None:
    routes = [RouteConfig(platform="slack", channel="C1", companies=["Nissan"])]
    reply = await commands(store, clock, routes=routes).run("list", USER)
    assert reply.lines == ("watching Nissan: partnership, plant_closure (config)",)


async def test_mute_shows_in_list_then_expires(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    muted = await deal.run("mute nissan motor 2d", USER)
    assert muted.title == "Muted Nissan in this channel until 2026-11-26 12:00 UTC (2d)"
    clock.advance(hours=12)
    assert (await deal.run("list", USER)).lines == (
        "muted Nissan until 2026-11-26 12:00 UTC (1d12h left)",
    )
    clock.advance(days=2)
    assert (await deal.run("list", USER)).title.endswith("nothing yet")
    gone = await deal.run("unmute nissan", USER)
    assert not gone.error  # the expired row is still there to remove
    again = await deal.run("unmute nissan", USER)
    assert again.error and "not muted" in again.title


async def test_digest_and_quiet_share_the_channel_zone(
    store: MemoryStore, clock: FakeClock
) -> None:
    deal = commands(store, clock)
    assert (await deal.run("digest daily 8:30 Europe/Paris", USER)).title.endswith(
        "08:30 Europe/Paris"
    )
    assert (await deal.run("quiet 22:00-07:00", USER)).title.startswith(
        "Quiet hours 22:00-07:00 Europe/Paris"
    )
    assert (await deal.run("list", USER)).lines == (
        "daily digest at 08:30 Europe/Paris",
        "quiet hours 22:00-07:00 Europe/Paris",
    )
    await deal.run("digest off", USER)
    await deal.run("quiet off", USER)
    prefs = await store.channel_prefs(ChannelRef("slack", "C1"))
    assert (prefs.digest_time, prefs.quiet_start, prefs.timezone) == (None, None, "Europe/Paris")


async def test_sources_health_lines(store: MemoryStore, clock: FakeClock) -> None:
    store.set_source_health(
        SourceHealth(
            "Dead feed",
            "rss",
            "https://feeds.example/dead",
            enabled=False,
            disabled_reason="HTTP 404 Not Found\nafter 10 tries",
            disabled_at=T0,
        )
    )
    store.set_source_health(
        SourceHealth(
            "Flaky",
            "rss",
            "https://f.example",
            True,
            consecutive_failures=3,
            last_error="timeout after 20s",
        )
    )
    store.set_source_health(
        SourceHealth("Good", "gdelt", "nissan", True, last_success_at=T0, next_poll_at=T0)
    )
    reply = await commands(store, clock).run("sources", USER)
    assert reply.title == "3 sources, 2 with problems"
    assert reply.lines == (
        "✗ Dead feed (rss): disabled since 2026-11-24 12:00 UTC: HTTP 404 Not Found after 10 tries",
        "! Flaky (rss): 3 failures in a row, last: timeout after 20s",
        "✓ Good (gdelt): last success 2026-11-24 12:00 UTC, next poll 2026-11-24 12:00 UTC",
    )


async def test_sources_admin_checks(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock, admins=["U7", "discord:D5"])
    denied = await deal.run("sources add https://feeds.example/a.xml", USER)
    assert denied.error and "Only admins" in denied.title and store.sources == {}
    ok = await deal.run("sources add https://feeds.example/a.xml", ADMIN)
    assert ok.title == "Added source 'feeds.example'; it is polled from now on"
    by_config_id = await deal.run("sources add https://b.example/f Bee", Caller("slack", "C", "U7"))
    assert not by_config_id.error
    by_platform_id = await deal.run("sources remove Bee", Caller("discord", "C", "D5"))
    assert by_platform_id.title == "Removed source 'Bee'"
    dup = await deal.run("sources add https://feeds.example/a.xml", ADMIN)
    assert dup.error and "exists" in dup.title
    assert (await deal.run("sources remove feeds.example", USER)).error
    store.set_source_health(SourceHealth("Cfg", "rss", "https://c.example", True))
    cfg = await deal.run("sources remove Cfg", ADMIN)
    assert cfg.error and "config file" in cfg.title
    missing = await deal.run("sources remove Nope", ADMIN)
    assert missing.error and "No source called 'Nope'" in missing.title


async def test_help_and_usage_errors(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    helped = await deal.run("", USER)
    assert helped.title.startswith("dealradar") and any("watch" in x for x in helped.lines)
    bad = await deal.run("mute nissan", USER)
    assert bad.error and bad.title.startswith("Say what to mute")


async def test_hostile_text_is_plain_data(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    for text in ("x' OR 1=1; --", "x" * 10_000, "\x00\x1b[2J", "🚗🚗", "تويوتا"):
        reply = await deal.run(text, USER)
        assert "Traceback" not in render_plain(reply)
        assert "\n" not in reply.title
    assert len(store.stories) == 4


class _BrokenStore(MemoryStore):
    async def stories_for_companies(self, *args: object, **kw: object) -> list[object]:  # type: ignore[override]
        raise StoreError("database is locked")

    async def known_companies(self) -> list[str]:
        raise RuntimeError("bug")


async def test_failures_become_short_replies(clock: FakeClock) -> None:
    deal = commands(_BrokenStore(), clock)
    locked = await deal.run("nissan", USER)
    assert locked.error and locked.title.startswith("The store is busy")
    crashed = await deal.run("somebody unknown", USER)
    assert crashed.error and crashed.title.startswith("Something went wrong")
    assert await deal.complete_company("ni") == []


async def test_feedback_and_completion(store: MemoryStore, clock: FakeClock) -> None:
    deal = commands(store, clock)
    await deal.record_feedback(1, USER, useful=True)
    await deal.record_feedback(1, USER, useful=False)
    assert store.feedback == {(1, "slack", "U1"): False}
    with pytest.raises(Exception, match="no longer exists"):
        await deal.record_feedback(99, USER, useful=True)
    assert await deal.complete_company("gen") == ["General Electric", "General Motors"]
    assert await deal.complete_company("dyn") == ["Kestrel Dynamics"]
    assert len(await deal.complete_company("", limit=3)) == 3


async def test_classifier_table_aliases(store: MemoryStore, clock: FakeClock) -> None:
    companies = pytest.importorskip("bot.classify.companies")
    deal = DealCommands(store, companies.CompanyTable.default(), clock)
    reply = await deal.run("hon hai", USER)
    assert reply.title.startswith("Foxconn:"), reply.title


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
async def test_runner_always_answers_with_one_line_title(
    store: MemoryStore, clock: FakeClock, text: str
) -> None:
    reply = await commands(store, clock).run(text, ADMIN)
    assert reply.title and "\n" not in reply.title
    assert not reply.title.startswith("Something went wrong")
