"""One holder at a time for things only one replica may do (the Discord gateway connection).

On PostgreSQL the holder keeps a session-level advisory lock on a dedicated connection: if the
holding replica dies, its connection closes, the lock is released, and another replica's next
attempt (every :data:`RETRY_S`) takes over. On SQLite — one machine — the process that asks
holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("dealradar.leader")

RETRY_S = 15.0
GATEWAY_LOCK_ID = 0x64697363  # "disc"


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LeaderOnly:
    """Runs ``service`` only while this process holds the advisory lock ``lock_id``."""

    def __init__(self, engine: AsyncEngine, service: Service, lock_id: int, name: str) -> None:
        self._engine = engine
        self._service = service
        self._lock_id = lock_id
        self._name = name
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.holding = False

    async def start(self) -> None:
        """Try to take the lock now; keep trying in the background if another replica holds it."""
        if await self._try():
            await self._service.start()
            return
        self._task = asyncio.create_task(self._wait_for_turn())

    async def _try(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            self.holding = True
            return True
        conn = await self._engine.connect()
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_id})
        if got:
            self._conn = conn
            self.holding = True
            log.info("took the lead", extra={"kv": {"role": self._name}})
            return True
        await conn.close()
        return False

    async def _wait_for_turn(self) -> None:
        while True:
            await asyncio.sleep(RETRY_S)
            try:
                if await self._try():
                    await self._service.start()
                    return
            except Exception:  # database blip: try again next round
                log.exception("leader election failed", extra={"kv": {"role": self._name}})

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.holding:
            await self._service.stop()
            self.holding = False
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_id}
                )
            await self._conn.close()
            self._conn = None
