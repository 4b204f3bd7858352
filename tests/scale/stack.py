"""The store half of one replica, built the way :func:`bot.runtime.app.build` builds it: sources,
outbox and the ingest pipeline (real classifier, SQL story book, router over static routes)
on one engine. Two stacks on two engines are two replicas sharing a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.classify import CompanyTable, default_classifier
from bot.config.settings import RouteConfig, Settings
from bot.domain import FeedEntry
from bot.ingest.analysis import Analyser
from bot.ingest.pipeline import Pipeline
from bot.runtime.wiring import build_router, company_table
from bot.sources.base import FetchOutcome
from bot.store.db import create_engine, sessionmaker, upgrade, writer_sessions
from bot.store.ingest import IngestUnits
from bot.store.outbox import Outbox
from bot.store.sources_repo import SourceRecord, SourcesRepo
from bot.store.storybook import SqlStoryBook
from bot.stories.placement import company_finder

SETTINGS = Settings(
    routes=[
        RouteConfig(platform="slack", channel="C1"),
        RouteConfig(platform="slack", channel="C2", events=["partnership"]),  # type: ignore[list-item]
    ]
)


@dataclass
class Stack:
    engine: AsyncEngine
    owner: str
    sources: SourcesRepo
    outbox: Outbox
    pipeline: Pipeline

    async def ingest(self, source: SourceRecord, entries: list[FeedEntry], now: datetime) -> int:
        """What the poller does with a changed feed (the source must be claimed by owner)."""
        outcome = FetchOutcome(status="changed", entries=entries)
        return await self.pipeline.ingest(
            source, outcome, now, {"backlog_done": True, "last_success_at": now}
        )

    async def close(self) -> None:
        await self.engine.dispose()


async def open_stack(
    url: str, owner: str, *, migrate: bool = True, book: SqlStoryBook | None = None
) -> Stack:
    engine = create_engine(url)
    if migrate:
        await upgrade(engine)
    writers = writer_sessions(engine)
    units = IngestUnits(writers)
    pipeline = Pipeline(
        units,
        default_classifier(),
        book or SqlStoryBook(company_finder(CompanyTable.default())),
        build_router(SETTINGS, sessionmaker(engine), company_table(SETTINGS)),
        owner=owner,
        group_wait=30,
        analyse_many=Analyser(default_classifier()).analyse_many,  # inline, as without workers
    )
    return Stack(engine, owner, SourcesRepo(writers), Outbox(writers), pipeline)
