"""What a channel receives: ``watch``, ``unwatch``, ``list``, ``mute``, ``unmute``, ``digest``,
``quiet``.

Subscriptions and mutes are stored per (platform, channel) under the canonical company name,
which is what routing matches stories against. Static routes from the config cannot be changed
from chat; ``/deal list`` shows them marked "(config)".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.config.durations import format_duration
from bot.domain import ChannelRef
from bot.errors import CommandError
from bot.ports import ALL_EVENTS, EVERY_COMPANY, Mute, Subscription
from handlers import commands as c
from handlers.api import Caller, Reply
from handlers.context import Context, company_for, creator, fmt_time, source_refusal

_EVENTS_LABEL = {
    ALL_EVENTS: "closures and partnerships",
    "plant_closure": "plant closures",
    "partnership": "partnerships",
}


def channel_of(caller: Caller) -> ChannelRef:
    return ChannelRef(caller.platform, caller.channel)


def _label(company: str) -> str:
    return "every company" if company == EVERY_COMPANY else company


async def watch(ctx: Context, command: c.Watch, caller: Caller) -> Reply:
    """Raises: CommandError (ambiguous or mistyped company, or the workspace's subscription
    cap reached), StoreError."""
    company = await company_for(ctx, command.company, "watch", known_only=False)
    channel = channel_of(caller)
    watched = {s.company for s in await ctx.store.channel_subscriptions(channel)}
    cap = ctx.limits.max_subscriptions
    if company not in watched and await ctx.store.count_subscriptions(channel.platform) >= cap:
        raise CommandError(
            f"This workspace has reached its limit of {cap} subscriptions "
            "(limits.max_subscriptions); /deal unwatch one first or ask an admin to raise it"
        )
    sub = Subscription(channel, company, command.events, caller.user, command.filters)
    new = await ctx.store.add_subscription(sub, ctx.now())
    verb = "now watches" if new else "now watches (updated)"
    lines: list[str] = []
    if not command.filters.empty:
        lines.append(f"only stories matching: {command.filters.describe()}")
    if ctx.watch_adds_sources and company != EVERY_COMPANY:
        lines.extend(await _collect(ctx, company, caller))
    if new and company != EVERY_COMPANY:
        lines.extend(_backfill(ctx, company))
    title = f"This channel {verb} {_label(company)}: {_EVENTS_LABEL[command.events]}"
    return Reply(title=title, lines=tuple(lines))


def _backfill(ctx: Context, company: str) -> list[str]:
    """Start fetching ``company``'s recent past in the background, where the bot can."""
    if ctx.backfill is None or not ctx.backfill.start(company):
        return []
    days = ctx.backfill.days
    return [
        f"Fetching the last {days} days about {company} in the background: "
        f"/deal {company} {days}d lists them; none of it is alerted."
    ]


async def _collect(ctx: Context, company: str, caller: Caller) -> list[str]:
    """Add a news-search source for ``company`` unless one covers it or a limit forbids it."""
    if await ctx.store.covering_source(company) is not None:
        return []
    refused = await source_refusal(ctx, caller)
    if refused:
        return [f"No news-search source was added for {company}: {refused}."]
    added = await ctx.store.ensure_news_search_source(company, ctx.now(), creator(caller))
    return [f"Added the source '{added}' so news about {company} is collected."] if added else []


async def unwatch(ctx: Context, command: c.Unwatch, caller: Caller) -> Reply:
    """Raises: CommandError (not watched, or ambiguous), StoreError."""
    channel = channel_of(caller)
    company = await company_for(ctx, command.company, "unwatch", known_only=False)
    removed = await ctx.store.remove_subscription(channel, company)
    if not removed and company != command.company:
        removed = await ctx.store.remove_subscription(channel, command.company)
    if not removed:
        raise CommandError(
            f"This channel does not watch {_label(company)}; /deal list shows what it does"
        )
    return Reply(title=f"This channel no longer watches {_label(company)}")


