"""One Discord gateway across replicas: :class:`bot.store.leader.LeaderOnly` on PostgreSQL.

Two holders on two engines (two processes' pools) share one advisory lock; a fake service
counts starts and stops. The retry period is injected (50 ms), so nothing waits 15 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import create_engine
from bot.store.leader import LeaderOnly

LOCK = 0x7465_7374  # not the real gateway's lock id
RETRY_S = 0.05


@dataclass
class Gateway:
    running: list[str]
    name: str
    starts: int = 0
    stops: int = 0

    async def start(self) -> None:
        self.starts += 1
        self.running.append(self.name)

    async def stop(self) -> None:
        self.stops += 1
        self.running.remove(self.name)


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(RETRY_S / 2)


@pytest.fixture
async def engines(postgres_url: str) -> AsyncIterator[list[AsyncEngine]]:
    made = [create_engine(postgres_url) for _ in range(3)]
    yield made
    for engine in made:
        await engine.dispose()


def pair(engines: list[AsyncEngine]) -> tuple[list[str], list[Gateway], list[LeaderOnly]]:
    running: list[str] = []
    gateways = [Gateway(running, "a"), Gateway(running, "b")]
    holders = [
        LeaderOnly(engines[n], gateways[n], LOCK, "test-gateway", retry_s=RETRY_S) for n in (0, 1)
    ]
    return running, gateways, holders


async def test_only_one_holder_starts_and_the_other_takes_over_on_stop(
    engines: list[AsyncEngine],
) -> None:
    running, (a, b), (first, second) = pair(engines)
    await first.start()
    await second.start()
    await asyncio.sleep(10 * RETRY_S)  # several retry rounds: the follower stays a follower
    assert running == ["a"] and (a.starts, b.starts) == (1, 0)
    assert first.holding and not second.holding

    await first.stop()
    await until(lambda: second.holding)
    assert running == ["b"] and (a.stops, b.starts) == (1, 1)
    await second.stop()
    assert running == [] and b.stops == 1


async def test_a_dead_holders_lock_passes_on_and_it_steps_down(
    engines: list[AsyncEngine],
) -> None:
    running, (a, b), (first, second) = pair(engines)
    await first.start()
    await second.start()
    assert running == ["a"]

    # the holder's database session dies (replica killed, network cut): the lock is released
    async with engines[2].connect() as admin:
        killed = await admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objid = :k AND granted"
            ),
            {"k": LOCK},
        )
    assert killed == 1
    await until(lambda: second.holding and not first.holding)
    assert running == ["b"]
    assert (a.starts, a.stops, b.starts) == (1, 1, 1)
    await asyncio.sleep(10 * RETRY_S)
    assert running == ["b"] and a.starts == 1  # the old holder does not grab it back
    await first.stop()
    await second.stop()


async def test_on_sqlite_the_process_that_asks_holds_it(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    running: list[str] = []
    gateway = Gateway(running, "only")
    holder = LeaderOnly(engine, gateway, LOCK, "test-gateway", retry_s=RETRY_S)
    try:
        await holder.start()
        assert holder.holding and running == ["only"]
        await holder.stop()
        assert running == [] and gateway.stops == 1
    finally:
        await engine.dispose()
