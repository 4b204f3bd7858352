"""SSRF through the product: sources added with ``/deal sources add`` and polled by the real
poller that :func:`bot.runtime.app.build` wires, with ``fetch.allow_private_networks = false``.

The address checks themselves (every range, odd spellings, DNS pinning, both wires) are
covered in tests/sources/test_addresses.py and tests/sources/test_transport.py; here the same
guarantees are checked end to end: the command stores the source, the poll fails with reason
``blocked_address``, and the local server behind the address never sees a request.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from bot.config.loader import load_settings
from bot.runtime import app
from handlers.api import Caller
from tests.fakes.feedserver import FeedServer

ADMIN = Caller("slack", "C1", "UADMIN", is_admin=True)
MEMBER = Caller("slack", "C1", "UMEMBER", is_admin=False)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set_feed("/feed", [{"title": "internal only", "link": "https://x.example/1"}])
        yield server


async def build_runtime(
    tmp_path: Path, backend: str, network: httpcore.AsyncNetworkBackend | None = None
) -> app.Runtime:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "bot.db"}"\n'
        f'[fetch]\nallow_private_networks = false\nbackend = "{backend}"\n'
        '[[routes]]\nplatform = "console"\n'
        '[[sources]]\nname = "placeholder"\nquery = "Varex Motors"\nkind = "news_search"\n'
        'interval = "1h"\n',
        encoding="utf-8",
    )
    built = await app.build(load_settings(str(config), env={}), network=network)
    # the placeholder (a config source, so that no built-in default is polled) sleeps
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        conn.execute("UPDATE sources SET enabled = 0")
    return built


@pytest.fixture
async def runtime(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[app.Runtime]:
    built = await build_runtime(tmp_path, getattr(request, "param", "aiohttp"))  # fetch.backend
    try:
        yield built
    finally:
        await built.close()


async def failures(runtime: app.Runtime) -> dict[str, str]:
    return {s.name: s.last_error or "" for s in await runtime.sources.all() if s.last_error}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/feed",
        "http://2130706433:{port}/feed",
        "http://0x7f.1:{port}/feed",
        "http://127.1:{port}/feed",
        "http://[::ffff:127.0.0.1]:{port}/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/feed",
        "http://[::1]:{port}/feed",
    ],
)
@pytest.mark.parametrize("runtime", ["aiohttp", "httpcore"], indirect=True)
async def test_admin_added_source_on_a_private_address_is_blocked_at_poll(
    runtime: app.Runtime, feeds: FeedServer, url: str
) -> None:
    url = url.format(port=feeds.port)
    reply = await runtime.commands.run(f"sources add {url} inner", ADMIN)  # type: ignore[union-attr]
    assert not reply.error, reply.title
    stats = await runtime.poll_once()
    assert stats.polled == 1
    assert stats.failures_by_reason == {"blocked_address": 1}
    assert feeds.hits("/feed") == 0  # never connected
    error = (await failures(runtime))["inner"]
    assert error and "127.0.0.1:" not in error.replace(url, "")  # says what, not a dump


async def test_public_looking_source_redirecting_to_loopback_is_blocked_at_the_hop(
    tmp_path: Path, feeds: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the httpcore wire, whose network can be replaced by a stand-in internet (the aiohttp
    wire's resolver is checked in tests/sources/test_transport.py)."""
    feeds.set_redirect("/start", f"http://127.0.0.1:{feeds.port}/feed")

    async def getaddrinfo(self: Any, host: str, port: int, **kwargs: Any) -> list[Any]:
        assert host == "feeds.example", host  # only the public name is ever looked up
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    reached: list[str] = []
    real = httpcore.AnyIOBackend()

    class PublicInternet(httpcore.AsyncNetworkBackend):
        """Every checked public address reaches the local server."""

        async def connect_tcp(self, host: str, port: int, *args: Any, **kw: Any) -> Any:
            reached.append(host)
            return await real.connect_tcp("127.0.0.1", feeds.port, *args, **kw)

    runtime = await build_runtime(tmp_path, "httpcore", network=PublicInternet())
    try:
        reply = await runtime.commands.run("sources add http://feeds.example/start outer", ADMIN)  # type: ignore[union-attr]
        assert not reply.error, reply.title
        stats = await runtime.poll_once()
    finally:
        await runtime.close()
    assert stats.failures_by_reason == {"blocked_address": 1}
    assert feeds.hits("/start") == 1  # the public hop was fetched …
    assert feeds.hits("/feed") == 0  # … the loopback target never
    assert reached == ["93.184.216.34"]


async def test_members_cannot_add_sources(runtime: app.Runtime, feeds: FeedServer) -> None:
    reply = await runtime.commands.run(  # type: ignore[union-attr]
        f"sources add http://127.0.0.1:{feeds.port}/feed sneaky", MEMBER
    )
    assert reply.error
    assert "admin" in reply.title.lower()
    assert "sneaky" not in {s.name for s in await runtime.sources.all()}


@pytest.mark.parametrize(
    "text",
    [
        "sources add http://127.0.0.1/feed allow_private_networks=true",
        "config fetch.allow_private_networks true",
        "set allow_private_networks true",
        "sources allow-private on",
    ],
)
async def test_allow_private_networks_cannot_be_switched_from_chat(
    runtime: app.Runtime, feeds: FeedServer, text: str
) -> None:
    await runtime.commands.run(text, ADMIN)  # type: ignore[union-attr]  # whatever it answers…
    await runtime.commands.run(  # type: ignore[union-attr]
        f"sources add http://127.0.0.1:{feeds.port}/feed probe", ADMIN
    )
    stats = await runtime.poll_once()
    assert stats.failures_by_reason.get("blocked_address", 0) >= 1  # … the guard still holds
    assert feeds.hits("/feed") == 0
    assert runtime.settings.fetch.allow_private_networks is False


def test_no_command_handler_mentions_the_switch() -> None:
    handlers = Path(__file__).resolve().parents[2] / "handlers"
    for module in handlers.glob("*.py"):
        assert "allow_private" not in module.read_text(encoding="utf-8"), module.name
