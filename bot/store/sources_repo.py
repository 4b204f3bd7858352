"""Sources and their fetch state: which are due, who holds them, how their last poll went.

Due-ness is data (``next_poll_at``); a source is claimed with a lease (``lease_owner``,
``lease_until``) so that several processes never poll it twice in one interval and a crashed
process's claim runs out after ``lease_s``. On PostgreSQL candidates are picked with
``FOR UPDATE SKIP LOCKED``; on both backends the claiming UPDATE re-checks the lease, so two
writers can never both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import SourceRow

_SYNC_LOCK_ID = 0x73796E63  # "sync": config sync, one replica at a time


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: int
    name: str
    kind: str
    url: str | None
    query: str | None
    interval_s: float
    origin: str
    enabled: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_failures: int
    backlog_done: bool
    next_poll_at: datetime
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    disabled_reason: str | None
    disabled_at: datetime | None
    created_at: datetime
    recent_polls: str = ""  # bot.ingest.poll_marks: one letter per poll, oldest first


@dataclass(frozen=True, slots=True)
class DesiredSource:
    """A source as the configuration wants it."""

    name: str
    kind: str
    url: str | None
    query: str | None
    interval_s: float


def unpolled(spec: DesiredSource, now: datetime, origin: str = "config") -> SourceRecord:
    """The record of a source as :meth:`SourcesRepo.sync_config` stores it before its first
    poll (id 0 until it is stored): enabled, due ``now``, no fetch state."""
    return SourceRecord(
        id=0,
        name=spec.name,
        kind=spec.kind,
        url=spec.url,
        query=spec.query,
        interval_s=spec.interval_s,
        origin=origin,
        enabled=True,
        etag=None,
        last_modified=None,
        body_hash=None,
        consecutive_failures=0,
        backlog_done=False,
        next_poll_at=now,
        last_success_at=None,
        last_error=None,
        last_error_at=None,
        disabled_reason=None,
        disabled_at=None,
        created_at=now,
    )


_RECORD_COLUMNS = [getattr(SourceRow, f.name) for f in fields(SourceRecord)]


def _record(row: SourceRow) -> SourceRecord:
    return SourceRecord(
        id=row.id,
        name=row.name,
        kind=row.kind,
        url=row.url,
        query=row.query,
        interval_s=row.interval_s,
        origin=row.origin,
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        body_hash=row.body_hash,
        consecutive_failures=row.consecutive_failures,
        backlog_done=row.backlog_done,
        next_poll_at=row.next_poll_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        created_at=row.created_at,
        recent_polls=row.recent_polls,
    )


class SourcesRepo:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def sync_config(self, desired: Sequence[DesiredSource], now: datetime) -> None:
        """Make config-origin rows match the config; chat-added sources are left alone.

        A config source that is gone from the config is disabled (kept for its history).
        Replicas starting together take turns (an advisory lock on PostgreSQL, the
        ``BEGIN IMMEDIATE`` write lock on SQLite), so none inserts a row another just added.
        """
        async with self._sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SYNC_LOCK_ID}
                )
            rows = {r.name: r for r in (await session.scalars(select(SourceRow))).all()}
            wanted = {d.name: d for d in desired}
            for spec in desired:
                row = rows.get(spec.name)
                if row is None:
                    session.add(
                        SourceRow(
                            name=spec.name,
                            kind=spec.kind,
                            url=spec.url,
                            query=spec.query,
                            interval_s=spec.interval_s,
                            origin="config",
                            enabled=True,
                            next_poll_at=now,
                            created_at=now,
                            consecutive_failures=0,
                            backlog_done=False,
                        )
                    )
                    continue
                changed = (row.kind, row.url, row.query) != (spec.kind, spec.url, spec.query)
                row.interval_s = spec.interval_s
                if changed:
                    row.kind, row.url, row.query = spec.kind, spec.url, spec.query
                    row.etag = row.last_modified = row.body_hash = None
                    row.backlog_done = False
                if row.origin == "config" and row.disabled_reason == "removed from config":
                    row.enabled, row.disabled_reason, row.disabled_at = True, None, None
                    row.next_poll_at = now
            for name, row in rows.items():
                if row.origin == "config" and name not in wanted and row.enabled:
                    row.enabled = False
                    row.disabled_reason = "removed from config"
                    row.disabled_at = now

    async def claim_due(
        self, owner: str, now: datetime, limit: int, lease_s: float
    ) -> list[SourceRecord]:
        """Lease up to ``limit`` due sources to ``owner`` and return them, most overdue first.

        One statement: ``UPDATE … WHERE id IN (the due, unleased ones, oldest first, limit)
        RETURNING`` the records (rows skipped when another replica holds them locked on
        PostgreSQL). Picking the ids, leasing them, reading back which were won and loading
        the records took four, each carrying every id: ~13 % of a warm 1,000-source cycle.
        """
        free = or_(SourceRow.lease_until.is_(None), SourceRow.lease_until < now)
        async with self._sessions.begin() as session:
            pick = (
                select(SourceRow.id)
                .where(SourceRow.enabled.is_(True), SourceRow.next_poll_at <= now, free)
                .order_by(SourceRow.next_poll_at)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            claimed = await session.execute(
                update(SourceRow)
                .where(SourceRow.id.in_(pick.scalar_subquery()), free)
                .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
                .returning(*_RECORD_COLUMNS)
                .execution_options(synchronize_session=False)
            )
            records = [SourceRecord(**row._asdict()) for row in claimed.all()]
        records.sort(key=lambda r: (r.next_poll_at, r.id))
        return records

    async def finish_poll(self, source_id: int, owner: str, **values: Any) -> None:
        """Store the outcome of one poll (columns of ``sources``) and release the lease."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id, SourceRow.lease_owner == owner)
                .values(lease_owner=None, lease_until=None, **values)
            )

    async def all(self) -> list[SourceRecord]:
        async with self._sessions() as session:
            rows = await session.scalars(select(SourceRow).order_by(SourceRow.name))
            return [_record(r) for r in rows.all()]

    async def get(self, source_id: int) -> SourceRecord | None:
        async with self._sessions() as session:
            row = await session.get(SourceRow, source_id)
            return _record(row) if row else None
