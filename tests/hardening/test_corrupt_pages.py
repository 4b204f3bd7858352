"""Damaged pages of the ``sources`` or ``deliveries`` table (issue 19, defect 11).

A real SQLite file is made and filled by the real ``dealradar`` commands, then the pages of
one table and its indexes are overwritten with garbage (file permissions do not stop root, so
the damage is real bytes, not a denied open). Each command then says in one line what SQLite
said, the file and what to do, and exits 2; the running bot logs the same line, never a
traceback.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import (
    Bot,
    backlog_done,
    bot_env,
    run_cli,
    wait_until,
    write_config,
)

MALFORMED = "database disk image is malformed"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set_feed(
            "/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}]
        )
        yield server


def damage(database: Path, table: str) -> list[int]:
    """Garbage over every page of ``table`` and of its indexes; the pages damaged."""
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ?1 OR name IN "
                "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1)",
                (table,),
            )
        ]
    conn.close()
    with database.open("r+b") as raw:
        for page in pages:
            raw.seek((page - 1) * page_size)
            raw.write(bytes([0xDE, 0xAD, 0xBE, 0xEF]) * (page_size // 4))
    return pages


def assert_one_line_report(output: str, database: Path) -> None:
    reports = [line for line in output.splitlines() if MALFORMED in line]
    assert reports, output[-3000:]
    assert str(database) in reports[0] and ".recover" in reports[0], reports[0]
    assert "Traceback" not in output and "sqlalchemy" not in output.lower(), output[-3000:]


@pytest.mark.parametrize(
    ("table", "args"),
    [
        ("sources", ("sources",)),
        ("sources", ("run", "--once")),
        ("deliveries", ("run", "--once")),
    ],
    ids=["sources-sources", "sources-run-once", "deliveries-run-once"],
)
def test_damaged_pages_give_one_line_naming_the_file_and_exit_2(
    tmp_path: Path, feeds: FeedServer, table: str, args: tuple[str, ...]
) -> None:
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml",
        database=database,
        feeds={f"wire{n}": feeds.url(f"/wire.xml?n={n}") for n in range(40)},
        routes='[[routes]]\nplatform = "console"\n',
    )
    env = bot_env()
    first = run_cli(config, env, "run", "--once")  # the schema, 40 sources, their backlog
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(damage(database, table)) >= 2
    done = run_cli(config, env, *args)
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert_one_line_report(done.stdout + done.stderr, database)


def test_running_bot_logs_damaged_pages_in_one_line_without_a_traceback(
    tmp_path: Path, feeds: FeedServer
) -> None:
    database = tmp_path / "bot.db"
    config = write_config(
        tmp_path / "bot.toml",
        database=database,
        feeds={"wire": feeds.url("/wire.xml")},
        routes='[[routes]]\nplatform = "console"\n',
    )
    bot = Bot(config, bot_env(), tmp_path / "log").start()
    try:
        wait_until(lambda: backlog_done(database), 30, "the backlog poll")
        damage(database, "sources")
        damage(database, "deliveries")
        wait_until(lambda: MALFORMED in bot.current(), 30, "the damage to be logged")
        assert bot.alive(), bot.current()[-3000:]
    finally:
        bot.kill9()
    lines = [line for line in bot.current().splitlines() if MALFORMED in line]
    assert all(line.startswith("ts=") and "level=error" in line for line in lines), lines
    assert all("exc=" not in line for line in lines), lines[0]
    assert_one_line_report(bot.current(), database)
