"""The operator's console: server-rendered pages (and the same data as JSON) about stories,
sources, deliveries and channels, served by the bot's HTTP server when ``[web] enabled``.

- :mod:`bot.console.views` decides what each page shows, from the store's repositories;
- :mod:`bot.console.charts` draws the weekly chart as SVG geometry (no script);
- :mod:`bot.console.render` owns Jinja2 (autoescaped) and the security headers;
- :mod:`bot.console.auth` decides who may read (loopback, token, proxy header);
- :mod:`bot.console.routes` maps paths to views as :class:`bot.web.routes.WebRoute` values.

Jinja2 is imported nowhere else in dealradar (an import-linter contract).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.config.settings import Settings, is_loopback
from bot.errors import ConfigError
from bot.ports import CompanyTable
from bot.store.commands_repo import SqlCommandStore
from bot.store.console_reads import ConsoleReads
from bot.web.routes import WebRoute

log = logging.getLogger("dealradar.console")


def build_console(
    settings: Settings,
    reads: ConsoleReads,
    store: SqlCommandStore,
    table: CompanyTable,
    clock: Callable[[], datetime],
) -> list[WebRoute]:
    """The console's routes over the store's repositories (``store``: the ``/deal`` one).

    Raises:
        ConfigError: the server is not bound to loopback and neither a token nor a proxy
            header guards the console (settings validation refuses this first).
    """
    from bot.console.auth import Gate
    from bot.console.routes import console_routes
    from bot.console.views import Console
    from handlers.company_directory import CompanyDirectory

    web = settings.web
    token = web.token.get_secret_value() if web.token else None
    gate = Gate(token, web.trusted_proxy_header)
    if gate.open and not is_loopback(settings.http.host):
        raise ConfigError(
            ["web.enabled: not on loopback; set DEALRADAR_WEB_TOKEN or web.trusted_proxy_header"]
        )
    console = Console(
        reads=reads,
        store=store,
        directory=CompanyDirectory(table, store, clock),
        clock=clock,
        routes=settings.routes,
        flood_threshold=settings.delivery.flood_threshold,
    )
    kinds = [
        name for name, on in (("token", token), ("proxy header", web.trusted_proxy_header)) if on
    ]
    guard = " or ".join(kinds) or "loopback only"
    log.info(
        "console enabled",
        extra={"kv": {"host": settings.http.host, "port": settings.http.port, "guard": guard}},
    )
    return console_routes(console, gate)
