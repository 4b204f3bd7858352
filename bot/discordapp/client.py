"""The gateway side: a discord.py client that answers ``/deal`` and alert-button clicks.

Commands only: alerts never use this client (see :mod:`bot.discordapp.sink`), so a gateway
outage delays commands, never alerts. No privileged intents: only ``guilds`` (so discord.py
can resolve channels and guilds); slash commands and components arrive as interactions
whatever the intents.

discord.py reads its endpoints from class attributes, not from its constructor:
``discord.http.Route.BASE`` for REST and ``DiscordWebSocket.DEFAULT_GATEWAY`` for the gateway
(2.x connects there directly instead of asking ``/gateway/bot``). :func:`configure_endpoints`
sets both from ``DISCORD_API_URL`` / ``DISCORD_GATEWAY_URL``; they are process-wide, which is
fine because one process talks to one Discord.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.config.settings import DiscordSettings
from bot.discordapp.commands import DEFER_AFTER, answer, build_tree, caller_for
from bot.discordapp.dispatch import handle_click
from handlers.api import CommandRunner, FeedbackRecorder

log = logging.getLogger(__name__)


def configure_endpoints(api_url: str, gateway_url: str | None = None) -> None:
    """Point discord.py's REST routes (and, when given, its gateway) at these URLs."""
    discord.http.Route.BASE = api_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class DealradarClient(discord.Client):
    """A ``discord.Client`` whose tree holds ``/deal``; button clicks go to the same runner."""

    def __init__(
        self,
        runner: CommandRunner,
        *,
        feedback: FeedbackRecorder | None = None,
        admins: Iterable[str] = (),
        defer_after: float = DEFER_AFTER,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents)
        self.runner = runner
        self.feedback = feedback
        self.admins = frozenset(admins)
        self.defer_after = defer_after
        self.tree = build_tree(self, runner, self.admins, defer_after)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is not discord.InteractionType.component:
            return  # app commands and autocomplete are the tree's
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        caller = caller_for(interaction, self.admins)
        await answer(
            interaction,
            handle_click(custom_id, caller, self.runner, self.feedback),
            self.defer_after,
        )


class DiscordGateway:
    """Owns one :class:`DealradarClient` connection: ``await start()``, ``await stop()``.

    Only one replica should hold the gateway; deciding which is the composition root's job.
    """

    def __init__(
        self,
        settings: DiscordSettings,
        runner: CommandRunner,
        *,
        feedback: FeedbackRecorder | None = None,
        admins: Iterable[str] = (),
    ) -> None:
        if settings.token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self._settings = settings
        self.client = DealradarClient(runner, feedback=feedback, admins=admins)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in (REST) and connect the gateway in the background; returns once logged in.

        Raises:
            discord.LoginFailure: the token was rejected.
        """
        configure_endpoints(self._settings.api_url, self._settings.gateway_url)
        assert self._settings.token is not None
        await self.client.login(self._settings.token.get_secret_value())
        self._task = asyncio.create_task(self._connect(), name="discord-gateway")

    async def _connect(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except Exception:
            log.exception("discord gateway stopped")

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            await self._task
            self._task = None
