"""Schema migrations: from an empty database, from the previous revision with data present,
down again, and from several replicas at once (PostgreSQL: one runs, the others wait)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.store.db import MIGRATIONS_DIR, create_engine, migration_state, upgrade, writer_sessions
from bot.store.models import Base
from bot.store.sources_repo import DesiredSource, SourcesRepo

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def revisions() -> list[str]:
    """Every shipped revision, oldest first; there must be exactly one head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, script.get_heads()
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_empty_database_upgrades_to_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        assert await migration_state(engine) == (None, revisions()[-1])
        await upgrade(engine)
        current, head = await migration_state(engine)
        assert current == head == revisions()[-1]
    finally:
        await engine.dispose()
    assert set(Base.metadata.tables) <= await tables(db_url)


async def test_previous_revision_with_data_upgrades_and_keeps_it(db_url: str) -> None:
    chain = revisions()
    previous = chain[-2] if len(chain) > 1 else chain[0]
    engine = create_engine(db_url)
    try:
        await upgrade(engine, previous)
        async with engine.begin() as conn:  # rows written by the previous release
            await conn.execute(
                text(
                    "INSERT INTO sources (name, kind, url, interval_s, origin, enabled, "
                    "next_poll_at, created_at, consecutive_failures, backlog_done) VALUES "
                    "('old', 'rss', 'http://127.0.0.1/old', 300, 'config', true, :t, :t, 0, true)"
                ),
                {"t": T0},
            )
        await upgrade(engine)
        assert (await migration_state(engine))[0] == chain[-1]
        repo = SourcesRepo(writer_sessions(engine))
        [old] = await repo.all()
        assert (old.name, old.backlog_done, old.interval_s) == ("old", True, 300)
        await repo.sync_config([DesiredSource("new", "rss", "http://127.0.0.1/n", None, 60)], T0)
        assert {s.name for s in await repo.all()} == {"old", "new"}
    finally:
        await engine.dispose()


async def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    from alembic import command

    from bot.store.db import _alembic_config

    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "base"))
        assert not set(Base.metadata.tables) & await tables(db_url)
        await upgrade(engine)
        current, head = await migration_state(engine)
        assert current == head
    finally:
        await engine.dispose()


async def test_replicas_migrating_at_once_all_succeed(postgres_url: str, tmp_path: Path) -> None:
    config = tmp_path / "dealradar.toml"
    config.write_text(f'database_url = "{postgres_url}"\n', encoding="utf-8")
    command = [sys.executable, "-m", "bot", "--config", str(config), "db", "upgrade"]
    procs = [
        await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(6)
    ]
    async with asyncio.timeout(120):
        outputs = [(await p.communicate())[0].decode(errors="replace") for p in procs]
    failed = [out for p, out in zip(procs, outputs, strict=True) if p.returncode != 0]
    assert not failed, failed[0][-3000:]
    head = revisions()[-1]
    assert all(f"database at revision {head}" in out for out in outputs), outputs

    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        assert await migration_state(engine) == (head, head)
    finally:
        await engine.dispose()


async def test_the_migration_lock_covers_the_commit(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica that gets the lock must see the schema the previous holder committed: widen
    the gap between migrating and committing and start four upgrades at once."""
    from alembic import command  # what bot.store.db runs migrations with

    real = command.upgrade

    def slow_upgrade(config: Config, revision: str) -> None:
        real(config, revision)
        time.sleep(0.3)  # still inside the transaction: others must not start yet

    monkeypatch.setattr(command, "upgrade", slow_upgrade)
    engines = [create_engine(postgres_url) for _ in range(4)]
    try:
        async with asyncio.timeout(60):
            await asyncio.gather(*(upgrade(e) for e in engines))
        assert await migration_state(engines[0]) == (revisions()[-1], revisions()[-1])
    finally:
        for e in engines:
            await e.dispose()
