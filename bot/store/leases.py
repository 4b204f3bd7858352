"""Leases: how replicas claim work (:func:`claim`) and give back a dead process's claims.

:func:`claim` is the one claiming mechanism of the store (due sources, pending deliveries):
pick candidate ids (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas skip each other's
rows instead of waiting), then lease them with an UPDATE that re-checks the lease is free, so
two writers can never both win, on SQLite either.

Giving back the leases of this host's processes that died (``kill -9``, OOM, power cut):

A source or delivery claimed by a process is leased for minutes (``LEASE_S`` in the poller
and the delivery worker) so a slow fetch or send is never taken twice. When the holder is
killed, the lease would keep that work waiting until it runs out. At start, a process releases
the leases whose owner (``host:pid:suffix``, see :func:`bot.runtime.app.process_owner`) ran on this
host and is gone: its pid no longer exists, or is this very process (a restarted container
gets the same pid). A delivery released this way keeps its attempt count, so the sink checks
whether the dead process already posted it (Slack metadata, Discord nonce) before sending.
Leases of other hosts are left to expire: their liveness cannot be seen from here.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import DeliveryRow, SourceRow


async def claim(
    session: AsyncSession,
    model: type[SourceRow] | type[DeliveryRow],
    *,
    due: Sequence[ColumnElement[bool]],
    order_by: Any,
    owner: str,
    now: datetime,
    until: datetime,
    limit: int,
    recheck: Sequence[ColumnElement[bool]] = (),
    **values: Any,
) -> list[int]:
    """Lease up to ``limit`` rows of ``model`` matching ``due`` to ``owner`` until ``until``;
    returns the ids this call won. ``values`` are set on the leased rows as well."""
    free = or_(model.lease_until.is_(None), model.lease_until < now)
    pick = select(model.id).where(*due, free).order_by(order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = list((await session.scalars(pick)).all())
    if not ids:
        return []
    await session.execute(
        update(model)
        .where(model.id.in_(ids), free, *recheck)
        .values(lease_owner=owner, lease_until=until, **values)
    )
    won = await session.scalars(
        select(model.id).where(model.id.in_(ids), model.lease_owner == owner)
    )
    return list(won.all())


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True


def orphaned(
    owner: str,
    me: str,
    *,
    host: str | None = None,
    my_pid: int | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """Whether lease ``owner`` belongs to a dead process of this host (never ``me``)."""
    if owner == me:
        return False
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host = socket.gethostname()[:30] if host is None else host
    if parts[0] != host:
        return False
    pid = int(parts[1])
    return pid == (os.getpid() if my_pid is None else my_pid) or not alive(pid)


async def release_orphaned(
    sessions: async_sessionmaker[AsyncSession],
    me: str,
    *,
    is_orphaned: Callable[[str, str], bool] = orphaned,
) -> int:
    """Release sources and deliveries leased by dead local processes; returns how many.

    Raises whatever the database raises (``sqlalchemy.exc.SQLAlchemyError``).
    """
    released = 0
    async with sessions.begin() as session:
        for table in (SourceRow, DeliveryRow):
            owners = (
                await session.scalars(
                    select(table.lease_owner).where(table.lease_owner.is_not(None)).distinct()
                )
            ).all()
            dead = [o for o in owners if o is not None and is_orphaned(o, me)]
            if not dead:
                continue
            result = await session.execute(
                update(table)
                .where(table.lease_owner.in_(dead))
                .values(lease_owner=None, lease_until=None)
            )
            released += int(getattr(result, "rowcount", 0) or 0)
    return released
