"""Engines, sessions and schema upgrades for SQLite and PostgreSQL.

Users write plain URLs (``sqlite:///dealradar.db``, ``postgresql://user@host:5432/db``); this
module picks the async driver (aiosqlite, asyncpg). SQLite runs in WAL mode with a busy timeout;
read-then-write transactions use ``BEGIN IMMEDIATE`` (:func:`writer_sessions`), so the bot,
``dealradar deal`` and a second process can share one file without lost updates. Migrations are
Alembic's, applied at start; on PostgreSQL an advisory lock makes concurrent replicas take turns.
A damaged SQLite file surfaces from any statement as :class:`bot.errors.CorruptDatabaseError`,
whose message names the file and how to restore or recover it.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.errors import CorruptDatabaseError
from bot.store import sqlite_onehop

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26  # primary result codes (low byte of extended ones)
_MIGRATION_LOCK_ID = 0x6465616C  # "deal": pg_advisory_lock key shared by every replica


def async_url(database_url: str) -> str:
    """The SQLAlchemy URL with the async driver for a plain user-written URL."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``database_url``. SQLite gets WAL, foreign keys and a busy timeout."""
    url = async_url(database_url)
    if url.startswith("sqlite"):
        # the dialect's own reading of the URL (file name, uri=true, thread checks) ...
        args, options = create_async_engine(url).dialect.create_connect_args(make_url(url))
        # ... opened with one thread hop per statement (bot.store.sqlite_onehop)
        opener = partial(sqlite_onehop.connect, *args, **{**options, "timeout": 30})
        engine = create_async_engine(url, async_creator=opener, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "handle_error")
        def _corrupt(context: ExceptionContext) -> None:
            corrupt = corruption(str(args[0]), context.original_exception)
            if corrupt is not None:
                raise corrupt from context.original_exception

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            # Writers (see writer_sessions) BEGIN IMMEDIATE: they take the write lock up
            # front, waiting up to busy_timeout, so a read-then-write transaction never fails
            # half-way because another process wrote in between. Readers BEGIN DEFERRED and,
            # in WAL mode, never wait for a writer.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def corruption(database: str, exc: BaseException) -> CorruptDatabaseError | None:
    """The operator's one-line report if ``exc`` says the SQLite file ``database`` is damaged.

    A damaged page fails every statement that reads it, the same way each time, so the bot
    cannot work around it: the file has to be restored, or its readable rows copied out with
    the sqlite3 shell's ``.recover``.
    """
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    said = str(exc)
    damaged = code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    if not damaged and said not in ("database disk image is malformed", "file is not a database"):
        return None
    return CorruptDatabaseError(
        f"{said}: {database}: stop dealradar, then restore the file from a backup, or recover "
        f"its readable rows with `sqlite3 {database} .recover | sqlite3 {database}.recovered` "
        f"and point database_url at the new file"
    )


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions for reads and simple writes."""
    return async_sessionmaker(engine, expire_on_commit=False)


def writer_sessions(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions for read-then-write transactions (claims, ingest): on SQLite they hold the
    write lock from the start, so concurrent writers queue instead of failing."""
    return async_sessionmaker(
        engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
    )


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    # A transaction-scoped lock: released by the COMMIT that publishes the new schema (a
    # session lock released before it let the next replica read "no schema" and fail) or by
    # the ROLLBACK of a failed upgrade (an unlock cannot run in an aborted transaction, so a
    # session lock stayed held by the pooled connection and every other replica hung).
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
    command.upgrade(_alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; safe to call from several replicas at once.

    On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``): two
    processes started together on a new file would otherwise both read "no schema" and the
    second would fail with "database is locked" instead of waiting its turn.
    """
    async with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> tuple[str | None, str | None]:
    context = MigrationContext.configure(connection)
    script = ScriptDirectory.from_config(_alembic_config(connection))
    return context.get_current_revision(), script.get_current_head()


async def migration_state(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """(current revision in the database, newest revision shipped)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