async def list_channel(ctx: Context, caller: Caller) -> Reply:
    """Raises: StoreError."""
    channel = channel_of(caller)
    now = ctx.now()
    lines = [
        f"watching {_label(s.company)}: {_EVENTS_LABEL.get(s.events, s.events)}"
        + (f" · {s.filters.describe()}" if not s.filters.empty else "")
        for s in await ctx.store.channel_subscriptions(channel)
    ]
    for route in ctx.routes:
        if route.platform == channel.platform and route.channel == channel.channel:
            names = ", ".join(route.companies) or "every company"
            kinds = ", ".join(sorted(e.value for e in route.events))
            lines.append(f"watching {names}: {kinds} (config)")
    for mute in await ctx.store.channel_mutes(channel, now):
        left = format_duration(max(1.0, (mute.until - now).total_seconds()))
        lines.append(f"muted {_label(mute.company)} until {fmt_time(mute.until)} ({left} left)")
    prefs = await ctx.store.channel_prefs(channel)
    if prefs.digest_time:
        lines.append(f"daily digest at {prefs.digest_time} {prefs.timezone}")
    if prefs.quiet_start and prefs.quiet_end:
        lines.append(f"quiet hours {prefs.quiet_start}-{prefs.quiet_end} {prefs.timezone}")
    if not lines:
        return Reply(title="This channel watches nothing yet", lines=("Try /deal watch nissan",))
    return Reply(title="This channel's alerts", lines=tuple(lines))


async def mute(ctx: Context, command: c.MuteCompany, caller: Caller) -> Reply:
    """Raises: CommandError (ambiguous or mistyped company), StoreError."""
    company = await company_for(ctx, command.company, "mute", known_only=False)
    until = ctx.now() + timedelta(seconds=command.seconds)
    await ctx.store.set_mute(Mute(channel_of(caller), company, until, caller.user))
    span = format_duration(command.seconds)
    return Reply(title=f"Muted {_label(company)} in this channel until {fmt_time(until)} ({span})")


async def unmute(ctx: Context, command: c.Unmute, caller: Caller) -> Reply:
    """Raises: CommandError (not muted, or ambiguous), StoreError."""
    channel = channel_of(caller)
    company = await company_for(ctx, command.company, "unmute", known_only=False)
    removed = await ctx.store.remove_mute(channel, company)
    if not removed and company != command.company:
        removed = await ctx.store.remove_mute(channel, command.company)
    if not removed:
        raise CommandError(f"{_label(company)} is not muted here; /deal list shows the mutes")
    return Reply(title=f"Unmuted {_label(company)} in this channel")


async def digest(ctx: Context, command: c.Digest, caller: Caller) -> Reply:
    """Raises: StoreError."""
    prefs = await ctx.store.channel_prefs(channel_of(caller))
    if command.at is None:
        await ctx.store.save_channel_prefs(replace(prefs, digest_time=None))
        return Reply(title="This channel gets alerts as they happen again (digest off)")
    zone = command.timezone or prefs.timezone
    await ctx.store.save_channel_prefs(replace(prefs, digest_time=command.at, timezone=zone))
    return Reply(title=f"This channel now gets one daily digest at {command.at} {zone}")


async def quiet(ctx: Context, command: c.Quiet, caller: Caller) -> Reply:
    """Raises: StoreError."""
    prefs = await ctx.store.channel_prefs(channel_of(caller))
    if command.start is None:
        await ctx.store.save_channel_prefs(replace(prefs, quiet_start=None, quiet_end=None))
        return Reply(title="Quiet hours off for this channel")
    zone = command.timezone or prefs.timezone
    await ctx.store.save_channel_prefs(
        replace(prefs, quiet_start=command.start, quiet_end=command.end, timezone=zone)
    )
    return Reply(
        title=f"Quiet hours {command.start}-{command.end} {zone}: alerts are held "
        "and sent as one catch-up message when they end"
    )
