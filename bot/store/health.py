"""Whether the database takes writes now: the store's half of ``/readyz``.

A read (the migration check) succeeds on a database that can no longer be written: a file
turned read-only, a SQLite file deleted under the running process (the open connection keeps
writing to the unlinked inode, so nothing fails, and nothing survives a restart). The probe
commits one real write and, on SQLite, checks that the file is still where the URL says.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a ``sqlite:///PATH`` URL (None: not SQLite, or in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


async def write_problem(engine: AsyncEngine, database_url: str) -> str | None:
    """None when a write commits (and the SQLite file is in place), else a short reason."""
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        return f"database file {path} is gone"
    try:
        async with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn:
            # rewrites the one row with its own value: a real write of a page, nothing changed
            await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except Exception as exc:
        return f"database does not take writes: {type(exc).__name__}: {str(exc)[:200]}"
    return None
