"""The bot's one HTTP server (aiohttp.web): health, readiness, metrics, and adapter endpoints.

``/healthz`` answers while the process runs; ``/readyz`` checks the database and that its schema
is at the newest migration; ``/metrics`` is Prometheus text. The Slack and Discord adapters add
their endpoints (``/slack/events``, ``/discord/interactions``) as :class:`WebRoute` values.
Connections go through :class:`bot.web.guard.ConnectionGuard` (a read deadline per request, a
cap on open connections) and failed ``accept()`` calls are logged at a bounded rate
(:class:`bot.web.guard.AcceptErrorLog`) while the server runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from bot.metrics import Metrics
from bot.web.guard import AcceptErrorLog, ConnectionGuard
from bot.web.routes import WebRoute

log = logging.getLogger("dealradar.http")

ReadyCheck = Callable[[], Awaitable[str | None]]
"""Returns None when ready, else a short reason."""

MAX_BODY_BYTES = 1024 * 1024  # chat platforms' requests are small; refuse anything larger


class WebServer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        metrics: Metrics,
        ready: ReadyCheck,
        routes: Sequence[WebRoute] = (),
        read_timeout: float = 10.0,
        max_connections: int = 256,
    ) -> None:
        self._host = host
        self._port = port
        self._metrics = metrics
        self._ready = ready
        self.guard = ConnectionGuard(
            _not_started, max_connections=max_connections, read_timeout=read_timeout
        )
        self.app = web.Application(
            client_max_size=MAX_BODY_BYTES, middlewares=[self.guard.middleware()]
        )
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics_handler)
        for route in routes:
            self.app.router.add_route(route.method, route.path, route.handler)
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._accept_log: AcceptErrorLog | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Bind and serve. Raises OSError when the address is taken."""
        loop = asyncio.get_running_loop()
        self._accept_log = AcceptErrorLog(loop.get_exception_handler())
        loop.set_exception_handler(self._accept_log)
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        server = self._runner.server
        assert server is not None  # set by setup()
        self.guard.factory = server
        self._server = await loop.create_server(self.guard, self._host, self._port)
        sockets = self._server.sockets
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info(
            "http server listening",
            extra={
                "kv": {
                    "host": self._host,
                    "port": self.port,
                    "max_connections": self.guard.max_connections,
                    "read_timeout": self.guard.read_timeout,
                }
            },
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._server is not None:
            self.guard.close_all()
            await self._server.wait_closed()
            self._server = None
        if self._accept_log is not None:
            asyncio.get_running_loop().set_exception_handler(self._accept_log.previous)
            self._accept_log = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _request: web.Request) -> web.Response:
        try:
            problem = await self._ready()
        except Exception as exc:
            problem = f"readiness check failed: {type(exc).__name__}"
        if problem:
            return web.json_response({"status": "unavailable", "reason": problem}, status=503)
        return web.json_response({"status": "ready"})

    async def _metrics_handler(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self._metrics.render(), headers={"Content-Type": Metrics.content_type}
        )


def _not_started() -> asyncio.Protocol:
    raise RuntimeError("the HTTP server accepts connections only once started")
