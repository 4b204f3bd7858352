"""Shared fixtures: one local feed server for the module, clients with test-sized limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.sources.base import FetchLimits
from bot.sources.client import build_client
from tests.fakes.feedserver import FeedServer

SAMPLES = Path("/work/shared/samples")
# Small limits so hostile cases end fast; loopback allowed because the test server is local.
LIMITS = FetchLimits(
    total_timeout=2.0,
    connect_timeout=1.0,
    read_timeout=1.0,
    max_body_bytes=1024 * 1024,
    max_redirects=3,
    allow_private_networks=True,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture(params=["httpcore", "aiohttp"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """The shared client on each wire: every hostile case runs against both backends."""
    http = build_client(LIMITS, user_agent="dealradar-test", backend=request.param)
    yield http
    await http.aclose()
