"""The ``/deal`` app-command tree for the gateway client (discord.py ``app_commands``).

Every subcommand has real typed options (ranges, choices, company autocomplete) and does one
thing: rebuild the command line (:mod:`bot.discordapp.commandtext`) and hand it to the shared
runner (:mod:`bot.discordapp.dispatch`), the same path the HTTP interactions endpoint uses.
Replies are ephemeral unless the runner says otherwise; when the runner has not answered
within ``defer_after`` seconds the interaction is deferred (Discord allows 3 s) and the answer
follows up. Registration with Discord is explicit (``dealradar discord sync-commands``).
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal

import discord
from discord import app_commands

from bot.discordapp import render
from bot.discordapp.commandtext import GROUP, build_text
from bot.discordapp.dispatch import run_command
from handlers.api import Caller, CommandRunner, Reply

DEFER_AFTER = 2.0
AUTOCOMPLETE_MAX = 25
Kind = Literal["closures", "partnerships", "all"]
Days = app_commands.Range[int, 1, 365]
Company = app_commands.Range[str, 1, 100]
FilterText = app_commands.Range[str, 1, 300]
OPTION_HELP = {
    "company": "Company name",
    "days": "How many days back (default 30)",
    "kind": "Closures, partnerships or all",
    "duration": "For how long, e.g. 7d or 12h",
    "time": "HH:MM, or off",
    "hours": "HH:MM-HH:MM, or off",
    "timezone": "e.g. Europe/Berlin (default UTC)",
    "url": "Feed URL (http or https)",
    "name": "Source name",
    "filters": 'e.g. country:JP status:-talks min-jobs:500 +"EV" -recall',
}


def _help(*names: str) -> Callable[[Any], Any]:
    return app_commands.describe(**{n: OPTION_HELP[n] for n in names})


def caller_for(interaction: discord.Interaction[Any], admins: Iterable[str]) -> Caller:
    """Who ran it: admin when they have Manage Server here or are listed in config."""
    user_id = str(interaction.user.id)
    manage = interaction.guild_id is not None and interaction.permissions.manage_guild
    return Caller(
        platform="discord",
        channel=str(interaction.channel_id or ""),
        user=user_id,
        is_admin=bool(manage) or user_id in set(admins),
    )


def reply_kwargs(reply: Reply) -> dict[str, Any]:
    """discord.py ``send_message``/``followup.send`` arguments for a neutral reply."""
    data = render.render_reply(reply)
    return {
        "content": data["content"],
        "embeds": [discord.Embed.from_dict(e) for e in data["embeds"]],
        "ephemeral": bool(data.get("flags", 0) & render.FLAG_EPHEMERAL),
        "allowed_mentions": discord.AllowedMentions.none(),
    }


async def answer(
    interaction: discord.Interaction[Any],
    work: Awaitable[Reply],
    defer_after: float = DEFER_AFTER,
) -> None:
    """Send ``work``'s reply; defer first when it is not ready within ``defer_after``."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    if not done:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(**reply_kwargs(await task))
        return
    await interaction.response.send_message(**reply_kwargs(task.result()))


def build_group(
    runner: CommandRunner, admins: Iterable[str] = (), defer_after: float = DEFER_AFTER
) -> app_commands.Group:
    """The ``/deal`` group with one subcommand per grammar command."""
    admin_ids = frozenset(admins)
    group = app_commands.Group(
        name=GROUP, description="Plant closures and partnerships in the news"
    )

    async def run(interaction: discord.Interaction[Any], sub: str, **options: Any) -> None:
        caller = caller_for(interaction, admin_ids)
        await answer(
            interaction, run_command(runner, build_text(sub, options), caller), defer_after
        )

    async def companies(
        _: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        names = await runner.complete_company(current[:100], AUTOCOMPLETE_MAX)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:AUTOCOMPLETE_MAX]]

    def command(name: str, description: str) -> Callable[[Any], Any]:
        return group.command(name=name, description=description)

    @command("company", "Recent stories about one company")
    @_help("company", "days")
    @app_commands.autocomplete(company=companies)
    async def company(
        i: discord.Interaction[Any], company: Company, days: Days | None = None
    ) -> None:
        await run(i, "company", company=company, days=days)

    @command("latest", "The most important recent stories")
    @_help("kind", "days")
    async def latest(
        i: discord.Interaction[Any], kind: Kind | None = None, days: Days | None = None
    ) -> None:
        await run(i, "latest", kind=kind, days=days)

    @command("watch", "Alert this channel about a company")
    @_help("company", "kind", "filters")
    @app_commands.autocomplete(company=companies)
    async def watch(
        i: discord.Interaction[Any],
        company: Company,
        kind: Kind | None = None,
        filters: FilterText | None = None,
    ) -> None:
        await run(i, "watch", company=company, kind=kind, filters=filters)

    @command("unwatch", "Stop alerting this channel about a company")
    @_help("company")
    @app_commands.autocomplete(company=companies)
    async def unwatch(i: discord.Interaction[Any], company: Company) -> None:
        await run(i, "unwatch", company=company)

    @command("list", "This channel's subscriptions and mutes")
    async def list_(i: discord.Interaction[Any]) -> None:
        await run(i, "list")

    @command("mute", "Silence a company here for a while")
    @_help("company", "duration")
    @app_commands.autocomplete(company=companies)
    async def mute(
        i: discord.Interaction[Any], company: Company, duration: app_commands.Range[str, 1, 20]
    ) -> None:
        await run(i, "mute", company=company, duration=duration)

    @command("unmute", "Lift a mute")
    @_help("company")
    @app_commands.autocomplete(company=companies)
    async def unmute(i: discord.Interaction[Any], company: Company) -> None:
        await run(i, "unmute", company=company)

    @command("digest", "One daily digest instead of instant alerts")
    @_help("time", "timezone")
    async def digest(
        i: discord.Interaction[Any],
        time: app_commands.Range[str, 1, 5],
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        await run(i, "digest", time=time, timezone=timezone)

    @command("quiet", "Hold alerts during quiet hours")
    @_help("hours", "timezone")
    async def quiet(
        i: discord.Interaction[Any],
        hours: app_commands.Range[str, 1, 11],
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        await run(i, "quiet", hours=hours, timezone=timezone)

    @command("sources", "News sources and their health")
    async def sources(i: discord.Interaction[Any]) -> None:
        await run(i, "sources")

    @command("source-add", "Add a feed (admins)")
    @_help("url", "name")
    async def source_add(
        i: discord.Interaction[Any],
        url: app_commands.Range[str, 1, 400],
        name: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await run(i, "source-add", url=url, name=name)

    @command("source-remove", "Remove a source (admins)")
    @_help("name")
    async def source_remove(
        i: discord.Interaction[Any], name: app_commands.Range[str, 1, 100]
    ) -> None:
        await run(i, "source-remove", name=name)

    @command("help", "How to use /deal")
    async def help_(i: discord.Interaction[Any]) -> None:
        await run(i, "help")

    return group


def build_tree(
    client: discord.Client,
    runner: CommandRunner,
    admins: Iterable[str] = (),
    defer_after: float = DEFER_AFTER,
) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    tree.add_command(build_group(runner, admins, defer_after))
    return tree


def command_payloads(tree: app_commands.CommandTree[discord.Client]) -> list[dict[str, Any]]:
    """The JSON Discord's bulk-overwrite endpoints take, straight from the tree."""
    return [cmd.to_dict(tree) for cmd in tree.get_commands()]
