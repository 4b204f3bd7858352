"""``/healthz``, ``/readyz`` and ``/metrics`` from the real server
:func:`bot.runtime.app.run_forever` starts, with the bot polling a local feed server and
delivering to the console.

Readiness is "database reachable and schema at the newest migration": both ways of failing
(connections refused, revision behind) are produced on a real PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.config.loader import load_settings
from bot.runtime import app
from bot.store.db import create_engine
from tests.fakes.feedserver import FeedServer

NOISE = {"title": "Quarterly results at Brenlund were in line", "link": "https://n.example/1"}
CLOSURE = {
    "title": "Ostacor to close its Fenwick assembly plant, cutting 640 jobs",
    "link": "https://n.example/ostacor-fenwick",
    "guid": "ostacor-1",
}


def settings_for(tmp_path: Path, database_url: str, good: str, bad: str) -> object:
    config = tmp_path / "dealradar.toml"
    config.write_text(
        f'database_url = "{database_url}"\npoll_interval = "1s"\ngroup_wait = "10ms"\n'
        "[fetch]\nallow_private_networks = true\n[http]\nport = 0\n"
        '[delivery]\nper_channel_interval = "1ms"\n'
        '[[routes]]\nplatform = "console"\n'
        f'[[sources]]\nname = "good"\nurl = "{good}"\n'
        f'[[sources]]\nname = "broken"\nurl = "{bad}"\n',
        encoding="utf-8",
    )
    return load_settings(str(config), env={})


class Bot:
    def __init__(self, base: str, http: httpx.AsyncClient) -> None:
        self.base = base
        self.http = http

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(self.base + path)

    async def metric(self, sample: str) -> float:
        """The value of one sample line (``name{labels}``), 0 when absent."""
        for line in (await self.get("/metrics")).text.splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    async def until(self, check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not await check():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def serve(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[Bot, FeedServer]]:
    """The bot under :func:`bot.runtime.app.run_forever`, its HTTP port read from the startup
    log."""
    caplog.set_level(logging.INFO, logger="dealradar.http")
    with FeedServer() as feeds:
        feeds.set_feed("/good.xml", [NOISE])
        feeds.set_raw("/broken.xml", b"oops", status=500)
        settings = settings_for(tmp_path, db_url, feeds.url("/good.xml"), feeds.url("/broken.xml"))
        runtime = await app.build(settings)  # type: ignore[arg-type]
        stop = asyncio.Event()
        task = asyncio.create_task(app.run_forever(runtime, stop))
        try:
            port = None
            deadline = time.monotonic() + 10
            while port is None and time.monotonic() < deadline:
                port = next((r.kv["port"] for r in caplog.records if hasattr(r, "kv")), None)
                await asyncio.sleep(0.02)
            assert port, "the http server did not start"
            async with httpx.AsyncClient() as http:
                yield Bot(f"http://127.0.0.1:{port}", http), feeds
        finally:
            stop.set()
            await task
            await runtime.close()


@pytest.fixture
async def running(
    db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[Bot, FeedServer, str]]:
    async with serve(db_url, tmp_path, caplog) as (bot, feeds):
        yield bot, feeds, db_url


async def test_metrics_count_what_the_bot_did(running: tuple[Bot, FeedServer, str]) -> None:
    bot, feeds, _ = running
    assert (await bot.get("/healthz")).json() == {"status": "ok"}
    await bot.until(lambda: _ge(bot, 'dealradar_polls_total{outcome="changed"}', 1))
    feeds.set_feed("/good.xml", [CLOSURE, NOISE])
    await bot.until(
        lambda: _ge(bot, 'dealradar_deliveries_total{outcome="sent",platform="console"}', 1)
    )

    body = (await bot.get("/metrics")).text
    assert await bot.metric("dealradar_articles_total") == 2
    assert await bot.metric('dealradar_events_total{type="plant_closure"}') == 1
    assert await bot.metric('dealradar_stories_total{type="plant_closure"}') == 1
    assert await bot.metric('dealradar_polls_total{outcome="failed"}') >= 1
    failures = [ln for ln in body.splitlines() if ln.startswith("dealradar_fetch_failures_total{")]
    assert failures and all(float(ln.rsplit(" ", 1)[1]) >= 1 for ln in failures), body
    assert await bot.metric("dealradar_delivery_latency_seconds_count") == 1
    assert await bot.metric('dealradar_delivery_latency_seconds_bucket{le="+Inf"}') == 1
    assert "dealradar_queue_depth 0.0" in body
    # the standard collectors are served too: process, platform, garbage collector
    assert await bot.metric("process_resident_memory_bytes") > 0
    assert 'python_gc_objects_collected_total{generation="0"}' in body
    assert "python_info{" in body


async def _ge(bot: Bot, sample: str, value: float) -> bool:
    return await bot.metric(sample) >= value


async def test_readyz_follows_the_database(
    running: tuple[Bot, FeedServer, str],
) -> None:
    bot, _, url = running
    assert (await bot.get("/readyz")).status_code == 200
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:  # the schema says an older release migrated it
            head = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            await conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
        behind = await bot.get("/readyz")
        assert behind.status_code == 503 and "migration" in behind.json()["reason"]
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        assert (await bot.get("/readyz")).status_code == 200
    finally:
        await engine.dispose()


async def test_readyz_is_503_while_the_database_refuses_connections(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = postgres_url.rsplit("/", 1)[1]
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres")

    async def refuse(on: bool) -> None:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            allow = "false" if on else "true"
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'))
            if on:  # and drop the sessions it has: the bot's pool must reconnect, and cannot
                await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )

    try:
        async with serve(postgres_url, tmp_path, caplog) as (bot, _):
            assert (await bot.get("/readyz")).status_code == 200
            await refuse(True)
            down = await bot.get("/readyz")
            assert down.status_code == 503, down.text
            assert (await bot.get("/healthz")).status_code == 200  # alive, just not ready
            await refuse(False)
            await bot.until(lambda: _status_is(bot, "/readyz", 200))
    finally:
        await refuse(False)
        await admin.dispose()


async def _status_is(bot: Bot, path: str, status: int) -> bool:
    return (await bot.get(path)).status_code == status
