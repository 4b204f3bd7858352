"""Shared fixtures: database URLs for the store contract suites (SQLite always, PostgreSQL when
``DEALRADAR_TEST_POSTGRES_URL`` is set — ``.ci/run`` sets it; each test gets a fresh database),
and ``clock``, the one fake clock (:class:`tests.fakes.clock.FakeClock`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.clock import FakeClock

POSTGRES_ENV = "DEALRADAR_TEST_POSTGRES_URL"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _admin(sql: str) -> None:
    import asyncpg

    async def go() -> None:
        url = os.environ[POSTGRES_ENV].replace("postgresql+asyncpg://", "postgresql://")
        conn = await asyncpg.connect(url, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    # in a thread: asyncio.run() would replace the event loop pytest-asyncio set for the test
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
    name = f"dealradar_t_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    """A frozen clock at :data:`tests.fakes.clock.T0`, moved by hand (``clock.advance(...)``)."""
    return FakeClock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dealradar.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each store contract test runs on SQLite and on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(autouse=True)
def _asyncio_run_off_the_main_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``asyncio.run`` (the CLI commands call it) in a worker thread during tests.

    On the main thread ``asyncio.run`` replaces, then clears, the event loop pytest-asyncio
    keeps set between tests, leaving that loop unreferenced and unclosed; the ResourceWarning
    it raises when collected then fails whichever test happens to be running (warnings are
    errors here). In a worker thread ``asyncio.run`` only touches that thread's loop.
    """
    real_run = asyncio.run

    def run(main: Any, **kwargs: Any) -> Any:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(real_run, main, **kwargs).result()  # type: ignore[arg-type]

    monkeypatch.setattr(asyncio, "run", run)
