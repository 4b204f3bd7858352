"""The PostgreSQL half of :mod:`bench.deal_lookup`: copy the seeded rows into a fresh database.

Creates ``dealbench_<random>`` on the server of ``base_url``, applies the real migrations,
copies ``articles``, ``stories`` and ``story_companies`` from the seeded SQLite file with
``COPY`` (asyncpg ``copy_records_to_table``), runs ``ANALYZE``, hands the URL to the caller's
measuring function and drops the database afterwards.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.store.db import create_engine, upgrade

TABLES = {
    "articles": (
        "id",
        "guid",
        "url",
        "canonical_url",
        "title",
        "summary",
        "outlet",
        "published_at",
        "first_seen_at",
        "classified",
        "alertable",
    ),
    "stories": (
        "id",
        "key",
        "event_type",
        "status",
        "headline",
        "url",
        "companies",
        "plant",
        "country",
        "jobs",
        "outlets",
        "article_count",
        "evidence",
        "features",
        "alertable",
        "first_seen_at",
        "updated_at",
    ),
    "story_companies": ("story_id", "company", "first_seen_at"),
}
TIMES = {"published_at", "first_seen_at", "updated_at"}
FLAGS = {"classified", "alertable"}


def _convert(columns: tuple[str, ...], row: tuple[Any, ...]) -> tuple[Any, ...]:
    out = []
    for name, value in zip(columns, row, strict=True):
        if name in TIMES and value is not None:
            value = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
        elif name in FLAGS:
            value = bool(value)
        out.append(value)
    return tuple(out)


def _rows(path: Path, table: str, columns: tuple[str, ...]) -> Iterator[list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    cursor = conn.execute(f"SELECT {', '.join(columns)} FROM {table}")  # constants only
    while batch := cursor.fetchmany(50_000):
        yield [_convert(columns, row) for row in batch]
    conn.close()


async def on_postgres(
    base_url: str,
    seeded: Path,
    measure: Callable[[str, int], Awaitable[list[float]]],
    runs: int,
) -> list[float]:
    """Copy ``seeded`` into a temporary database on ``base_url``'s server and measure there."""
    url = make_url(base_url.replace("postgresql+asyncpg://", "postgresql://"))
    name = f"dealbench_{secrets.token_hex(4)}"
    admin_dsn = url.render_as_string(hide_password=False)
    bench_url = url.set(database=name).render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        engine = create_engine(bench_url)
        await upgrade(engine)
        await engine.dispose()
        conn = await asyncpg.connect(bench_url)
        try:
            await conn.set_type_codec(  # COPY is binary; json's binary form is its text
                "json",
                encoder=str.encode,
                decoder=bytes.decode,
                schema="pg_catalog",
                format="binary",
            )
            for table, columns in TABLES.items():
                for batch in _rows(seeded, table, columns):
                    await conn.copy_records_to_table(table, records=batch, columns=columns)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        return await measure(bench_url, runs)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
