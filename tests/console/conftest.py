"""A bot built with the console enabled (SQLite, frozen clock) and an aiohttp test client on
its HTTP server's application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config.settings import Settings
from bot.metrics import Metrics
from bot.runtime import app
from bot.web.server import WebServer
from tests.console.seed import T0, seed


def console_settings(database_url: str, **web: Any) -> Settings:
    return Settings.model_validate(
        {
            "database_url": database_url,
            "http": {"enabled": True, "host": "127.0.0.1", "port": 0},
            "web": {"enabled": True, **web},
            "fetch": {"allow_private_networks": True},
            "sources": [
                {"name": "Good feed", "url": "http://127.0.0.1:9/good.xml"},
                {"name": "Broken feed", "url": "http://127.0.0.1:9/broken.xml"},
                {"name": "Flaky feed", "url": "http://127.0.0.1:9/flaky.xml"},
            ],
            "routes": [{"platform": "console"}],
            "companies": [{"name": "Acme Motors", "aliases": ["Acme", "Acme Motor Co."]}],
        }
    )


async def _ready() -> str | None:
    return None


Connect = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def connect(tmp_path: Path) -> AsyncIterator[Connect]:
    """``await connect(**web_settings)``: a seeded bot's console behind a test client."""
    opened: list[tuple[app.Runtime, TestClient[Any, Any]]] = []

    async def make(database_url: str | None = None, **web: Any) -> TestClient[Any, Any]:
        url = database_url or f"sqlite:///{tmp_path / f'console{len(opened)}.db'}"
        runtime = await app.build(console_settings(url, **web), clock=lambda: T0)
        await seed(runtime.engine)
        server = WebServer(
            "127.0.0.1", 0, metrics=Metrics(), ready=_ready, routes=runtime.web_routes
        )
        client: TestClient[Any, Any] = TestClient(TestServer(server.app))
        await client.start_server()
        opened.append((runtime, client))
        return client

    yield make
    for runtime, client in opened:
        await client.close()
        await runtime.close()


@pytest.fixture
async def client(connect: Connect) -> TestClient[Any, Any]:
    return await connect()
