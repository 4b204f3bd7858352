"""What an adapter contributes to the bot's one HTTP server (aiohttp.web).

The Slack and Discord adapters each return :class:`WebRoute` values; the composition root
adds them to the server next to ``/healthz``, ``/readyz`` and ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class WebRoute:
    method: str
    path: str
    handler: Handler
