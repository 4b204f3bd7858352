"""Registering ``/deal`` with Discord, explicitly (never on every start).

The payload comes straight from the discord.py tree the gateway client serves, so what is
registered and what is handled cannot drift. It is sent with one bulk overwrite (``PUT``) to
``DISCORD_API_URL``: global commands, or one guild's (instant, handy while testing).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import discord

from bot.config.settings import DiscordSettings
from bot.discordapp.commands import build_tree, command_payloads
from bot.discordapp.rest import DiscordRest
from bot.errors import ConfigError
from handlers.api import Caller, Reply


class _NotServing:
    """Stands in for the runner: building the payload never runs a command."""

    async def run(self, text: str, caller: Caller) -> Reply:
        raise RuntimeError("sync-commands does not run commands")

    async def complete_company(self, prefix: str, limit: int = 25) -> list[str]:
        return []


def payloads() -> list[dict[str, Any]]:
    """The command definitions as Discord's API takes them."""
    return command_payloads(
        build_tree(discord.Client(intents=discord.Intents.none()), _NotServing())
    )


async def sync_commands(
    settings: DiscordSettings,
    guild_id: str | None = None,
    *,
    session: aiohttp.ClientSession | None = None,
) -> list[dict[str, Any]]:
    """Overwrite the application's commands (globally or in one guild); return Discord's answer.

    Raises:
        ConfigError: no DISCORD_TOKEN, or a guild id that is not a number.
        bot.discordapp.rest.DiscordAPIError: Discord refused (401 bad token, 403, 400 ...).
    """
    if settings.token is None:
        raise ConfigError(["DISCORD_TOKEN: needed to register commands"])
    if guild_id is not None and not guild_id.isdigit():
        raise ConfigError([f"--guild: {guild_id[:40]!r} is not a guild id"])
    rest = DiscordRest(settings.api_url, settings.token, session=session)
    try:
        app_id = settings.application_id
        if not app_id:
            app_id = str((await rest.request("GET", "/applications/@me"))["id"])
        path = f"/applications/{app_id}/commands"
        if guild_id is not None:
            path = f"/applications/{app_id}/guilds/{guild_id}/commands"
        answer = await rest.request("PUT", path, payloads())
    finally:
        await rest.close()
    return list(answer or [])
