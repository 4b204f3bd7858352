"""Request ids already handled, shared by every process through ``processed_requests``.

Slack re-sends events it got no timely answer for and a captured request can be replayed
within its signature window; Discord may deliver an interaction to a second replica. The
in-memory :class:`bot.request_keys.MemorySeen` protects one process; :class:`ProcessedRequests`
implements the same :class:`bot.ports.SeenOnce` port for all of them (keys ``slack:…`` and
``discord:…`` share the table): the first ``INSERT … ON CONFLICT DO NOTHING`` of a key wins,
every later one (from any process) loses.
Rows older than :data:`KEEP` are pruned now and then, since no platform retries that late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import ProcessedRequestRow

KEEP = timedelta(days=1)
PRUNE_EVERY = 500  # claims between two prunes
MAX_KEY = 200  # the column's width


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ProcessedRequests:
    """``claim(key)``: True for the first claim of ``key`` across all processes; this is the
    :class:`bot.ports.SeenOnce` port, shared by the Slack and Discord endpoints.

    Raises whatever the database raises (``sqlalchemy.exc.SQLAlchemyError``).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = _utcnow,
        keep: timedelta = KEEP,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._keep = keep
        self._claims = 0

    async def claim(self, key: str) -> bool:
        now = self._clock()
        async with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = (postgresql if dialect == "postgresql" else sqlite).insert
            statement = (
                insert(ProcessedRequestRow)
                .values(key=key[:MAX_KEY], created_at=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            result = await session.execute(statement)
            first = bool(getattr(result, "rowcount", 0) == 1)
        self._claims += 1
        if self._claims % PRUNE_EVERY == 1:
            await self.prune(now)
        return first

    async def prune(self, now: datetime | None = None) -> int:
        """Forget keys older than ``keep``; returns how many rows went."""
        cutoff = (now or self._clock()) - self._keep
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(ProcessedRequestRow).where(ProcessedRequestRow.created_at < cutoff)
            )
            return int(getattr(result, "rowcount", 0) or 0)
