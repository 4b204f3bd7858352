"""SQLite connections run each statement in one call on aiosqlite's thread, with the results
SQLAlchemy reads from a cursor (rows, description, row counts, last row id, errors).

The hand-off test wraps ``OneHopConnection._execute``, the one place a statement crosses to
aiosqlite's thread: counting those crossings is what it checks, and nothing public counts them
(the module itself relies on aiosqlite's private ``Connection._execute``, as it says).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store import sqlite_onehop
from bot.store.db import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    created = create_engine(f"sqlite:///{tmp_path / 'onehop.db'}")
    yield created
    await created.dispose()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions handed to the SQLite thread."""
    seen: list[str] = []
    original = sqlite_onehop.OneHopConnection._execute

    async def counting(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_onehop.OneHopConnection, "_execute", counting)
    return seen


async def test_each_statement_is_one_call_on_the_sqlite_thread(
    engine: AsyncEngine, calls: list[str]
) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_onehop.OneHopConnection)
        await conn.execute(text("SELECT 0"))  # BEGIN (bot.store.db emits it) and a first one
        calls.clear()
        rows = (await conn.execute(text("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'"))).all()
        assert [tuple(r) for r in rows] == [(1, "x"), (2, "y")]
        # aiosqlite's own cursor takes four: cursor(), execute, fetchall, close
        assert calls == ["_run"]


async def test_row_counts_last_row_id_and_column_names(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}, {"n": "d"}]
        )
        assert many.rowcount == 3
        updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
        assert updated.rowcount == 2
        result = await conn.execute(text("SELECT id, name AS label FROM t ORDER BY id"))
        assert list(result.keys()) == ["id", "label"]
        assert result.fetchone() == (1, "a")
        assert result.fetchmany(2) == [(2, "b"), (3, "c!")]
        assert result.fetchall() == [(4, "d!")]
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))


async def test_urls_keep_their_meaning(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    writer = create_engine(f"sqlite:///{path}")
    async with writer.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    await writer.dispose()
    reader = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        async with reader.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
            with pytest.raises(sqlalchemy.exc.OperationalError, match="readonly"):
                await conn.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        await reader.dispose()
    memory = create_engine("sqlite://")
    try:
        async with memory.connect() as conn:
            assert (await conn.execute(text("SELECT 40 + 2"))).scalar() == 42
    finally:
        await memory.dispose()


async def test_streamed_results_arrive_whole_and_in_order(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": i} for i in range(1000)])
        streamed = await conn.stream(text("SELECT x FROM t ORDER BY x"))
        seen = [row[0] async for row in streamed]
        partitions = await conn.stream(text("SELECT x FROM t ORDER BY x"))
        sizes = [len(part) async for part in partitions.partitions(300)]
    assert seen == list(range(1000)) and sizes == [300, 300, 300, 100]
