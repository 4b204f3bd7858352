"""One holder at a time for things only one replica may do (the Discord gateway connection).

On PostgreSQL the holder keeps a session-level advisory lock on a dedicated connection: if the
holding replica dies, its connection closes, the lock is released, and another replica's next
attempt (every :data:`RETRY_S`) takes over; a holder that finds its connection gone steps
down. On SQLite — one machine — the process that asks holds it.
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
    """Runs ``service`` only while this process holds the advisory lock ``lock_id``.

    Every ``retry_s`` a follower tries to take the lock and the holder checks that its lock
    connection is still alive: a holder whose connection dropped (database restart, network
    cut) has lost the lock to someone else, so it stops the service instead of running a
    second copy.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        service: Service,
        lock_id: int,
        name: str,
        *,
        retry_s: float = RETRY_S,
    ) -> None:
        self._engine = engine
        self._service = service
        self._lock_id = lock_id
        self._name = name
        self._retry_s = retry_s
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.holding = False

    async def start(self) -> None:
        """Try to take the lock now; keep trying (or watching it) in the background.

        Raises:
            Exception: whatever the service's ``start`` raises when this process leads.
        """
        if await self._try():
            await self._service.start()
        if self._engine.dialect.name == "postgresql":
            self._task = asyncio.create_task(self._watch())

    async def _try(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            self.holding = True
            return True
        conn = await self._engine.connect()
        try:
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_id})
        except BaseException:
            await conn.close()
            raise
        if got:
            self._conn = conn
            self.holding = True
            log.info("took the lead", extra={"kv": {"role": self._name}})
            return True
        await conn.close()
        return False

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._retry_s)
            try:
                if self.holding:
                    await self._check_alive()
                elif await self._try():
                    await self._service.start()
            except Exception:  # database blip, or the service failed to start: step down
                log.exception("leader election failed", extra={"kv": {"role": self._name}})
                await self._step_down()

    async def _check_alive(self) -> None:
        assert self._conn is not None
        try:
            await self._conn.scalar(text("SELECT 1"))
        except Exception:
            log.warning("lost the lead", extra={"kv": {"role": self._name}})
            await self._step_down()

    async def _step_down(self) -> None:
        if self.holding:
            self.holding = False
            with contextlib.suppress(Exception):
                await self._service.stop()
        if self._conn is not None:
            with contextlib.suppress(Exception):  # drop, never pool, a connection holding a lock
                await self._conn.invalidate()
            self._conn = None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.holding:
            await self._service.stop()
            self.holding = False
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_id}
                )
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
