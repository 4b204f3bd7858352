"""``dealradar discord ...``: Discord set-up commands (today: ``sync-commands``)."""

from __future__ import annotations

import asyncio

import click

from bot.config.loader import load_settings
from bot.errors import DealradarError


@click.group(name="discord")
def discord_group() -> None:
    """Discord set-up."""


@discord_group.command(name="sync-commands")
@click.option("--guild", "guild_id", default=None, help="Register in this guild only (instant).")
@click.pass_context
def sync_commands_cmd(ctx: click.Context, guild_id: str | None) -> None:
    """Register /deal with Discord (run after install and after upgrades, not on every start)."""
    from bot.discordapp.sync import sync_commands

    try:
        settings = load_settings(ctx.obj.get("config_path") if ctx.obj else None)
        done = asyncio.run(sync_commands(settings.discord, guild_id))
    except DealradarError as exc:
        raise click.ClickException(str(exc)) from None
    names = ", ".join(sorted(str(c.get("name")) for c in done))
    where = f"in guild {guild_id}" if guild_id else "globally"
    click.echo(f"registered {len(done)} command(s) {where}: {names}")
