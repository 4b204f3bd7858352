"""The pinned transport: refusals happen before any connection; connections go to the checked IP."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Literal

import httpcore
import pytest

from bot.errors import BlockedAddressError
from bot.sources.aiohttp_transport import PinnedResolver
from bot.sources.base import FetchLimits, FetchState
from bot.sources.client import build_client
from bot.sources.fetcher import fetch_bytes
from bot.sources.transport import PinnedBackend
from tests.fakes.feedserver import FeedServer

Backend = Literal["httpcore", "aiohttp"]
STRICT = FetchLimits(total_timeout=2.0, connect_timeout=1.0, allow_private_networks=False)


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records where a connection would go instead of connecting."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded, not connected")


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    asked: list[str] = []

    async def getaddrinfo(self: Any, host: str, port: int, **kwargs: Any) -> list[Any]:
        asked.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers
        ]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize("backend", ["httpcore", "aiohttp"])
@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "localhost"]
)
async def test_loopback_is_refused_before_connecting(host: str, backend: Backend) -> None:
    with FeedServer() as server:
        server.set_feed("/feed", [])
        url = f"http://{host}:{server.port}/feed"
        async with build_client(STRICT, user_agent="t", backend=backend) as client:
            with pytest.raises(BlockedAddressError) as info:
                await fetch_bytes(client, url, FetchState(), STRICT)
        assert server.hits("/feed") == 0
        assert info.value.reason == "blocked_address"
        assert f":{server.port}" in str(info.value)


class LocalInternet(httpcore.AsyncNetworkBackend):
    """Pretends to be the internet: every (checked, public) address reaches the local server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.hosts: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        return await self._real.connect_tcp("127.0.0.1", self.port, *args, **kwargs)


def fake_dns_map(monkeypatch: pytest.MonkeyPatch, table: dict[str, str]) -> None:
    async def getaddrinfo(self: Any, host: str, port: int, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("location", "refused_by"),
    [
        ("http://127.0.0.1:{port}/secret", "fetcher"),  # literal: refused before any lookup
        ("http://2130706433:{port}/secret", "fetcher"),
        ("http://internal.test/secret", "transport"),  # name: refused after resolution
    ],
)
async def test_redirect_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, location: str, refused_by: str
) -> None:
    with FeedServer() as server:
        server.set_redirect("/start", location.format(port=server.port))
        server.set_feed("/secret", [{"title": "internal", "link": "http://x.test/"}])
        fake_dns_map(monkeypatch, {"feeds.test": "93.184.216.34", "internal.test": "10.0.0.5"})
        internet = LocalInternet(server.port)
        async with build_client(STRICT, user_agent="t", network=internet) as client:
            with pytest.raises(BlockedAddressError) as info:
                await fetch_bytes(client, "http://feeds.test/start", FetchState(), STRICT)
        assert server.hits("/start") == 1
        assert server.hits("/secret") == 0
        assert internet.hosts == ["93.184.216.34"]  # only the public hop was ever connected
        assert ("resolves to" in str(info.value)) == (refused_by == "transport")


async def test_connection_is_pinned_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = fake_dns(monkeypatch, ["93.184.216.34"])
    inner = RecordingBackend()
    backend = PinnedBackend(allow_private_networks=False, inner=inner)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("feeds.test", 443)
    assert asked == ["feeds.test"]
    assert inner.hosts == ["93.184.216.34"]  # the IP literal we checked, not the name


@pytest.mark.parametrize(
    "answers",
    [["10.0.0.7"], ["93.184.216.34", "127.0.0.1"], ["::ffff:169.254.169.254"], ["64:ff9b::a00:1"]],
)
async def test_names_resolving_to_private_addresses_are_refused(
    monkeypatch: pytest.MonkeyPatch, answers: list[str]
) -> None:
    fake_dns(monkeypatch, answers)
    inner = RecordingBackend()
    backend = PinnedBackend(allow_private_networks=False, inner=inner)
    with pytest.raises(BlockedAddressError):
        await backend.connect_tcp("rebind.test", 80)
    assert inner.hosts == []


@pytest.mark.parametrize("backend", ["httpcore", "aiohttp"])
async def test_allow_private_networks_connects_to_loopback(backend: Backend) -> None:
    limits = FetchLimits(total_timeout=2.0, allow_private_networks=True)
    with FeedServer() as server:
        server.set_feed("/feed", [{"title": "ok", "link": "http://x.test/1"}])
        async with build_client(limits, user_agent="t", backend=backend) as client:
            result = await fetch_bytes(client, server.url("/feed"), FetchState(), limits)
        assert result.status == 200
        assert server.hits("/feed") == 1


async def test_unix_sockets_are_never_used() -> None:
    backend = PinnedBackend(allow_private_networks=True)
    with pytest.raises(BlockedAddressError):
        await backend.connect_unix_socket("/var/run/docker.sock")


@pytest.mark.parametrize("backend", ["httpcore", "aiohttp"])
async def test_proxy_environment_is_ignored(
    monkeypatch: pytest.MonkeyPatch, backend: Backend
) -> None:
    """A proxy would connect on our behalf and bypass the pinned check, so none is used."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    limits = FetchLimits(total_timeout=2.0, allow_private_networks=True)
    with FeedServer() as server:
        server.set_feed("/feed", [])
        async with build_client(limits, user_agent="dealradar-test/1", backend=backend) as client:
            result = await fetch_bytes(client, server.url("/feed"), FetchState(), limits)
        headers = server.last_headers("/feed")
    assert result.status == 200
    assert headers["user-agent"] == "dealradar-test/1"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "application/rss+xml" in headers["accept"]


@pytest.mark.parametrize(
    "answers", [["10.0.0.7"], ["93.184.216.34", "127.0.0.1"], ["::ffff:169.254.169.254"]]
)
async def test_aiohttp_resolver_refuses_private_answers(
    monkeypatch: pytest.MonkeyPatch, answers: list[str]
) -> None:
    fake_dns(monkeypatch, answers)
    with pytest.raises(BlockedAddressError):
        await PinnedResolver(allow_private_networks=False).resolve("rebind.test", 80)


async def test_aiohttp_resolver_returns_only_the_checked_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_dns(monkeypatch, ["93.184.216.34", "2606:4700::1111"])
    results = await PinnedResolver(allow_private_networks=False).resolve("feeds.test", 443)
    assert [(r["hostname"], r["host"], r["port"]) for r in results] == [
        ("feeds.test", "93.184.216.34", 443),
        ("feeds.test", "2606:4700::1111", 443),
    ]


async def test_aiohttp_redirect_to_a_name_resolving_privately_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real local server stands in for a public origin via a private-allowing first hop."""
    with FeedServer() as server:
        server.set_redirect("/start", "http://internal.test/secret")
        fake_dns_map(monkeypatch, {"internal.test": "10.0.0.5"})
        # the loopback literal of the first hop is let through; the resolver stays strict
        limits = FetchLimits(total_timeout=2.0, allow_private_networks=True)
        strict = PinnedResolver(allow_private_networks=False)
        async with build_client(
            limits, user_agent="t", backend="aiohttp", resolver=strict
        ) as client:
            with pytest.raises(BlockedAddressError) as info:  # ... but not the named second hop
                await fetch_bytes(client, server.url("/start"), FetchState(), limits)
        assert "10.0.0.5" in str(info.value)
        assert server.hits("/start") == 1
