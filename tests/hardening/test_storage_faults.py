"""Storage faults: a busy database, a full disk, a database missing at start or lost mid-run.

Each ends with a clear error where one is due, no corruption (``PRAGMA integrity_check``), and
the bot resuming by itself once the fault is gone; no alert is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.config.loader import load_settings
from bot.runtime import app
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import (
    Bot,
    SlackStandIn,
    backlog_done,
    bot_env,
    headline,
    run_cli,
    wait_until,
    write_config,
)
from tests.hardening.tcpproxy import TcpProxy

PG_URL = os.environ.get("DEALRADAR_TEST_POSTGRES_URL")


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set_feed(
            "/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}]
        )
        yield server


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_database_locked_by_another_writer_waits_then_resumes(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn
) -> None:
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml", database=database, feeds={"wire": feeds.url("/wire.xml")}
    )
    bot = Bot(
        config, bot_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url), tmp_path / "log"
    )
    bot.start()
    try:
        wait_until(lambda: backlog_done(database), 30, "the backlog poll")
        holder = sqlite3.connect(database, isolation_level=None, timeout=30)
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock …
        try:
            feeds.add_item("/wire.xml", headline(0))
            time.sleep(2.0)  # … for a while, during which the bot wants to write
            assert bot.alive(), bot.text()[-3000:]
            assert not slack.top_level("C1")  # nothing could be stored, so nothing sent
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        wait_until(lambda: slack.top_level("C1"), 30, "the alert after the lock went")
        assert bot.stop() == 0
    finally:
        bot.kill9()
    assert len(slack.top_level("C1")) == 1
    assert "Traceback" not in bot.text() or "database is locked" in bot.text()
    assert integrity(database) == "ok"


@pytest.fixture
async def in_process(
    tmp_path: Path, feeds: FeedServer
) -> AsyncIterator[tuple[app.Runtime, FakeClock]]:
    config = write_config(
        tmp_path / "bot.toml",
        database=tmp_path / "bot.db",
        feeds={"wire": feeds.url("/wire.xml")},
        routes='[[routes]]\nplatform = "console"\n',
    )
    clock = FakeClock(datetime.now(UTC))
    runtime = await app.build(load_settings(str(config), env={}), clock=clock)
    try:
        yield runtime, clock
    finally:
        await runtime.close()


async def test_disk_full_fails_clearly_corrupts_nothing_and_resumes(
    tmp_path: Path,
    feeds: FeedServer,
    in_process: tuple[app.Runtime, FakeClock],
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime, clock = in_process
    database = tmp_path / "bot.db"
    assert (await runtime.poll_once()).changed == 1  # backlog stored
    for n in range(40):
        item = headline(n)
        feeds.add_item("/wire.xml", {**item, "description": f"{item['title']}. " + "x" * 3000})
    with sqlite3.connect(database) as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])

    def tiny_disk(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.cursor().execute(f"PRAGMA max_page_count = {pages}")

    sync_engine = runtime.engine.sync_engine
    event.listen(sync_engine, "connect", tiny_disk)
    await runtime.engine.dispose()  # new connections see the "disk" as full
    clock.now += timedelta(seconds=5)
    stats = await runtime.poll_once()
    assert stats.failed == 1 and stats.new_articles == 0
    assert "database or disk is full" in caplog.text  # the cause is in the log, plainly
    event.remove(sync_engine, "connect", tiny_disk)
    await runtime.engine.dispose()  # space is back
    assert integrity(database) == "ok"
    clock.now += timedelta(minutes=6)  # past the lease the failed poll left behind
    stats = await runtime.poll_once()
    assert stats.new_articles == 40
    clock.now += timedelta(seconds=5)
    sent = await runtime.deliver_once()
    assert sent.sent >= 30 and sent.failed == 0  # one per story (a few items share one)
    assert await runtime.outbox.counts() == {"sent": sent.sent}
    assert integrity(database) == "ok"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_database_unavailable_at_start_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    url = f"postgresql://dealradar:hunter2-db-password@127.0.0.1:{closed_port()}/dealradar"
    config = tmp_path / "bot.toml"
    config.write_text(
        f'database_url = "{url}"\n[[routes]]\nplatform = "console"\n'
        '[[sources]]\nname = "a"\nurl = "http://127.0.0.1:9/a.xml"\n',
        encoding="utf-8",
    )
    started = time.monotonic()
    result = run_cli(config, bot_env(), "run", "--once")
    assert result.returncode == 1
    assert time.monotonic() - started < 30
    assert "cannot open or migrate the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


@pytest.fixture
def pg_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL fault tests need DEALRADAR_TEST_POSTGRES_URL")
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"hardening_{uuid.uuid4().hex[:10]}"
    admin = make_url(PG_URL).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_postgresql_lost_mid_run_logs_keeps_running_and_resumes(
    tmp_path: Path, feeds: FeedServer, slack: SlackStandIn, pg_database: str
) -> None:
    from sqlalchemy.engine import make_url

    real = make_url(pg_database)
    with TcpProxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        via_proxy = real.set(host="127.0.0.1", port=proxy.port)
        config = write_config(
            tmp_path / "bot.toml",
            database=tmp_path / "unused.db",
            feeds={"wire": feeds.url("/wire.xml")},
        )
        text = config.read_text(encoding="utf-8").splitlines()
        text[0] = f'database_url = "{via_proxy.render_as_string(hide_password=False)}"'
        config.write_text("\n".join(text) + "\n", encoding="utf-8")
        env = bot_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.url)
        bot = Bot(config, env, tmp_path / "bot.log")
        bot.start()
        try:
            wait_until(lambda: "poll cycle" in bot.text(), 30, "the backlog poll")
            feeds.add_item("/wire.xml", headline(0))
            wait_until(lambda: len(slack.top_level("C1")) == 1, 30, "the first alert")
            proxy.cut()  # the database goes away
            feeds.add_item("/wire.xml", headline(1))
            mark = len(bot.text())
            wait_until(lambda: "tick failed" in bot.text()[mark:], 30, "errors in the log")
            assert bot.alive()
            proxy.restore()
            wait_until(lambda: len(slack.top_level("C1")) == 2, 60, "the alert after recovery")
            assert bot.stop() == 0, bot.text()[-3000:]
        finally:
            bot.kill9()
    keys = slack.delivery_keys("C1")
    assert len(keys) == 2 and set(keys.values()) == {1}
