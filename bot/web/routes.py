"""What an adapter contributes to the bot's one HTTP server (aiohttp.web).

The Slack and Discord adapters each return :class:`WebRoute` values; the composition root
adds them to the server next to ``/healthz``, ``/readyz`` and ``/metrics``.
:func:`read_body` is how those endpoints read a signed body: whole, bounded in size, and
within the request's read deadline (:data:`READ_DEADLINE`, set by the server's
:class:`bot.web.guard.ConnectionGuard`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

READ_DEADLINE: ContextVar[float | None] = ContextVar("dealradar_read_deadline", default=None)
"""Event-loop time by which the current request's body must have arrived (None: no deadline)."""


class ReadTimedOut(Exception):
    """The body was still arriving at :data:`READ_DEADLINE`; the server answers 408."""


@dataclass(frozen=True, slots=True)
class WebRoute:
    method: str
    path: str
    handler: Handler


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The request's whole body, or ``None`` when it is longer than ``limit`` bytes.

    A signature covers every byte, so the body is read to its end however it arrives (several
    TCP writes, ``Transfer-Encoding: chunked``, a proxy's buffering): one
    ``content.read(n)`` returns only what has arrived so far. A declared ``Content-Length``
    over the limit is refused before reading anything.

    Raises:
        ReadTimedOut: :data:`READ_DEADLINE` passed before the body ended.
    """
    if request.content_length is not None and request.content_length > limit:
        return None
    try:
        async with asyncio.timeout_at(READ_DEADLINE.get()):
            return await _read_to_end(request, limit)
    except TimeoutError:
        raise ReadTimedOut from None


async def _read_to_end(request: web.Request, limit: int) -> bytes | None:
    body = bytearray()
    while True:
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            return None
