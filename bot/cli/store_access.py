"""Opening the database for a command that only reads it (``sources``, ``sources export``).

A status command must not change what it reports on: it neither migrates the schema nor
creates a missing SQLite file. :func:`read_only` yields sessions, or None when there is no
database yet (no file, or no schema); a schema older than this version's is an error that
says to run ``dealradar db upgrade``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.config.settings import Settings
from bot.errors import CorruptDatabaseError, StoreError


def _missing_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return False
    return not Path(database).exists()


@asynccontextmanager
async def read_only(settings: Settings) -> AsyncIterator[Any | None]:
    """Sessions over the configured database, or None when it does not exist yet.

    Raises:
        StoreError: the database cannot be opened, or its schema is behind this version.
        CorruptDatabaseError: the SQLite file is damaged.
    """
    if _missing_sqlite_file(settings.database_url):
        yield None
        return
    from bot.store.db import create_engine, migration_state, sessionmaker

    engine = create_engine(settings.database_url)
    try:
        try:
            current, head = await migration_state(engine)
        except CorruptDatabaseError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open the database: {type(exc).__name__}: {exc}") from exc
        if current is None:
            yield None
            return
        if current != head:
            raise StoreError(
                f"the database schema is at revision {current}, this version needs {head}; "
                "run `dealradar db upgrade` (or start the bot) first"
            )
        yield sessionmaker(engine)
    finally:
        await engine.dispose()
