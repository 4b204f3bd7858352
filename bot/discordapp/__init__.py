"""Discord adapter: embed renderer, REST sink and discord.py app-command client.

What the composition root wires (see each module for details)::

    sink = DiscordSink.from_settings(settings.discord)            # bot.ports.Sink, REST only
    gateway = DiscordGateway(settings.discord, runner,            # /deal over the gateway
                             feedback=feedback, admins=settings.admins)
    await gateway.start() ... await gateway.stop()
    endpoint = InteractionsEndpoint.from_settings(                # HTTP mode, if public_key
        settings.discord, runner, feedback=feedback, admins=settings.admins, seen=...)
    web_routes += endpoint.routes()                               # POST /discord/interactions
    await endpoint.aclose(); await sink.close()                   # at shutdown

Modules: ``render`` (+ ``markup``, ``buttons``) builds bodies and owns Discord's limits;
``rest`` + ``breaker`` + ``sink`` deliver; ``commandtext`` + ``dispatch`` are the one path
below both command modes; ``commands`` + ``client`` are the gateway mode, ``interactions`` the
HTTP mode; ``sync`` registers the commands.
"""

from bot.discordapp.client import DiscordGateway
from bot.discordapp.interactions import InteractionsEndpoint
from bot.discordapp.rest import DiscordRest
from bot.discordapp.sink import DiscordSink

__all__ = [
    "DiscordGateway",
    "DiscordRest",
    "DiscordSink",
    "InteractionsEndpoint",
]
