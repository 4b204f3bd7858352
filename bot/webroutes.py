"""What an adapter contributes to the bot's one HTTP server (aiohttp.web).

The Slack and Discord adapters each return :class:`WebRoute` values; the composition root
adds them to the server next to ``/healthz``, ``/readyz`` and ``/metrics``.
:func:`read_body` is how those endpoints read a signed body: whole, and bounded.
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


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The request's whole body, or ``None`` when it is longer than ``limit`` bytes.

    A signature covers every byte, so the body is read to its end however it arrives (several
    TCP writes, ``Transfer-Encoding: chunked``, a proxy's buffering): one
    ``content.read(n)`` returns only what has arrived so far. A declared ``Content-Length``
    over the limit is refused before reading anything.
    """
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while True:
        chunk = await request.content.read(limit + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            return None
