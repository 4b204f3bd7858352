"""Shared fixtures for the /deal handlers and routing: stores (stories come from
:func:`tests.fakes.stories.make_story`; the frozen clock is the shared ``clock`` fixture,
:class:`tests.fakes.clock.FakeClock`, starting at ``T0``).

``store`` is parametrised over every :class:`bot.ports.CommandStore` implementation: the
in-memory one, SQLite (a fresh file per test) and PostgreSQL when
``DEALRADAR_TEST_POSTGRES_URL`` is set (a fresh schema per test, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.domain import Story
from bot.ports import SourceHealth
from bot.store.commands_repo import SqlCommandStore
from bot.store.db import create_engine, sessionmaker, upgrade, writer_sessions
from bot.store.models import SourceRow, StoryCompanyRow, StoryRow
from handlers.memory import MemoryStore
from tests.fakes.clock import T0 as CLOCK_START
from tests.fakes.stories import make_story as make_story  # the one factory, re-exported here

T0 = CLOCK_START  # the ``clock`` fixture starts here; stories are dated from it
PG_URL = os.environ.get("DEALRADAR_TEST_POSTGRES_URL")


@dataclass
class StoreHarness:
    """A store under test plus the seeding the pipeline would otherwise do."""

    store: Any
    add_story: Callable[[Story], Awaitable[None]]
    set_source: Callable[[SourceHealth], Awaitable[None]]
    kind: str
    extra: dict[str, Any] = field(default_factory=dict)


def _memory() -> StoreHarness:
    mem = MemoryStore()

    async def add_story(story: Story) -> None:
        mem.add_story(story)

    async def set_source(health: SourceHealth) -> None:
        mem.set_source_health(health)

    return StoreHarness(mem, add_story, set_source, "memory")


async def sql_add_story(sessions: Any, story: Story) -> None:
    async with sessions.begin() as session:
        session.add(story_row(story))
        await session.flush()
        for company in dict.fromkeys(story.companies):
            session.add(
                StoryCompanyRow(
                    story_id=story.id, company=company, first_seen_at=story.first_seen_at
                )
            )


def story_row(story: Story) -> StoryRow:
    return StoryRow(
        id=story.id,
        key=story.key,
        event_type=story.event_type.value,
        status=story.status.value,
        headline=story.headline,
        url=story.url,
        companies=list(story.companies),
        plant=story.plant,
        country=story.country,
        jobs=story.jobs,
        outlets=list(story.outlets),
        article_count=story.article_count,
        evidence=list(story.evidence),
        features={},
        alertable=True,
        first_seen_at=story.first_seen_at,
        updated_at=story.updated_at,
    )


def _sql(engine: Any, kind: str) -> StoreHarness:
    sessions = sessionmaker(engine)

    async def add_story(story: Story) -> None:
        await sql_add_story(sessions, story)

    async def set_source(h: SourceHealth) -> None:
        async with sessions.begin() as session:
            session.add(
                SourceRow(
                    name=h.name,
                    kind=h.kind,
                    url=h.target if h.kind == "rss" else None,
                    query=None if h.kind == "rss" else h.target,
                    interval_s=300.0,
                    origin=h.origin,
                    enabled=h.enabled,
                    next_poll_at=h.next_poll_at or T0,
                    last_success_at=h.last_success_at,
                    last_error=h.last_error,
                    last_error_at=h.last_error_at,
                    consecutive_failures=h.consecutive_failures,
                    disabled_reason=h.disabled_reason,
                    disabled_at=h.disabled_at,
                    backlog_done=False,
                    created_at=T0,
                )
            )

    store = SqlCommandStore(sessions, writers=writer_sessions(engine))
    return StoreHarness(store, add_story, set_source, kind)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreHarness]:
    if request.param == "memory":
        yield _memory()
        return
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'deal.db'}")
        await upgrade(engine)
        try:
            yield _sql(engine, "sqlite")
        finally:
            await engine.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL contract run needs DEALRADAR_TEST_POSTGRES_URL")
    schema = f"dealtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await upgrade(engine)
        yield _sql(engine, "postgres")
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
