"""aiosqlite connections whose statements cost one thread hop instead of four.

aiosqlite runs SQLite in a thread of its own and hands it one call at a time. SQLAlchemy's
aiosqlite adapter makes four such calls per statement (open a cursor, execute, fetch all, close
the cursor); each is a queue put, a thread wake-up and a wake-up of the event loop. A cold poll
places thousands of events with several statements each, and the event loop sat idle for 40%
of it waiting on these hand-offs. :class:`OneHopConnection` gives SQLAlchemy cursors that do all
four steps in one call on the SQLite thread and keep the results (rows, description, row count,
last row id) for the adapter to read. Everything else is aiosqlite's own connection.

It uses aiosqlite's ``Connection._execute`` and ``_conn`` (as SQLAlchemy's adapter does with
``_tx`` and ``_conn``), so ``pyproject.toml`` bounds aiosqlite's version and
``tests/store/test_sqlite_onehop.py`` checks the behaviour the adapter relies on.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(conn: sqlite3.Connection, many: bool, sql: str, parameters: Any) -> _Outcome:
    """On the SQLite thread: execute, read every row, close; what the cursor would tell."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor:
    """The part of ``aiosqlite.Cursor`` SQLAlchemy's adapter uses, one hop per statement."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, many: bool, sql: str, parameters: Any) -> OneHopCursor:
        outcome: _Outcome = await self._connection._execute(  # type: ignore[no-untyped-call]
            _run, self._connection._conn, many, sql, parameters
        )
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneHopCursor:
        return await self._run(False, sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneHopCursor:
        return await self._run(True, sql, parameters)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> Sequence[Any]:
        taken = list(self._rows)
        self._rows.clear()
        return taken

    def __aiter__(self) -> OneHopCursor:
        return self

    async def __anext__(self) -> Any:
        if not self._rows:
            raise StopAsyncIteration
        return self._rows.popleft()

    async def nextset(self) -> None:  # SQLite has one result set per statement
        self._rows.clear()
        self.description = None

    async def close(self) -> None:
        self._rows.clear()


class OneHopConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` whose cursors are :class:`OneHopCursor` s."""

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)


async def connect(database: str, **kwargs: Any) -> OneHopConnection:
    """What ``aiosqlite.connect(database, **kwargs)`` opens, with one-hop cursors; its thread
    is a daemon, as SQLAlchemy makes aiosqlite's own (a stuck query never blocks exit)."""
    connection = OneHopConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True
    await connection  # starts the thread and connects
    return connection
