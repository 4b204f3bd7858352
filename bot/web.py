"""The bot's one HTTP server (aiohttp.web): health, readiness, metrics, and adapter endpoints.

``/healthz`` answers while the process runs; ``/readyz`` checks the database and that its schema
is at the newest migration; ``/metrics`` is Prometheus text. The Slack and Discord adapters add
their endpoints (``/slack/events``, ``/discord/interactions``) as :class:`WebRoute` values.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from bot.metrics import Metrics
from bot.webroutes import WebRoute

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
    ) -> None:
        self._host = host
        self._port = port
        self._metrics = metrics
        self._ready = ready
        self.app = web.Application(client_max_size=MAX_BODY_BYTES)
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics_handler)
        for route in routes:
            self.app.router.add_route(route.method, route.path, route.handler)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Bind and serve. Raises OSError when the address is taken."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("http server listening", extra={"kv": {"host": self._host, "port": self.port}})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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
