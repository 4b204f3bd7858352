"""``/readyz`` follows whether the bot can do its job (issue 19, defect 6): a database that
stops taking writes, a deleted SQLite file and the bot's own failing writes turn it not-ready
with the reason in the body, and it comes back once writes succeed.

The faults are made the way they look to the bot's connections, which works as root (where
file permissions do not stop writes): ``PRAGMA query_only`` for a read-only database,
``PRAGMA max_page_count`` for a full disk, the file unlinked under the running engine.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.config.loader import load_settings
from bot.runtime import app
from bot.web.server import WebServer
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import headline, write_config


@pytest.fixture
def feeds() -> Any:
    with FeedServer() as server:
        server.set_feed(
            "/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}]
        )
        yield server


@pytest.fixture
async def runtime(
    tmp_path: Path, feeds: FeedServer
) -> AsyncIterator[tuple[app.Runtime, FakeClock]]:
    config = write_config(
        tmp_path / "bot.toml",
        database=tmp_path / "bot.db",
        feeds={"wire": feeds.url("/wire.xml")},
        routes='[[routes]]\nplatform = "console"\n',
    )
    clock = FakeClock(datetime.now(UTC))
    built = await app.build(load_settings(str(config), env={}), clock=clock)
    try:
        yield built, clock
    finally:
        await built.close()


async def readyz(runtime: app.Runtime) -> tuple[int, dict[str, str]]:
    """GET /readyz from the bot's own HTTP server, over a real socket."""
    server = WebServer("127.0.0.1", 0, metrics=runtime.metrics, ready=app.ready_check(runtime))
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
    finally:
        await server.stop()
    head, body = answer.split(b"\r\n\r\n", 1)
    return int(head.split(b" ")[1]), json.loads(body)


def on_connect(runtime: app.Runtime, pragma: str) -> Any:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.cursor().execute(pragma)

    event.listen(runtime.engine.sync_engine, "connect", apply)
    return apply


async def test_a_read_only_database_is_not_ready_until_it_takes_writes_again(
    runtime: tuple[app.Runtime, FakeClock],
) -> None:
    bot, _clock = runtime
    assert await readyz(bot) == (200, {"status": "ready"})
    apply = on_connect(bot, "PRAGMA query_only = ON")
    await bot.engine.dispose()  # every connection from now on is read-only
    status, body = await readyz(bot)
    assert status == 503 and "does not take writes" in body["reason"]
    assert "readonly" in body["reason"]
    event.remove(bot.engine.sync_engine, "connect", apply)
    await bot.engine.dispose()
    assert await readyz(bot) == (200, {"status": "ready"})


async def test_a_deleted_database_file_is_not_ready(
    tmp_path: Path, runtime: tuple[app.Runtime, FakeClock]
) -> None:
    bot, _clock = runtime
    assert (await readyz(bot))[0] == 200
    database = tmp_path / "bot.db"
    database.rename(tmp_path / "moved.db")  # the open connections keep the old inode
    status, body = await readyz(bot)
    assert status == 503 and body["reason"] == f"database file {database} is gone"
    (tmp_path / "moved.db").rename(database)
    assert (await readyz(bot))[0] == 200


async def test_failing_ingest_on_a_full_disk_is_not_ready_until_an_ingest_succeeds(
    tmp_path: Path, feeds: FeedServer, runtime: tuple[app.Runtime, FakeClock]
) -> None:
    bot, clock = runtime
    assert (await bot.poll_once()).changed == 1
    for n in range(40):
        item = headline(n)
        feeds.add_item("/wire.xml", {**item, "description": f"{item['title']}. " + "x" * 3000})
    import sqlite3

    with sqlite3.connect(tmp_path / "bot.db") as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    apply = on_connect(bot, f"PRAGMA max_page_count = {pages}")
    await bot.engine.dispose()
    clock.now += timedelta(seconds=5)
    assert (await bot.poll_once()).failed == 1
    status, body = await readyz(bot)  # the probe's one-row write still fits: the ingest does not
    assert status == 503
    assert body["reason"].startswith("storing ingest failing since ")
    assert "database or disk is full" in body["reason"]
    event.remove(bot.engine.sync_engine, "connect", apply)
    await bot.engine.dispose()
    assert (await readyz(bot))[0] == 503  # still: nothing has been stored since
    clock.now += timedelta(minutes=6)
    assert (await bot.poll_once()).new_articles == 40
    assert await readyz(bot) == (200, {"status": "ready"})
