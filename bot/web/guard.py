"""What keeps the HTTP server answering under abuse: a read deadline for every request, a cap
on open connections, and failed ``accept()`` calls logged at a bounded rate.

aiohttp's server sets no deadline for reading a request: a client sending its headers or its
body a byte at a time holds a connection, and a file descriptor, for as long as it likes; enough
of them use up the process's descriptors, after which every ``accept()`` fails.

- :class:`ConnectionGuard` is the protocol factory given to ``loop.create_server``. It wraps
  aiohttp's request handler, answers a connection over ``max_connections`` with a 503 and closes
  it at once, and closes a connection whose request headers have not all arrived within
  ``read_timeout`` of it going idle (opened, or its previous answer given).
- :meth:`ConnectionGuard.middleware` takes over once the headers are in: it stops the header
  timer while the handler runs and hands the same deadline to :func:`bot.web.routes.read_body`
  (:data:`bot.web.routes.READ_DEADLINE`), so headers and body together get ``read_timeout``; a
  body still arriving then gets 408 and the connection is closed.
- :class:`AcceptErrorLog` is the event loop's exception handler for failed ``accept()`` calls:
  one line without a traceback per ``interval``, with how many failures it stands for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.web.routes import READ_DEADLINE, Handler, ReadTimedOut

log = logging.getLogger("dealradar.http")

BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 21\r\n\r\ntoo many connections\n"
)


CLOSE_GRACE_S = 0.2  # after a 408, for the answer to leave before the connection is closed


class ConnectionGuard:
    """Protocol factory around aiohttp's: the connection cap and the read deadlines.

    ``open``, ``refused`` and ``timed_out`` count connections open now, refused over the cap,
    and closed for reading too slowly.
    """

    def __init__(
        self,
        factory: Callable[[], asyncio.Protocol],
        *,
        max_connections: int,
        read_timeout: float,
    ) -> None:
        self.factory = factory
        self.max_connections = max_connections
        self.read_timeout = read_timeout
        self.open = 0
        self.refused = 0
        self.timed_out = 0
        self._connections: dict[asyncio.BaseTransport, _Connection] = {}

    def __call__(self) -> asyncio.Protocol:
        return _Connection(self)

    def close_all(self) -> None:
        """Abort every connection still open (shutdown, after aiohttp's own)."""
        for transport in list(self._connections):
            cast(asyncio.Transport, transport).abort()

    def middleware(self) -> Middleware:
        """The aiohttp middleware that runs each request under its connection's deadline."""

        @web.middleware
        async def read_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
            transport = request.transport
            connection = self._connections.get(transport) if transport is not None else None
            if connection is None:  # not a connection this guard accepted
                return await handler(request)
            connection.disarm()  # the headers are in; the handler may take its time
            token = READ_DEADLINE.set(connection.deadline)
            try:
                response = await handler(request)
            except ReadTimedOut:
                self.timed_out += 1
                response = web.Response(status=408, text="request body not received in time")
                response.force_close()
                # aiohttp would go on reading the rest of the body for its lingering time;
                # the connection is closed once the 408 has had a moment to go out
                connection.arm(min(self.read_timeout, CLOSE_GRACE_S), counted=False)
                return response
            finally:
                READ_DEADLINE.reset(token)
            connection.arm()  # the next request's headers, on a kept-alive connection
            return response

        return read_deadline

    # called by _Connection ------------------------------------------------------------------
    def _admit(self, transport: asyncio.BaseTransport, connection: _Connection) -> bool:
        if self.open >= self.max_connections:
            self.refused += 1
            return False
        self.open += 1
        self._connections[transport] = connection
        return True

    def _release(self, transport: asyncio.BaseTransport) -> None:
        if self._connections.pop(transport, None) is not None:
            self.open -= 1


class _Connection(asyncio.Protocol):
    """One accepted connection: aiohttp's handler inside, a header deadline around it."""

    def __init__(self, guard: ConnectionGuard) -> None:
        self._guard = guard
        self._inner: asyncio.Protocol | None = None
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._counted = True
        self.deadline = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        if not self._guard._admit(transport, self):
            self._transport.write(BUSY_RESPONSE)
            self._transport.close()
            return
        self._inner = self._guard.factory()
        self._inner.connection_made(transport)
        self.arm()

    def arm(self, timeout: float | None = None, *, counted: bool = True) -> None:
        """Close the connection in ``timeout`` (default: the read timeout, for the next
        request's headers) unless :meth:`disarm` comes first. ``counted``: a close then is a
        timed-out read in :attr:`ConnectionGuard.timed_out`."""
        self.disarm()
        if self._transport is None or self._transport.is_closing():
            return
        loop = asyncio.get_running_loop()
        self.deadline = loop.time() + (self._guard.read_timeout if timeout is None else timeout)
        self._counted = counted
        self._timer = loop.call_at(self.deadline, self._expire)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self._transport is not None and not self._transport.is_closing():
            self._guard.timed_out += self._counted
            self._transport.abort()

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        if self._inner is None or self._transport is None:
            return
        self._guard._release(self._transport)
        self._inner.connection_lost(exc)


class AcceptErrorLog:
    """Event-loop exception handler: failed ``accept()`` calls (out of file descriptors or
    memory) logged once per ``interval`` with a count; everything else to ``previous``.

    The loop retries ``accept()`` every second while the process is out of descriptors, each
    time with a full traceback by default, for as long as the condition lasts.
    """

    def __init__(
        self,
        previous: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object] | None,
        *,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.previous = previous
        self._interval = interval
        self._clock = clock
        self._next_report: float | None = None
        self._unreported = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if "accept()" not in str(context.get("message", "")) or not isinstance(exc, OSError):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        self._unreported += 1
        now = self._clock()
        if self._next_report is not None and now < self._next_report:
            return
        log.error(
            "http: cannot accept connections: %s (%d failed accept() calls; next report in"
            " %.0fs at most)",
            exc.strerror or type(exc).__name__,
            self._unreported,
            self._interval,
        )
        self._unreported = 0
        self._next_report = now + self._interval
