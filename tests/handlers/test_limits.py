"""Bounded abuse (issue 19, defect 4): what one chat user or channel can make the bot do.

Commands go through :class:`handlers.runner.DealCommands`, what Slack, Discord and the CLI
call, over every store (in-memory, SQLite, PostgreSQL when configured). The clock is a
:class:`tests.fakes.clock.FakeClock` stepped by hand; nothing sleeps.
"""

from __future__ import annotations

from bot.config.settings import LimitsConfig
from bot.domain import ChannelRef
from handlers.api import Caller, Reply
from handlers.company_directory import StaticCompanyTable
from handlers.runner import DealCommands
from tests.fakes.clock import FakeClock
from tests.handlers.conftest import StoreHarness

TABLE = StaticCompanyTable({"Nissan": [], "Foxconn": []})
MEMBER = Caller("slack", "C1", "U1")
ADMIN = Caller("slack", "C1", "U9", is_admin=True)
LIMITS = LimitsConfig(
    user_commands_per_minute=20,
    channel_commands_per_minute=60,
    max_sources=30,
    max_subscriptions=50,
    member_sources=5,
)


def runner(harness: StoreHarness, clock: FakeClock, limits: LimitsConfig = LIMITS) -> DealCommands:
    return DealCommands(harness.store, TABLE, clock, limits=limits)


async def chat_sources(harness: StoreHarness) -> list[str]:
    return [s.name for s in await harness.store.list_sources() if s.origin != "config"]


async def test_a_thousand_paced_watches_from_one_member_stay_within_every_cap(
    harness: StoreHarness, clock: FakeClock
) -> None:
    deal = runner(harness, clock)
    replies: list[Reply] = []
    for i in range(1000):
        replies.append(await deal.run(f"watch Kestrel{i:04d}", MEMBER))
        clock.advance(seconds=3)  # 20 a minute: the rate limit never refuses
    assert len(await chat_sources(harness)) == 5
    subs = await harness.store.channel_subscriptions(ChannelRef("slack", "C1"))
    assert len(subs) == 50
    for reply in replies[:5]:
        assert not reply.error and reply.lines[0].startswith("Added the source")
    for reply in replies[5:50]:
        assert not reply.error and reply.title.startswith("This channel now watches")
        assert reply.lines == (
            f"No news-search source was added for {reply.title.split()[4][:-1]}: a member "
            "may add 5 (limits.member_sources) and you have; an admin can add more with "
            "/deal sources add.",
        )
    for reply in replies[50:]:
        assert reply.error
        assert reply.title == (
            "This workspace has reached its limit of 50 subscriptions "
            "(limits.max_subscriptions); /deal unwatch one first or ask an admin to raise it"
        )


async def test_a_burst_of_a_thousand_watches_is_rate_limited_per_user_and_channel(
    harness: StoreHarness, clock: FakeClock
) -> None:
    deal = runner(harness, clock)
    replies = [await deal.run(f"watch Kestrel{i:04d}", MEMBER) for i in range(1000)]
    assert sum(not r.error for r in replies) == 20
    refused = replies[20:]
    assert {r.title for r in refused} == {
        "Too many /deal commands from you: at most 20 a minute "
        "(limits.user_commands_per_minute); try again in 60s"
    }
    assert len(await chat_sources(harness)) == 5
    # other users of the channel share its 60 a minute; the refused ones did not use it up
    others = [await deal.run("nissan", Caller("slack", "C1", f"U{n}")) for n in range(100, 150)]
    assert sum(not r.error for r in others) == 40
    assert others[-1].title.startswith("Too many /deal commands in this channel: at most 60")
    # another channel is not affected, and a minute later the user may go on
    assert not (await deal.run("nissan", Caller("slack", "C2", "U200"))).error
    clock.advance(seconds=60)
    assert not (await deal.run("watch Kestrel2000", MEMBER)).error


async def test_the_workspace_source_cap_holds_across_users_and_admins(
    harness: StoreHarness, clock: FakeClock
) -> None:
    deal = runner(harness, clock)
    for n in range(40):
        reply = await deal.run(f"watch Kestrel{n:04d}", Caller("discord", f"D{n}", f"P{n}"))
        assert not reply.error
        if n >= 30:
            assert reply.lines == (
                f"No news-search source was added for Kestrel{n:04d}: this workspace has "
                "reached its limit of 30 sources added from chat (limits.max_sources).",
            )
    assert len(await chat_sources(harness)) == 30
    admin = Caller("discord", "D0", "P0", is_admin=True)
    reply = await deal.run("sources add https://feeds.example/x.rss", admin)
    assert reply.error and "limits.max_sources" in reply.title
    # the cap is per workspace: Slack still has room, and an admin has no member quota
    for n in range(8):
        assert (await deal.run(f"watch Osprey{n}", ADMIN)).lines[0].startswith("Added")
    assert len(await chat_sources(harness)) == 38


async def test_a_watch_already_covered_adds_nothing_and_uses_no_quota(
    harness: StoreHarness, clock: FakeClock
) -> None:
    deal = runner(harness, clock, LimitsConfig(member_sources=0))
    reply = await deal.run("watch nissan", MEMBER)
    assert reply.lines == (
        "No news-search source was added for Nissan: a member may add 0 "
        "(limits.member_sources) and you have; an admin can add more with /deal sources add.",
    )
    assert (await deal.run("watch nissan", ADMIN)).lines[0].startswith("Added")
    assert (await deal.run("watch nissan", MEMBER)).lines == ()
    assert await chat_sources(harness) == ["News search: Nissan"]
